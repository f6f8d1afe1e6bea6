// Validation of the world solvers' options (world.hpp, system.hpp).
#include <cmath>

#include "hat/core/error.hpp"
#include "hat/world/system.hpp"
#include "hat/world/world.hpp"

namespace hat::world {

namespace {
bool positive_finite(double v) {
  return std::isfinite(v) && v > 0;
}
}  // namespace

void EquilibriumOptions::validate() const {
  check_option(numeraire >= -1, "EquilibriumOptions.numeraire", ">= -1 (-1: mean wage)");
  check_option(positive_finite(tolerance), "EquilibriumOptions.tolerance", "> 0");
  check_option(max_evaluations >= 1, "EquilibriumOptions.max_evaluations", ">= 1");
  // A step in log unknowns beyond 10% no longer measures a derivative.
  check_option(positive_finite(fd_step) && fd_step <= 0.1, "EquilibriumOptions.fd_step",
               "in (0, 0.1]");
  check_option(positive_finite(fd_household_tolerance), "EquilibriumOptions.fd_household_tolerance",
               "> 0");
  check_option(inexact_factor >= 0, "EquilibriumOptions.inexact_factor", ">= 0 (0 = off)");
  check_option(positive_finite(inexact_max_tolerance), "EquilibriumOptions.inexact_max_tolerance",
               "> 0");
  check_option(jacobian_refreshes >= 0, "EquilibriumOptions.jacobian_refreshes", ">= 0");
  check_option(jacobian_refresh_factor > 0 && jacobian_refresh_factor < 1,
               "EquilibriumOptions.jacobian_refresh_factor", "in (0, 1)");
  household.validate();
  distribution.validate();
  derivative.validate();
}

void SystemOptions::validate() const {
  check_option(positive_finite(tolerance), "SystemOptions.tolerance", "> 0");
  check_option(max_evaluations >= 1, "SystemOptions.max_evaluations", ">= 1");
  check_option(positive_finite(fd_step), "SystemOptions.fd_step", "> 0");
  check_option(restarts >= 0, "SystemOptions.restarts", ">= 0");
  check_option(snapshot_every >= 0, "SystemOptions.snapshot_every", ">= 0");
}

}  // namespace hat::world
