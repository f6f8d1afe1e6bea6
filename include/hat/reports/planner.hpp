// The outputs of a planner study (analysis/planner_study.hpp): the --json object of `hat
// planner` and `hat.planner`, and the tidy tables and figures.
#pragma once

#include <nlohmann/json.hpp>

#include "hat/analysis/planner_study.hpp"
#include "hat/io/output.hpp"

namespace hat::reports {

// The --json object: weights, status, residuals, social_welfare, chi, pareto_weights,
// home_shares, and with a country its baseline, imports, theta_efficient, welfare_gain.
nlohmann::json planner_summary(const analysis::PlannerStudy& st);

// planner_allocation.csv, planner_countries.csv, planner_choice_by_state.csv,
// home_shares_efficient.svg and with a country imports_comparison.csv / .svg.
void add_planner_outputs(io::OutputDir& out, const analysis::PlannerStudy& st);

}  // namespace hat::reports
