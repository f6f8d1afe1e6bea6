// The reports of the Eaton–Kortum studies (models/eaton_kortum/study.hpp): the printed text,
// the --json objects, the CSV tables, the figures and the manifest entries.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hat/models/eaton_kortum/study.hpp"

namespace hat::reports {

// ------------------------------------------------------------------- hat ek estimate -----
nlohmann::json ek_estimate_json(const models::ek::EstimateStudy& s);  // the --json object
std::string ek_estimate_text(const models::ek::EstimateStudy& s);     // the printed report
// theta.csv, source_effects.csv, technology.csv, cost_effects.csv, gravity.csv,
// gravity_gls.csv, price_trade.csv (in this order)
std::vector<models::ek::NamedText> ek_estimate_tables(const models::ek::EstimateStudy& s);
// trade_prices.svg (EK Figure 2)
std::string ek_estimate_figure(const models::ek::EstimateStudy& s);
nlohmann::json ek_estimate_results(const models::ek::EstimateStudy& s);  // the manifest's "results"

// ------------------------------------------------------------- hat ek counterfactual -----
// The --json object: one result object, or {"results": [...]} for several.
nlohmann::json ek_counterfactual_json(const models::ek::ScenarioStudy& s);
std::string ek_counterfactual_text(const models::ek::ScenarioStudy& s);  // the printed report
// summary.csv, trade.csv, scenarios.csv (in this order)
std::vector<models::ek::NamedText> ek_counterfactual_tables(const models::ek::ScenarioStudy& s);
std::string ek_counterfactual_figure(const models::ek::ScenarioStudy& s);  // welfare.svg
// The manifest's "parameters", "solver" and "status" entries.
void add_ek_counterfactual_manifest(nlohmann::json& m, const models::ek::ScenarioStudy& s,
                                    double beta);

}  // namespace hat::reports
