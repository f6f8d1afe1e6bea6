// Links the installed hat library and solves a small household block: prints its status.
#include <cstdio>

#include "hat/core/build_info.hpp"
#include "hat/household/household.hpp"
#include "hat/numerics/grid.hpp"
#include "hat/numerics/markov.hpp"

int main() {
  hat::household::HouseholdProblem hp;
  hp.prices = Eigen::VectorXd::Ones(2);
  hp.prices(1) = 1.3;
  hp.grid = hat::numerics::make_grid(-0.5, 8.0, 40);
  const auto ip = hat::numerics::make_income_process(hat::numerics::IncomeSpec{});
  hp.z = ip.z;
  hp.P = ip.P;
  const auto sol = hat::household::solve_household(hp);
  std::printf("hat %s: %s\n", hat::version(), hat::to_string(sol.report.status));
  return sol.report.converged() ? 0 : 1;
}
