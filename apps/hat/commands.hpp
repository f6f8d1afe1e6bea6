// Registration of the hat subcommands (one file per subcommand in apps/hat/).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace hat::cli {

// The options every command shares, with one meaning: --out DIR (tables, figures, manifest),
// --json (summary on stdout), --quiet (no progress on stderr), --threads N.
void add_run_options(CLI::App* sub, std::string& out, bool& json, bool& quiet, int& threads);
// The positional config file every command that reads one takes: required, and an existing
// file (a missing one is bad input, exit 2, like a malformed one).
void add_config_argument(CLI::App* sub, std::string& config, const std::string& help);
// --policies writes the world's policies.csv (off by default: one row per country, income state,
// asset point and variety, so it grows like countries squared: 46 MB for the 19-country example,
// gigabytes at 150 countries); --no-policies, the default, is kept for existing scripts.
void add_policies_flags(CLI::App* sub, bool& policies);

void register_household(CLI::App& app);
void register_world(CLI::App& app);
void register_elasticity(CLI::App& app);
void register_planner(CLI::App& app);
void register_calibrate(CLI::App& app);
void register_gravity(CLI::App& app);
void register_ek(CLI::App& app);
void register_counterfactual(CLI::App& app);
void register_dynamic(CLI::App& app);
void register_transition(CLI::App& app);
void register_replicate(CLI::App& app);
void register_synth(CLI::App& app);

}  // namespace hat::cli
