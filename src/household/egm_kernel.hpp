// Pieces of the EGM step shared by the stationary solver (egm.cpp) and the one-period backward
// step (backward_step.cpp): the grid bracket of a savings choice and the upper envelope of a
// folded endogenous grid with the household's utility. (The per-point EGM/logit arithmetic
// itself differs between the two on purpose: egm.cpp evaluates u'(c) by a binomial series on
// flat EGM segments and updates expectations in place within a sweep; backward_step.cpp is the
// plain, vectorised statement of the same step, and the tests check that the two agree.)
#pragma once

#include <algorithm>
#include <cmath>
#include <span>

#include "hat/household/household.hpp"
#include "hat/household/upper_envelope.hpp"

namespace hat::household::detail {

// The bracket of x on the increasing grid g[0..n-1]: lower index lo in [0, n-2] and the weight
// t in [0, 1] on the upper point (x outside the grid is clamped to its ends).
inline void locate(const double* g, int n, double x, int& lo, double& t) {
  int l = static_cast<int>(std::upper_bound(g, g + n, x) - g) - 1;
  l = std::clamp(l, 0, n - 2);
  lo = l;
  t = std::clamp((x - g[l]) / (g[l + 1] - g[l]), 0.0, 1.0);
}

// Savings a'(a_i) of one (income state, variety) pair whose endogenous grid `atil` folds: the
// upper envelope over the EGM segments and the constrained choice, with u of hp's gamma.
inline void fold_savings(const HouseholdProblem& hp, double price, std::span<const double> atil,
                         std::span<const double> ev, std::span<const double> cash,
                         std::span<double> out) {
  EnvelopeInput in;
  in.grid = std::span<const double>(hp.grid.data(), static_cast<size_t>(hp.Na()));
  in.atil = atil;
  in.ev = ev;
  in.cash = cash;
  in.price = price;
  in.beta = hp.beta;
  const double gm = hp.gamma;
  in.utility = [gm](double c) { return utility(c, gm); };
  upper_envelope(in, out);
}

}  // namespace hat::household::detail
