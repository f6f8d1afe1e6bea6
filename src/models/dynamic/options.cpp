// Validation of the dynamic model's solver options (dynamic.hpp).
#include "hat/core/error.hpp"
#include "hat/models/dynamic.hpp"

namespace hat::dynamic {

void DynamicSolverOptions::validate() const {
  check_option(positive_finite(tolerance), "DynamicSolverOptions.tolerance", "> 0");
  check_option(max_evaluations >= 1, "DynamicSolverOptions.max_evaluations", ">= 1");
}

void PathOptions::validate() const {
  // Two periods at least: the path needs a period before the one it ends at.
  check_option(periods >= 2, "PathOptions.periods", ">= 2");
  check_option(positive_finite(tolerance), "PathOptions.tolerance", "> 0");
  check_option(max_sweeps >= 1, "PathOptions.max_sweeps", ">= 1");
  check_option(damping > 0 && damping <= 1, "PathOptions.damping", "in (0, 1]");
  period_solver.validate();
}

}  // namespace hat::dynamic
