// Outputs of a transition run: tidy CSV tables, SVG figures and the JSON summary
// (column lists in docs/transition.md).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hat/io/output.hpp"
#include "hat/transition/transition.hpp"

namespace hat::transition {

struct TransitionRun {
  std::vector<analysis::Shock> shocks;
  int country = 0;  // the reporting country
  TransitionResult result;
  std::optional<TransitionWelfare> welfare;
  std::optional<HorizonElasticities> elasticities;
  double seconds = 0, seconds_welfare = 0, seconds_elasticities = 0;
};

// path_prices.csv, path_countries.csv, path_trade_shares.csv, path_residuals.csv, welfare_*.csv,
// elasticity_by_horizon.csv, elasticity_summary.csv and the figures.
void add_transition_outputs(io::OutputDir& out, const Economy& e, const TransitionRun& run);

// The --json summary: status, periods, max_residual, R_path, wages_path, steady_state, welfare,
// elasticity_by_horizon, seconds.
nlohmann::json transition_json(const Economy& e, const TransitionRun& run);

}  // namespace hat::transition
