// Tests of the world general equilibrium (MODEL.md §1; published numbers from the model's
// author as quoted in the world-equilibrium issue).
#include <gtest/gtest.h>

#include <cmath>

#include "hat/core/error.hpp"
#include "hat/world/world.hpp"

using namespace hat;
using namespace hat::world;

namespace {
World symmetric_two(double gamma, double dcost) {
  World w;
  w.names = {"H", "F"};
  w.L = Eigen::VectorXd::Ones(2);
  w.A = Eigen::VectorXd::Ones(2);
  w.d = Eigen::MatrixXd::Constant(2, 2, dcost);
  w.d.diagonal().setOnes();
  w.gamma = gamma;
  w.beta = 0.92;
  w.sigma = 0.25;
  w.borrowing_limit = 0.5;
  w.asset_max = 8.0;
  w.assets = 100;
  w.income = numerics::make_income_process(numerics::IncomeSpec{});
  return w;
}
Prices start(int M, double R, double beta = 0.92) {
  Prices p;
  p.W = Eigen::VectorXd::Ones(M);
  p.R = Eigen::VectorXd::Constant(M, R);
  p.tau = Eigen::VectorXd::Zero(M);
  p.beta = beta;
  return p;
}
}  // namespace

// Symmetric two-country world (gamma 1.5, sigma 0.25, beta 0.92, phi 0.5, amax 8, Na 100,
// d = 1.745, reference income chain, financial globalisation): published R = 1.0141938128
// and import share 0.0995163.
TEST(World, SymmetricTwoCountryPublished) {
  World w = symmetric_two(1.5, 1.745);
  EquilibriumOptions opt;
  Equilibrium eq = solve_equilibrium(w, w.size() ? start(2, 1.01) : Prices{}, opt);
  ASSERT_TRUE(eq.report.converged()) << eq.report.message;
  EXPECT_NEAR(eq.state.prices.R(0), 1.0141938128, 1e-7);
  const auto& ag = eq.state.countries[0].aggregates;
  EXPECT_NEAR(ag.expenditure_share(1), 0.0995163, 1e-6);
  EXPECT_NEAR(eq.state.prices.W(0), 1.0, 1e-10);
  EXPECT_NEAR(eq.state.prices.W(1), 1.0, 1e-10);
}

// Log utility (gamma = 1), sigma 0.25, d = 2.05: published R = 1.0413095553, home share 0.946412.
TEST(World, LogUtilityTwoCountryPublished) {
  World w = symmetric_two(1.0, 2.05);
  EquilibriumOptions opt;
  Equilibrium eq = solve_equilibrium(w, start(2, 1.03), opt);
  ASSERT_TRUE(eq.report.converged()) << eq.report.message;
  EXPECT_NEAR(eq.state.prices.R(0), 1.0413095553, 1e-7);
  EXPECT_NEAR(eq.state.countries[0].aggregates.expenditure_share(0), 0.946412, 1e-6);
}
