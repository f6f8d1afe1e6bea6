// Conventions shared by the subcommands: thread setting, progress on stderr, JSON on stdout.
#pragma once

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <string>

namespace hat::cli {

// Sets the OpenMP thread count (0 = leave the runtime default / OMP_NUM_THREADS).
void set_threads(int threads);
// One JSON object on stdout, followed by a newline.
void print_json(const nlohmann::json& j);
// A progress line on stderr, prefixed with the elapsed wall time.
template <typename... Args>
void progress(fmt::format_string<Args...> f, Args&&... args) {
  fmt::print(stderr, "[hat] {}\n", fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace hat::cli
