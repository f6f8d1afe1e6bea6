// Conventions shared by the subcommands: thread setting, progress on stderr, JSON on stdout.
#pragma once

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>

namespace hat::cli {

// Sets the OpenMP thread count (0 = leave the runtime default / OMP_NUM_THREADS).
void set_threads(int threads);
// Exit status of the run (0 unless a command sets it, e.g. 3 for a solver that did not
// converge: outputs are still written, with the status recorded in the manifest).
int& exit_status();
// One JSON object on stdout, followed by a newline.
void print_json(const nlohmann::json& j);
// A progress line on stderr, prefixed with the elapsed wall time.
template <typename... Args>
void progress(fmt::format_string<Args...> f, Args&&... args) {
  fmt::print(stderr, "[hat] {}\n", fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace hat::cli
