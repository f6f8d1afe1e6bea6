// Tests of the stationary distribution (src/distribution/stationary.cpp): Young's (2010) lottery
// against a dense eigenvector of the transition matrix built here from its definition, and the
// extrapolation safeguard.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>

#include "hat/household/household.hpp"
#include "hat/household/reference.hpp"
#include "hat/numerics/grid.hpp"
#include "hat/numerics/markov.hpp"

using namespace hat;
using namespace hat::household;

// Independent computation: the transition matrix T(k, k') of the lottery written out densely
// from its definition (choose j with pi_j(k); a'_j split linearly between the bracketing grid
// points; s' ~ P(s, .)), and the stationary distribution as the null vector of T' - I
// normalised to one (dense LU with the normalisation replacing one equation). A small grid
// keeps the dense system cheap.
TEST(Distribution, LotteryMatchesDenseTransitionMatrix) {
  HouseholdProblem hp = reference_problem();
  hp.grid = numerics::make_grid(hp.a_min(), hp.a_max(), 40, numerics::GridSpacing::Uniform, 2.0);
  const HouseholdSolution sol = solve_household(hp);
  ASSERT_TRUE(sol.report.converged());
  DistributionOptions opt;
  opt.tolerance = 1e-14;
  const StationaryDistribution d = stationary_distribution(hp, sol, opt);
  ASSERT_TRUE(d.report.converged());
  const int Na = hp.Na(), Nz = hp.Nz(), M = hp.M(), N = Na * Nz;
  Eigen::MatrixXd T = Eigen::MatrixXd::Zero(N, N);
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i) {
      const int k = s * Na + i;
      for (int j = 0; j < M; ++j) {
        const double ap = std::clamp(sol.a_next(k, j), hp.a_min(), hp.a_max());
        int lo = 0;
        while (lo + 2 < Na && hp.grid(lo + 1) <= ap) ++lo;
        const double w = (hp.grid(lo + 1) - ap) / (hp.grid(lo + 1) - hp.grid(lo));
        for (int s2 = 0; s2 < Nz; ++s2) {
          T(k, s2 * Na + lo) += sol.pi(k, j) * w * hp.P(s, s2);
          T(k, s2 * Na + lo + 1) += sol.pi(k, j) * (1 - w) * hp.P(s, s2);
        }
      }
    }
  Eigen::MatrixXd A = T.transpose() - Eigen::MatrixXd::Identity(N, N);
  Eigen::VectorXd b = Eigen::VectorXd::Zero(N);
  A.row(0).setOnes();
  b(0) = 1.0;
  const Eigen::VectorXd mu = A.partialPivLu().solve(b);
  EXPECT_LT((d.mass - mu).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_NEAR(d.mass.sum(), 1.0, 1e-13);
}

// Aitken extrapolation of the lottery iteration moves only the starting points of plain
// steps; convergence is still the L1 change of a plain step. It must reach the plain
// iteration's distribution (to the tolerance's scale). With MODEL.md §1's reference chain
// (income persistence 0.90: one slow mode) it saves iterations; on the reference problem
// (persistence 0.97: several slow modes) the safeguard undoes it at the cost of at most two
// iterations.
TEST(Distribution, ExtrapolationKeepsTheFixedPoint) {
  HouseholdProblem model_chain = reference_problem();
  auto ip = numerics::make_income_process(numerics::IncomeSpec{});
  model_chain.z = ip.z;
  model_chain.P = ip.P;
  DistributionOptions plain;
  plain.extrapolate = false;
  for (int c = 0; c < 2; ++c) {
    HouseholdProblem hp = c == 0 ? model_chain : reference_problem();
    HouseholdSolution sol = solve_household(hp);
    StationaryDistribution a = stationary_distribution(hp, sol);
    StationaryDistribution b = stationary_distribution(hp, sol, plain);
    ASSERT_TRUE(a.report.converged() && b.report.converged());
    EXPECT_LE(a.report.iterations, b.report.iterations + 2);
    EXPECT_LT((a.mass - b.mass).cwiseAbs().sum(), 1e-10);
    EXPECT_GE(a.mass.minCoeff(), 0.0);
    EXPECT_NEAR(a.mass.sum(), 1.0, 1e-14);
    hp.prices(hp.M() - 1) *= 1.01;
    HouseholdSolution sol2 = solve_household(hp, {}, &sol);
    StationaryDistribution aw = stationary_distribution(hp, sol2, {}, &a.mass);
    StationaryDistribution bw = stationary_distribution(hp, sol2, plain, &b.mass);
    ASSERT_TRUE(aw.report.converged() && bw.report.converged());
    if (c == 0) {
      EXPECT_LT(aw.report.iterations, 0.7 * bw.report.iterations);
    }
    EXPECT_LE(aw.report.iterations, bw.report.iterations + 2);
    EXPECT_LT((aw.mass - bw.mass).cwiseAbs().sum(), 1e-10);
  }
}
