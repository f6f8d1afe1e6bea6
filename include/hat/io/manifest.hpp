// Run manifests: what was run, on what inputs, by which build, with how many threads, how long
// it took and what the solvers reported. Written as manifest.json beside every run's outputs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hat/core/status.hpp"
#include "hat/io/output.hpp"

namespace hat::io {

// Version of the output layout: the manifest's common keys and the CSV columns of
// docs/columns.md; raised when a key or column changes name or meaning (2: every integer index
// column is 1-based and named `<name>_1`; 3: one status vocabulary, `solvers` always named
// reports, every timing named `*_seconds`).
inline constexpr int kManifestSchemaVersion = 3;

// The command line of this process (recorded as "argv" in every manifest); set once by main().
void set_command_line(int argc, const char* const* argv);

// Base manifest: command, version, git commit, threads, timestamp (UTC), argv, schema_version.
nlohmann::json manifest(const std::string& command);
// Adds an input file (path, its full text, bytes and SHA-256) under "inputs".
void manifest_add_input(nlohmann::json& m, const std::string& path, const std::string& text);
// The keys every manifest has, whatever command wrote it (docs/cli.md, "Manifests"):
// schema_version, command, version, argv, status, solvers, timings, inputs (each with sha256)
// and files (each output file with bytes and sha256). Fills what a command left out: "solver"
// becomes "solvers", a top-level "seconds" becomes timings.total_seconds, a missing status is
// taken from the solvers (the first that did not converge, else "converged"; "ok" for runs
// with no iterative solver), and `files` lists `outputs` (name, content) except the manifest.
void complete_manifest(nlohmann::json& m,
                       const std::vector<std::pair<std::string, std::string_view>>& outputs);
nlohmann::json to_json(const SolverReport& r);
// `j` without its timings (keys "seconds" and "*_seconds", at any depth): summary.json files
// carry results only, so that a run's outputs are identical for any thread count; timings
// stay in manifest.json.
nlohmann::json without_timings(nlohmann::json j);
// The closing files of a run: `summary` as the manifest's "summary" and, without its timings
// (and without a "timings" object), as summary.json; then `manifest` as manifest.json (its
// file list is completed by OutputDir::commit).
void add_summary_and_manifest(OutputDir& out, nlohmann::json manifest,
                              const nlohmann::json& summary);

}  // namespace hat::io
