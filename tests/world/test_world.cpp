// Tests of the world general equilibrium (MODEL.md §1; published numbers from the model's
// author as quoted in the world-equilibrium issue).
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>

#include "hat/core/error.hpp"
#include "hat/models/eaton_kortum.hpp"
#include "hat/world/world.hpp"
#include "world_fixtures.hpp"

using namespace hat;
using namespace hat::world;
using hat::test::five_country;
using hat::test::symmetric_two;

namespace {
Prices start(int M, double R, double beta = 0.92) {
  return hat::test::start_prices(M, R, beta);
}
}  // namespace

// Symmetric two-country world (gamma 1.5, sigma 0.25, beta 0.92, phi 0.5, amax 8, Na 100,
// d = 1.745, reference income chain, financial globalisation): published R = 1.0141938128
// and import share 0.0995163.
TEST(World, SymmetricTwoCountryPublished) {
  World w = symmetric_two(1.5, 1.745);
  EquilibriumOptions opt;
  Equilibrium eq = solve_equilibrium(w, start(2, 1.01), opt);
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

// Log utility: the HAT model aggregates to Armington/EK gravity with theta = 1/sigma (paper,
// Corollary 2), so aggregate trade shares equal p_ij^(-1/sigma) / sum_k p_ik^(-1/sigma) at the
// equilibrium prices. Also checks Walras' law (the dropped goods market clears) and that world
// net assets are zero.
TEST(World, LogUtilityFiveCountryClosedFormAndWalras) {
  World w = five_country(1.0);
  EquilibriumOptions opt;
  Equilibrium eq = solve_equilibrium(w, start(5, 1.02), opt);
  ASSERT_TRUE(eq.report.converged()) << eq.report.message;
  const Evaluation& ev = eq.state;
  // EK structural gravity with T = 1, unit cost c_j = W_j / A_j, barrier d_ij, theta = 1/sigma.
  const Eigen::VectorXd cost = ev.prices.W.cwiseQuotient(w.A);
  const Eigen::MatrixXd closed =
      models::ek::trade_shares(Eigen::VectorXd::Ones(5), cost, w.d, 1.0 / w.sigma);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j)
      EXPECT_NEAR(ev.imports(i, j) / ev.imports.row(i).sum(), closed(i, j), 1e-9) << i << "," << j;
  EXPECT_LT(std::abs(ev.goods_residual(0)), 1e-9);  // Walras' law
  EXPECT_LT(std::abs(ev.net_assets.sum()) / ev.output.sum(), 1e-10);
  EXPECT_NEAR(ev.prices.W.mean(), 1.0, opt.tolerance);  // numeraire, to the solver tolerance
}

// Tariff revenue accounting: the rebate equals sum_j t_ij/(1+t_ij) M_ij per household, goods
// markets clear on factory-gate values, and with zero tariffs the transfer code path (transfers
// as unknowns) reproduces the allocation without it.
TEST(World, TariffRebateAccounting) {
  World w = five_country(1.5);
  w.tariff = Eigen::MatrixXd::Constant(5, 5, 0.1);
  w.tariff.diagonal().setZero();
  w.tariff(2, 0) = 0.25;
  EquilibriumOptions opt;
  Equilibrium eq = solve_equilibrium(w, start(5, 1.02), opt);
  ASSERT_TRUE(eq.report.converged()) << eq.report.message;
  const Evaluation& ev = eq.state;
  for (int i = 0; i < 5; ++i) {
    double revenue = 0;
    for (int j = 0; j < 5; ++j) revenue += w.tariff(i, j) / (1 + w.tariff(i, j)) * ev.imports(i, j);
    EXPECT_NEAR(ev.prices.tau(i) * w.L(i), revenue, 1e-10);
    EXPECT_GT(ev.prices.tau(i), 0);
  }
  for (int j = 0; j < 5; ++j) {
    double sales = 0;
    for (int i = 0; i < 5; ++i) sales += ev.imports(i, j) / (1 + w.tariff(i, j));
    EXPECT_NEAR(sales, ev.output(j), 1e-9);
  }
  // Zero tariffs: the transfer unknowns stay at zero and the allocation is the same.
  World w0 = five_country(1.5);
  Equilibrium plain = solve_equilibrium(w0, start(5, 1.02), opt);
  EquilibriumOptions opt_t = opt;
  opt_t.solve_transfers = true;
  w0.tariff = Eigen::MatrixXd::Zero(5, 5);
  Equilibrium with_path = solve_equilibrium(w0, start(5, 1.02), opt_t);
  ASSERT_TRUE(plain.report.converged() && with_path.report.converged());
  EXPECT_LT(with_path.state.prices.tau.cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((plain.state.prices.W - with_path.state.prices.W).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_NEAR(plain.state.prices.R(0), with_path.state.prices.R(0), 1e-10);
}

// Identical countries: financial autarky and globalisation give the same allocation (each
// country's bond market clears at the same R).
TEST(World, AutarkyEqualsGlobalizationForIdenticalCountries) {
  World w = symmetric_two(1.5, 1.745);
  w.assets = 60;
  EquilibriumOptions glob, aut;
  aut.financial = Financial::Autarky;
  Equilibrium g = solve_equilibrium(w, start(2, 1.01), glob);
  Equilibrium a = solve_equilibrium(w, start(2, 1.01), aut);
  ASSERT_TRUE(g.report.converged() && a.report.converged());
  EXPECT_NEAR(a.state.prices.R(0), g.state.prices.R(0), 1e-9);
  EXPECT_NEAR(a.state.prices.R(1), g.state.prices.R(0), 1e-9);
  EXPECT_NEAR(a.state.imports(0, 1), g.state.imports(0, 1), 1e-9);
  EXPECT_LT(std::abs(a.state.net_assets(0)), 1e-10);
}

// Solving for beta at a given R is the inverse of solving for R at a given beta.
TEST(World, BetaUnknownInvertsRUnknown) {
  World w = symmetric_two(1.5, 1.745);
  w.assets = 60;
  EquilibriumOptions opt;
  Equilibrium g = solve_equilibrium(w, start(2, 1.01), opt);
  ASSERT_TRUE(g.report.converged());
  EquilibriumOptions ob;
  ob.unknown = Unknown::Beta;
  Equilibrium b = solve_equilibrium(w, start(2, g.state.prices.R(0), 0.9), ob);
  ASSERT_TRUE(b.report.converged()) << b.report.message;
  EXPECT_NEAR(b.state.prices.beta, 0.92, 1e-9);
}

// The two coordinates of R and beta (EquilibriumOptions::rate_coordinate) are two maps of the
// same unknowns: the same equilibrium from either (R or beta the unknown, and autarky), a round
// trip that returns the value, and any coordinate inside (0, bound) with the bound of beta R < 1:
// min(1, 1/R) for beta (also for R < 1) and 1/beta for R.
TEST(World, RateCoordinatesReachTheSameEquilibrium) {
  World w = symmetric_two(1.5, 1.745, 60);
  w.L(1) = 0.5;  // autarky's R differ
  for (auto [fin, unk] : {std::pair{Financial::Globalization, Unknown::Beta},
                          std::pair{Financial::Globalization, Unknown::R},
                          std::pair{Financial::Autarky, Unknown::R}}) {
    Equilibrium eq[2];
    for (int c = 0; c < 2; ++c) {
      EquilibriumOptions o;
      o.financial = fin;
      o.unknown = unk;
      o.rate_coordinate = c == 0 ? RateCoordinate::Softplus : RateCoordinate::Log;
      eq[c] = solve_equilibrium(w, start(2, 1.01, unk == Unknown::Beta ? 0.9 : 0.92), o);
      ASSERT_TRUE(eq[c].report.converged()) << eq[c].report.message;
    }
    EXPECT_NEAR(eq[0].state.prices.beta, eq[1].state.prices.beta, 1e-10);
    EXPECT_LT((eq[0].state.prices.R - eq[1].state.prices.R).cwiseAbs().maxCoeff(), 1e-10);
    EXPECT_LT((eq[0].state.prices.W - eq[1].state.prices.W).cwiseAbs().maxCoeff(), 1e-10);
  }
  for (Unknown unk : {Unknown::Beta, Unknown::R}) {
    EquilibriumOptions o;
    o.unknown = unk;
    const auto value = [&](const Prices& p) { return unk == Unknown::R ? p.R(0) : p.beta; };
    // beta R from 1e-3 to 0.999, with R above and below 1.
    for (auto [R, beta] : {std::pair{1.01, 1e-3},
                           {1.01, 0.5},
                           {1.01, 0.92},
                           {1.01, 0.985},
                           {0.97, 0.96},
                           {0.97, 0.999},
                           {1.0, 0.999}}) {
      const Prices p = start(2, R, beta);
      const Eigen::VectorXd x = pack_unknowns(w, o, p);
      EXPECT_NEAR(value(unpack_unknowns(w, o, x, p)), value(p), 1e-12 * value(p));
    }
    const Prices base = start(2, 1.01, 0.9);
    const double bound = unk == Unknown::R ? 1 / 0.9 : 1 / 1.01;
    double last = 0.0;
    for (double x : {-50.0, -5.0, 0.0, 1.0, 2.0, 10.0, 1e3, 1e8}) {
      Eigen::VectorXd v = pack_unknowns(w, o, base);
      v(2) = x;
      const double got = value(unpack_unknowns(w, o, v, base));
      EXPECT_GE(got, last) << "x = " << x;  // increasing
      EXPECT_LT(got, bound) << "x = " << x;
      last = got;
    }
    EXPECT_GT(last, bound - 1e-6);
  }
}

// Results do not depend on the number of threads (fixed summation order, warm starts from the
// base point only): bitwise equal.
TEST(World, IdenticalForOneAndTwoThreads) {
  World w = five_country(1.5);
  w.assets = 40;
  EquilibriumOptions opt;
  omp_set_num_threads(1);
  Equilibrium one = solve_equilibrium(w, start(5, 1.02), opt);
  omp_set_num_threads(2);
  Equilibrium two = solve_equilibrium(w, start(5, 1.02), opt);
  ASSERT_TRUE(one.report.converged() && two.report.converged());
  EXPECT_EQ(one.evaluations, two.evaluations);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(one.state.prices.W(i), two.state.prices.W(i));
    for (int j = 0; j < 5; ++j) EXPECT_EQ(one.state.imports(i, j), two.state.imports(i, j));
  }
  EXPECT_EQ(one.state.prices.R(0), two.state.prices.R(0));
}

TEST(World, ValidationRejectsBadEconomies) {
  World w = symmetric_two(1.5, 1.745);
  World bad = w;
  bad.d(0, 1) = 0.9;
  EXPECT_THROW(bad.validate(), InputError);
  bad = w;
  bad.d = Eigen::MatrixXd::Ones(2, 3);
  EXPECT_THROW(bad.validate(), InputError);
  bad = w;
  bad.L(1) = -1;
  EXPECT_THROW(bad.validate(), InputError);
  bad = w;
  bad.d(1, 0) = std::nan("");
  EXPECT_THROW(bad.validate(), InputError);
}

// Re-solving after a trade-cost change with the baseline's Jacobian reaches the same
// equilibrium as a solve that computes its own (to the solver tolerance), without any
// finite-difference Jacobian.
TEST(World, ResolveWithBaselineJacobian) {
  World w = five_country(1.5);
  w.assets = 40;
  EquilibriumOptions opt;
  Equilibrium base = solve_equilibrium(w, start(5, 1.02), opt);
  ASSERT_TRUE(base.report.converged());
  ASSERT_EQ(base.jacobian.rows(), 6);
  World w2 = w;
  for (int j = 1; j < 5; ++j) w2.d(0, j) = std::max(1.0, 0.9 * w2.d(0, j));
  Equilibrium fresh = solve_equilibrium(w2, base.state.prices, opt, &base.state);
  Equilibrium reuse = solve_equilibrium(w2, base.state.prices, opt, &base.state, &base.jacobian);
  ASSERT_TRUE(fresh.report.converged() && reuse.report.converged()) << reuse.report.message;
  EXPECT_EQ(reuse.jacobians, 0);
  EXPECT_LT((fresh.state.prices.W - reuse.state.prices.W).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_NEAR(fresh.state.prices.R(0), reuse.state.prices.R(0), 1e-10);
}

// Inexact evaluations far from the solution change the path, not the answer: the solve with
// the default inexact tolerances and the one with full tolerances throughout reach the same
// prices, and the returned state is a full-tolerance evaluation (its households meet the full
// tolerance and its residual passes the test).
TEST(World, InexactEvaluationsReachSameEquilibrium) {
  World w = five_country(1.5);
  w.assets = 40;
  EquilibriumOptions opt, exact = opt;
  exact.inexact_factor = 0;
  Equilibrium a = solve_equilibrium(w, start(5, 1.02), opt);
  Equilibrium b = solve_equilibrium(w, start(5, 1.02), exact);
  ASSERT_TRUE(a.report.converged() && b.report.converged()) << a.report.message;
  EXPECT_LT((a.state.prices.W - b.state.prices.W).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_NEAR(a.state.prices.R(0), b.state.prices.R(0), 1e-10);
  EXPECT_LE(a.report.residual, opt.tolerance);
  for (const auto& c : a.state.countries) EXPECT_LT(c.solution.sup_dc, opt.household.tolerance);
}

// With too few evaluations to converge, the reported best point is still re-evaluated at the
// full household tolerance: its residual is what a fresh full-tolerance evaluation gives.
TEST(World, InexactBestPointIsReportedAtFullTolerance) {
  World w = five_country(1.5);
  w.assets = 40;
  EquilibriumOptions opt;
  opt.max_evaluations = 2;
  Equilibrium a = solve_equilibrium(w, start(5, 1.02), opt);
  EXPECT_EQ(a.report.status, SolverStatus::IterationLimit);
  for (const auto& c : a.state.countries) EXPECT_LT(c.solution.sup_dc, opt.household.tolerance);
  const Evaluation fresh = evaluate(w, a.state.prices, opt);
  EXPECT_NEAR(a.report.residual, fresh.residuals.cwiseAbs().maxCoeff(), 1e-6 * a.report.residual);
}

// jacobian_at_solution returns a finite-difference Jacobian at the equilibrium: each column
// equals (F(x* + h e_c) - F(x*)) / h computed here from independent full-tolerance
// evaluations (to the accuracy of the columns' household tolerance, ~1e-4 relative).
TEST(World, JacobianAtSolutionIsTheFiniteDifferenceJacobianThere) {
  World w = five_country(1.5);
  w.assets = 40;
  EquilibriumOptions opt;
  opt.jacobian_at_solution = true;
  Equilibrium eq = solve_equilibrium(w, start(5, 1.02), opt);
  ASSERT_TRUE(eq.report.converged()) << eq.report.message;
  const int n = n_unknowns(w, opt);
  ASSERT_EQ(eq.jacobian.rows(), n);
  const Eigen::VectorXd x = pack_unknowns(w, opt, eq.state.prices);
  const Eigen::VectorXd r0 = eq.state.residuals;
  for (int c : {0, n - 1}) {
    Eigen::VectorXd xp = x;
    xp(c) += opt.fd_step;
    const Evaluation ev = evaluate(w, unpack_unknowns(w, opt, xp, eq.state.prices), opt);
    const Eigen::VectorXd col = (ev.residuals - r0) / opt.fd_step;
    EXPECT_LT((col - eq.jacobian.col(c)).cwiseAbs().maxCoeff(), 1e-3 * col.cwiseAbs().maxCoeff())
        << "column " << c;
  }
}
