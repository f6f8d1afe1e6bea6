// Transition dynamics: the backward step, the fake-news Jacobian and the path solver.
#include <gtest/gtest.h>

#include <cmath>

#include "hat/analysis/counterfactual.hpp"
#include "hat/household/backward_step.hpp"
#include "hat/transition/fake_news.hpp"
#include "hat/transition/transition.hpp"
#include "world_fixtures.hpp"

using namespace hat;

namespace {

world::Evaluation baseline_of(const world::World& w, world::EquilibriumOptions& opt) {
  world::Equilibrium eq = world::solve_equilibrium(w, test::start_prices(w.size(), 1.01), opt);
  EXPECT_TRUE(eq.report.converged()) << eq.report.message;
  return eq.state;
}

analysis::Shock cut(const std::string& importer, double factor) {
  return analysis::parse_shock_spec("importer=" + importer +
                                    ",exporter=*,factor=" + std::to_string(factor));
}

}  // namespace

// The stationary solution is a fixed point of the backward step: an independent implementation
// (plain EGM sweep) of the step that solve_household iterates with Newton-Krylov acceleration.
TEST(Transition, BackwardStepFixedPointIsTheStationarySolution) {
  world::World w = test::symmetric_two(1.5, 1.745);
  world::Prices p = test::start_prices(2, 1.01);
  household::HouseholdProblem hp = world::country_problem(w, 0, p);
  household::SolveOptions so;
  so.tolerance = 1e-13;
  so.value_tolerance = 1e-13;
  household::HouseholdSolution sol = household::solve_household(hp, so);
  ASSERT_TRUE(sol.report.converged());
  household::HouseholdSolution step;
  household::backward_step(hp, household::continuation_of(sol, hp.R), step);
  ASSERT_EQ(step.report.status, SolverStatus::Converged);
  EXPECT_LT((step.c - sol.c).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT((step.a_next - sol.a_next).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_LT((step.V - sol.V).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT((step.mu - sol.mu).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT((step.pi - sol.pi).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(Transition, NoShockPathIsTheSteadyState) {
  world::World w = test::symmetric_two(1.5, 1.745, 50);
  world::EquilibriumOptions opt;
  world::Evaluation base = baseline_of(w, opt);
  analysis::WelfareOptions wo;
  transition::PathEconomy e = transition::make_path_economy(w, opt, base, {cut("H", 1.0)}, 60, wo);
  ASSERT_TRUE(e.terminal_is_initial);
  transition::TransitionOptions to;
  to.tolerance = 1e-10;
  transition::TransitionResult r = transition::solve_transition(e, to);
  ASSERT_TRUE(r.report.converged()) << r.report.message;
  for (int t = 0; t < e.periods; ++t)
    for (int i = 0; i < 2; ++i) {
      EXPECT_NEAR(r.prices.W(t, i), e.old_prices.W(i), 1e-10);
      EXPECT_NEAR(r.prices.R(t, i), e.old_prices.R(i), 1e-10);
    }
}

TEST(Transition, TwoCountryCutConvergesToTheNewSteadyState) {
  world::World w = test::symmetric_two(1.5, 1.745, 50);
  world::EquilibriumOptions opt;
  world::Evaluation base = baseline_of(w, opt);
  analysis::WelfareOptions wo;
  transition::PathEconomy e = transition::make_path_economy(w, opt, base, {cut("H", 0.9)}, 200, wo);
  transition::TransitionOptions to;
  to.progress = hat::message_callback(
      [](std::string_view m) { fprintf(stderr, "%.*s\n", static_cast<int>(m.size()), m.data()); });
  transition::TransitionResult r = transition::solve_transition(e, to);
  ASSERT_TRUE(r.report.converged()) << r.report.message;
  const int T = e.periods;
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(r.prices.W(T - 1, i), e.new_prices.W(i), 1e-8);
    EXPECT_NEAR(r.prices.R(T - 1, i), e.new_prices.R(i), 1e-8);
  }
  fprintf(stderr, "R path: %.10f %.10f %.10f ... %.10f (new %.10f, old %.10f)\n", r.prices.R(0, 0),
          r.prices.R(1, 0), r.prices.R(2, 0), r.prices.R(T - 1, 0), e.new_prices.R(0),
          e.old_prices.R(0));
}

namespace {

// A solved two-country transition (Na = 50) after cutting HOME's import costs by `factor`.
struct TwoCountryRun {
  transition::PathEconomy e;
  transition::TransitionResult r;
};

TwoCountryRun two_country_run(double factor, int T, world::Financial fin,
                              const std::string& extra = "") {
  world::World w = test::symmetric_two(1.5, 1.745, 50);
  world::EquilibriumOptions opt;
  opt.financial = fin;
  world::Evaluation base = baseline_of(w, opt);
  analysis::WelfareOptions wo;
  const auto shock =
      analysis::parse_shock_spec("importer=H,exporter=*,factor=" + std::to_string(factor) + extra);
  TwoCountryRun run{transition::make_path_economy(w, opt, base, {shock}, T, wo), {}};
  transition::TransitionOptions to;
  to.tolerance = 1e-11;
  run.r = transition::solve_transition(run.e, to);
  EXPECT_TRUE(run.r.report.converged()) << run.r.report.message;
  return run;
}

}  // namespace

// The fake-news Jacobian of one household block equals the brute-force one: each column a
// shock to one input at one date, the whole T-period backward and forward passes redone
// nonlinearly (central differences in both, so both are accurate to O(h^2)).
TEST(Transition, FakeNewsEqualsBruteForceJacobian) {
  world::World w = test::symmetric_two(1.5, 1.745, 40);
  world::Prices p = test::start_prices(2, 1.01);
  household::HouseholdProblem hp = world::country_problem(w, 0, p);
  household::SolveOptions so;
  so.tolerance = so.value_tolerance = 1e-13;
  const household::HouseholdSolution sol = household::solve_household(hp, so);
  household::DistributionOptions dopt;
  dopt.tolerance = 1e-15;
  const Eigen::VectorXd mass = household::stationary_distribution(hp, sol, dopt).mass;
  const int T = 40;
  std::vector<transition::BlockInput> inputs = {
      {"log_p_F",
       [](household::HouseholdProblem& q, double&, double h) { q.prices(1) *= std::exp(h); }, 0},
      {"log_R_savings", [](household::HouseholdProblem&, double& R, double h) { R *= std::exp(h); },
       0}};
  transition::FakeNewsOptions fo;
  fo.periods = T;
  fo.step = 1e-5;
  fo.central = true;
  const transition::BlockJacobian J = transition::fake_news_jacobian(
      hp, sol, hp.R, mass, inputs, {"H", "F", "savings"}, transition::spending_and_savings, fo);
  // Brute force: outputs Y_t of the nonlinear passes with input k shocked at date s only.
  auto path = [&](int k, int s, double h) {
    std::vector<household::HouseholdSolution> pol(T);
    std::vector<household::HouseholdProblem> hps(T, hp);
    for (int t = T - 1; t >= 0; --t) {
      double Rn = hp.R;
      if (t == s) inputs[k].perturb(hps[t], Rn, h);
      const household::HouseholdSolution& nx = (t == T - 1) ? sol : pol[t + 1];
      household::backward_step(hps[t], household::Continuation{&nx.mu, &nx.V, Rn}, pol[t]);
    }
    Eigen::MatrixXd Y(3, T);
    Eigen::VectorXd m = mass;
    for (int t = 0; t < T; ++t) {
      Y.col(t) = (m.transpose() * transition::spending_and_savings(hps[t], pol[t])).transpose();
      m = transition::forward_step(hps[t], pol[t], m);
    }
    return Y;
  };
  double worst = 0, largest = 0;
  for (int k = 0; k < 2; ++k)
    for (int s : {0, 1, 7, 20, 39}) {
      const Eigen::MatrixXd dY = (path(k, s, 1e-5) - path(k, s, -1e-5)) / 2e-5;
      for (int o = 0; o < 3; ++o)
        for (int t = 0; t < T; ++t) {
          worst = std::max(worst, std::abs(dY(o, t) - J.J_at(o, k, t, s)));
          largest = std::max(largest, std::abs(dY(o, t)));
        }
    }
  EXPECT_GT(largest, 0.05);  // the comparison is not between zeros
  EXPECT_LT(worst, 1e-6);
}

// The household's response at the impact of a permanent price change is the new stationary
// policy at the old distribution: the impact elasticity is the fixed-distribution steady-state
// elasticity, the published two-country theta = -4.1226127 (Na = 100).
TEST(Transition, ImpactElasticityIsTheSteadyStateOneWithTheDistributionFixed) {
  world::World w = test::symmetric_two(1.5, 1.745);
  world::EquilibriumOptions opt;
  world::Evaluation base = baseline_of(w, opt);
  analysis::WelfareOptions wo;
  transition::PathEconomy e = transition::make_path_economy(w, opt, base, {cut("H", 1.0)}, 300, wo);
  transition::TransitionOptions to;
  transition::TransitionResult r = transition::solve_transition(e, to);
  ASSERT_TRUE(r.report.converged());
  const transition::HorizonElasticities he = transition::horizon_elasticities(e, r, 0, to);
  EXPECT_NEAR(he.pe(0, 0), -4.1226127, 2e-6);
  // Long run: Proposition 1's steady-state elasticity with the distribution adjusting (an
  // independent computation: central differences of stationary solves).
  EXPECT_NEAR(he.pe(299, 0), he.steady_state_pe(0), 1e-6);
  EXPECT_GT(std::abs(he.pe(0, 0) - he.steady_state_pe(0)), 1e-4);  // the two differ
}

TEST(Transition, LongerHorizonGivesTheSamePath) {
  const TwoCountryRun a = two_country_run(0.9, 300, world::Financial::Globalization);
  const TwoCountryRun b = two_country_run(0.9, 400, world::Financial::Globalization);
  for (int t = 0; t < 150; ++t)
    for (int i = 0; i < 2; ++i) {
      EXPECT_NEAR(a.r.prices.W(t, i), b.r.prices.W(t, i), 1e-7);
      EXPECT_NEAR(a.r.prices.R(t, i), b.r.prices.R(t, i), 1e-7);
    }
  EXPECT_TRUE(b.r.settled);
}

// A small shock: the path is linear in the shock to second order (the deviations from the old
// steady state at eps and 2 eps differ by a factor 2 up to O(eps^2)).
TEST(Transition, SmallShockPathIsLinearToSecondOrder) {
  const TwoCountryRun a = two_country_run(1.0 - 1e-4, 120, world::Financial::Globalization);
  const TwoCountryRun b = two_country_run(1.0 - 2e-4, 120, world::Financial::Globalization);
  double first = 0, second = 0;
  for (int t = 0; t < 120; ++t)
    for (int i = 0; i < 2; ++i) {
      const double da = a.r.prices.R(t, i) - a.e.old_prices.R(i);
      const double db = b.r.prices.R(t, i) - b.e.old_prices.R(i);
      const double wa = a.r.prices.W(t, i) - a.e.old_prices.W(i);
      const double wb = b.r.prices.W(t, i) - b.e.old_prices.W(i);
      first = std::max({first, std::abs(da), std::abs(wa)});
      second = std::max({second, std::abs(db - 2 * da), std::abs(wb - 2 * wa)});
    }
  EXPECT_GT(first, 1e-7);
  EXPECT_LT(second, 1e-3 * first);  // O(eps) relative, eps = 1e-4
}

TEST(Transition, AutarkyPathConverges) {
  const TwoCountryRun a = two_country_run(0.9, 150, world::Financial::Autarky);
  const int T = a.e.periods;
  for (int i = 0; i < 2; ++i) EXPECT_NEAR(a.r.prices.R(T - 1, i), a.e.new_prices.R(i), 1e-8);
  // Under autarky each country's bonds clear: the home R moves differently from the foreign one.
  EXPECT_GT(std::abs(a.r.prices.R(0, 0) - a.r.prices.R(0, 1)), 1e-6);
}

// An announced shock moves prices before it takes effect; a temporary one returns to the old
// steady state.
TEST(Transition, AnnouncedAndTemporaryShocks) {
  const TwoCountryRun a = two_country_run(0.9, 150, world::Financial::Globalization, ",start=10");
  EXPECT_GT(std::abs(a.r.prices.R(0, 0) - a.e.old_prices.R(0)), 1e-7);
  EXPECT_EQ(a.e.worlds[9].d(0, 1), a.e.initial.d(0, 1));
  EXPECT_NE(a.e.worlds[10].d(0, 1), a.e.initial.d(0, 1));
  const TwoCountryRun b = two_country_run(0.9, 150, world::Financial::Globalization, ",end=20");
  EXPECT_TRUE(b.e.terminal_is_initial);
  EXPECT_NEAR(b.r.prices.R(149, 0), b.e.old_prices.R(0), 1e-8);
  const TwoCountryRun c = two_country_run(0.9, 150, world::Financial::Globalization, ",phase_in=4");
  EXPECT_NEAR(std::log(c.e.worlds[1].d(0, 1) / c.e.initial.d(0, 1)), 0.5 * std::log(0.9), 1e-14);
}

// Tariffs with the revenue rebated every period: the transfers are unknowns of every period and
// the path ends at the new steady state.
TEST(Transition, TariffPathRebatesRevenue) {
  world::World w = test::symmetric_two(1.5, 1.745, 40);
  world::EquilibriumOptions opt;
  world::Evaluation base = baseline_of(w, opt);
  analysis::WelfareOptions wo;
  const auto shock = analysis::parse_shock_spec("kind=tariff,importer=H,exporter=F,tariff=0.1");
  transition::PathEconomy e = transition::make_path_economy(w, opt, base, {shock}, 100, wo);
  ASSERT_TRUE(e.options.solve_transfers);
  transition::TransitionOptions to;
  to.tolerance = 1e-11;
  const transition::TransitionResult r = transition::solve_transition(e, to);
  ASSERT_TRUE(r.report.converged()) << r.report.message;
  EXPECT_GT(r.prices.tau(0, 0), 0.0);
  EXPECT_EQ(r.prices.tau(0, 1), 0.0);
  // tau_t = t/(1+t) M_HF,t / L_H in every period.
  for (int t : {0, 1, 50, 99}) {
    const double M = r.path.countries[0].expenditure(t, 1);
    EXPECT_NEAR(r.prices.tau(t, 0), 0.1 / 1.1 * M, 1e-10);
  }
  EXPECT_NEAR(r.prices.tau(99, 0), e.new_prices.tau(0), 1e-9);
}

// Welfare at t = 0 of a path that is the steady state (no shock) is zero in every state.
TEST(Transition, NoShockWelfareIsZero) {
  world::World w = test::symmetric_two(1.5, 1.745, 40);
  world::EquilibriumOptions opt;
  world::Evaluation base = baseline_of(w, opt);
  analysis::WelfareOptions wo;
  transition::PathEconomy e = transition::make_path_economy(w, opt, base, {cut("H", 1.0)}, 50, wo);
  transition::TransitionOptions to;
  transition::TransitionResult r = transition::solve_transition(e, to);
  const transition::TransitionWelfare tw = transition::transition_welfare(e, r, 0, wo);
  for (const auto& sw : tw.welfare.scenarios) {
    EXPECT_NEAR(sw.mean_ce, 0.0, 1e-10);
    EXPECT_NEAR(sw.mean_ev, 0.0, 1e-8);
  }
}

// A known limit: a cut announced for period k is worth about beta^k of the same cut today. The
// old distribution is stationary under the old policies, so with prices unchanged before k the
// utilitarian change of values at t = 0 would be exactly beta^k times the steady-state one;
// prices do move before k (savings anticipate the cut), by about 1e-4 in R here, which
// accounts for the 1% difference measured.
TEST(Transition, AnnouncedCutIsWorthBetaToTheKOfTheSteadyStateGain) {
  world::World w = test::symmetric_two(1.5, 1.745, 40);
  world::EquilibriumOptions opt;
  world::Evaluation base = baseline_of(w, opt);
  analysis::WelfareOptions wo;
  for (int k : {30, 60}) {
    const auto shock =
        analysis::parse_shock_spec("importer=H,exporter=*,factor=0.9,start=" + std::to_string(k));
    transition::PathEconomy e = transition::make_path_economy(w, opt, base, {shock}, 160, wo);
    transition::TransitionOptions to;
    const transition::TransitionResult r = transition::solve_transition(e, to);
    ASSERT_TRUE(r.report.converged());
    const transition::TransitionWelfare tw = transition::transition_welfare(e, r, 0, wo);
    const double path = tw.welfare.scenarios[0].decomposition.household;
    const double steady = tw.welfare.scenarios[1].decomposition.household;
    EXPECT_NEAR(path / (std::pow(0.92, k) * steady), 1.0, 0.03) << "k = " << k;
  }
}
