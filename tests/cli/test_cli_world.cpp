// End-to-end tests of `hat solve` and `hat residuals`: JSON summary keys, outputs written
// atomically, and one-line errors for bad world configs.
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
const char* kWorld = hat::test::kTwoCountryWorld;
}  // namespace

TEST(CliWorld, SolveJsonAndOutputs) {
  const std::string cfg = hat::test::source_dir() + "/examples/two_country.toml";
  const std::string out = tmp_path("solve_out");
  fs::remove_all(out);
  std::string text;
  ASSERT_EQ(run(hat_binary() + " solve " + cfg + " --json --quiet --policies --out " + out, &text),
            0)
      << hat::test::last_stderr();
  auto j = nlohmann::json::parse(text);
  for (const char* k : {"status", "residual_norm", "residuals", "seconds", "R", "beta", "wages",
                        "home_shares", "trade_shares"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["status"], "converged");
  EXPECT_NEAR(j["R"].get<double>(), 1.0141938128, 1e-7);  // published (two-country world)
  EXPECT_NEAR(j["trade_shares"]["HOME"]["FOREIGN"].get<double>(), 0.0995163, 1e-6);
  for (const char* f :
       {"prices.csv", "trade_flows.csv", "trade_shares.csv", "countries.csv", "distributions.csv",
        "policies.csv", "manifest.json", "home_shares.svg", "world_solved.toml"})
    EXPECT_TRUE(fs::exists(fs::path(out) / f)) << f;
  auto man = nlohmann::json::parse(std::ifstream(fs::path(out) / "manifest.json"));
  EXPECT_EQ(man["status"], "converged");
  // policies.csv only on request: without --policies the directory has everything else.
  const std::string lean = tmp_path("solve_out_lean");
  fs::remove_all(lean);
  ASSERT_EQ(run(hat_binary() + " solve " + cfg + " --quiet --out " + lean), 0);
  EXPECT_FALSE(fs::exists(fs::path(lean) / "policies.csv"));
  EXPECT_TRUE(fs::exists(fs::path(lean) / "distributions.csv"));
  EXPECT_LT(man["residual_norm"].get<double>(), 1e-10);
  // The solved world re-solves at once: its residuals at the stored prices are tiny.
  std::string rtext;
  ASSERT_EQ(run(hat_binary() + " residuals " + out + "/world_solved.toml --json", &rtext), 0)
      << hat::test::last_stderr();
  EXPECT_LT(nlohmann::json::parse(rtext)["residual_norm"].get<double>(), 1e-9);
  fs::remove_all(out);
}

TEST(CliWorld, BadWorldConfigsFailCleanly) {
  struct Case {
    std::string replace, with, expect;
  };
  std::vector<Case> cases = {
      {"matrix = [[1.0, 1.745], [1.745, 1.0]]", "matrix = [[1.0, 1.745, 2.0], [1.745, 1.0, 2.0]]",
       "trade_costs"},
      {"matrix = [[1.0, 1.745], [1.745, 1.0]]", "matrix = [[1.0, 0.5], [1.745, 1.0]]", ">= 1"},
      {"matrix = [[1.0, 1.745], [1.745, 1.0]]", "matrix = [[1.0, nan], [1.745, 1.0]]", "finite"},
      {"labor = [1.0, 1.0]", "labor = [1.0, -1.0]", "labor"},
      {"labor = [1.0, 1.0]", "labor = [1.0, 1.0, 1.0]", "labor"},
      {"gamma = 1.5", "gamma = 1.5\nsigma = 3", "sigma"},
      {"R = 1.01", "R = 1.01\nfinancial = \"closed\"", "financial"},
  };
  for (const auto& c : cases) {
    std::string t = kWorld;
    t.replace(t.find(c.replace), c.replace.size(), c.with);
    const std::string cfg = write_tmp("bad_world.toml", t);
    const std::string out = tmp_path("bad_out");
    fs::remove_all(out);
    EXPECT_NE(run(hat_binary() + " solve " + cfg + " --quiet --out " + out), 0) << c.with;
    const std::string err = hat::test::last_stderr();
    EXPECT_NE(err.find(c.expect), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_FALSE(fs::exists(out));
  }
  // Trade costs from a CSV whose country names do not match the config.
  const std::string csv = write_tmp("d.csv", "importer,AAA,CCC\nAAA,1,2\nCCC,2,1\n");
  std::string t = kWorld;
  t.replace(t.find("matrix = [[1.0, 1.745], [1.745, 1.0]]"), 37, "file = \"" + csv + "\"");
  const std::string cfg = write_tmp("bad_names.toml", t);
  EXPECT_NE(run(hat_binary() + " solve " + cfg + " --quiet"), 0);
  EXPECT_NE(hat::test::last_stderr().find("CCC"), std::string::npos) << hat::test::last_stderr();
}
