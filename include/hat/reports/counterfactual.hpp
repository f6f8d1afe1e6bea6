// The outputs of counterfactual experiments (analysis/counterfactual.hpp) and of a
// counterfactual study (analysis/counterfactual_study.hpp): the tidy tables, figures and
// README.txt of `hat counterfactual` and `hat replicate`, and the --json objects.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hat/analysis/counterfactual.hpp"
#include "hat/analysis/counterfactual_study.hpp"
#include "hat/io/output.hpp"
#include "hat/world/world.hpp"

namespace hat::reports {

// The README.txt of a counterfactual output directory: which welfare measure is robust where,
// with this run's masses of ill-posed EV states and the means of every measure.
std::string welfare_readme(const world::World& w,
                           const std::vector<analysis::ExperimentResult>& results,
                           const std::vector<int>& countries);

// Tidy outputs of a set of experiments: README.txt, welfare_states.csv, welfare_groups.csv,
// welfare_summary.csv, counterfactual_prices.csv, counterfactual_trade_shares.csv,
// counterfactual_shocks.csv, welfare figures (SVG) and
// world_<experiment>.toml. Column lists in docs/counterfactual-welfare.md.
void add_counterfactual_outputs(io::OutputDir& out, const world::World& w,
                                const world::EquilibriumOptions& opt,
                                const std::vector<analysis::ExperimentResult>& results,
                                const std::vector<int>& countries);

// JSON of one experiment for the reporting country `country`: name, status, R_new, wages_new,
// welfare {pe, ge} with mean_ev, mean_ce, acr, ev_by_<grouping>_<bins> (bins: quintile, decile
// or vigintile), ...
nlohmann::json experiment_json(const world::World& w, const analysis::ExperimentResult& r,
                               int country);

// The --json object of a study: status, country, baseline, experiments (and R_new, wages_new,
// welfare of a single experiment), seconds.
nlohmann::json counterfactual_summary(const analysis::CounterfactualStudy& st);

// The ACR elasticities of the measured countries (the manifest's acr_elasticities).
nlohmann::json acr_elasticities_json(const analysis::CounterfactualStudy& st);

}  // namespace hat::reports
