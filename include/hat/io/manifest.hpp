// Run manifests: what was run, on what inputs, by which build, with how many threads, how long
// it took and what the solvers reported. Written as manifest.json beside every run's outputs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "hat/core/status.hpp"

namespace hat::io {

// Base manifest: command, version, git commit, threads, timestamp (UTC).
nlohmann::json manifest(const std::string& command);
// Adds an input file (path and its full text) under "inputs".
void manifest_add_input(nlohmann::json& m, const std::string& path, const std::string& text);
nlohmann::json to_json(const SolverReport& r);
// `j` without its timings (keys "seconds" and "*_seconds", at any depth): summary.json files
// carry results only, so that a run's outputs are identical for any thread count; timings
// stay in manifest.json.
nlohmann::json without_timings(nlohmann::json j);

}  // namespace hat::io
