// Upper envelope over the segments of a non-monotone endogenous grid (Iskhakov, Jorgensen,
// Rust & Schjerning 2017; Druedahl & Jorgensen 2017): every grid point takes the best of the
// EGM segments that cover it, comparing the values u(c) + beta EV(a') they imply.
#include "hat/household/upper_envelope.hpp"

#include <algorithm>
#include <limits>

namespace hat::household {

void upper_envelope(const EnvelopeInput& in, std::span<double> out) {
  const int Na = static_cast<int>(in.grid.size());
  const double a_min = in.grid[0], a_max = in.grid[Na - 1];
  const double amax_til = *std::max_element(in.atil.begin(), in.atil.end());
  for (int i = 0; i < Na; ++i) {
    const double a = in.grid[i];
    double best_v = -std::numeric_limits<double>::infinity(), best_ap = a_min;
    if (a <= in.atil[0]) {  // the borrowing constraint binds below the first endogenous point
      const double c = (in.cash[i] - a_min) / in.price;
      if (c > 0) best_v = in.utility(c) + in.beta * in.ev[0];
    }
    for (int q = 0; q < Na - 1; ++q) {
      const double x0 = in.atil[q], x1 = in.atil[q + 1];
      const bool inside = (a >= std::min(x0, x1) && a <= std::max(x0, x1));
      const bool extrap = (q == Na - 2 && a > amax_til);
      if ((!inside && !extrap) || x1 == x0) continue;
      const double t = (a - x0) / (x1 - x0);
      double ap = in.grid[q] + t * (in.grid[q + 1] - in.grid[q]);
      double evq = in.ev[q] + t * (in.ev[q + 1] - in.ev[q]);
      if (ap > a_max) {
        ap = a_max;
        evq = in.ev[Na - 1];
      }
      const double c = (in.cash[i] - ap) / in.price;
      if (!(c > 0)) continue;
      const double val = in.utility(c) + in.beta * evq;
      if (val > best_v) {
        best_v = val;
        best_ap = ap;
      }
    }
    out[i] = std::clamp(best_ap, a_min, a_max);
  }
}

}  // namespace hat::household
