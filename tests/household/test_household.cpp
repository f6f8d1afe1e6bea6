// Tests of the household block (MODEL.md §1).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "hat/core/error.hpp"
#include "hat/core/interrupt.hpp"
#include "hat/household/household.hpp"
#include "hat/household/reference.hpp"
#include "hat/household/upper_envelope.hpp"
#include "hat/numerics/grid.hpp"
#include "hat/numerics/lottery.hpp"
#include "hat/numerics/markov.hpp"

using namespace hat;
using namespace hat::household;

namespace {
// Two solutions of the same problem agree on consumption, values and choice probabilities.
void expect_same_solution(const HouseholdSolution& a, const HouseholdSolution& b,
                          double tol = 1e-8) {
  EXPECT_LT((a.c - b.c).cwiseAbs().maxCoeff(), tol);
  EXPECT_LT((a.V - b.V).cwiseAbs().maxCoeff(), tol);
  EXPECT_LT((a.pi - b.pi).cwiseAbs().maxCoeff(), tol);
}

}  // namespace

// The reference problem (hat/household/reference.hpp) against the numbers of an independent
// implementation (the foundation issue's reference case).
TEST(Household, ReferenceCase) {
  HouseholdProblem hp = reference_problem();
  HouseholdSolution sol = solve_household(hp);
  ASSERT_TRUE(sol.report.converged()) << sol.report.message;
  StationaryDistribution d = stationary_distribution(hp, sol);
  ASSERT_TRUE(d.report.converged()) << d.report.message;
  Aggregates ag = aggregate(hp, sol, d.mass);
  EXPECT_NEAR(ag.assets, -0.2557575664, 1e-6);
  EXPECT_NEAR(ag.choice_probability(0), 0.3007576545, 1e-6);
  EXPECT_NEAR(ag.expenditure_share(0), 0.2273841564, 1e-6);
}

// Log utility (MODEL.md §1, paper Corollary 2): with u = log c the savings choice does not
// depend on the variety (the EGM grids coincide), expenditure p_j c_j is equal across j, and
// the choice probabilities are the closed form p_j^(-1/sigma) / sum_k p_k^(-1/sigma) in every
// state.
TEST(Household, LogUtilityClosedForms) {
  HouseholdProblem hp = reference_problem();
  hp.gamma = 1.0;
  HouseholdSolution sol = solve_household(hp);
  ASSERT_TRUE(sol.report.converged()) << sol.report.message;
  const int N = hp.Na() * hp.Nz(), M = hp.M();
  Eigen::VectorXd closed(M);
  for (int j = 0; j < M; ++j) closed(j) = std::pow(hp.prices(j), -1.0 / hp.sigma);
  closed /= closed.sum();
  double max_pi = 0, max_ap = 0, max_x = 0;
  for (int k = 0; k < N; ++k)
    for (int j = 0; j < M; ++j) {
      max_pi = std::max(max_pi, std::abs(sol.pi(k, j) - closed(j)));
      max_ap = std::max(max_ap, std::abs(sol.a_next(k, j) - sol.a_next(k, 0)));
      max_x = std::max(max_x, std::abs(hp.prices(j) * sol.c(k, j) - hp.prices(0) * sol.c(k, 0)));
    }
  EXPECT_LT(max_pi, 1e-10);
  EXPECT_LT(max_ap, 1e-12);
  EXPECT_LT(max_x, 1e-12);
  StationaryDistribution d = stationary_distribution(hp, sol);
  Aggregates ag = aggregate(hp, sol, d.mass);
  for (int j = 0; j < M; ++j) EXPECT_NEAR(ag.choice_probability(j), closed(j), 1e-10);
}

// A single variety (M = 1) is the standard income-fluctuation problem (Aiyagari 1994): the
// logit collapses (pi = 1), the distribution is a probability distribution and the EGM solution
// satisfies the Euler equation off the grid (log10 mean relative error below -5 at Na = 500).
TEST(Household, SingleVarietyIncomeFluctuation) {
  HouseholdProblem hp = reference_problem(500, 1);
  HouseholdSolution sol = solve_household(hp);
  ASSERT_TRUE(sol.report.converged()) << sol.report.message;
  EXPECT_EQ(sol.pi.minCoeff(), 1.0);
  StationaryDistribution d = stationary_distribution(hp, sol);
  ASSERT_TRUE(d.report.converged());
  EXPECT_NEAR(d.mass.sum(), 1.0, 1e-13);
  EXPECT_GE(d.mass.minCoeff(), 0.0);
  // income states keep their stationary shares
  auto ip = numerics::make_income_process(reference_income_spec());
  for (int s = 0; s < hp.Nz(); ++s)
    EXPECT_NEAR(d.mass.segment(s * hp.Na(), hp.Na()).sum(), ip.stationary(s), 1e-11);
  EulerErrors ee = euler_errors(hp, sol);
  EXPECT_GT(ee.points, 1000);
  EXPECT_LT(ee.log10_mean, -5.0);
  // Aggregate efficiency units are E[z] = 1 by construction of the chain.
  Aggregates ag = aggregate(hp, sol, d.mass);
  EXPECT_NEAR(ag.efficiency_units, 1.0, 1e-11);
}

// Warm start from the solution at slightly different prices converges to the same fixed point
// as a cold start (to the solver tolerance), in fewer iterations.
TEST(Household, WarmStartReachesSameFixedPoint) {
  HouseholdProblem hp = reference_problem();
  HouseholdSolution base = solve_household(hp);
  hp.prices(3) *= 1.01;
  HouseholdSolution cold = solve_household(hp);
  HouseholdSolution warm = solve_household(hp, {}, &base);
  ASSERT_TRUE(cold.report.converged() && warm.report.converged());
  EXPECT_LT(warm.report.iterations, cold.report.iterations);
  EXPECT_LT((cold.c - warm.c).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_LT((cold.V - warm.V).cwiseAbs().maxCoeff(), 1e-7);
}

// Anderson acceleration changes the path, not the fixed point: the accelerated and the plain
// iteration (anderson_depth = 0) agree to the tolerance, and the accelerated one is shorter.
TEST(Household, AndersonAccelerationReachesSameFixedPoint) {
  HouseholdProblem hp = reference_problem();
  SolveOptions plain;
  plain.anderson_depth = 0;
  HouseholdSolution a = solve_household(hp);
  HouseholdSolution b = solve_household(hp, plain);
  ASSERT_TRUE(a.report.converged() && b.report.converged());
  EXPECT_LT(a.report.iterations, b.report.iterations);
  expect_same_solution(a, b);
}

// The Gauss-Seidel sweep (marginal values updated in place, asset points upwards) changes the
// path, not the fixed point: it agrees with plain Jacobi sweeps to the tolerance, cold and warm,
// and needs fewer iterations.
TEST(Household, GaussSeidelSweepReachesSameFixedPoint) {
  HouseholdProblem hp = reference_problem();
  SolveOptions gs;
  gs.newton = false;  // the sweeps alone, without Newton steps near the end
  SolveOptions jacobi = gs;
  jacobi.gauss_seidel = false;
  HouseholdSolution a = solve_household(hp, gs);
  HouseholdSolution b = solve_household(hp, jacobi);
  ASSERT_TRUE(a.report.converged() && b.report.converged());
  EXPECT_LT(a.report.iterations, b.report.iterations);
  expect_same_solution(a, b);
  hp.prices(hp.M() - 1) *= 1.01;
  HouseholdSolution aw = solve_household(hp, gs, &a);
  HouseholdSolution bw = solve_household(hp, jacobi, &b);
  ASSERT_TRUE(aw.report.converged() && bw.report.converged());
  EXPECT_LT(aw.report.iterations, bw.report.iterations);
  expect_same_solution(aw, bw);
}

// Newton steps on the sweep's analytic Jacobian reach the fixed point of the sweeps alone,
// cold and warm. Quadratic convergence is what the Jacobian buys: a warm start after a 1%
// price change (about 1e-4 from the new fixed point) needs two Newton steps, then a sweep
// that finds the residual at round-off and one that confirms that c and v no longer move.
// With an inexact Jacobian the steps converge only linearly and this takes more sweeps.
TEST(Household, NewtonStepsReachSameFixedPoint) {
  HouseholdProblem hp = reference_problem();
  SolveOptions plain;
  plain.newton = false;
  HouseholdSolution a = solve_household(hp);
  HouseholdSolution b = solve_household(hp, plain);
  ASSERT_TRUE(a.report.converged() && b.report.converged());
  EXPECT_LT(a.report.iterations, b.report.iterations);
  expect_same_solution(a, b);
  EXPECT_LT((a.mu - b.mu).cwiseAbs().maxCoeff(), 1e-8);
  hp.prices(hp.M() - 1) *= 1.01;
  HouseholdSolution aw = solve_household(hp, {}, &a);
  HouseholdSolution bw = solve_household(hp, plain, &b);
  ASSERT_TRUE(aw.report.converged() && bw.report.converged());
  EXPECT_LE(aw.report.iterations, 4);
  expect_same_solution(aw, bw);
  // Log utility (gamma = 1) with quality shifters: other branches of the same Jacobian.
  HouseholdProblem hq = reference_problem();
  hq.gamma = 1.0;
  hq.quality = Eigen::MatrixXd::Zero(hq.Nz(), hq.M());
  hq.quality.col(2).setConstant(0.1);
  HouseholdSolution c = solve_household(hq);
  ASSERT_TRUE(c.report.converged());
  hq.prices(0) *= 0.99;
  HouseholdSolution cw = solve_household(hq, {}, &c);
  HouseholdSolution dw = solve_household(hq, plain, &c);
  ASSERT_TRUE(cw.report.converged() && dw.report.converged());
  EXPECT_LE(cw.report.iterations, 4);
  expect_same_solution(cw, dw);
}

// Newton steps far from the fixed point: a warm start after all prices but the first rose by
// 40% and the wage fell by 20%, and a cold start with Newton steps from its second sweep, both
// reach the fixed point of the plain iteration.
TEST(Household, NewtonStepsFarFromTheFixedPoint) {
  HouseholdProblem hp = reference_problem();
  HouseholdSolution base = solve_household(hp);
  for (int j = 1; j < hp.M(); ++j) hp.prices(j) *= 1.4;
  hp.W = 0.8;
  SolveOptions plain;
  plain.newton = false;
  HouseholdSolution a = solve_household(hp, {}, &base);
  HouseholdSolution b = solve_household(hp, plain);
  ASSERT_TRUE(a.report.converged()) << a.report.message;
  ASSERT_TRUE(b.report.converged()) << b.report.message;
  expect_same_solution(a, b);
  // Newton steps from the second sweep of a cold start (threshold raised out of the way).
  SolveOptions eager;
  eager.newton_threshold = 1e9;
  HouseholdSolution e = solve_household(hp, eager);
  ASSERT_TRUE(e.report.converged()) << e.report.message;
  EXPECT_EQ(e.newton_failures, 0);
  expect_same_solution(e, b);
}

// The Euler errors (u'(c) inside each grid cell by a binomial series, the expectations from
// per-cell interpolants or computed directly) against the definition evaluated directly with pow
// and exp: same unconstrained points, same mean and max error, on the solution grid (refine 1,
// the default of the hat commands) and a finer one, for the reference logit and a sharp one.
TEST(Household, EulerErrorsMatchDirectEvaluation) {
  for (double sigma : {0.0, 0.01})  // 0: the reference problem's; 0.01: a nearly discrete choice
    for (double gamma : {0.5, 1.45, 4.0})
      for (int refine : {1, 3}) {
        HouseholdProblem hp = reference_problem();
        hp.gamma = gamma;
        if (sigma > 0) hp.sigma = sigma;
        hp.prices.conservativeResize(4);
        HouseholdSolution sol = solve_household(hp);
        ASSERT_TRUE(sol.report.converged());
        const int Na = hp.Na(), Nz = hp.Nz(), M = hp.M();
        const double* g = hp.grid.data();
        const double amin = hp.a_min(), amax = hp.a_max(), eps = 1e-9 * (amax - amin);
        auto bracket = [&](double a, int& lo, double& t) {
          lo = std::clamp(static_cast<int>(std::upper_bound(g, g + Na, a) - g) - 1, 0, Na - 2);
          t = std::clamp((a - g[lo]) / (g[lo + 1] - g[lo]), 0.0, 1.0);
        };
        double sum = 0, mx = 0;
        long n = 0;
        const int nf = (Na - 1) * refine + 1;
        for (int s = 0; s < Nz; ++s)
          for (int f = 0; f < nf; ++f) {
            const double a = amin + (amax - amin) * f / (nf - 1);
            int lo;
            double t;
            bracket(a, lo, t);
            const int k0 = s * Na + lo;
            for (int j = 0; j < M; ++j) {
              const double a0 = sol.a_next(k0, j), a1 = sol.a_next(k0 + 1, j);
              if (std::min(a0, a1) <= amin + eps || std::max(a0, a1) >= amax - eps) continue;
              const double ap = (1 - t) * a0 + t * a1;
              const double c = (hp.R * a + hp.W * hp.z(s) - ap) / hp.prices(j);
              double rhs = 0;
              for (int s2 = 0; s2 < Nz; ++s2) {
                int l2;
                double t2;
                bracket(ap, l2, t2);
                const int q0 = s2 * Na + l2;
                std::vector<double> v(M);
                double vmax = -INFINITY, den = 0, num = 0;
                for (int k = 0; k < M; ++k) {
                  v[k] = (1 - t2) * sol.v(q0, k) + t2 * sol.v(q0 + 1, k);
                  vmax = std::max(vmax, v[k]);
                }
                for (int k = 0; k < M; ++k) {
                  const double w = std::exp((v[k] - vmax) / hp.sigma);
                  const double apk = (1 - t2) * sol.a_next(q0, k) + t2 * sol.a_next(q0 + 1, k);
                  const double ck = (hp.R * ap + hp.W * hp.z(s2) - apk) / hp.prices(k);
                  den += w;
                  num += w * std::pow(ck, -gamma) / hp.prices(k);
                }
                rhs += hp.P(s, s2) * num / den;
              }
              const double e =
                  std::abs(std::pow(hp.prices(j) * hp.beta * hp.R * rhs, -1.0 / gamma) / c - 1.0);
              sum += e;
              mx = std::max(mx, e);
              ++n;
            }
          }
        EulerErrors ee = euler_errors(hp, sol, refine);
        EXPECT_EQ(ee.points, n) << gamma << " refine " << refine;
        EXPECT_NEAR(ee.log10_mean, std::log10(sum / n), 1e-10) << gamma << " refine " << refine;
        EXPECT_NEAR(ee.log10_max, std::log10(mx), 1e-10) << gamma << " refine " << refine;
        // Every cell computed directly (the path a cell takes when its interpolant misses the
        // check): the same errors as the interpolants' and the loop above.
        EulerErrors direct = euler_errors(hp, sol, refine, -1.0);
        EXPECT_EQ(direct.points, n);
        EXPECT_NEAR(direct.log10_mean, std::log10(sum / n), 1e-10) << gamma << " refine " << refine;
        EXPECT_NEAR(direct.log10_max, std::log10(mx), 1e-10) << gamma << " refine " << refine;
        EXPECT_NEAR(direct.log10_mean, ee.log10_mean, 1e-11) << gamma << " refine " << refine;
      }
}

// The Euler-error grids: the solution grid is refine 1, the fine grid refine 10 (lowered only
// by the cost bound of euler_error_refine); names as on the command line.
TEST(Household, EulerGridChoosesRefinement) {
  const HouseholdProblem hp = reference_problem();
  EXPECT_EQ(euler_error_refine(hp, EulerGrid::Solution), 1);
  EXPECT_EQ(euler_error_refine(hp, EulerGrid::Fine), euler_error_refine(hp));
  EXPECT_EQ(euler_error_refine(hp, EulerGrid::Fine), 10);
  EXPECT_EQ(parse_euler_grid("solution", "x"), EulerGrid::Solution);
  EXPECT_EQ(parse_euler_grid("fine", "x"), EulerGrid::Fine);
  EXPECT_THROW(parse_euler_grid("coarse", "x"), hat::InputError);
  EXPECT_EQ(euler_refine_warning(1, EulerGrid::Solution), "");
  EXPECT_NE(euler_refine_warning(0, EulerGrid::Solution), "");
  EXPECT_NE(euler_refine_warning(3, EulerGrid::Fine), "");
}

// The choice-specific values satisfy the Bellman equation v_j = u(c_j) + beta E V(a'_j, s')
// with u evaluated here by pow: the solver's u'(c) comes from a binomial series on each EGM
// segment (egm.cpp), so this checks that path against the direct formula, for gamma below,
// near and well above 1.
TEST(Household, ValuesSatisfyBellmanWithDirectUtility) {
  for (double gamma : {0.5, 1.45, 4.0}) {
    HouseholdProblem hp = reference_problem();
    hp.gamma = gamma;
    HouseholdSolution sol = solve_household(hp);
    ASSERT_TRUE(sol.report.converged()) << gamma << ": " << sol.report.message;
    const int Na = hp.Na(), Nz = hp.Nz();
    Eigen::Map<const Eigen::MatrixXd> Vm(sol.V.data(), Na, Nz);
    const Eigen::MatrixXd EV = Vm * hp.P.transpose();
    double worst = 0;
    for (int j = 0; j < hp.M(); ++j)
      for (int s = 0; s < Nz; ++s)
        for (int i = 0; i < Na; ++i) {
          const int k = s * Na + i;
          const double ap = sol.a_next(k, j), c = sol.c(k, j);
          int l = static_cast<int>(std::upper_bound(hp.grid.data(), hp.grid.data() + Na, ap) -
                                   hp.grid.data()) -
                  1;
          l = std::clamp(l, 0, Na - 2);
          const double t = (ap - hp.grid(l)) / (hp.grid(l + 1) - hp.grid(l));
          const double ev = EV(l, s) + t * (EV(l + 1, s) - EV(l, s));
          const double u = std::pow(c, 1.0 - gamma) / (1.0 - gamma);
          worst = std::max(worst, std::abs(sol.v(k, j) - (u + hp.beta * ev)) /
                                      std::max(1.0, std::abs(sol.v(k, j))));
        }
    EXPECT_LT(worst, 1e-12) << "gamma " << gamma;
  }
}

// Values are consistent with the logit identity V = sigma log sum exp((v+psi)/sigma) and
// pi_j = exp((v_j + psi_j - V)/sigma); quality shifters move choice but not savings of a
// given variety's Euler equation.
TEST(Household, LogitIdentitiesWithQuality) {
  HouseholdProblem hp = reference_problem();
  hp.prices = hp.prices.head(3).eval();
  hp.quality = Eigen::MatrixXd::Zero(hp.Nz(), 3);
  for (int s = 0; s < hp.Nz(); ++s) hp.quality(s, 0) = 0.05 * (s - 4.5);
  HouseholdSolution sol = solve_household(hp);
  ASSERT_TRUE(sol.report.converged());
  const int Na = hp.Na();
  for (int k = 0; k < hp.Na() * hp.Nz(); k += 37)
    for (int j = 0; j < 3; ++j) {
      const double expected = std::exp((sol.v(k, j) + hp.psi(k / Na, j) - sol.V(k)) / hp.sigma);
      EXPECT_NEAR(sol.pi(k, j), expected, 1e-12);
    }
  EXPECT_NEAR(sol.pi.row(0).sum(), 1.0, 1e-14);
}

TEST(Household, ValidationNamesTheParameter) {
  HouseholdProblem hp = reference_problem();
  auto expect_msg = [&](HouseholdProblem p, const std::string& key) {
    try {
      p.validate();
      ADD_FAILURE() << "no error for " << key;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  };
  auto p = hp;
  p.gamma = 0;
  expect_msg(p, "gamma");
  p = hp;
  p.sigma = -1;
  expect_msg(p, "sigma");
  p = hp;
  p.beta = 1.0;
  expect_msg(p, "beta");
  p = hp;
  p.prices(2) = -1;
  expect_msg(p, "prices");
  p = hp;
  p.P(0, 0) += 0.1;
  expect_msg(p, "sums to");
}

// Every invalid solver option is bad input naming its field (one line), also through
// solve_household; the defaults (and the options of the other modules) are valid.
TEST(Household, SolveOptionsValidationNamesTheField) {
  EXPECT_NO_THROW(SolveOptions{}.validate());
  auto expect_msg = [](SolveOptions o, const std::string& key) {
    try {
      o.validate();
      ADD_FAILURE() << "no error for " << key;
    } catch (const InputError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("SolveOptions." + key), std::string::npos) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    }
  };
  SolveOptions o;
  o.tolerance = 0;
  expect_msg(o, "tolerance");
  o = {};
  o.max_iterations = 0;
  expect_msg(o, "max_iterations");
  o = {};
  o.howard_steps = -1;
  expect_msg(o, "howard_steps");
  o = {};
  o.initial_savings_fraction = 1.5;
  expect_msg(o, "initial_savings_fraction");
  o = {};
  o.newton_retry_factor = 0;
  expect_msg(o, "newton_retry_factor");
  o = {};
  o.gmres_tolerance_min = 0.5;  // above gmres_tolerance_max
  expect_msg(o, "gmres_tolerance_min");
  o = {};
  o.newton_accept_residual = std::nan("");
  expect_msg(o, "newton_accept_residual");
  o = {};
  o.newton_check_fraction = 1.0;
  EXPECT_THROW(solve_household(reference_problem(), o), InputError);
}

// Near-discrete choice between a cheap variety and a dear one with a quality premium (CRRA
// gamma = 2): the preferred variety switches at a wealth threshold, the continuation value has
// a convex kink, and the solver detects the fold of the endogenous grid and still converges.
TEST(Household, DetectsFoldedEndogenousGrid) {
  HouseholdProblem hp;
  hp.gamma = 2.0;
  hp.beta = 0.92;
  hp.sigma = 0.002;
  hp.R = 1.01;
  hp.W = 1.0;
  hp.prices.resize(2);
  hp.prices << 1.0, 2.0;
  hp.grid = numerics::make_grid(0.0, 8.0, 100);
  numerics::IncomeSpec sp;
  sp.persistent_states = 3;
  sp.transitory_states = 1;
  auto ip = numerics::make_income_process(sp);
  hp.z = ip.z;
  hp.P = ip.P;
  hp.quality = Eigen::MatrixXd::Zero(3, 2);
  hp.quality.col(1).setConstant(2.0);
  HouseholdSolution sol = solve_household(hp);
  ASSERT_TRUE(sol.report.converged()) << sol.report.message;
  EXPECT_GT(sol.envelope_steps, 0);
  // A state whose grid folds is redone with the envelope inside a Gauss-Seidel sweep; plain
  // Jacobi sweeps reach the same policies.
  SolveOptions jacobi;
  jacobi.gauss_seidel = false;
  HouseholdSolution ref = solve_household(hp, jacobi);
  ASSERT_TRUE(ref.report.converged()) << ref.report.message;
  EXPECT_GT(ref.envelope_steps, 0);
  // Newton steps from the second sweep on (threshold out of the way): on this folded problem
  // an early step raises the residual (the Jacobian holds envelope savings fixed), the solve
  // hands over to the accelerated sweeps and still reaches the same policies.
  SolveOptions eager;
  eager.newton_threshold = 1e9;
  HouseholdSolution e = solve_household(hp, eager);
  ASSERT_TRUE(e.report.converged()) << e.report.message;
  EXPECT_GE(e.newton_failures, 1);
  EXPECT_LT((e.c - ref.c).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_LT((e.V - ref.V).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_LT((sol.c - ref.c).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_LT((sol.V - ref.V).cwiseAbs().maxCoeff(), 1e-8);
}

// The lottery operator's transpose (used for the forward map as a gather) gives the same
// forward map as the scatter, and the mix over income states by distinct rows equals the
// product with P; both on the reference problem's solution.
TEST(Lottery, TransposeAndRowMixMatchDirectForms) {
  HouseholdProblem hp = reference_problem();
  HouseholdSolution sol = solve_household(hp);
  ASSERT_TRUE(sol.report.converged());
  numerics::LotteryOperator T;
  T.build(hp.grid, sol.a_next, sol.pi);
  const numerics::LotteryOperator Tt = T.transpose();
  const int Na = hp.Na(), Nz = hp.Nz(), N = Na * Nz;
  Eigen::VectorXd mass(N);
  for (int k = 0; k < N; ++k) mass(k) = 1.0 + std::sin(0.37 * k);
  Eigen::MatrixXd scatter;
  T.apply_forward(mass, scatter);
  Eigen::VectorXd gather;
  Tt.apply_backward(mass.reshaped(Na, Nz), gather);
  EXPECT_LT((gather - scatter.reshaped()).cwiseAbs().maxCoeff(), 1e-14);
  EXPECT_EQ(Tt.row_start[N], T.row_start[N]);  // same entries, rearranged
  // P has 5 distinct rows (i.i.d. transitory states share their persistent state's row).
  const std::vector<int> rep = numerics::first_identical_row(hp.P);
  EXPECT_EQ(std::count_if(rep.begin(), rep.end(), [&, s = 0](int r) mutable { return r == s++; }),
            5);
  Eigen::MatrixXd mixed, work;
  numerics::mix_by_rows(scatter, hp.P, rep, mixed, work);
  EXPECT_LT((mixed - scatter * hp.P).cwiseAbs().maxCoeff(), 1e-14);
  // A chain with one row changed (it no longer repeats its neighbour): still the product.
  Eigen::MatrixXd Q = hp.P;
  Q.row(1) = 0.5 * (hp.P.row(1) + hp.P.row(2));
  const std::vector<int> rq = numerics::first_identical_row(Q);
  numerics::mix_by_rows(scatter, Q, rq, mixed, work);
  EXPECT_LT((mixed - scatter * Q).cwiseAbs().maxCoeff(), 1e-14);
}

// The segment-by-segment envelope against the point-by-point scan it replaced (every grid
// point over every segment, in the order of q): the same savings, to the bit, on random folded
// grids with points below the first endogenous point, beyond the last and on several layers.
TEST(UpperEnvelope, EqualsThePointByPointScan) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  const int Na = 40;
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<double> grid(Na), atil(Na), ev(Na), cash(Na), out(Na);
    double e = 0.0;
    for (int q = 0; q < Na; ++q) {
      grid[q] = -2.0 + 0.25 * q;
      atil[q] = grid[q] + 1.5 * (U(rng) - 0.5) + (trial % 3 == 0 ? 0.0 : 0.4 * std::sin(q));
      e += U(rng);
      ev[q] = e;
      cash[q] = grid[q] + 3.0 + U(rng);
    }
    if (trial % 7 == 0) atil[3] = atil[2];  // a flat segment
    EnvelopeInput in;
    in.grid = grid;
    in.atil = atil;
    in.ev = ev;
    in.cash = cash;
    in.price = 0.5 + U(rng);
    in.beta = 0.9;
    in.utility = [](double c) { return -1.0 / c; };
    upper_envelope(in, out);
    const double amax_til = *std::max_element(atil.begin(), atil.end());
    for (int i = 0; i < Na; ++i) {
      const double a = grid[i];
      double best_v = -INFINITY, best_ap = grid[0];
      if (a <= atil[0]) {
        const double c = (cash[i] - grid[0]) / in.price;
        if (c > 0) best_v = in.utility(c) + in.beta * ev[0];
      }
      for (int q = 0; q < Na - 1; ++q) {
        const double x0 = atil[q], x1 = atil[q + 1];
        const bool inside = a >= std::min(x0, x1) && a <= std::max(x0, x1);
        if ((!inside && !(q == Na - 2 && a > amax_til)) || x1 == x0) continue;
        const double t = (a - x0) / (x1 - x0);
        double ap = grid[q] + t * (grid[q + 1] - grid[q]);
        double evq = ev[q] + t * (ev[q + 1] - ev[q]);
        if (ap > grid[Na - 1]) {
          ap = grid[Na - 1];
          evq = ev[Na - 1];
        }
        const double c = (cash[i] - ap) / in.price;
        if (!(c > 0)) continue;
        const double val = in.utility(c) + in.beta * evq;
        if (val > best_v) {
          best_v = val;
          best_ap = ap;
        }
      }
      EXPECT_EQ(out[i], std::clamp(best_ap, grid[0], grid[Na - 1])) << trial << " " << i;
    }
  }
}

// The envelope's selection on a constructed fold (closed form: the best of the covering
// segments). Exogenous grid 0, 1, ..., 6; the endogenous grid folds back: atil = 0, 1, 2, 1.5,
// 3, 4, 5 (segments [1,2] -> [2,1.5] -> [1.5,3] overlap on [1.5, 2]). With u = log and a
// continuation that jumps up at a' = 3 (ev = 0, 0, 0, 5, 5, 5, 5), points in the overlap must
// take the segment reaching the high continuation; below atil_0 = 0 the constraint binds.
TEST(UpperEnvelope, PicksTheBestCoveringSegment) {
  std::vector<double> grid{0, 1, 2, 3, 4, 5, 6};
  std::vector<double> atil{0.0, 1.0, 2.0, 1.5, 3.0, 4.0, 5.0};
  std::vector<double> ev{0, 0, 0, 5, 5, 5, 5};
  std::vector<double> cash{10, 11, 12, 13, 14, 15, 16};
  EnvelopeInput in;
  in.grid = grid;
  in.atil = atil;
  in.ev = ev;
  in.cash = cash;
  in.price = 1.0;
  in.beta = 0.9;
  in.utility = [](double c) { return std::log(c); };
  std::vector<double> out(7);
  upper_envelope(in, out);
  // Brute force over the candidate segments: the chosen a' attains the largest value.
  for (int i = 0; i < 7; ++i) {
    const double a = grid[i];
    double best = -INFINITY, best_ap = 0;
    for (int q = 0; q < 6; ++q) {
      const double x0 = atil[q], x1 = atil[q + 1];
      const bool covers = a >= std::min(x0, x1) && a <= std::max(x0, x1);
      const bool extrap = q == 5 && a > 5.0;
      if (!covers && !extrap) continue;
      const double t = (a - x0) / (x1 - x0);
      const double ap = std::min(6.0, grid[q] + t * (grid[q + 1] - grid[q]));
      const double evq = ap >= 6.0 ? ev[6] : ev[q] + t * (ev[q + 1] - ev[q]);
      const double val = std::log(cash[i] - ap) + 0.9 * evq;
      if (val > best) {
        best = val;
        best_ap = ap;
      }
    }
    EXPECT_NEAR(out[i], best_ap, 1e-14) << "grid point " << i;
  }
  // At a = 2 three segments cover the point: [1, 2] and [2, 1.5] give a' = 2 with continuation
  // 0; [1.5, 3] gives a' = 3 + (2 - 1.5)/(3 - 1.5) = 3.333 with continuation 5, and wins:
  // log(12 - 3.333) + 0.9 * 5 > log(12 - 2).
  EXPECT_NEAR(out[2], 3.0 + 1.0 / 3.0, 1e-14);
}

// The host's interrupt (core/interrupt.hpp): a poll that reports one stops the solve with
// hat::Interrupted at the next sweep; once cleared and removed, the same solve runs to the
// result of an uninterrupted one, bit for bit. A poll installed by another thread is never
// called from this one (a host's signals are seen on its own thread only).
TEST(Interruption, HostPollStopsAHouseholdSolveAndIsForgotten) {
  const HouseholdProblem hp = reference_problem();
  const HouseholdSolution plain = solve_household(hp);
  int polls = 0;
  set_interrupt_poll([&polls] { return ++polls == 3; });
  EXPECT_THROW(solve_household(hp), Interrupted);
  EXPECT_EQ(polls, 3);
  EXPECT_THROW(interruption_point(), Interrupted);  // reported until cleared
  clear_interrupt();
  set_interrupt_poll(nullptr);
  const HouseholdSolution again = solve_household(hp);
  EXPECT_EQ(again.report.iterations, plain.report.iterations);
  EXPECT_TRUE(again.c == plain.c && again.V == plain.V);

  polls = 0;
  std::thread([&polls] { set_interrupt_poll([&polls] { return ++polls > 0; }); }).join();
  EXPECT_TRUE(solve_household(hp).report.converged());
  EXPECT_EQ(polls, 0);
  set_interrupt_poll(nullptr);
}
