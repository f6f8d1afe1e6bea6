// End-to-end tests of `hat household`: JSON summary, outputs, and one-line errors for bad
// configs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace fs = std::filesystem;
using hat::test::hat_binary;
using hat::test::run;
using hat::test::tmp_path;
using hat::test::write_tmp;

namespace {

const char* kBase = R"(
gamma = 1.45
beta = 0.92
sigma_eps = 0.25
R = 1.01
W = 1.0
prices = [1.0, 1.3]
borrowing_limit = 0.5
asset_max = 8.0
assets = 60
)";
}  // namespace

TEST(CliHousehold, JsonSummaryAndOutputs) {
  const std::string cfg = hat::test::source_dir() + "/examples/household.toml";
  fs::path out = fs::temp_directory_path() / ("hat_hh_out_" + std::to_string(::getpid()));
  fs::remove_all(out);
  std::string stdout_text;
  ASSERT_EQ(run(hat_binary() + " household " + cfg + " --json --out " + out.string(), &stdout_text),
            0)
      << hat::test::last_stderr();
  auto j = nlohmann::json::parse(stdout_text);
  for (const char* key :
       {"status", "iterations", "seconds", "aggregate_assets", "choice_probabilities",
        "expenditure_shares", "euler_error_log10_mean", "euler_error_log10_max", "mass_at_amax"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["status"], "converged");
  EXPECT_EQ(j["choice_probabilities"].size(), 19u);
  // Same numbers as the library reference case (the example is that case).
  EXPECT_NEAR(j["aggregate_assets"].get<double>(), -0.2557575664, 1e-6);
  for (const char* f : {"household_policies.csv", "household_distribution.csv", "aggregates.csv",
                        "manifest.json", "policy.svg", "distribution.svg"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  auto man = nlohmann::json::parse(std::ifstream(out / "manifest.json"));
  EXPECT_TRUE(man.contains("git_commit"));
  EXPECT_TRUE(man.contains("threads"));
  EXPECT_EQ(man["status"], "converged");
  fs::remove_all(out);
}

// Euler errors on the solution grid by default, on the 10x grid with --euler-grid fine; the
// solution itself does not depend on the choice.
TEST(CliHousehold, EulerGridOption) {
  const std::string cfg = hat::test::source_dir() + "/examples/household.toml";
  std::string coarse, fine;
  ASSERT_EQ(run(hat_binary() + " household " + cfg + " --json", &coarse), 0);
  ASSERT_EQ(run(hat_binary() + " household " + cfg + " --json --euler-grid fine", &fine), 0);
  auto c = nlohmann::json::parse(coarse), f = nlohmann::json::parse(fine);
  EXPECT_EQ(c["euler_grid"], "solution");
  EXPECT_EQ(c["euler_error_refine"], 1);
  EXPECT_EQ(f["euler_grid"], "fine");
  EXPECT_EQ(f["euler_error_refine"], 10);
  EXPECT_EQ(c["aggregate_assets"], f["aggregate_assets"]);
  EXPECT_EQ(c["warnings"].size(), 0u);
  EXPECT_EQ(run(hat_binary() + " household " + cfg + " --euler-grid coarse"), 2);
}

TEST(CliHousehold, BadConfigsFailWithOneLineNamingTheKey) {
  struct Case {
    std::string replace, with, key;
  };
  std::vector<Case> cases = {
      {"gamma = 1.45", "gamma = 0", "gamma"},
      {"gamma = 1.45", "gamma = -2", "gamma"},
      {"sigma_eps = 0.25", "sigma_eps = 0", "sigma_eps"},
      {"beta = 0.92", "beta = 1.2", "beta"},
      {"prices = [1.0, 1.3]", "prices = [1.0, -1.3]", "prices"},
      {"asset_max = 8.0", "asset_max = -1.0", "asset_max"},
      {"R = 1.01", "R = 1.01\nbogus_key = 3", "bogus_key"},
      {"assets = 60",
       "assets = 60\n[income]\nz = [0.5, 1.5]\ntransition = [[0.9, 0.2], [0.1, 0.9]]",
       "transition"},
      {"gamma = 1.45", "gamma = \"high\"", "gamma"},
      {"gamma = 1.45", "gamma = 1.45 +", "parse error"},
      {"R = 1.01", "R = 1.01\nnewton = 3", "newton"},  // a number is not a boolean
      {"R = 1.01", "R = 1.01\nnewton_threshold = 0", "newton_threshold"},
  };
  for (const auto& c : cases) {
    std::string text = kBase;
    text.replace(text.find(c.replace), c.replace.size(), c.with);
    const std::string path = write_tmp("bad.toml", text);
    fs::path out = fs::temp_directory_path() / ("hat_bad_out_" + std::to_string(::getpid()));
    fs::remove_all(out);
    int rc = run(hat_binary() + " household " + path + " --out " + out.string());
    std::string err = hat::test::last_stderr();
    EXPECT_NE(rc, 0) << c.with;
    EXPECT_NE(err.find(c.key), std::string::npos) << "stderr: " << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_FALSE(fs::exists(out)) << "partial output left for " << c.with;
  }
  EXPECT_NE(run(hat_binary() + " household /nonexistent/file.toml"), 0);
}
