// The reports of the dynamic model's studies (models/dynamic_study.hpp): the --json objects,
// the tidy tables and the figures of `hat dynamic gft|steady-state|transition`.
#pragma once

#include <nlohmann/json.hpp>

#include "hat/io/output.hpp"
#include "hat/models/dynamic_study.hpp"

namespace hat::reports {

// Every dynamic_*_json object carries "status", the study's status() (to_string(SolverStatus)).

nlohmann::json dynamic_gft_json(const dynamic::GftStudy& st);
// gains.csv, dynamic_elasticities.csv, gains.svg.
void add_gft_outputs(io::OutputDir& out, const dynamic::GftStudy& st);

nlohmann::json dynamic_steady_state_json(const dynamic::SteadyStateStudy& st);
// dynamic_countries.csv, bilateral.csv.
void add_dynamic_steady_state_outputs(io::OutputDir& out, const dynamic::SteadyStateStudy& st);

nlohmann::json dynamic_path_json(const dynamic::TransitionStudy& st);
// path.csv, welfare.csv, welfare.svg, consumption.svg.
void add_dynamic_path_outputs(io::OutputDir& out, const dynamic::TransitionStudy& st);

// The parameters of a config as the manifests record them.
nlohmann::json dynamic_parameters_json(const dynamic::Config& c);

}  // namespace hat::reports
