// Welfare tables and JSON shared by `hat counterfactual` and `hat transition` (see welfare.hpp).
#include "hat/reports/welfare.hpp"

#include <map>

#include "json_values.hpp"

namespace hat::reports {

std::string bin_name(int groups) {
  if (groups == 5) return "quintile";
  if (groups == 10) return "decile";
  if (groups == 20) return "vigintile";
  return "bin" + std::to_string(groups);
}

WelfareTables::WelfareTables()
    : states_({"experiment", "scenario", "country", "state_1", "income_state_1", "assets", "z",
               "income", "expenditure", "mass_old", "mass_new", "V_old", "V_new", "ev", "ev_roots",
               "ce", "nonpositive_wealth", "ev_lump_sum", "ev_direction"}),
      groups_({"experiment", "scenario", "country", "grouping", "bin_1", "measure", "value"}),
      summary_({"experiment", "scenario", "country", "measure", "value"}),
      diag_({"experiment", "country", "measure", "value"}) {}

void WelfareTables::add(const std::string& experiment, const std::string& country,
                        const analysis::CountryWelfare& cw, int Na) {
  const int N = static_cast<int>(cw.V_old.size());
  for (const analysis::ScenarioWelfare& sw : cw.scenarios) {
    for (int k = 0; k < N; ++k)
      states_.cell(experiment)
          .cell(sw.scenario)
          .cell(country)
          .cell(k + 1)  // state_1 = s * Na + i + 1 (0-based s, i)
          .cell(k / Na + 1)
          .cell(cw.assets(k))
          .cell(cw.z(k))
          .cell(cw.income(k))
          .cell(cw.expenditure(k))
          .cell(cw.mass_old(k))
          .cell(sw.mass_new(k))
          .cell(cw.V_old(k))
          .cell(sw.V_new(k))
          .cell(sw.ev(k))
          .cell(sw.ev_roots(k))
          .cell(sw.ce(k))
          .cell(static_cast<int>(cw.nonpositive_wealth[k]))
          .cell(sw.ev_lump_sum(k))
          .cell(cw.ev_direction(k))
          .end_row();
    const std::pair<const char*, const std::map<std::string, Eigen::VectorXd>*> measures[] = {
        {"ev", &sw.ev_groups}, {"ce", &sw.ce_groups}, {"ev_lump_sum", &sw.ev_lump_sum_groups}};
    for (const auto& g : analysis::welfare_groupings())
      for (int q = 0; q < sw.ev_groups.at(g).size(); ++q)
        for (const auto& [measure, groups] : measures)
          groups_.cell(experiment)
              .cell(sw.scenario)
              .cell(country)
              .cell(g)
              .cell(q + 1)
              .cell(measure)
              .cell(groups->at(g)(q))
              .end_row();
    const analysis::Decomposition& d = sw.decomposition;
    const std::pair<const char*, double> rows[] = {
        {"mean_ev", sw.mean_ev},
        {"mean_ev_positive_wealth", sw.mean_ev_positive_wealth},
        {"mean_ev_well_posed", sw.mean_ev_well_posed},
        {"ev_well_posed_mass", sw.well_posed_mass},
        {"ev_multiple_roots_mass", sw.multiple_roots_mass},
        {"mean_ce", sw.mean_ce},
        {"mean_ev_lump_sum", sw.mean_ev_lump_sum},
        {"labour_income", cw.lump_sum_report.labour_income},
        {"acr", sw.acr},
        {"theta", sw.theta},
        {"acr_trade_weighted", sw.acr_trade_weighted},
        {"theta_trade_weighted", sw.theta_trade_weighted},
        {"home_share_old", sw.home_share_old},
        {"home_share_new", sw.home_share_new},
        {"W_old", d.W_old},
        {"W_new", d.W_new},
        {"dW", d.W_new - d.W_old},
        {"dW_household", d.household},
        {"dW_reallocation", d.reallocation},
        {"dW_interaction", d.interaction},
        {"ev_unresolved_mass", sw.unresolved_mass},
        {"nonpositive_wealth_mass", cw.nonpositive_wealth_mass}};
    for (const auto& [name, v] : rows)
      summary_.cell(experiment).cell(sw.scenario).cell(country).cell(name).cell(v).end_row();
  }
  const analysis::EvReport& er = cw.ev_report;
  const std::pair<const char*, double> drows[] = {
      {"lambda_nodes", static_cast<double>(er.nodes)},
      {"lambda_lo", er.lambda_lo},
      {"lambda_hi", er.lambda_hi},
      {"check_lambda", er.check_lambda},
      {"check_error_value", er.check_error_value},
      {"check_error_lambda", er.check_error_lambda},
      {"unresolved", static_cast<double>(er.unresolved)},
      {"multiple_roots", static_cast<double>(er.multiple_roots)},
      {"lump_sum_nodes", static_cast<double>(cw.lump_sum_report.nodes)},
      {"lump_sum_tau_lo", cw.lump_sum_report.tau_lo},
      {"lump_sum_tau_hi", cw.lump_sum_report.tau_hi},
      {"lump_sum_check_error_value", cw.lump_sum_report.check_error_value},
      {"lump_sum_check_error_tau", cw.lump_sum_report.check_error_tau},
      {"lump_sum_unresolved", static_cast<double>(cw.lump_sum_report.unresolved)}};
  for (const auto& [name, v] : drows)
    diag_.cell(experiment).cell(country).cell(name).cell(v).end_row();
}

void WelfareTables::add_summary(const std::string& experiment, const std::string& scenario,
                                const std::string& country, const std::string& measure,
                                double value) {
  summary_.cell(experiment).cell(scenario).cell(country).cell(measure).cell(value).end_row();
}

void WelfareTables::write(io::OutputDir& out) const {
  out.add("welfare_states.csv", states_.str());
  out.add("welfare_groups.csv", groups_.str());
  out.add("welfare_summary.csv", summary_.str());
  out.add("welfare_diagnostics.csv", diag_.str());
}

nlohmann::json scenario_json(const analysis::ScenarioWelfare& sw) {
  nlohmann::json s;
  s["mean_ev"] = finite_or_null(sw.mean_ev);
  s["mean_ev_positive_wealth"] = finite_or_null(sw.mean_ev_positive_wealth);
  s["mean_ev_well_posed"] = finite_or_null(sw.mean_ev_well_posed);
  s["ev_well_posed_mass"] = sw.well_posed_mass;
  s["ev_multiple_roots_mass"] = sw.multiple_roots_mass;
  s["mean_ce"] = finite_or_null(sw.mean_ce);
  s["mean_ev_lump_sum"] = finite_or_null(sw.mean_ev_lump_sum);
  s["acr"] = finite_or_null(sw.acr);
  s["theta"] = sw.theta;
  s["acr_trade_weighted"] = finite_or_null(sw.acr_trade_weighted);
  s["theta_trade_weighted"] = finite_or_null(sw.theta_trade_weighted);
  s["home_share_old"] = sw.home_share_old;
  s["home_share_new"] = sw.home_share_new;
  for (const auto& g : analysis::welfare_groupings()) {
    std::string b = "_";  // (not "_" + ...: a false -Wrestrict in GCC 12's libstdc++)
    b += bin_name(static_cast<int>(sw.ev_groups.at(g).size()));
    s["ev_by_" + g + b] = finite_array(sw.ev_groups.at(g));
    s["ce_by_" + g + b] = finite_array(sw.ce_groups.at(g));
    s["ev_lump_sum_by_" + g + b] = finite_array(sw.ev_lump_sum_groups.at(g));
  }
  const analysis::Decomposition& d = sw.decomposition;
  s["decomposition"] = {{"W_old", d.W_old},
                        {"W_new", d.W_new},
                        {"dW", d.W_new - d.W_old},
                        {"household", d.household},
                        {"reallocation", d.reallocation},
                        {"interaction", d.interaction}};
  s["ev_unresolved_mass"] = sw.unresolved_mass;
  return s;
}

nlohmann::json country_welfare_json(const analysis::CountryWelfare& cw) {
  nlohmann::json wj;
  for (const analysis::ScenarioWelfare& sw : cw.scenarios) {
    wj[sw.scenario] = scenario_json(sw);
  }
  wj["nonpositive_wealth_mass"] = cw.nonpositive_wealth_mass;
  wj["ev_check_error_lambda"] = cw.ev_report.check_error_lambda;
  wj["ev_lambda_nodes"] = cw.ev_report.nodes;
  wj["labour_income"] = cw.lump_sum_report.labour_income;
  wj["lump_sum_check_error_tau"] = cw.lump_sum_report.check_error_tau;
  return wj;
}

}  // namespace hat::reports
