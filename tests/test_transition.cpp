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
  transition::Economy e = transition::make_economy(w, opt, base, {cut("H", 1.0)}, 60, wo);
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
  transition::Economy e = transition::make_economy(w, opt, base, {cut("H", 0.9)}, 200, wo);
  transition::TransitionOptions to;
  to.progress = [](const std::string& m) { fprintf(stderr, "%s\n", m.c_str()); };
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
