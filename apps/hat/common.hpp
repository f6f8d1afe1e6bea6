// Conventions shared by the subcommands: thread setting, progress on stderr, JSON on stdout.
#pragma once

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>

#include "hat/core/error.hpp"
#include "hat/data/ek_data.hpp"

namespace hat::cli {

// Sets the OpenMP thread count (0 = leave the runtime default / OMP_NUM_THREADS).
void set_threads(int threads);
// Exit status of the run (0 unless a command sets it, e.g. 3 for a solver that did not
// converge: outputs are still written, with the status recorded in the manifest).
int& exit_status();
// For a run that fails numerically (NumericalError, exit 3) before it has results: writes
// OUT/manifest.json with "status": "failed" and the message, so that an exit-3 run always
// leaves its outputs marked. No-op when `out` is empty.
void write_failed_run(const std::string& out, const std::string& command, const std::string& config,
                      const std::string& message);
// Runs `f`; on a NumericalError writes the failed-run manifest, then rethrows.
template <typename F>
void marking_failure(const std::string& out, const std::string& command, const std::string& config,
                     F&& f) {
  try {
    f();
  } catch (const NumericalError& e) {
    write_failed_run(out, command, config, e.what());
    throw;
  }
}
// The data directory of a command: its --data `option` if given, else $HAT_DATA_DIR (the one
// place the command line reads it; docs/cli.md: --data over $HAT_DATA_DIR over [data] dir),
// else none. Errors name the source ("--data" or "HAT_DATA_DIR").
data::DataDirArg data_dir_arg(const std::string& option = "");
// One JSON object on stdout, followed by a newline.
void print_json(const nlohmann::json& j);
// True once any command's --quiet was given: progress() then prints nothing.
bool& quiet_progress();
// A progress line on stderr ("[hat] ..."), unless --quiet.
template <typename... Args>
void progress(fmt::format_string<Args...> f, Args&&... args) {
  if (quiet_progress()) return;
  fmt::print(stderr, "[hat] {}\n", fmt::format(f, std::forward<Args>(args)...));
}
// A warning or a notice the user must see ("[hat] warning: ..."), printed even with --quiet
// (the manifest and --json carry the warnings as well).
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) {
  fmt::print(stderr, "[hat] {}\n", fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace hat::cli
