// The upper envelope of a folded endogenous grid (Iskhakov, Jorgensen, Rust & Schjerning 2017,
// QE, "DC-EGM"; Druedahl & Jorgensen 2017, JEDC, "G2EGM").
#pragma once

#include <functional>
#include <span>

namespace hat::household {

struct EnvelopeInput {
  std::span<const double> grid;  // exogenous asset grid a_i, also the grid of a' (increasing)
  std::span<const double> atil;  // endogenous current assets of each a' grid point (any order)
  std::span<const double> ev;    // continuation E V(a'_q) on the a' grid
  std::span<const double> cash;  // resources at each grid point a_i: p c + a' = cash_i
  double price = 1.0;            // p of the variety
  double beta = 0.96;
  std::function<double(double)> utility;  // u(c)
};

// For every grid point a_i, the savings a' that maximise u((cash_i - a')/p) + beta EV(a') among
// the constrained choice a' = a_min (for a_i <= atil_0) and every EGM segment [q, q+1] whose
// endogenous interval covers a_i (a' and EV linear in a along the segment; the last segment is
// extrapolated beyond the largest atil). Writes a' into `out` (clamped to the grid's range).
void upper_envelope(const EnvelopeInput& in, std::span<double> out);

}  // namespace hat::household
