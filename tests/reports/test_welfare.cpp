// The welfare tables and JSON of reports/welfare.hpp on a hand-made country: one schema per
// file name, missing values as empty cells and JSON nulls, bins named by their count.
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <string>

#include "hat/analysis/welfare.hpp"
#include "hat/io/output.hpp"
#include "hat/reports/welfare.hpp"

namespace {

using namespace hat;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Two asset points, one income state, one scenario ("ge") with quintiles whose first EV bin is
// missing; every other number distinct so that a row can be traced to its field.
analysis::CountryWelfare two_state_country() {
  analysis::CountryWelfare cw;
  cw.assets = Eigen::Vector2d(0.0, 1.0);
  cw.z = Eigen::Vector2d(1.0, 1.0);
  cw.income = Eigen::Vector2d(1.0, 1.1);
  cw.expenditure = Eigen::Vector2d(0.9, 1.2);
  cw.mass_old = Eigen::Vector2d(0.25, 0.75);
  cw.V_old = Eigen::Vector2d(-2.0, -1.0);
  cw.nonpositive_wealth = {1, 0};
  cw.ev_direction.resize(2);
  cw.ev_direction << 0, 1;
  cw.nonpositive_wealth_mass = 0.25;
  analysis::ScenarioWelfare sw;
  sw.scenario = "ge";
  sw.V_new = Eigen::Vector2d(-1.9, -0.9);
  sw.mass_new = Eigen::Vector2d(0.3, 0.7);
  sw.ev = Eigen::Vector2d(kNaN, 0.02);
  sw.ev_roots.resize(2);
  sw.ev_roots << 0, 1;
  sw.ce = Eigen::Vector2d(0.01, 0.03);
  sw.ev_lump_sum = Eigen::Vector2d(0.04, 0.05);
  sw.mean_ev = kNaN;
  sw.mean_ce = 0.025;
  Eigen::VectorXd bins(5);
  bins << kNaN, 0.1, 0.2, 0.3, 0.4;
  for (const std::string& g : analysis::welfare_groupings())
    sw.ev_groups[g] = sw.ce_groups[g] = sw.ev_lump_sum_groups[g] = bins;
  cw.scenarios.push_back(sw);
  return cw;
}

std::map<std::string, std::string> files_of(const io::OutputDir& out) {
  std::map<std::string, std::string> m;
  for (const auto& [name, content] : out.files()) m[name] = content;
  return m;
}

int lines_of(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(WelfareReport, BinNames) {
  EXPECT_EQ(reports::bin_name(5), "quintile");
  EXPECT_EQ(reports::bin_name(10), "decile");
  EXPECT_EQ(reports::bin_name(20), "vigintile");
  EXPECT_EQ(reports::bin_name(7), "bin7");
}

TEST(WelfareReport, JsonHasNullsForMissingValuesAndBinsNamedByTheirCount) {
  const nlohmann::json j = reports::country_welfare_json(two_state_country());
  ASSERT_TRUE(j.contains("ge"));
  EXPECT_FALSE(j.contains("pe"));
  EXPECT_TRUE(j["ge"]["mean_ev"].is_null());
  EXPECT_EQ(j["ge"]["mean_ce"], 0.025);
  const nlohmann::json& q = j["ge"]["ev_by_expenditure_choice_quintile"];
  ASSERT_EQ(q.size(), 5u);
  EXPECT_TRUE(q[0].is_null());
  EXPECT_EQ(q[4], 0.4);
  EXPECT_EQ(j["nonpositive_wealth_mass"], 0.25);
  EXPECT_EQ(j["ge"], reports::scenario_json(two_state_country().scenarios[0]));
}

// Row counts from the schema: one row per state, per (grouping, bin, measure), per summary
// measure and per diagnostic; a missing EV is an empty cell.
TEST(WelfareReport, TablesHaveOneRowPerStateBinAndMeasure) {
  reports::WelfareTables t;
  t.add("cut", "HOME", two_state_country(), 2);
  t.add_summary("cut", "transition", "HOME", "transition_share_ce", 0.5);
  io::OutputDir out("");
  t.write(out);
  const auto files = files_of(out);
  ASSERT_EQ(files.size(), 4u);
  const std::string& states = files.at("welfare_states.csv");
  EXPECT_EQ(states.substr(0, states.find('\n')),
            "experiment,scenario,country,state_1,income_state_1,assets,z,income,expenditure,"
            "mass_old,mass_new,V_old,V_new,ev,ev_roots,ce,nonpositive_wealth,ev_lump_sum,"
            "ev_direction");
  EXPECT_EQ(lines_of(states), 1 + 2);
  EXPECT_NE(states.find("cut,ge,HOME,1,1,0,1,1,0.9,0.25,0.3,-2,-1.9,,0,"), std::string::npos)
      << states;
  const int groupings = static_cast<int>(analysis::welfare_groupings().size());
  EXPECT_EQ(lines_of(files.at("welfare_groups.csv")), 1 + groupings * 5 * 3);
  EXPECT_EQ(lines_of(files.at("welfare_summary.csv")), 1 + 22 + 1);
  EXPECT_EQ(lines_of(files.at("welfare_diagnostics.csv")), 1 + 14);
}

}  // namespace
