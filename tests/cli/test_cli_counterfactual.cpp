// End-to-end tests of `hat counterfactual`: the JSON contract, outputs, experiments from the
// command line, shock files and the [counterfactual] table, and one-line input errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hat/io/csv.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using hat::test::hat_binary;
using hat::test::run;
using hat::test::tmp_path;
using hat::test::write_tmp;

namespace {
const char* kWorld = hat::test::kTwoCountryWorld;
}  // namespace

// The JSON contract of the issue: R_new, wages_new by country, welfare.{pe,ge}.{mean_ev,
// mean_ce, acr, ev_by_expenditure_quintile[5]}; the same numbers in welfare_summary.csv; the
// symmetric world stays symmetric in GE (equal wages: the numeraire is the mean wage).
TEST(CliCounterfactual, JsonContractAndOutputs) {
  const std::string cfg = write_tmp("w.toml", kWorld);
  const std::string out = tmp_path("out");
  fs::remove_all(out);
  std::string text;
  ASSERT_EQ(run(hat_binary() + " counterfactual " + cfg +
                    " --shock importer=AAA,exporter=BBB,factor=0.9 --json --quiet --out " + out,
                &text),
            0)
      << hat::test::last_stderr();
  auto j = nlohmann::json::parse(text);
  ASSERT_TRUE(j.contains("R_new"));
  ASSERT_TRUE(j["wages_new"].contains("AAA") && j["wages_new"].contains("BBB"));
  EXPECT_EQ(j["country"], "AAA");  // the importer of the shock
  for (const char* sc : {"pe", "ge"}) {
    const auto& w = j["welfare"][sc];
    for (const char* k : {"mean_ev", "mean_ce", "mean_ev_lump_sum", "acr", "acr_trade_weighted",
                          "theta_trade_weighted"})
      EXPECT_TRUE(w[k].is_number()) << sc << k;
    EXPECT_LT(w["theta_trade_weighted"].get<double>(), 0) << sc;
    ASSERT_EQ(w["ev_by_expenditure_quintile"].size(), 5u);
    ASSERT_EQ(w["ev_lump_sum_by_expenditure_choice_quintile"].size(), 5u);
    for (const char* k : {"mean_ev_well_posed", "ev_well_posed_mass", "ev_multiple_roots_mass"})
      EXPECT_TRUE(w[k].is_number()) << sc << k;
  }
  const double wa = j["wages_new"]["AAA"], wb = j["wages_new"]["BBB"];
  EXPECT_NEAR(0.5 * (wa + wb), 1.0, 1e-9);
  for (const char* f :
       {"welfare_states.csv", "welfare_groups.csv", "welfare_summary.csv",
        "welfare_diagnostics.csv", "counterfactual_prices.csv", "counterfactual_trade_shares.csv",
        "counterfactual_shocks.csv", "manifest.json", "summary.json", "world_cli.toml",
        "README.txt", "welfare_cli_AAA_expenditure.svg", "welfare_experiments_AAA.svg"})
    EXPECT_TRUE(fs::exists(fs::path(out) / f)) << f;
  hat::io::CsvTable t = hat::io::read_csv(out + "/welfare_summary.csv");
  int found = 0;
  for (size_t r = 0; r < t.rows.size(); ++r)
    if (t.rows[r][3] == "mean_ev") {
      const double v = t.number(r, 4);
      EXPECT_EQ(v, j["welfare"][t.rows[r][1]]["mean_ev"].get<double>());
      ++found;
    }
  EXPECT_EQ(found, 2);
  hat::io::CsvTable g = hat::io::read_csv(out + "/welfare_groups.csv");
  EXPECT_EQ(g.rows.size(), 2u * 4u * 5u * 3u);  // scenarios x groupings x quintiles x measures
  // Refined lump-sum roots (direct solves) agree with the interpolated ones to the
  // interpolation accuracy, reported in welfare_diagnostics.csv (lump_sum_check_error_tau).
  std::string polished;
  ASSERT_EQ(run(hat_binary() + " counterfactual " + cfg +
                    " --shock importer=AAA,exporter=BBB,factor=0.9 --json --quiet"
                    " --lump-sum-polish 1e-11",
                &polished),
            0)
      << hat::test::last_stderr();
  const auto jp = nlohmann::json::parse(polished);
  for (const char* sc : {"pe", "ge"})
    EXPECT_NEAR(jp["welfare"][sc]["mean_ev_lump_sum"].get<double>(),
                j["welfare"][sc]["mean_ev_lump_sum"].get<double>(),
                10 * j["welfare"]["lump_sum_check_error_tau"].get<double>() + 1e-8)
        << sc;
  std::ifstream readme(out + "/README.txt");
  const std::string rt((std::istreambuf_iterator<char>(readme)), std::istreambuf_iterator<char>());
  EXPECT_NE(rt.find("mean_ev_well_posed"), std::string::npos);
  EXPECT_NE(rt.find("cli AAA ge:"), std::string::npos);
  fs::remove_all(out);
}

// welfare_states.csv numbers household states from 1: state_1 = s*Na + i + 1 (income state s
// outer, asset point i inner, both 0-based), so each block runs 1..Nz*Na in order, with Na the
// config's [grid] assets and Nz = 3 x 2 the states of its [income] chain.
TEST(CliCounterfactual, WelfareStatesAreOneBased) {
  std::string world = kWorld;
  const std::string grid = "assets = 40";
  world.replace(world.find(grid), grid.size(), "assets = 25");
  world += "[income]\npersistent_states = 3\ntransitory_states = 2\n";
  const int Na = 25, Nz = 3 * 2;
  const std::string cfg = write_tmp("w1.toml", world);
  const std::string out = tmp_path("out_state_1");
  fs::remove_all(out);
  ASSERT_EQ(run(hat_binary() + " counterfactual " + cfg +
                " --shock importer=AAA,exporter=BBB,factor=0.9 --quiet --out " + out),
            0)
      << hat::test::last_stderr();
  const hat::io::CsvTable t = hat::io::read_csv(out + "/welfare_states.csv");
  const size_t scenario = t.column_index("scenario"), state = t.column_index("state_1"),
               income = t.column_index("income_state_1");
  ASSERT_EQ(t.rows.size(), 2u * Nz * Na);  // pe and ge, one country (AAA)
  EXPECT_EQ(t.number(0, state), 1);
  EXPECT_EQ(t.number(t.rows.size() - 1, state), Nz * Na);
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const int k = static_cast<int>(r % (Nz * Na));  // 0-based position in its block
    EXPECT_EQ(t.rows[r][scenario], r < static_cast<size_t>(Nz * Na) ? "pe" : "ge");
    EXPECT_EQ(t.number(r, state), k + 1) << "row " << r;
    EXPECT_EQ(t.number(r, income), k / Na + 1) << "row " << r;
  }
  fs::remove_all(out);
}

// Experiments from a [counterfactual] table, a shock file and the command line in one run.
TEST(CliCounterfactual, ExperimentsFromConfigFileAndCommandLine) {
  const std::string cfg = write_tmp("wc.toml", std::string(kWorld) + R"(
[counterfactual]
name = "from_config"
country = "BBB"
[[counterfactual.shock]]
importer = "BBB"
exporter = "AAA"
factor = 0.95
)");
  const std::string shocks = write_tmp("s.toml", R"(
name = "global"
[[shock]]
factor = 0.9
)");
  std::string text;
  ASSERT_EQ(run(hat_binary() + " counterfactual " + cfg + " --shocks " + shocks +
                    " --shock kind=tariff,importer=AAA,tariff=0.05 --name tariff --json --quiet"
                    " --bins 10",
                &text),
            0)
      << hat::test::last_stderr();
  auto j = nlohmann::json::parse(text);
  ASSERT_EQ(j["experiments"].size(), 3u);
  EXPECT_EQ(j["experiments"][0]["name"], "from_config");
  EXPECT_EQ(j["experiments"][1]["name"], "global");
  EXPECT_EQ(j["experiments"][2]["name"], "tariff");
  EXPECT_EQ(j["country"], "BBB");
  EXPECT_FALSE(j.contains("welfare"));  // several experiments: only under "experiments"
  // The same config still works for `hat solve` (the table belongs to hat counterfactual).
  EXPECT_EQ(run(hat_binary() + " solve " + cfg + " --quiet"), 0) << hat::test::last_stderr();
  // A global 10% cut in a symmetric world: both scenarios give gains to BBB.
  EXPECT_GT(j["experiments"][1]["welfare"]["ge"]["mean_ev"].get<double>(), 0);
  // --bins 10: deciles of every grouping.
  EXPECT_EQ(j["experiments"][1]["welfare"]["ge"]["ev_by_expenditure_choice_decile"].size(), 10u);
  EXPECT_EQ(j["experiments"][1]["welfare"]["ge"]["ev_lump_sum_by_income_decile"].size(), 10u);
}

// Bad input: exit status 2, one line naming the field, no output directory.
TEST(CliCounterfactual, InputErrors) {
  const std::string cfg = write_tmp("we.toml", kWorld);
  const std::string out = tmp_path("err_out");
  fs::remove_all(out);
  auto expect_error = [&](const std::string& args, const std::string& needle) {
    EXPECT_EQ(run(hat_binary() + " counterfactual " + cfg + " " + args + " --quiet --out " + out),
              2)
        << args;
    const std::string err = hat::test::last_stderr();
    EXPECT_NE(err.find("hat: error: "), std::string::npos) << err;
    EXPECT_NE(err.find(needle), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(out)) << args;
  };
  expect_error("--shock importer=AAA,exporter=BBB",
               "--shock 'importer=AAA,exporter=BBB': factor: missing");
  expect_error("--shock importer=USA,factor=0.9", "importer 'USA' is not a country of this world");
  expect_error("--shock importer=AAA,factor=0.9 --country XYZ",
               "--country: 'XYZ' is not a country");
  expect_error("", "no shocks");
  expect_error("--shock importer=AAA,factor=0.9 --acr-distribution both", "--acr-distribution");
  expect_error("--shock importer=AAA,factor=0.9 --bins 7", "--bins");
  expect_error("--shock importer=AAA,factor=0.9 --lump-sum-polish -1", "--lump-sum-polish");
  // theta has one sign: the trade elasticity d log(M_ij/M_ii) / d log d_ij < 0 (docs/model.md)
  expect_error("--shock importer=AAA,factor=0.9 --theta 4", "--theta must be the trade elasticity");
  const std::string bad = write_tmp("bad.toml", "[[shock]]\nimporter = \"AAA\"\nfactr = 0.9\n");
  expect_error("--shocks " + bad, "factr");
  const std::string empty = write_tmp("empty.toml", "name = \"x\"\n");
  expect_error("--shocks " + empty, "no shocks");
}

// --no-solve on a solved world (world_solved.toml of `hat solve`) is the same baseline as
// solving: the welfare numbers agree to the solver tolerances.
TEST(CliCounterfactual, NoSolveOnSolvedWorldMatches) {
  const std::string cfg = write_tmp("wn.toml", kWorld);
  const std::string sol = tmp_path("solved");
  fs::remove_all(sol);
  ASSERT_EQ(run(hat_binary() + " solve " + cfg + " --quiet --no-policies --out " + sol), 0)
      << hat::test::last_stderr();
  std::string a, b;
  const std::string shock = " --shock importer=AAA,factor=0.9 --json --quiet";
  ASSERT_EQ(run(hat_binary() + " counterfactual " + cfg + shock, &a), 0)
      << hat::test::last_stderr();
  ASSERT_EQ(
      run(hat_binary() + " counterfactual " + sol + "/world_solved.toml --no-solve" + shock, &b), 0)
      << hat::test::last_stderr();
  auto ja = nlohmann::json::parse(a), jb = nlohmann::json::parse(b);
  EXPECT_NEAR(ja["R_new"].get<double>(), jb["R_new"].get<double>(), 1e-9);
  for (const char* sc : {"pe", "ge"})
    for (const char* m : {"mean_ev", "mean_ce", "acr"})
      EXPECT_NEAR(ja["welfare"][sc][m].get<double>(), jb["welfare"][sc][m].get<double>(), 1e-7)
          << sc << m;
  fs::remove_all(sol);
}
