// The studies of the dynamic model as `hat dynamic gft|steady-state|transition` and
// `hat.dynamic.*` run them: the solves of a loaded config (their --json objects, tables and
// figures are in reports/dynamic.hpp). The command line and the Python package are adapters
// over this.
#pragma once

#include <Eigen/Dense>
#include <string>

#include "hat/models/dynamic.hpp"

namespace hat::dynamic {

// Library input errors name the config field ("[model] b: ..."); the studies prefix
// `config_name` (the file) to them.

struct GftStudy {
  Config config;
  SteadyState steady_state, autarky;
  Eigen::VectorXd gains, formula, acr;   // C / C_autarky: computed, closed form, static ACR
  Eigen::VectorXd tariff_revenue_share;  // tariff revenue / expenditure
  Elasticities elasticities;
  double gap = 0;  // max relative gap of the computed gains to the formula
  // The worst of the solves' statuses: unconverged studies are returned (and written) marked.
  SolverStatus status() const {
    return worse_status(steady_state.report.status, autarky.report.status);
  }
};
// Steady state and autarky of the config, the gains from trade and the elasticities.
GftStudy run_gft_study(const Config& c, const std::string& config_name);

struct SteadyStateStudy {
  Config config;
  SteadyState steady_state;
  double structural_residual = 0;  // independent check of the equilibrium conditions
  SolverStatus status() const { return steady_state.report.status; }
};
SteadyStateStudy run_steady_state_study(const Config& c, const std::string& config_name);

struct TransitionStudy {
  Config config;
  SteadyState before, after;
  TransitionPath path;  // path.report says whether it converged; nothing is thrown for that
  SolverStatus status() const {
    return worse_status(worse_status(before.report.status, after.report.status),
                        path.report.status);
  }
};
// The steady states before and after the [shock] and the path between them (solved from the
// steady states as they are, converged or not: status() tells).
TransitionStudy run_transition_study(const Config& c, const std::string& config_name);

}  // namespace hat::dynamic
