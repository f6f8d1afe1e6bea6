// Tests of the efficient allocation (MODEL.md §1 "Efficient allocation"; Propositions 4 and 5
// of hat-slides-2023.md; hat-paper-draft-a.md Appendix D eqs. 105, 114, 116).
#include <gtest/gtest.h>

#include <cmath>

#include "hat/analysis/planner.hpp"
#include "hat/core/error.hpp"
#include "world_fixtures.hpp"

using namespace hat;
using namespace hat::world;
using namespace hat::analysis;

namespace {
World five_country(double gamma) {
  return hat::test::five_country(gamma, 20);
}
}  // namespace

// Proposition 4 first-order conditions, re-derived here from the returned allocation:
// omega_i u'(c_ij) = chi_j d_ij; log pi_ij(s) - log pi_ii(s) = (g_ij - g_ii + psi_ij(s) -
// psi_ii(s)) / sigma_i with g = u - u'c; and the resource constraints bind:
// A_j L_j E[z] = sum_i L_i d_ij c_ij E_s pi_ij(s). With a quality shifter, so pi depends on s.
TEST(Planner, FirstOrderConditionsAndResourceConstraints) {
  for (ParetoWeights kind : {ParetoWeights::Tfp, ParetoWeights::Equal, ParetoWeights::Population}) {
    World w = five_country(1.5);
    w.quality_slope = 0.5;
    const Eigen::VectorXd om = pareto_weights(w, kind);
    PlannerAllocation a = solve_planner(w, om);
    ASSERT_TRUE(a.report.converged()) << a.report.message;
    const Eigen::VectorXd& mu = w.income.stationary;
    const Eigen::VectorXd& ylog = w.income.log_persistent;
    for (int i = 0; i < 5; ++i) {
      const double sig = w.sigma * std::pow(w.A(i), 1 - w.gamma);
      const double slope = w.quality_slope * std::pow(w.A(i), 1 - w.gamma);
      auto g = [&](double c) {
        return std::pow(c, 1 - w.gamma) / (1 - w.gamma) - std::pow(c, 1 - w.gamma);
      };
      for (int j = 0; j < 5; ++j) {
        EXPECT_NEAR(om(i) * std::pow(a.c(i, j), -w.gamma) / (a.chi(j) * w.d(i, j)), 1.0, 1e-12);
        for (int s = 0; s < mu.size(); ++s) {
          const double psi_diff = (j == i ? 0.0 : -slope * ylog(s));
          const double lhs = std::log(a.pi_state[i](s, j) / a.pi_state[i](s, i));
          EXPECT_NEAR(lhs, (g(a.c(i, j)) - g(a.c(i, i)) + psi_diff) / sig, 1e-10);
        }
        EXPECT_NEAR(a.pi_state[i].row(0).sum(), 1.0, 1e-14);
      }
    }
    for (int j = 0; j < 5; ++j) {
      double demand = 0;
      for (int i = 0; i < 5; ++i)
        demand += w.L(i) * w.d(i, j) * a.c(i, j) * mu.dot(a.pi_state[i].col(j));
      EXPECT_NEAR(demand / (w.A(j) * w.L(j) * mu.dot(w.income.z)), 1.0, 1e-10) << j;
    }
    EXPECT_LT(a.foc_residual, 1e-10);
    EXPECT_NEAR(om.mean(), 1.0, 1e-14);
  }
}

// Log utility, symmetric two countries: closed form c_ii = A E[z] = 1, c_ij = 1/d,
// pi_ij = d^(-1/sigma) / (1 + d^(-1/sigma)), chi = omega / (A E[z]) (u'(c) c = 1, so the
// choice index is log c - 1 and the resource constraint gives sum_i omega_i L_i pi_ij =
// chi_j A_j L_j E[z]).
TEST(Planner, LogSymmetricClosedForm) {
  World w = five_country(1.0);
  w.names = {"H", "F"};
  w.L = Eigen::VectorXd::Ones(2);
  w.A = Eigen::VectorXd::Ones(2);
  const double d = 1.745;
  w.d = Eigen::MatrixXd::Constant(2, 2, d);
  w.d.diagonal().setOnes();
  PlannerAllocation a = solve_planner(w, pareto_weights(w, ParetoWeights::Tfp));
  ASSERT_TRUE(a.report.converged());
  const double x = std::pow(d, -1.0 / w.sigma);
  EXPECT_NEAR(a.c(0, 0), 1.0, 1e-12);
  EXPECT_NEAR(a.c(0, 1), 1.0 / d, 1e-12);
  EXPECT_NEAR(a.pi(0, 1), x / (1 + x), 1e-12);
  EXPECT_NEAR(a.chi(0), 1.0, 1e-12);
  EXPECT_NEAR(a.theta(0, 1), -1.0 / w.sigma, 1e-12);  // Proposition 5 with u'(c) c = 1
}

// Log utility, asymmetric: the efficient allocation is the Armington/EK equilibrium with
// "factory prices" chi_j, spending omega_i L_i and trade elasticity 1/sigma:
//   pi_ij = (chi_j d_ij)^(-1/sigma) / sum_k (chi_k d_ik)^(-1/sigma),
//   chi_j A_j L_j E[z] = sum_i omega_i L_i pi_ij.
// Solved here independently by tatonnement on the multipliers (chi_j scaled by the ratio of
// demand to supply) and compared with the Newton solution of the general first-order conditions.
TEST(Planner, LogMatchesGravityFixedPoint) {
  World w = five_country(1.0);
  const Eigen::VectorXd om = pareto_weights(w, ParetoWeights::Tfp);
  PlannerAllocation a = solve_planner(w, om);
  ASSERT_TRUE(a.report.converged());
  const double Ez = w.income.stationary.dot(w.income.z);
  Eigen::VectorXd chi = Eigen::VectorXd::Ones(5);
  Eigen::MatrixXd pi(5, 5);
  for (int it = 0; it < 20000; ++it) {
    for (int i = 0; i < 5; ++i) {
      for (int j = 0; j < 5; ++j) pi(i, j) = std::pow(chi(j) * w.d(i, j), -1.0 / w.sigma);
      pi.row(i) /= pi.row(i).sum();
    }
    Eigen::VectorXd excess(5);  // log(demand / supply), demand_j = sum_i omega_i L_i pi_ij / chi_j
    for (int j = 0; j < 5; ++j) {
      double s = 0;
      for (int i = 0; i < 5; ++i) s += om(i) * w.L(i) * pi(i, j);
      excess(j) = std::log(s / chi(j)) - std::log(w.A(j) * w.L(j) * Ez);
    }
    chi = (chi.array() * (0.1 * excess.array()).exp()).matrix();
    if (excess.cwiseAbs().maxCoeff() < 1e-14) break;
  }
  for (int j = 0; j < 5; ++j) EXPECT_NEAR(a.chi(j) / chi(j), 1.0, 1e-10);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) {
      EXPECT_NEAR(a.pi(i, j), pi(i, j), 1e-10);
      EXPECT_NEAR(a.shares(i, j), pi(i, j), 1e-10);  // u'(c) c = 1: value shares = pi
    }
}

// Proposition 5, elasticity: at fixed multipliers (the planner's partial equilibrium), the
// efficient elasticity d log(pi_ij / pi_ii) / d log d_ij = -(1/sigma_i) u'(c_ij) c_ij. Checked by
// central differences of the allocation map.
TEST(Planner, Proposition5Elasticity) {
  World w = five_country(1.5);
  const Eigen::VectorXd om = pareto_weights(w, ParetoWeights::Tfp);
  PlannerAllocation a = solve_planner(w, om);
  ASSERT_TRUE(a.report.converged());
  const double h = 1e-5;
  for (auto [i, j] : {std::pair{0, 1}, std::pair{2, 4}, std::pair{4, 3}}) {
    World up = w, dn = w;
    up.d(i, j) *= std::exp(h);
    dn.d(i, j) *= std::exp(-h);
    PlannerAllocation pu = planner_allocation(up, om, a.chi);
    PlannerAllocation pd = planner_allocation(dn, om, a.chi);
    const double fd =
        (std::log(pu.pi(i, j) / pu.pi(i, i)) - std::log(pd.pi(i, j) / pd.pi(i, i))) / (2 * h);
    EXPECT_NEAR(fd, a.theta(i, j), 1e-7) << i << "," << j;
    EXPECT_NEAR(a.theta(i, j), -std::pow(a.c(i, j), 1 - w.gamma) / a.sigma(i), 1e-14);
  }
}

// Proposition 5, welfare (draft-a eq. 116, envelope theorem): re-solving the planner at
// d_ij exp(-h) and d_ij exp(+h), the change in social welfare per unit of -log d_ij equals
// omega_i / (1 - beta) u'(c_ij) c_ij pi_ij L_i.
TEST(Planner, Proposition5WelfareGain) {
  World w = five_country(1.5);
  const Eigen::VectorXd om = pareto_weights(w, ParetoWeights::Tfp);
  PlannerAllocation a = solve_planner(w, om);
  ASSERT_TRUE(a.report.converged());
  const double h = 1e-4;
  for (auto [i, j] : {std::pair{0, 1}, std::pair{3, 2}}) {
    World up = w, dn = w;
    up.d(i, j) *= std::exp(-h);
    dn.d(i, j) *= std::exp(h);
    PlannerAllocation pu = solve_planner(up, om), pd = solve_planner(dn, om);
    ASSERT_TRUE(pu.report.converged() && pd.report.converged());
    const double fd = (pu.social_welfare - pd.social_welfare) / (2 * h);
    EXPECT_NEAR(fd / a.welfare_gain(i, j), 1.0, 1e-6) << i << "," << j;
  }
}

TEST(Planner, RejectsBadWeights) {
  World w = five_country(1.5);
  EXPECT_THROW(parse_pareto_weights("gdp", "--weights"), InputError);
  EXPECT_THROW(planner_allocation(w, -Eigen::VectorXd::Ones(5), Eigen::VectorXd::Ones(5)),
               InputError);
}
