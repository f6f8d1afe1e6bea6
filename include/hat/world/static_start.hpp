// A starting guess for the world equilibrium's wages from the static (hand-to-mouth) version of
// the HAT world: every household spends its income W z + tau on one variety chosen by the same
// logit (sigma, quality shifters, consumer prices) with no assets, and the goods markets clear.
// Cheap (no household solve) and, on EK19, within 1-5% of the HAT wages: a cold solve started
// there takes 7 evaluations and 2 Jacobians instead of 9 and 3 from unit wages.
#pragma once

#include "hat/world/config.hpp"
#include "hat/world/world.hpp"

namespace hat::world {

// Wages clearing the static world's goods markets at `guess`'s transfers (the numeraire as in
// `opt`: mean wage 1, or the numeraire country's wage 1), in `out` (R, beta and transfers as in
// `guess`). Damped Newton on the log wages; false (out = guess) if it does not reach a residual
// of 1e-10 in 50 steps or a household's income is not positive.
bool static_wages(const World& w, const Prices& guess, const EquilibriumOptions& opt, Prices& out);

// The starting point of a cold solve from a config: its prices, with the static world's wages
// when [equilibrium] wages is not given.
Prices cold_start(const WorldConfig& wc);

}  // namespace hat::world
