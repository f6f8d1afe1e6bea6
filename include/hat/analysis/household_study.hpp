// One household block as `hat household` and `hat.Household(...).solve()` solve it: the EGM
// solve, the stationary distribution, aggregates and the Euler-error check bounded by its cost,
// with the warnings. The command line and the Python package are adapters over this; the --json
// object and the tidy outputs are in reports/household.hpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hat/core/progress.hpp"
#include "hat/household/config.hpp"
#include "hat/household/household.hpp"

namespace hat::analysis {

struct HouseholdStudy {
  household::HouseholdConfig config;
  household::HouseholdSolution solution;
  household::StationaryDistribution distribution;
  household::Aggregates aggregates;
  household::EulerErrors euler;  // NaN where the check was skipped as too costly
  int euler_refine = 0;          // refinement of the Euler-error grid (0: not computed)
  household::EulerGrid euler_grid = household::EulerGrid::Solution;
  std::vector<std::string> warnings;
  double seconds = 0;
  // Both the policies and the distribution converged.
  bool converged() const;
  // Neither solve failed outright: there are policies and a distribution to write.
  bool solved() const;
  // "converged", else the status of the first solve that did not converge.
  std::string status() const;
};

// Solves the block of a read config (never throws for non-convergence: see the statuses); the
// Euler errors on the solution grid (the default: it costs about one sweep) or a 10x finer one.
// `stage`, when given, hears the start of each stage after the solve as {"household", message}
// (kStop: hat::Interrupted, core/progress.hpp); the solver's own progress goes through
// hc.solve.progress.
HouseholdStudy run_household_study(household::HouseholdConfig hc,
                                   household::EulerGrid euler_grid = household::EulerGrid::Solution,
                                   const ProgressCallback& stage = nullptr);

}  // namespace hat::analysis
