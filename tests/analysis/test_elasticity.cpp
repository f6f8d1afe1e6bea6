// Tests of the partial-equilibrium trade elasticities (MODEL.md §1 "Trade elasticity";
// Proposition 1 of hat-paper-draft-a.md, Corollaries 1-2; published number from the model's
// author as quoted in the trade-elasticity issue).
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>

#include "hat/analysis/elasticity.hpp"
#include "hat/world/world.hpp"
#include "world_fixtures.hpp"

using namespace hat;
using namespace hat::world;
using namespace hat::analysis;

namespace {
World symmetric_two(double gamma, double dcost, int assets) {
  return hat::test::symmetric_two(gamma, dcost, assets);
}
World four_country(double gamma, int assets) {
  World w;
  w.names = {"A", "B", "C", "D"};
  w.L.resize(4);
  w.L << 1.0, 0.5, 2.0, 0.8;
  w.A.resize(4);
  w.A << 1.0, 1.2, 0.8, 1.1;
  w.d.resize(4, 4);
  w.d << 1.0, 1.8, 2.2, 1.6,  //
      1.7, 1.0, 1.9, 2.4,     //
      2.3, 2.0, 1.0, 1.5,     //
      1.6, 2.2, 1.4, 1.0;
  w.gamma = gamma;
  w.beta = 0.92;
  w.sigma = 0.25;
  w.assets = assets;
  w.income = numerics::make_income_process(numerics::IncomeSpec{});
  return w;
}
Prices prices(const World& w, double R) {
  Prices p;
  const int M = w.size();
  p.W = Eigen::VectorXd::LinSpaced(M, 0.9, 1.1);
  p.R = Eigen::VectorXd::Constant(M, R);
  p.tau = Eigen::VectorXd::Zero(M);
  p.beta = w.beta;
  return p;
}
std::vector<int> others(int M, int i) {
  std::vector<int> v;
  for (int j = 0; j < M; ++j)
    if (j != i) v.push_back(j);
  return v;
}
}  // namespace

// Published: the symmetric two-country world (gamma 1.5, sigma 0.25, beta 0.92, phi 0.5,
// amax 8, Na 100, d = 1.745, financial globalisation; R = 1.0141938128) has aggregate
// theta = -4.1226127 with the distribution held fixed.
TEST(Elasticity, SymmetricTwoCountryPublished) {
  World w = symmetric_two(1.5, 1.745, 100);
  EquilibriumOptions opt;
  Prices start = prices(w, 1.01);
  start.W.setOnes();
  Equilibrium eq = solve_equilibrium(w, start, opt);
  ASSERT_TRUE(eq.report.converged()) << eq.report.message;
  ASSERT_NEAR(eq.state.prices.R(0), 1.0141938128, 1e-7);
  const CountryState& cs = eq.state.countries[0];
  BilateralElasticity b = bilateral_elasticity(cs.problem, cs.solution, cs.distribution.mass, 0, 1);
  ASSERT_TRUE(b.report.converged()) << b.report.message;
  EXPECT_NEAR(b.theta, -4.1226127, 1e-6);
  EXPECT_EQ(b.distribution, 0.0);
  // Proposition 1 with the distribution held fixed: intensive + extensive = theta (up to the
  // O(h^2) of the central differences).
  EXPECT_NEAR(b.intensive + b.extensive, b.theta, 1e-7);
}

// Log utility (Corollary 2 / Proposition 3): theta_ij = -1/sigma_i for every partner, whether
// the distribution is held fixed or adjusts, at any prices (PE: no equilibrium needed). With
// gamma = 1 the scaled sigma_i = sigma A_i^0 = sigma.
TEST(Elasticity, LogUtilityMinusOneOverSigmaEveryPartner) {
  World w = four_country(1.0, 50);
  EquilibriumOptions eo;
  Evaluation ev = evaluate(w, prices(w, 1.03), eo);
  ASSERT_TRUE(ev.ok) << ev.message;
  for (DistributionMode mode : {DistributionMode::Fixed, DistributionMode::Adjusts}) {
    ElasticityOptions opt;
    opt.distribution = mode;
    for (int i : {0, 2}) {
      const CountryState& cs = ev.countries[i];
      CountryElasticities ce =
          country_elasticities(cs.problem, cs.solution, cs.distribution.mass, i, others(4, i), opt);
      ASSERT_TRUE(ce.report.converged()) << ce.report.message;
      for (const auto& b : ce.partners) {
        EXPECT_NEAR(b.theta, -1.0 / w.sigma, 1e-8) << to_string(mode) << " " << i << b.partner;
        // The intensive margins of partner and home cancel; the extensive margin carries it.
        EXPECT_NEAR(b.extensive, -1.0 / w.sigma, 1e-7);
      }
      EXPECT_NEAR(ce.theta_trade_weighted, -1.0 / w.sigma, 1e-8);
    }
  }
}

// Static hand-to-mouth households (a_min = 0 and beta so small that a' = 0 everywhere; MODEL.md
// §1, draft-a Corollary 1): p_ij c_ij(s) = W z_s, so the intensive margin is zero and
//   theta_ij = -(1/sigma) [sum_s w_ij(s) g_ij(s) (1 - pi_ij(s)) + sum_s w_ii(s) g_ij(s) pi_ij(s)],
// g_ij(s) = u'(c_ij(s)) c_ij(s) = c_ij(s)^(1-gamma), pi_ij(s) = softmax_j(u(c_ij(s))/sigma),
// w_ij(s) = mu_s z_s pi_ij(s) / sum_s mu_s z_s pi_ij(s). With log utility this is EK/ACR:
// theta = -1/sigma and M_ij/M_ii = (p_ij/p_ii)^(-1/sigma).
TEST(Elasticity, StaticHandToMouthMatchesClosedForm) {
  for (double gamma : {1.0, 2.0}) {
    World w = four_country(gamma, 40);
    w.borrowing_limit = 0.0;
    w.beta = 1e-6;
    EquilibriumOptions eo;
    Evaluation ev = evaluate(w, prices(w, 1.01), eo);
    ASSERT_TRUE(ev.ok) << ev.message;
    const int i = 1;
    const CountryState& cs = ev.countries[i];
    const auto& hp = cs.problem;
    const Eigen::VectorXd& mu = w.income.stationary;
    const int Nz = hp.Nz(), M = 4;
    // Every household at a = 0: the distribution is the income distribution on grid point 0.
    for (int s = 0; s < Nz; ++s) ASSERT_NEAR(cs.distribution.mass(s * hp.Na()), mu(s), 1e-12);
    auto uu = [&](double c) {
      return gamma == 1.0 ? std::log(c) : std::pow(c, 1 - gamma) / (1 - gamma);
    };
    for (DistributionMode mode : {DistributionMode::Fixed, DistributionMode::Adjusts}) {
      ElasticityOptions opt;
      opt.distribution = mode;
      CountryElasticities ce =
          country_elasticities(hp, cs.solution, cs.distribution.mass, i, others(M, i), opt);
      ASSERT_TRUE(ce.report.converged()) << ce.report.message;
      for (const auto& b : ce.partners) {
        const int j = b.partner;
        Eigen::MatrixXd pi(Nz, M);
        for (int s = 0; s < Nz; ++s) {
          const double x = hp.W * hp.z(s);
          Eigen::VectorXd v(M);
          for (int l = 0; l < M; ++l) v(l) = uu(x / hp.prices(l)) / hp.sigma;
          v = (v.array() - v.maxCoeff()).exp();
          pi.row(s) = v.transpose() / v.sum();
        }
        double Mij = 0, Mii = 0, a = 0, h = 0;
        for (int s = 0; s < Nz; ++s) {
          const double x = mu(s) * hp.W * hp.z(s);
          Mij += x * pi(s, j);
          Mii += x * pi(s, i);
        }
        for (int s = 0; s < Nz; ++s) {
          const double x = mu(s) * hp.W * hp.z(s);
          const double g = std::pow(hp.W * hp.z(s) / hp.prices(j), 1 - gamma);
          a += x * pi(s, j) / Mij * g * (1 - pi(s, j));
          h += x * pi(s, i) / Mii * g * pi(s, j);
        }
        const double closed = -(a + h) / hp.sigma;
        EXPECT_NEAR(b.theta, closed, 1e-8) << "gamma " << gamma << " partner " << j;
        EXPECT_NEAR(b.intensive, 0.0, 1e-9);
        EXPECT_NEAR(b.distribution, 0.0, 1e-9);
        if (gamma == 1.0) {
          EXPECT_NEAR(b.theta, -1.0 / hp.sigma, 1e-8);  // EK / ACR
          const double gravity = std::pow(hp.prices(j) / hp.prices(i), -1.0 / hp.sigma);
          EXPECT_NEAR(ev.imports(i, j) / ev.imports(i, i), gravity, 1e-10);
        }
      }
    }
  }
}

// Proposition 1 (draft-a eq. 43) when the distribution adjusts: theta equals the sum of the
// expenditure-weighted intensive, extensive and distribution margins (to the O(h^2) of the
// differences), and the distribution margin is non-zero for a saving household. The fixed-
// distribution theta differs from the adjusting one exactly by that margin's contribution.
TEST(Elasticity, DecompositionAddsUpWhenDistributionAdjusts) {
  World w = four_country(1.5, 50);
  EquilibriumOptions eo;
  Evaluation ev = evaluate(w, prices(w, 1.01), eo);
  ASSERT_TRUE(ev.ok) << ev.message;
  const CountryState& cs = ev.countries[0];
  ElasticityOptions adj;
  adj.distribution = DistributionMode::Adjusts;
  BilateralElasticity b =
      bilateral_elasticity(cs.problem, cs.solution, cs.distribution.mass, 0, 2, adj);
  ASSERT_TRUE(b.report.converged()) << b.report.message;
  EXPECT_NEAR(b.intensive + b.extensive + b.distribution, b.theta, 1e-6);
  EXPECT_GT(std::abs(b.distribution), 1e-4);
  ElasticityOptions fix = adj;
  fix.distribution = DistributionMode::Fixed;
  BilateralElasticity f =
      bilateral_elasticity(cs.problem, cs.solution, cs.distribution.mass, 0, 2, fix);
  EXPECT_NEAR(f.intensive, b.intensive, 1e-6);
  EXPECT_NEAR(f.extensive, b.extensive, 1e-6);
  EXPECT_NEAR(b.theta - f.theta, b.distribution, 1e-6);
  // Micro weights sum to one (definition of omega_ij in eq. 40).
  EXPECT_NEAR(b.micro.weight_partner.sum(), 1.0, 1e-12);
  EXPECT_NEAR(b.micro.weight_home.sum(), 1.0, 1e-12);
}

// Accuracy of the derivative: the central difference with the default step (1e-5) agrees with
// the Richardson-extrapolated O(h^4) estimate over steps 4e-5 and 2e-5, and with a three times
// smaller step, to 5e-8 (the issue asks for 1e-6). Much larger steps (1e-3) are not used: the
// EGM policies are piecewise smooth in prices and a wide step can straddle a kink.
TEST(Elasticity, CentralDifferenceAgreesWithRichardson) {
  World w = four_country(1.5, 50);
  EquilibriumOptions eo;
  Evaluation ev = evaluate(w, prices(w, 1.01), eo);
  ASSERT_TRUE(ev.ok);
  const CountryState& cs = ev.countries[3];
  ElasticityOptions r;
  r.richardson = true;
  r.step = 4e-5;
  ElasticityOptions small;
  small.step = 3e-6;
  for (int j : {0, 1}) {
    BilateralElasticity a =
        bilateral_elasticity(cs.problem, cs.solution, cs.distribution.mass, 3, j);
    BilateralElasticity b =
        bilateral_elasticity(cs.problem, cs.solution, cs.distribution.mass, 3, j, r);
    BilateralElasticity c =
        bilateral_elasticity(cs.problem, cs.solution, cs.distribution.mass, 3, j, small);
    EXPECT_NEAR(a.theta, b.theta, 5e-8) << j;
    EXPECT_NEAR(a.theta, c.theta, 5e-8) << j;
  }
}

// Results do not depend on the number of threads (each partner is an independent task).
TEST(Elasticity, ThreadCountDoesNotChangeResults) {
  World w = four_country(1.5, 40);
  EquilibriumOptions eo;
  Evaluation ev = evaluate(w, prices(w, 1.01), eo);
  ASSERT_TRUE(ev.ok);
  const CountryState& cs = ev.countries[0];
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  CountryElasticities one =
      country_elasticities(cs.problem, cs.solution, cs.distribution.mass, 0, others(4, 0));
  omp_set_num_threads(2);
  CountryElasticities two =
      country_elasticities(cs.problem, cs.solution, cs.distribution.mass, 0, others(4, 0));
  omp_set_num_threads(saved);
  for (size_t t = 0; t < one.partners.size(); ++t) {
    EXPECT_EQ(one.partners[t].theta, two.partners[t].theta);
    EXPECT_EQ(one.partners[t].extensive, two.partners[t].extensive);
  }
  EXPECT_EQ(one.theta_trade_weighted, two.theta_trade_weighted);
}
