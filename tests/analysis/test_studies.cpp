// The studies that `hat` and the Python package share (analysis/*_study.hpp, world/study.hpp):
// option validation names the option, and the studies give the published numbers directly.
#include <gtest/gtest.h>

#include <string>

#include "hat/analysis/counterfactual_study.hpp"
#include "hat/analysis/elasticity_study.hpp"
#include "hat/analysis/planner_study.hpp"
#include "hat/core/error.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/io/config.hpp"
#include "hat/reports/elasticity.hpp"
#include "hat/reports/planner.hpp"
#include "hat/reports/world.hpp"
#include "hat/world/study.hpp"

namespace {

using namespace hat;

world::WorldConfig two_country() {
  return estimation::read_world_config(
      io::ConfigFile::load(std::string(HAT_SOURCE_DIR) + "/examples/two_country.toml"));
}

template <typename F>
std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Studies, ValidateNamesTheOption) {
  EXPECT_EQ(input_error([] { analysis::CounterfactualStudyOptions{.bins = 7}.validate(); }),
            "--bins must be 5, 10 or 20");
  EXPECT_EQ(input_error([] { analysis::CounterfactualStudyOptions{.ev_step = 0}.validate(); }),
            "--ev-step must be in (0, 0.1]");
  EXPECT_NE(input_error([] {
              analysis::CounterfactualStudyOptions{.acr_distribution = "x"}.validate();
            }).find("--acr-distribution"),
            std::string::npos);
  EXPECT_EQ(input_error([] { analysis::ElasticityStudyOptions{.step = 1}.validate(); }),
            "--step: expected 0 < step <= 0.1");
  EXPECT_NE(input_error([] {
              analysis::PlannerStudyOptions{.weights = "x"}.validate();
            }).find("--weights"),
            std::string::npos);
  analysis::CounterfactualStudyOptions{}.validate();  // the defaults are valid
  analysis::ElasticityStudyOptions{}.validate();
  analysis::PlannerStudyOptions{}.validate();
}

TEST(Studies, CounterfactualChecksShocksBeforeSolving) {
  analysis::CounterfactualStudyOptions o;
  EXPECT_NE(
      input_error([&] { analysis::run_counterfactual_study(two_country(), o); }).find("no shocks"),
      std::string::npos);
  analysis::Experiment e;
  e.source = "--shock";
  e.shocks.push_back(
      analysis::parse_shock_spec("importer=HOME,exporter=FOREIGN,factor=0.9,start=2"));
  o.experiments = {e};
  EXPECT_NE(input_error([&] {
              analysis::run_counterfactual_study(two_country(), o);
            }).find("use `hat transition`"),
            std::string::npos);
}

// Published: theta = -4.1226127 in examples/two_country.toml solved (distribution fixed), as
// tests/cli/test_cli_elasticity.cpp checks through the command line.
TEST(Studies, ElasticityStudyGivesThePublishedTheta) {
  const analysis::ElasticityStudy st =
      analysis::run_elasticity_study(two_country(), {.country = "HOME"});
  EXPECT_EQ(st.status, SolverStatus::Converged);
  ASSERT_EQ(st.result.partners.size(), 1u);
  EXPECT_NEAR(st.result.partners[0].theta, -4.1226127, 1e-6);
  EXPECT_EQ(reports::elasticity_summary(st)["baseline"]["solved"], true);
}

// The world solve's R is the published 1.0141938128; the planner without a reporting country
// solves no baseline, so its status is the planner's own.
TEST(Studies, WorldSolveAndPlannerWithoutCountry) {
  const world::WorldSolve ws = world::run_world_solve(two_country());
  ASSERT_TRUE(ws.equilibrium.report.converged());
  EXPECT_NEAR(ws.equilibrium.state.prices.R(0), 1.0141938128, 1e-7);  // as test_cli_world
  EXPECT_EQ(reports::world_solve_summary(ws)["status"], "converged");
  const analysis::PlannerStudy p = analysis::run_planner_study(two_country(), {});
  EXPECT_EQ(p.country, -1);
  EXPECT_EQ(p.status, p.allocation.report.status);
  EXPECT_FALSE(reports::planner_summary(p).contains("baseline"));
}

}  // namespace
