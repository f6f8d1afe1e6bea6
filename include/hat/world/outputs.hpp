// Tidy outputs of a world evaluation: CSV tables, figures and the JSON summary shared by
// `hat solve`, `hat residuals`, counterfactuals and calibration.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "hat/io/output.hpp"
#include "hat/world/world.hpp"

namespace hat::world {

// prices.csv, trade_flows.csv, trade_shares.csv, countries.csv, residuals.csv,
// distributions.csv, (policies.csv if `policies`), home_shares.svg, nfa.svg.
// `prefix` is prepended to every file name; the Euler errors of countries.csv are computed on
// `euler_grid` (household::euler_error_refine).
void add_world_outputs(io::OutputDir& out, const World& w, const Evaluation& ev,
                       const std::vector<std::string>& residual_names, bool policies,
                       const std::string& prefix = "",
                       household::EulerGrid euler_grid = household::EulerGrid::Solution);

// The JSON summary: status, residual_norm, residuals, R, beta, wages, home_shares,
// trade_shares (importer -> exporter -> share), plus per-country diagnostics.
nlohmann::json world_summary(const World& w, const Evaluation& ev, Financial financial);

// Trade shares M_ij / sum_k M_ik.
Eigen::MatrixXd trade_shares(const Evaluation& ev);

}  // namespace hat::world
