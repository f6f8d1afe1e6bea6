// The static world's wages (world/static_start.hpp) against an independent computation of its
// goods markets (hand-to-mouth households, MODEL.md §1 with no assets), and the equilibrium
// reached from them against the one reached from unit wages.
#include <gtest/gtest.h>

#include <cmath>

#include "hat/numerics/markov.hpp"
#include "hat/world/static_start.hpp"
#include "hat/world/world.hpp"
#include "world_fixtures.hpp"

using namespace hat;
using namespace hat::world;

namespace {

// Sales at factory prices of each variety minus its output value, relative to the output
// value, with every household spending W z + tau by the logit of u(y / p_j) + psi_j.
Eigen::VectorXd static_gaps(const World& w, const Prices& p) {
  const int M = w.size();
  const Eigen::VectorXd mass = numerics::stationary_distribution(w.income.P);
  Eigen::VectorXd sales = Eigen::VectorXd::Zero(M);
  for (int n = 0; n < M; ++n) {
    const household::HouseholdProblem hp = country_problem(w, n, p);
    for (int s = 0; s < hp.Nz(); ++s) {
      const double y = hp.W * hp.z(s) + hp.tau;
      Eigen::ArrayXd v(M);
      for (int j = 0; j < M; ++j) {
        const double c = y / hp.prices(j);
        const double u = hp.gamma == 1.0 ? std::log(c) : std::pow(c, 1 - hp.gamma) / (1 - hp.gamma);
        v(j) = (u + hp.psi(s, j)) / hp.sigma;
      }
      const Eigen::ArrayXd e = (v - v.maxCoeff()).exp();
      for (int j = 0; j < M; ++j) {
        const double t = w.tariff.size() ? w.tariff(n, j) : 0.0;
        sales(j) += w.L(n) * mass(s) * y * e(j) / e.sum() / (1 + t);
      }
    }
  }
  const double ez = mass.dot(w.income.z);
  return (sales.array() / (p.W.array() * w.L.array() * ez) - 1.0).matrix();
}

}  // namespace

// Goods 2..M clear (the first by Walras' law, which holds without tariffs) and the numeraire
// holds, with and without tariffs, quality shifters, log utility, and a numeraire country.
TEST(StaticStart, ClearsTheStaticGoodsMarkets) {
  for (int variant = 0; variant < 4; ++variant) {
    World w = hat::test::five_country(variant == 2 ? 1.0 : 1.45, 40);
    if (variant == 1) w.quality_slope = 0.725;
    if (variant == 3) hat::test::add_tariffs(w);
    EquilibriumOptions opt;
    if (variant == 2) opt.numeraire = 3;
    const Prices guess = hat::test::start_prices(w.size(), 1.01);
    Prices p;
    ASSERT_TRUE(static_wages(w, guess, opt, p)) << "variant " << variant;
    const Eigen::VectorXd gaps = static_gaps(w, p);
    for (int j = variant == 3 ? 1 : 0; j < w.size(); ++j)
      EXPECT_LT(std::abs(gaps(j)), 1e-9) << "variant " << variant << ", good " << j;
    if (opt.numeraire < 0)
      EXPECT_NEAR(p.W.mean(), 1.0, 1e-12);
    else
      EXPECT_NEAR(p.W(opt.numeraire), 1.0, 1e-12);
    EXPECT_GT((p.W - guess.W).cwiseAbs().maxCoeff(), 1e-3);  // the guess did move
    EXPECT_EQ(p.R, guess.R);
    EXPECT_EQ(p.beta, guess.beta);
  }
}

// The equilibrium is the same from the static wages and from unit wages (the start only shapes
// the path), and the static start needs fewer evaluations.
TEST(StaticStart, ReachesTheSameEquilibrium) {
  World w = hat::test::five_country(1.45, 40);
  w.quality_slope = 0.725;
  EquilibriumOptions opt;
  opt.unknown = Unknown::Beta;
  Prices unit = hat::test::start_prices(w.size(), 1.01), from_static;
  ASSERT_TRUE(static_wages(w, unit, opt, from_static));
  const Equilibrium a = solve_equilibrium(w, unit, opt);
  const Equilibrium b = solve_equilibrium(w, from_static, opt);
  ASSERT_TRUE(a.report.converged() && b.report.converged());
  EXPECT_LT((a.state.prices.W - b.state.prices.W).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_NEAR(a.state.prices.beta, b.state.prices.beta, 1e-10);
  EXPECT_LE(b.evaluations, a.evaluations);
}

// A config's cold start: its own wages when [equilibrium] wages is given, else the static ones.
TEST(StaticStart, ColdStartKeepsGivenWages) {
  WorldConfig wc;
  wc.world = hat::test::five_country(1.45, 40);
  wc.start = hat::test::start_prices(5, 1.01);
  wc.wages_given = true;
  EXPECT_EQ(cold_start(wc).W, wc.start.W);
  wc.wages_given = false;
  Prices p;
  ASSERT_TRUE(static_wages(wc.world, wc.start, wc.options, p));
  EXPECT_EQ(cold_start(wc).W, p.W);
}
