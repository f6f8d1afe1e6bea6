// The household study shared by the command line and the Python package (see
// household_study.hpp).
#include "hat/analysis/household_study.hpp"

#include <fmt/format.h>

#include <cmath>

#include "hat/core/timer.hpp"

namespace hat::analysis {

namespace {

std::vector<std::string> warnings_of(const HouseholdStudy& st) {
  const household::HouseholdSolution& sol = st.solution;
  const household::StationaryDistribution& dist = st.distribution;
  std::vector<std::string> warnings;
  if (!sol.report.converged()) warnings.push_back(sol.report.message);
  if (sol.report.status != SolverStatus::Failed &&
      st.euler_refine < household::requested_refine(st.euler_grid))
    warnings.push_back(household::euler_refine_warning(st.euler_refine, st.euler_grid));
  if (sol.report.status != SolverStatus::Failed && !dist.report.converged())
    warnings.push_back(dist.report.message);
  if (dist.mass_at_amax > 1e-3)
    warnings.push_back(
        fmt::format("mass at a_max is {:.3g} (> 1e-3): raise asset_max", dist.mass_at_amax));
  return warnings;
}

}  // namespace

bool HouseholdStudy::converged() const {
  return solution.report.converged() && distribution.report.converged();
}

bool HouseholdStudy::solved() const {
  return solution.report.status != SolverStatus::Failed &&
         distribution.report.status != SolverStatus::Failed;
}

std::string HouseholdStudy::status() const {
  if (converged()) return "converged";
  return to_string(solution.report.converged() ? distribution.report.status
                                               : solution.report.status);
}

HouseholdStudy run_household_study(household::HouseholdConfig hc, household::EulerGrid euler_grid,
                                   const ProgressCallback& stage) {
  const auto say = [&stage](const std::string& what) { report_stage(stage, "household", what); };
  Timer timer;
  HouseholdStudy st;
  st.config = std::move(hc);
  st.euler_grid = euler_grid;
  const auto& hp = st.config.problem;
  st.solution = household::solve_household(hp, st.config.solve);
  if (st.solution.report.status != SolverStatus::Failed) {
    say(fmt::format("household solved in {} iterations; stationary distribution",
                    st.solution.report.iterations));
    st.distribution = household::stationary_distribution(hp, st.solution, st.config.distribution);
    st.aggregates = household::aggregate(hp, st.solution, st.distribution.mass);
    st.euler_refine = household::euler_error_refine(hp, euler_grid);
    st.euler.log10_mean = st.euler.log10_max = NAN;  // skipped (too costly): missing values
    say(fmt::format("Euler errors (refinement {})", st.euler_refine));
    if (st.euler_refine > 0) st.euler = household::euler_errors(hp, st.solution, st.euler_refine);
  }
  st.seconds = timer.seconds();
  st.warnings = warnings_of(st);
  return st;
}

}  // namespace hat::analysis
