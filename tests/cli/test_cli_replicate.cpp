// `hat replicate waugh` end to end on the shipped data and examples: both calibrations, the
// paper's four experiments, the report and its files; identities of the log model checked on
// the report's numbers (MODEL.md §1; hat-slides-2023 Proposition 3).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace fs = std::filesystem;

TEST(CliReplicate, WaughEndToEnd) {
  HAT_REQUIRE_DATA(dir);
  const fs::path out = fs::temp_directory_path() / ("hat_replicate_" + std::to_string(::getpid()));
  fs::remove_all(out);
  std::string text;
  ASSERT_EQ(hat::test::run(hat::test::hat_binary() + " replicate waugh --quiet --json --data " +
                               dir + " --examples " + hat::test::source_dir() + "/examples --out " +
                               out.string(),
                           &text),
            0)
      << hat::test::last_stderr();
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["status"], "converged");
  for (const char* model : {"baseline", "log"}) {
    const auto& m = j[model];
    EXPECT_EQ(m["calibration"]["status"], "converged") << model;
    EXPECT_LT(m["calibration"]["max_moment_error"].get<double>(), 1e-6) << model;
    ASSERT_EQ(m["experiments"].size(), 4u) << model;
    for (const auto& e : m["experiments"])
      for (const char* sc : {"pe", "ge"}) {
        const auto& w = e["welfare"][sc];
        EXPECT_GT(w["mean_ev_lump_sum"].get<double>(), 0) << model << e["name"] << sc;
        EXPECT_GT(w["mean_ce"].get<double>(), 0) << model << e["name"] << sc;
      }
    for (const char* f :
         {"welfare_states.csv", "welfare_summary.csv", "README.txt", "calibrated_world.toml"})
      EXPECT_TRUE(fs::exists(out / model / f)) << model << f;
  }
  // Log model, sigma = 0.2369: every PE elasticity is -1/sigma, so theta_tw = -1/sigma; with
  // W, R fixed and no quality shifter the CE is P_old/P_new - 1 = ACR in every state.
  const auto& lg = j["log"];
  EXPECT_NEAR(lg["theta_trade_weighted"].get<double>(), -1.0 / 0.2369, 1e-6);
  for (const auto& e : lg["experiments"]) {
    const auto& pe = e["welfare"]["pe"];
    EXPECT_NEAR(pe["mean_ce"].get<double>(), pe["acr"].get<double>(), 1e-9) << e["name"];
    EXPECT_NEAR(pe["acr_trade_weighted"].get<double>(), std::log1p(pe["acr"].get<double>()), 1e-8)
        << e["name"];
  }
  // The baseline's PE rows of the US-wide and the global cut coincide (US households only see
  // US import prices when W and R are fixed).
  const auto& b = j["baseline"]["experiments"];
  EXPECT_NEAR(b[2]["welfare"]["pe"]["mean_ev_lump_sum"].get<double>(),
              b[3]["welfare"]["pe"]["mean_ev_lump_sum"].get<double>(), 1e-12);
  for (const char* f :
       {"report.md", "fig_measures.svg", "fig_bins_us_all.svg", "summary.json", "manifest.json"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  std::ifstream in(out / "report.md");
  const std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(report.find("| us_all | GE | log |"), std::string::npos);
  fs::remove_all(out);
  // Bad input: one line naming the study, exit 2.
  EXPECT_EQ(hat::test::run(hat::test::hat_binary() + " replicate smith --quiet"), 2);
  EXPECT_NE(hat::test::last_stderr().find("unknown study 'smith'"), std::string::npos);
}
