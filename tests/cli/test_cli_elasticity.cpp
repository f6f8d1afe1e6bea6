// End-to-end tests of `hat elasticity` and `hat planner`: the published two-country number
// through the CLI, the files written, and one-line errors (exit 2, no output) for bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace fs = std::filesystem;
using hat::test::hat_binary;
using hat::test::run;

namespace {
std::string tmp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("hat_el_" + std::to_string(::getpid()) + "_" + name))
      .string();
}
std::string first_line(const std::string& path) {
  std::ifstream f(path);
  std::string l;
  std::getline(f, l);
  return l;
}
const std::string kExample = hat::test::source_dir() + "/examples/two_country.toml";
}  // namespace

// Published: theta = -4.1226127 (distribution held fixed) in examples/two_country.toml, solved
// from the config's start (R = 1.0141938128).
TEST(CliElasticity, TwoCountryPublishedJsonAndOutputs) {
  const std::string out = tmp_path("el_out");
  fs::remove_all(out);
  std::string text;
  ASSERT_EQ(
      run(hat_binary() + " elasticity " + kExample + " --country HOME --json --out " + out, &text),
      0)
      << hat::test::last_stderr();
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["status"], "converged");
  EXPECT_NEAR(j["theta"]["FOREIGN"].get<double>(), -4.1226127, 1e-6);
  EXPECT_NEAR(j["theta_trade_weighted"].get<double>(), -4.1226127, 1e-6);  // one partner
  EXPECT_NEAR(j["baseline"]["R"][0].get<double>(), 1.0141938128, 1e-7);
  for (const char* f :
       {"elasticities.csv", "micro_elasticities.csv", "expenditure_shares_by_state.csv",
        "elasticities_by_partner.svg", "micro_elasticities.svg", "home_share_by_state.svg",
        "manifest.json", "summary.json"})
    EXPECT_TRUE(fs::exists(fs::path(out) / f)) << f;
  EXPECT_EQ(first_line(out + "/elasticities.csv"),
            "importer,exporter,distribution,import_share,margin,elasticity");
  auto man = nlohmann::json::parse(std::ifstream(out + "/manifest.json"));
  EXPECT_EQ(man["status"], "converged");
  EXPECT_TRUE(man.contains("timings"));
  fs::remove_all(out);
}

// --no-solve: the config's prices are used as they are (R = 1.01 in the example, not the
// equilibrium); with the distribution adjusting, Proposition 1's margins add up to theta.
TEST(CliElasticity, NoSolveAdjustingDistribution) {
  std::string text;
  ASSERT_EQ(run(hat_binary() + " elasticity " + kExample +
                    " --country FOREIGN --partner HOME --no-solve --distribution adjusts --json",
                &text),
            0)
      << hat::test::last_stderr();
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["baseline"]["solved"], false);
  EXPECT_DOUBLE_EQ(j["baseline"]["R"][1].get<double>(), 1.01);
  const auto& d = j["decomposition"]["HOME"];
  const double sum =
      d["intensive"].get<double>() + d["extensive"].get<double>() + d["distribution"].get<double>();
  EXPECT_NEAR(sum, j["theta"]["HOME"].get<double>(), 1e-7);
  EXPECT_NE(d["distribution"].get<double>(), 0.0);
}

TEST(CliElasticity, BadInputIsAOneLineErrorWithoutOutput) {
  const std::string out = tmp_path("el_bad");
  fs::remove_all(out);
  EXPECT_EQ(
      run(hat_binary() + " elasticity " + kExample + " --country USA --no-solve --out " + out), 2);
  EXPECT_NE(hat::test::last_stderr().find("--country: 'USA' is not a country of this world"),
            std::string::npos)
      << hat::test::last_stderr();
  EXPECT_EQ(run(hat_binary() + " elasticity " + kExample +
                " --country HOME --distribution moving --no-solve --out " + out),
            2);
  EXPECT_NE(hat::test::last_stderr().find("--distribution"), std::string::npos);
  EXPECT_EQ(
      run(hat_binary() + " elasticity " + kExample + " --country HOME --partner HOME --no-solve"),
      2);
  EXPECT_FALSE(fs::exists(out));
}

// The planner through the CLI: converged, FOC and resource residuals below 1e-10, and for the
// symmetric world the efficient imports equal each other across the two countries.
TEST(CliPlanner, TwoCountryJsonAndOutputs) {
  const std::string out = tmp_path("pl_out");
  fs::remove_all(out);
  std::string text;
  ASSERT_EQ(
      run(hat_binary() + " planner " + kExample + " --country HOME --json --out " + out, &text), 0)
      << hat::test::last_stderr();
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["status"], "converged");
  EXPECT_LT(j["foc_residual"].get<double>(), 1e-10);
  EXPECT_LT(j["resource_residual"].get<double>(), 1e-10);
  EXPECT_NEAR(j["home_shares"]["HOME"].get<double>(), j["home_shares"]["FOREIGN"].get<double>(),
              1e-12);
  // Decentralised import share of the published world (world-equilibrium issue): 0.0995163.
  EXPECT_NEAR(j["imports"]["FOREIGN"]["decentralised"].get<double>(), 0.0995163, 1e-6);
  for (const char* f : {"planner_allocation.csv", "planner_countries.csv",
                        "planner_choice_by_state.csv", "imports_comparison.csv",
                        "imports_comparison.svg", "home_shares_efficient.svg", "manifest.json"})
    EXPECT_TRUE(fs::exists(fs::path(out) / f)) << f;
  EXPECT_EQ(run(hat_binary() + " planner " + kExample + " --weights gdp"), 2);
  EXPECT_NE(hat::test::last_stderr().find("--weights"), std::string::npos);
  fs::remove_all(out);
}
