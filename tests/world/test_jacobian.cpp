// The analytic equilibrium Jacobian (implicit derivatives of the stationary household blocks,
// household/steady_state_derivative.hpp) against an independent computation: central finite
// differences of the market-clearing residuals with every household re-solved at tight
// tolerances. Financial globalisation, autarky and tariffs; two and five countries.
#include <gtest/gtest.h>
#include <omp.h>

#include "hat/world/system.hpp"
#include "hat/world/world.hpp"
#include "world/solve_checks.hpp"
#include "world_fixtures.hpp"

using namespace hat;
using namespace hat::world;

namespace {

// max |J_analytic - J_fd| / max |J_fd| at prices near (not at) the equilibrium
// (hat::test::near_equilibrium): the identity holds at any point where the aggregates are
// differentiable. (They have kinks where a policy crosses a grid point of the lottery or a
// borrowing limit starts to bind; at R_B = 1.007 in the five-country autarky world one sits
// within 1e-6 of the point and the one-sided finite differences there differ by 3e-5.)
double jacobian_gap(const World& w, Financial f) {
  EquilibriumOptions opt;
  opt.jacobian = JacobianMethod::Analytic;
  opt.financial = f;
  opt.household.tolerance = opt.household.value_tolerance = 1e-13;
  opt.distribution.tolerance = 1e-15;
  const Evaluation at = evaluate(w, hat::test::near_equilibrium(w, f), opt);
  EXPECT_TRUE(at.ok) << at.message;
  Eigen::MatrixXd Ja, Jf;
  std::string msg;
  EXPECT_TRUE(equilibrium_jacobian(w, opt, at, Ja, msg)) << msg;
  EquilibriumOptions fd = opt;
  fd.jacobian = JacobianMethod::FiniteDifference;
  // Central, with a step small enough that few kinks of the aggregates (policies crossing grid
  // points) fall within it; the household error / step is then ~1e-7 absolute.
  fd.fd_step = 1e-6;
  EXPECT_TRUE(equilibrium_jacobian(w, fd, at, Jf, msg, true, 1e-13)) << msg;
  const double gap = (Ja - Jf).cwiseAbs().maxCoeff() / Jf.cwiseAbs().maxCoeff();
  if (gap > 1e-6) ADD_FAILURE() << "analytic\n" << Ja << "\nfinite differences\n" << Jf;
  return gap;
}

}  // namespace

TEST(AnalyticJacobian, TwoCountryGlobalization) {
  EXPECT_LT(jacobian_gap(hat::test::asymmetric_two(), Financial::Globalization), 1e-6);
}

TEST(AnalyticJacobian, TwoCountryAutarky) {
  EXPECT_LT(jacobian_gap(hat::test::asymmetric_two(), Financial::Autarky), 1e-6);
}

TEST(AnalyticJacobian, TwoCountryTariffs) {
  World w = hat::test::asymmetric_two();
  hat::test::add_tariffs(w);
  EXPECT_LT(jacobian_gap(w, Financial::Globalization), 1e-6);
}

TEST(AnalyticJacobian, FiveCountryGlobalization) {
  EXPECT_LT(jacobian_gap(hat::test::five_country(1.45, 40), Financial::Globalization), 1e-6);
}

TEST(AnalyticJacobian, FiveCountryAutarky) {
  EXPECT_LT(jacobian_gap(hat::test::five_country(1.45, 40), Financial::Autarky), 1e-6);
}

TEST(AnalyticJacobian, FiveCountryTariffs) {
  World w = hat::test::five_country(1.45, 40);
  hat::test::add_tariffs(w);
  EXPECT_LT(jacobian_gap(w, Financial::Autarky), 1e-6);
}

// The equilibrium with analytic Jacobians: the same prices for 1 and 2 threads (bitwise), and
// the same equilibrium as with finite-difference Jacobians (to the solver tolerance).
TEST(AnalyticJacobian, FiveCountrySolveThreadInvariantAndAgreesWithFiniteDifferences) {
  World w = hat::test::five_country(1.45, 40);
  hat::test::add_tariffs(w);
  EquilibriumOptions opt;
  opt.jacobian = JacobianMethod::Analytic;
  hat::test::expect_thread_invariant_and_fd_equilibrium(w, opt);
}
