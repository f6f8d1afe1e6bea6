// Tidy outputs of a world evaluation: CSV tables, figures and the JSON summaries shared by
// `hat solve`, `hat residuals`, counterfactuals and calibration.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "hat/io/output.hpp"
#include "hat/world/study.hpp"
#include "hat/world/world.hpp"

namespace hat::reports {

// prices.csv, trade_flows.csv, trade_shares.csv, countries.csv, residuals.csv,
// distributions.csv, (policies.csv if `policies`), home_shares.svg, nfa.svg.
// `prefix` is prepended to every file name. `euler` holds each country's Euler errors
// (world::country_euler_errors in study.hpp; computed there, not here, because this only
// formats); missing countries (or an empty vector) leave empty cells.
void add_world_outputs(io::OutputDir& out, const world::World& w, const world::Evaluation& ev,
                       const std::vector<std::string>& residual_names,
                       const std::vector<household::EulerErrors>& euler, bool policies,
                       const std::string& prefix = "");

// The JSON summary: status, residual_norm, residuals, R, beta, wages, home_shares,
// trade_shares (importer -> exporter -> share), plus per-country diagnostics.
nlohmann::json world_summary(const world::World& w, const world::Evaluation& ev,
                             world::Financial financial);

// The --json object of `hat solve`: world_summary (when there is a state), status, message,
// seconds, evaluations, jacobians, residual_names, warnings.
nlohmann::json world_solve_summary(const world::WorldSolve& s);

}  // namespace hat::reports
