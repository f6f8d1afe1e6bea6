// Tests of the numerics core: Markov chains, grids, interpolation, log-sum-exp, Anderson mixing.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "hat/core/error.hpp"
#include "hat/core/memory.hpp"
#include "hat/numerics/anderson.hpp"
#include "hat/numerics/gmres.hpp"
#include "hat/numerics/grid.hpp"
#include "hat/numerics/interp.hpp"
#include "hat/numerics/logsumexp.hpp"
#include "hat/numerics/markov.hpp"

using namespace hat::numerics;

// Reference income chain of MODEL.md §1 (persistent Rouwenhorst 5 states, rho 0.9, innovation
// variance 0.039; transitory 2 states, variance 0.0522; E[z] = 1). Values quoted in MODEL.md.
TEST(Markov, ReferenceChainMatchesModelMd) {
  IncomeProcess ip = make_income_process(IncomeSpec{});
  const double expected[] = {0.283021, 0.446959, 0.445225, 0.703120, 0.700392,
                             1.106090, 1.101800, 1.740011, 1.733261, 2.737243};
  ASSERT_EQ(ip.z.size(), 10);
  for (int s = 0; s < 10; ++s) EXPECT_NEAR(ip.z(s), expected[s], 5e-7) << "state " << s;
  EXPECT_NEAR(std::log(ip.z(0)), -1.2622344170981827, 1e-12);
  for (int s = 0; s < 10; ++s) EXPECT_NEAR(ip.P.row(s).sum(), 1.0, 1e-14);
  EXPECT_NEAR(ip.stationary.dot(ip.z), 1.0, 1e-14);
  // stationarity: pi P = pi
  EXPECT_LT((ip.stationary.transpose() * ip.P - ip.stationary.transpose()).cwiseAbs().maxCoeff(),
            1e-14);
  // the zero-mean log persistent state is symmetric around 0
  EXPECT_NEAR(ip.stationary.dot(ip.log_persistent), 0.0, 1e-14);
}

// Rouwenhorst reproduces the AR(1) moments exactly (Kopecky & Suen 2010, Prop. 1):
// mean 0, variance s2/(1-rho^2), first autocorrelation rho.
TEST(Markov, RouwenhorstMatchesAr1Moments) {
  for (int n : {2, 3, 5, 9}) {
    const double rho = 0.93, s2 = 0.05;
    MarkovChain mc = rouwenhorst(n, rho, s2);
    Eigen::VectorXd pi = stationary_distribution(mc.P);
    const double mean = pi.dot(mc.states);
    const double var = pi.dot(mc.states.cwiseProduct(mc.states)) - mean * mean;
    double cov = 0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) cov += pi(i) * mc.P(i, j) * mc.states(i) * mc.states(j);
    EXPECT_NEAR(mean, 0.0, 1e-14);
    EXPECT_NEAR(var, s2 / (1 - rho * rho), 1e-12) << n;
    EXPECT_NEAR(cov / var, rho, 1e-12) << n;
    for (int i = 0; i < n; ++i) EXPECT_NEAR(mc.P.row(i).sum(), 1.0, 1e-14);
  }
}

TEST(Markov, TauchenRowsAreDistributions) {
  MarkovChain mc = tauchen(7, 0.9, 0.01);
  for (int i = 0; i < 7; ++i) EXPECT_NEAR(mc.P.row(i).sum(), 1.0, 1e-14);
  EXPECT_NEAR(mc.states(6), 3.0 * std::sqrt(0.01 / (1 - 0.81)), 1e-14);
  Eigen::VectorXd pi = stationary_distribution(mc.P);
  EXPECT_NEAR(pi.dot(mc.states), 0.0, 1e-12);  // symmetric chain
}

TEST(Markov, ValidateRejectsBadRows) {
  Eigen::MatrixXd P(2, 2);
  P << 0.5, 0.6, 0.5, 0.5;
  EXPECT_THROW(validate_transition_matrix(P), hat::InputError);
  P << 0.5, 0.5, -0.1, 1.1;
  EXPECT_THROW(validate_transition_matrix(P), hat::InputError);
}

TEST(Grid, UniformAndPower) {
  Eigen::VectorXd g = make_grid(-0.5, 8.0, 100);
  EXPECT_EQ(g(0), -0.5);
  EXPECT_EQ(g(99), 8.0);
  EXPECT_NEAR(g(1) - g(0), 8.5 / 99, 1e-15);
  Eigen::VectorXd h = make_grid(0.0, 1.0, 11, GridSpacing::Power, 2.0);
  EXPECT_NEAR(h(1), 0.01, 1e-15);
  EXPECT_LT(h(1) - h(0), h(10) - h(9));  // dense near the lower bound
}

TEST(Interp, LinearWithPolicies) {
  std::vector<double> x{0.0, 1.0, 3.0}, y{1.0, 3.0, 7.0};
  EXPECT_DOUBLE_EQ(interp_linear(x, y, 2.0), 5.0);
  EXPECT_DOUBLE_EQ(interp_linear(x, y, -1.0, Extrapolation::Linear), -1.0);
  EXPECT_DOUBLE_EQ(interp_linear(x, y, 4.0, Extrapolation::Linear), 9.0);
  EXPECT_DOUBLE_EQ(interp_linear(x, y, 4.0, Extrapolation::Clamp), 7.0);
  EXPECT_THROW(interp_linear(x, y, 4.0, Extrapolation::Throw), std::out_of_range);
  std::vector<double> q{-1.0, 0.5, 1.0, 2.0, 5.0}, out(5);
  interp_linear_sorted(x, y, q, out);
  for (size_t i = 0; i < q.size(); ++i) EXPECT_DOUBLE_EQ(out[i], interp_linear(x, y, q[i]));
}

// Closed form: with v = (0, -1e6 sigma), V = 0 + sigma log(1 + e^-1e6) = 0 and pi = (1, 0).
TEST(LogSumExp, StaysFiniteForHugeGaps) {
  const double sigma = 0.25;
  std::vector<double> v{0.0, -1e6 * sigma}, pi(2);
  double V = softmax(v, sigma, pi);
  EXPECT_TRUE(std::isfinite(V));
  EXPECT_EQ(V, 0.0);
  EXPECT_EQ(pi[0], 1.0);
  EXPECT_EQ(pi[1], 0.0);
  std::vector<double> w{1e300, 1e300};
  EXPECT_NEAR(logsumexp(w, 1.0) - 1e300, 0.0, 1e285);
  // equal values: V = v + sigma log n, pi = 1/n
  std::vector<double> e{2.0, 2.0, 2.0}, pe(3);
  EXPECT_NEAR(softmax(e, 0.5, pe), 2.0 + 0.5 * std::log(3.0), 1e-15);
  EXPECT_NEAR(pe[1], 1.0 / 3.0, 1e-16);
}

// On a linear map G(x) = A x + b, Anderson type II with a full history is equivalent to GMRES
// (Walker & Ni 2011, Theorem 2.2): it reaches the fixed point (I - A)^(-1) b in at most n + 1
// steps. Plain iteration with spectral radius 0.9 needs about 300 steps for 1e-14.
TEST(Anderson, SolvesLinearFixedPointLikeGmres) {
  const int n = 4;
  Eigen::MatrixXd A(n, n);
  A << 0.9, 0.05, 0.0, 0.0, 0.0, 0.5, 0.1, 0.0, 0.02, 0.0, -0.3, 0.1, 0.0, 0.0, 0.2, 0.7;
  Eigen::VectorXd b(n);
  b << 1.0, -2.0, 0.5, 3.0;
  const Eigen::VectorXd xstar = (Eigen::MatrixXd::Identity(n, n) - A).lu().solve(b);
  AndersonMixer mix(n);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n), next;
  int steps = 0;
  while ((x - xstar).cwiseAbs().maxCoeff() > 1e-12 && steps < 50) {
    mix.step(x, A * x + b, next);
    x = next;
    ++steps;
  }
  EXPECT_LE(steps, n + 2);
  EXPECT_LT((x - xstar).cwiseAbs().maxCoeff(), 1e-12);
  // Plain iteration for comparison (the mixer is doing the work).
  Eigen::VectorXd y = Eigen::VectorXd::Zero(n);
  for (int k = 0; k < n + 2; ++k) y = A * y + b;
  EXPECT_GT((y - xstar).cwiseAbs().maxCoeff(), 1e-2);
}

TEST(Anderson, NonFiniteResidualFallsBackToPlainStep) {
  AndersonMixer mix(3);
  Eigen::VectorXd x = Eigen::VectorXd::Ones(2), g(2), next;
  g << 2.0, 3.0;
  mix.step(x, g, next);
  EXPECT_EQ(next, g);
  g(0) = NAN;
  mix.step(x, g, next);
  EXPECT_EQ(mix.history(), 0);
  EXPECT_TRUE(std::isnan(next(0)));  // the caller's plain step; the history was dropped
}

// GMRES (Saad & Schultz 1986): in exact arithmetic it terminates in at most n steps on an
// n x n system, and with fewer steps its residual is the minimum over the Krylov space, so it
// falls monotonically. A nonsymmetric 30 x 30 system, against a dense LU solve.
TEST(Gmres, SolvesNonsymmetricSystemAgainstLu) {
  const int n = 30;
  Eigen::MatrixXd A = Eigen::MatrixXd::Zero(n, n);
  for (int i = 0; i < n; ++i) {
    A(i, i) = 1.0 + 4.0 * i / n;  // a spread spectrum: GMRES needs most of the n steps
    for (int j = 0; j < n; ++j)
      A(i, j) += 0.6 * std::sin(1.0 + 3.0 * i + 7.0 * j * j) / std::sqrt(n);
  }
  Eigen::VectorXd b(n);
  for (int i = 0; i < n; ++i) b(i) = std::cos(0.3 * i);
  const Eigen::VectorXd xstar = A.lu().solve(b);
  auto apply = [&](const auto& v, Eigen::VectorXd& out) { out = A * v; };
  Gmres gm;
  Eigen::VectorXd x;
  GmresResult r = gm.solve(apply, b, x, 1e-12, n);
  EXPECT_TRUE(r.converged);
  EXPECT_LE(r.iterations, n);
  EXPECT_LT((x - xstar).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT((b - A * x).norm(), 1e-11 * b.norm());
  // Too few steps: not converged, but the reported residual is the true one and below 1.
  double prev = 1.0;
  for (int k : {2, 5, 10}) {
    GmresResult rk = gm.solve(apply, b, x, 1e-12, k);
    EXPECT_FALSE(rk.converged);
    EXPECT_NEAR(rk.relative_residual, (b - A * x).norm() / b.norm(), 1e-12);
    EXPECT_LT(rk.relative_residual, prev);
    prev = rk.relative_residual;
  }
  // A zero right-hand side gives x = 0 without a product.
  GmresResult r0 = gm.solve(apply, Eigen::VectorXd::Zero(n), x, 1e-12, n);
  EXPECT_TRUE(r0.converged);
  EXPECT_EQ(r0.iterations, 0);
  EXPECT_EQ(x.norm(), 0.0);
}

// The allocator setting used by the hat tool and the benchmarks takes effect on glibc (it once
// silently did nothing because the glibc macro it tests was not yet defined).
TEST(Memory, KeepFreedMemoryTakesEffectOnGlibc) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer replaces glibc's allocator (mallopt has no effect)";
#elif defined(__GLIBC__)
  EXPECT_TRUE(hat::keep_freed_memory());
#else
  GTEST_SKIP() << "not glibc: keep_freed_memory() has no setting to change";
#endif
}
