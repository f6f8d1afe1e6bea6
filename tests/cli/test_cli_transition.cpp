// End-to-end tests of `hat transition`: the JSON contract of the issue, the output files, the
// same outputs for 1 and 2 threads, and one-line input errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hat/io/csv.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using hat::test::hat_binary;
using hat::test::run;
using hat::test::tmp_path;
using hat::test::write_tmp;

namespace {

std::string small_world() {
  return hat::test::kTwoCountryWorld;  // Na = 40
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

TEST(CliTransition, JsonContractAndOutputs) {
  const std::string cfg = write_tmp("tr.toml", small_world());
  const std::string out = tmp_path("tr_out");
  fs::remove_all(out);
  std::string text;
  ASSERT_EQ(run(hat_binary() + " transition " + cfg +
                    " --shock importer=AAA,exporter=*,factor=0.9 --periods 120 --json --quiet "
                    "--out " +
                    out,
                &text),
            0)
      << hat::test::last_stderr();
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["status"], "converged");
  EXPECT_EQ(j["periods"], 120);
  EXPECT_LT(j["max_residual"].get<double>(), 1e-9);
  ASSERT_EQ(j["R_path"].size(), 120u);
  ASSERT_EQ(j["wages_path"]["AAA"].size(), 120u);
  ASSERT_TRUE(j["steady_state"]["R"].is_number());
  ASSERT_TRUE(j["steady_state"]["wages"].contains("BBB"));
  for (const char* sc : {"transition", "steady_state"}) {
    const auto& w = j["welfare"][sc];
    for (const char* k : {"mean_ev", "mean_ce"}) EXPECT_TRUE(w[k].is_number()) << sc << k;
    EXPECT_EQ(w["ev_by_expenditure_quintile"].size(), 5u);
  }
  ASSERT_EQ(j["elasticity_by_horizon"]["BBB"]["pe"].size(), 120u);
  EXPECT_TRUE(j["seconds"].is_number());
  // The path ends at the terminal steady state.
  EXPECT_NEAR(j["R_path"][119].get<double>(), j["steady_state"]["R"].get<double>(), 1e-8);
  for (const char* f :
       {"path_prices.csv", "path_countries.csv", "path_trade_shares.csv", "path_residuals.csv",
        "path_shocks.csv", "welfare_states.csv", "welfare_groups.csv", "welfare_summary.csv",
        "elasticity_by_horizon.csv", "elasticity_summary.csv", "prices_wages.svg", "prices_R.svg",
        "nfa.svg", "welfare_quintiles_ev.svg", "elasticity_by_horizon.svg", "manifest.json",
        "summary.json"})
    EXPECT_TRUE(fs::exists(fs::path(out) / f)) << f;
  // path_prices.csv: the old steady state (period -1) and every period, for both countries.
  const hat::io::CsvTable p = hat::io::read_csv(out + "/path_prices.csv");
  EXPECT_EQ(p.rows.size(), 2u * 121u);
  EXPECT_EQ(p.number(2 * 120, p.column_index("R_next")), j["R_path"][119].get<double>());
}

// Outputs are identical (byte for byte, timings aside) for 1 and 2 threads.
TEST(CliTransition, SameOutputsForOneAndTwoThreads) {
  const std::string cfg = write_tmp("tr_threads.toml", small_world());
  std::string outs[2];
  for (int k = 0; k < 2; ++k) {
    outs[k] = tmp_path("tr_threads_" + std::to_string(k + 1));
    fs::remove_all(outs[k]);
    ASSERT_EQ(run(hat_binary() + " transition " + cfg +
                  " --shock importer=AAA,exporter=BBB,factor=0.95 --periods 80 --quiet --threads " +
                  std::to_string(k + 1) + " --out " + outs[k]),
              0)
        << hat::test::last_stderr();
  }
  for (const char* f :
       {"path_prices.csv", "path_countries.csv", "path_trade_shares.csv", "welfare_states.csv",
        "welfare_groups.csv", "elasticity_by_horizon.csv", "path_residuals.csv"})
    EXPECT_EQ(slurp(fs::path(outs[0]) / f), slurp(fs::path(outs[1]) / f)) << f;
}

TEST(CliTransition, BadInputIsOneLineExitTwo) {
  const std::string cfg = write_tmp("tr_bad.toml", small_world());
  EXPECT_EQ(run(hat_binary() + " transition " + cfg +
                " --shock importer=AAA,exporter=*,factor=0.9 "
                "--periods 1"),
            2);
  EXPECT_NE(hat::test::last_stderr().find("--periods"), std::string::npos);
  EXPECT_EQ(
      run(hat_binary() + " transition " + cfg + " --shock importer=XXX,exporter=*,factor=0.9"), 2);
  EXPECT_NE(hat::test::last_stderr().find("XXX"), std::string::npos);
  EXPECT_EQ(run(hat_binary() + " transition " + cfg +
                " --shock importer=AAA,exporter=*,factor=0.9,start=-2"),
            2);
  EXPECT_EQ(run(hat_binary() + " transition " + cfg), 2);  // no shocks
  // A shock that ends after the path cannot end in the terminal steady state.
  EXPECT_EQ(run(hat_binary() + " transition " + cfg +
                " --shock importer=AAA,exporter=*,factor=0.9,end=500 --periods 100"),
            2);
  EXPECT_NE(hat::test::last_stderr().find("raise --periods"), std::string::npos);
  // Timing keys belong to transitions: `hat counterfactual` refuses them.
  EXPECT_EQ(run(hat_binary() + " counterfactual " + cfg +
                " --shock importer=AAA,exporter=*,factor=0.9,start=3"),
            2);
  EXPECT_NE(hat::test::last_stderr().find("hat transition"), std::string::npos);
}

// The end of the path is `hat counterfactual`'s new steady state (two separate runs).
TEST(CliTransition, PathEndsAtTheCounterfactualsNewSteadyState) {
  const std::string cfg = write_tmp("tr_cf.toml", small_world());
  std::string tr, cf;
  ASSERT_EQ(run(hat_binary() + " transition " + cfg +
                    " --shock importer=AAA,exporter=BBB,factor=0.9 --periods 150 --json --quiet "
                    "--no-welfare --no-elasticities",
                &tr),
            0)
      << hat::test::last_stderr();
  ASSERT_EQ(run(hat_binary() + " counterfactual " + cfg +
                    " --shock importer=AAA,exporter=BBB,factor=0.9 --json --quiet",
                &cf),
            0)
      << hat::test::last_stderr();
  const auto jt = nlohmann::json::parse(tr), jc = nlohmann::json::parse(cf);
  EXPECT_NEAR(jt["R_path"][149].get<double>(), jc["R_new"].get<double>(), 1e-8);
  for (const char* c : {"AAA", "BBB"})
    EXPECT_NEAR(jt["wages_path"][c][149].get<double>(), jc["wages_new"][c].get<double>(), 1e-8);
}
