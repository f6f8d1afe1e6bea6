// Outputs of a transition run: tidy CSV tables, SVG figures and the JSON summary
// (column lists in docs/transition.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "hat/io/output.hpp"
#include "hat/transition/study.hpp"

namespace hat::reports {

// path_prices.csv, path_countries.csv, path_trade_shares.csv, path_residuals.csv, welfare_*.csv,
// elasticity_by_horizon.csv, elasticity_summary.csv and the figures.
void add_transition_outputs(io::OutputDir& out, const transition::PathEconomy& e,
                            const transition::TransitionRun& run);

// The --json summary: status, periods, max_residual, R_path, wages_path, steady_state, welfare,
// elasticity_by_horizon, seconds.
nlohmann::json transition_json(const transition::PathEconomy& e,
                               const transition::TransitionRun& run);

}  // namespace hat::reports
