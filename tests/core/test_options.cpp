// Every solver's Options struct validates itself: the defaults pass, and an impossible value is
// an InputError naming "<Struct>.<field>", also when it reaches the solver.
#include <gtest/gtest.h>

#include <string>

#include "error_of.hpp"
#include "hat/analysis/counterfactual.hpp"
#include "hat/analysis/elasticity.hpp"
#include "hat/analysis/planner.hpp"
#include "hat/analysis/welfare.hpp"
#include "hat/calibration/study.hpp"
#include "hat/core/error.hpp"
#include "hat/household/steady_state_derivative.hpp"
#include "hat/models/dynamic.hpp"
#include "hat/models/eaton_kortum.hpp"
#include "hat/transition/fake_news.hpp"
#include "hat/transition/transition.hpp"
#include "hat/world/system.hpp"
#include "hat/world/world.hpp"
#include "world_fixtures.hpp"

using namespace hat;

namespace {

// The message of validate()'s InputError, or "" if it passed.
template <class Options>
std::string check(const Options& o) {
  return hat::test::error_of([&] { o.validate(); });
}

}  // namespace

TEST(Options, DefaultsAreValid) {
  EXPECT_EQ(check(household::DistributionOptions{}), "");
  EXPECT_EQ(check(household::DerivativeOptions{}), "");
  EXPECT_EQ(check(world::EquilibriumOptions{}), "");
  EXPECT_EQ(check(world::SystemOptions{}), "");
  EXPECT_EQ(check(transition::FakeNewsOptions{}), "");
  EXPECT_EQ(check(transition::TransitionOptions{}), "");
  EXPECT_EQ(check(analysis::PlannerOptions{}), "");
  EXPECT_EQ(check(analysis::WelfareOptions{}), "");
  EXPECT_EQ(check(analysis::ElasticityOptions{}), "");
  EXPECT_EQ(check(analysis::CounterfactualOptions{}), "");
  EXPECT_EQ(check(dynamic::DynamicSolverOptions{}), "");
  EXPECT_EQ(check(dynamic::PathOptions{}), "");
  EXPECT_EQ(check(models::ek::EkSolverOptions{}), "");
  EXPECT_EQ(check(calibration::StudyOptions{}), "");
}

TEST(Options, ImpossibleValuesNameTheField) {
  EXPECT_EQ(check(household::DistributionOptions{.tolerance = 0}),
            "DistributionOptions.tolerance must be > 0");
  EXPECT_EQ(check(household::DerivativeOptions{.max_products = 0}),
            "DerivativeOptions.max_products must be >= 1");
  world::EquilibriumOptions eq;
  eq.jacobian_refresh_factor = 1.5;
  EXPECT_EQ(check(eq), "EquilibriumOptions.jacobian_refresh_factor must be in (0, 1)");
  eq = {};
  eq.distribution.max_iterations = 0;  // nested options are checked too
  EXPECT_EQ(check(eq), "DistributionOptions.max_iterations must be >= 1");
  world::SystemOptions so;
  so.restarts = -1;
  EXPECT_EQ(check(so), "SystemOptions.restarts must be >= 0");
  EXPECT_EQ(check(transition::FakeNewsOptions{.step = -1e-4}), "FakeNewsOptions.step must be > 0");
  transition::TransitionOptions t;
  t.max_iterations = 0;
  EXPECT_EQ(check(t), "TransitionOptions.max_iterations must be >= 1");
  EXPECT_EQ(check(analysis::PlannerOptions{.tolerance = std::nan("")}),
            "PlannerOptions.tolerance must be > 0");
  analysis::WelfareOptions w;
  w.lambda_max = 0.9;
  EXPECT_EQ(check(w), "WelfareOptions.lambda_max must be > 1");
  analysis::ElasticityOptions el;
  el.step = 0;
  EXPECT_EQ(check(el), "ElasticityOptions.step must be > 0");
  analysis::CounterfactualOptions co;
  co.theta = 4.0;  // the HAT commands' theta is a negative trade elasticity
  EXPECT_NE(check(co).find("CounterfactualOptions.theta must be <= 0"), std::string::npos);
  EXPECT_EQ(check(dynamic::DynamicSolverOptions{.tolerance = std::nan("")}),
            "DynamicSolverOptions.tolerance must be > 0");
  EXPECT_EQ(check(dynamic::DynamicSolverOptions{.max_evaluations = 0}),
            "DynamicSolverOptions.max_evaluations must be >= 1");
  dynamic::PathOptions dt;
  dt.periods = 1;
  EXPECT_EQ(check(dt), "PathOptions.periods must be >= 2");
  dt = {};
  dt.damping = 0;
  EXPECT_EQ(check(dt), "PathOptions.damping must be in (0, 1]");
  dt = {};
  dt.period_solver.max_evaluations = -3;  // nested options are checked too
  EXPECT_EQ(check(dt), "DynamicSolverOptions.max_evaluations must be >= 1");
  EXPECT_EQ(check(models::ek::EkSolverOptions{.tol = -1}), "EkSolverOptions.tol must be > 0");
  EXPECT_EQ(check(models::ek::EkSolverOptions{.max_iter = 0}),
            "EkSolverOptions.max_iter must be >= 1");
  calibration::StudyOptions st;
  st.max_evaluations = -5;
  EXPECT_EQ(check(st), "StudyOptions.max_evaluations must be >= 0 (0: the config's cap)");
  st = {};
  st.resume = true;
  EXPECT_EQ(check(st),
            "StudyOptions.checkpoint_dir must be given with resume (it holds the checkpoint)");
  st = {};
  st.init = "result.json";
  st.init_x = Eigen::VectorXd::Ones(2);
  EXPECT_EQ(check(st),
            "StudyOptions.init must be empty when init_x is given (they are alternatives)");
  st.init.clear();
  st.init_x(1) = INFINITY;
  EXPECT_EQ(check(st), "StudyOptions.init_x must be finite");
}

TEST(Options, SolversRejectInvalidOptions) {
  const world::World w = hat::test::symmetric_two(1.5, 1.745, 40);
  world::EquilibriumOptions eq;
  eq.tolerance = -1;
  EXPECT_EQ(hat::test::error_of(
                [&] { world::solve_equilibrium(w, hat::test::start_prices(2, 1.01), eq); }),
            "EquilibriumOptions.tolerance must be > 0");
  EXPECT_EQ(hat::test::error_of([&] {
              analysis::solve_planner(w, Eigen::VectorXd::Ones(2), {.max_iterations = 0});
            }),
            "PlannerOptions.max_iterations must be >= 1");
  // The options are checked before the model: empty economies do not get that far.
  EXPECT_EQ(hat::test::error_of([] { dynamic::solve_steady_state({}, {}, {.tolerance = 0}); }),
            "DynamicSolverOptions.tolerance must be > 0");
  EXPECT_EQ(hat::test::error_of([] { dynamic::solve_autarky({}, {}, {.max_evaluations = 0}); }),
            "DynamicSolverOptions.max_evaluations must be >= 1");
  dynamic::PathOptions dt;
  dt.max_sweeps = 0;
  EXPECT_EQ(hat::test::error_of([&] { dynamic::solve_path({}, {}, {}, {}, {}, dt); }),
            "PathOptions.max_sweeps must be >= 1");
  EXPECT_EQ(hat::test::error_of([] {
              models::ek::solve_ek_equilibrium({}, models::ek::Labor::Mobile, {.max_iter = 0});
            }),
            "EkSolverOptions.max_iter must be >= 1");
  calibration::StudyOptions st;
  st.resume = true;
  EXPECT_EQ(hat::test::error_of(
                [&] { calibration::run_study(io::ConfigFile::parse("", "c.toml"), {}, st); }),
            "StudyOptions.checkpoint_dir must be given with resume (it holds the checkpoint)");
}
