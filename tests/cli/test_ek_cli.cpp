// End-to-end tests of `hat gravity`, `hat ek estimate` and `hat ek counterfactual`: JSON
// contents (EK 2002 Table III / §5 / §6 numbers), output files, and error handling.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace fs = std::filesystem;
using hat::test::hat_binary;
using hat::test::run;

namespace {
std::string tmpdir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("hat_ek_cli_" + std::to_string(::getpid())) / name;
  fs::remove_all(p);
  fs::create_directories(p.parent_path());
  return p.string();
}
}  // namespace

// Table III numbers through the command line (EK 2002, MODEL.md §2).
TEST(EkCli, GravityJson) {
  HAT_REQUIRE_DATA(dir);
  std::string out;
  ASSERT_EQ(run(hat_binary() + " gravity --json --data " + dir, &out), 0)
      << hat::test::last_stderr();
  auto j = nlohmann::json::parse(out);
  ASSERT_EQ(j["bins"].size(), 6u);
  EXPECT_NEAR(j["bins"][0].get<double>(), -3.10244, 1e-5);
  EXPECT_NEAR(j["bins"][5].get<double>(), -6.55893, 1e-5);
  EXPECT_NEAR(j["border"].get<double>(), 0.303564, 1e-5);
  EXPECT_NEAR(j["language"].get<double>(), 0.510080, 1e-5);
  EXPECT_NEAR(j["ec"].get<double>(), 0.0359119, 1e-5);
  EXPECT_NEAR(j["efta"].get<double>(), 0.536071, 1e-5);
  EXPECT_NEAR(j["S"]["JPN"].get<double>(), 4.19879, 1e-5);
  EXPECT_NEAR(j["S"]["USA"].get<double>(), 3.98372, 1e-5);
  EXPECT_EQ(j["m"].size(), 19u);
  EXPECT_NEAR(j["rss"].get<double>(), 71.449, 1e-3);
}

TEST(EkCli, GravityWritesOutputsAtomically) {
  HAT_REQUIRE_DATA(dir);
  const std::string o = tmpdir("gravity");
  ASSERT_EQ(run(hat_binary() + " gravity --data " + dir + " --out " + o), 0)
      << hat::test::last_stderr();
  for (const char* f : {"gravity.csv", "gravity_fit.csv", "gravity_fit.svg", "manifest.json"})
    EXPECT_TRUE(fs::exists(fs::path(o) / f)) << f;
  std::ifstream in(fs::path(o) / "manifest.json");
  auto m = nlohmann::json::parse(in);
  EXPECT_EQ(m["command"], "gravity");
  EXPECT_EQ(m["inputs"].size(), 2u);
  // a bad pairs file: exit status 2, one-line error naming the file, no output directory
  const std::string bad = tmpdir("bad_pairs.csv");
  std::ofstream(bad) << "importer,exporter,y,distbin,border,language,ec,efta\nA,B,1,1,0,0,0,0\n";
  const std::string o2 = tmpdir("gravity_bad");
  EXPECT_EQ(run(hat_binary() + " gravity --pairs " + bad + " --out " + o2), 2);
  const std::string err = hat::test::last_stderr();
  EXPECT_NE(err.find("bad_pairs.csv"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(o2));
}

// EK §5 thetas and Table VI through the command line.
TEST(EkCli, EstimateJson) {
  HAT_REQUIRE_DATA(dir);
  std::string out;
  ASSERT_EQ(run(hat_binary() + " ek estimate --json --data " + dir, &out), 0)
      << hat::test::last_stderr();
  auto j = nlohmann::json::parse(out);
  EXPECT_NEAR(j["theta_mom"].get<double>(), 8.28, 0.005);
  EXPECT_NEAR(j["theta_ols_origin"].get<double>(), 8.03, 0.005);
  EXPECT_NEAR(j["theta_ols_dummies"].get<double>(), 2.446728, 2e-5);
  EXPECT_NEAR(j["theta_2sls"].get<double>(), 12.86, 0.005);
  EXPECT_NEAR(j["theta_table5_ols"].get<double>(), 2.84, 0.005);
  EXPECT_NEAR(j["theta_table5_2sls"].get<double>(), 3.600097, 1e-4);
  EXPECT_NEAR(j["technology"]["DEU"].get<double>(), 0.81, 0.005);
  EXPECT_NEAR(j["technology"]["USA"].get<double>(), 1.0, 1e-15);
  const std::string o = tmpdir("estimate");
  ASSERT_EQ(run(hat_binary() + " ek estimate --data " + dir + " --out " + o), 0);
  for (const char* f : {"theta.csv", "source_effects.csv", "technology.csv", "cost_effects.csv",
                        "gravity.csv", "price_trade.csv", "trade_prices.svg", "manifest.json"})
    EXPECT_TRUE(fs::exists(fs::path(o) / f)) << f;
}

// EK §6 through the command line: JSON keys, the trade-doubling factor, CSV outputs.
TEST(EkCli, CounterfactualJsonAndFiles) {
  HAT_REQUIRE_DATA(dir);
  std::string out;
  ASSERT_EQ(
      run(hat_binary() +
              " ek counterfactual --scenario double_trade --labor immobile --json --data " + dir,
          &out),
      0)
      << hat::test::last_stderr();
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["welfare_change"].size(), 19u);
  EXPECT_EQ(j["price_change"].size(), 19u);
  EXPECT_NEAR(j["world_trade_ratio"].get<double>(), 2.0, 1e-8);
  EXPECT_GT(j["trade_cost_factor"].get<double>(), 0.0);
  out.clear();
  ASSERT_EQ(run(hat_binary() + " ek counterfactual --scenario autarky --json --data " + dir, &out),
            0);
  j = nlohmann::json::parse(out);
  EXPECT_FALSE(j.contains("trade_cost_factor"));
  EXPECT_LT(j["welfare_change"]["BEL"].get<double>(), -9.5 / 100);  // a fraction, ~ -9.77%
  const std::string o = tmpdir("cf");
  ASSERT_EQ(run(hat_binary() + " ek counterfactual --scenario technology_deu --labor both --data " +
                dir + " --out " + o),
            0);
  for (const char* f :
       {"summary.csv", "trade.csv", "scenarios.csv", "welfare.svg", "manifest.json"})
    EXPECT_TRUE(fs::exists(fs::path(o) / f)) << f;
  std::ifstream in(fs::path(o) / "manifest.json");
  auto m = nlohmann::json::parse(in);
  ASSERT_TRUE(m["solvers"].is_object());
  ASSERT_EQ(m["solvers"].size(), 4u);  // baseline and counterfactual of each closure
  EXPECT_EQ(m["solvers"]["technology_deu_mobile_counterfactual"]["status"], "converged");
  EXPECT_EQ(m["solvers"]["technology_deu_immobile_counterfactual"]["status"], "converged");
}

TEST(EkCli, BadArgumentsGiveOneLineErrors) {
  HAT_REQUIRE_DATA(dir);
  const std::string o = tmpdir("cf_bad");
  EXPECT_EQ(
      run(hat_binary() + " ek counterfactual --scenario brexit --data " + dir + " --out " + o), 2);
  EXPECT_NE(hat::test::last_stderr().find("--scenario: 'brexit' is not one of"), std::string::npos);
  EXPECT_EQ(
      run(hat_binary() + " ek counterfactual --scenario autarky --labor sticky --data " + dir), 2);
  EXPECT_EQ(run(hat_binary() + " ek counterfactual --scenario autarky --theta -1 --data " + dir),
            2);
  EXPECT_EQ(run(hat_binary() + " ek estimate --data /nonexistent/dir"), 2);
  EXPECT_NE(hat::test::last_stderr().find("/nonexistent/dir"), std::string::npos);
  EXPECT_FALSE(fs::exists(o));
}

// --baseline ek: EK's gravity-fitted baseline (EK 2002 §6: Belgium loses 10.3% in autarky, a
// fraction -0.103 in the JSON; the tolerance is explained in
// EkStudy.EkBaselineAgainstEksPublishedNumbers).
TEST(EkCli, CounterfactualOnEksBaseline) {
  HAT_REQUIRE_DATA(dir);
  std::string out;
  ASSERT_EQ(
      run(hat_binary() + " ek counterfactual --scenario autarky --baseline ek --json --data " + dir,
          &out),
      0)
      << hat::test::last_stderr();
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["baseline"], "ek");
  EXPECT_NEAR(j["welfare_change"]["BEL"].get<double>(), -10.3 / 100, 0.13 / 100);
  EXPECT_EQ(
      run(hat_binary() + " ek counterfactual --scenario autarky --baseline fitted --data " + dir),
      2);
  EXPECT_NE(hat::test::last_stderr().find("--baseline"), std::string::npos);
}

// A counterfactual that does not converge writes its outputs marked "iteration_limit" and exits
// 3; a run that cannot be completed leaves a manifest marked "failed" (exit 3).
TEST(EkCli, NonConvergenceIsMarkedAndExits3) {
  HAT_REQUIRE_DATA(dir);
  const std::string o = tmpdir("cf_nc");
  EXPECT_EQ(run(hat_binary() + " ek counterfactual --scenario autarky --labor immobile " +
                "--max-iterations 1 --data " + dir + " --out " + o),
            3);
  {
    std::ifstream in(fs::path(o) / "manifest.json");
    auto m = nlohmann::json::parse(in);
    EXPECT_EQ(m["status"], "iteration_limit");
    EXPECT_EQ(m["solvers"]["autarky_immobile_counterfactual"]["status"], "iteration_limit");
    std::ifstream sc(fs::path(o) / "scenarios.csv");
    std::string text((std::istreambuf_iterator<char>(sc)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("iteration_limit"), std::string::npos) << text;
  }
  const std::string o2 = tmpdir("cf_failed");
  // the double_trade bisection needs every trial equilibrium: it stops the run
  EXPECT_EQ(run(hat_binary() + " ek counterfactual --scenario double_trade --labor immobile " +
                "--max-iterations 1 --data " + dir + " --out " + o2),
            3);
  std::ifstream in(fs::path(o2) / "manifest.json");
  ASSERT_TRUE(in.good());
  auto m = nlohmann::json::parse(in);
  EXPECT_EQ(m["status"], "failed");
  EXPECT_EQ(m["command"], "ek counterfactual");
}
