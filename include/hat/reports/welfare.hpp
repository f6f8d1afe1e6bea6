// Welfare tables and JSON shared by every command that measures household welfare
// (`hat counterfactual`, `hat transition`): one schema per file name. The measures themselves
// are analysis/welfare.hpp's.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "hat/analysis/welfare.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/output.hpp"

namespace hat::reports {

// "quintile", "decile", "vigintile" or "binN" for N groups.
std::string bin_name(int groups);

// welfare_states.csv, welfare_groups.csv, welfare_summary.csv and welfare_diagnostics.csv
// (columns in docs/counterfactual-welfare.md).
class WelfareTables {
 public:
  WelfareTables();
  // The rows of one country's welfare (every scenario) in one experiment; Na = asset points.
  void add(const std::string& experiment, const std::string& country,
           const analysis::CountryWelfare& cw, int Na);
  // One more row of welfare_summary.csv.
  void add_summary(const std::string& experiment, const std::string& scenario,
                   const std::string& country, const std::string& measure, double value);
  void write(io::OutputDir& out) const;

 private:
  io::CsvWriter states_, groups_, summary_, diag_;
};

// One scenario's means and bins (mean_ev, mean_ce, mean_ev_lump_sum, ev_by_<grouping>_<bin>...).
nlohmann::json scenario_json(const analysis::ScenarioWelfare& sw);
// Every scenario of a country (by scenario name) and the solver diagnostics.
nlohmann::json country_welfare_json(const analysis::CountryWelfare& cw);

}  // namespace hat::reports
