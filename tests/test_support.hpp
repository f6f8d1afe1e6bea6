// Helpers shared by the tests: locating the shared data sets and running the hat binary.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace hat::test {

// Directory holding ek2002/ and ek2002-raw/: $HAT_DATA_DIR, else ../shared/data beside the
// checkout. Empty if absent.
inline std::string data_dir() {
  if (const char* env = std::getenv("HAT_DATA_DIR"); env && *env) return env;
  std::filesystem::path p = std::filesystem::path(HAT_SOURCE_DIR) / ".." / "shared" / "data";
  if (std::filesystem::exists(p / "ek2002")) return std::filesystem::canonical(p).string();
  return {};
}

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && *ci && std::string(ci) != "0" && std::string(ci) != "false";
}

// Runs a shell command, returns its exit status; stdout goes to `out` if given.
inline int run(const std::string& cmd, std::string* out = nullptr) {
  std::string full =
      cmd + (out ? "" : " >/dev/null") + " 2>/tmp/hat_test_stderr_" + std::to_string(::getpid());
  FILE* p = popen(full.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    if (out) out->append(buf, n);
  int rc = pclose(p);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

inline std::string last_stderr() {
  std::string path = "/tmp/hat_test_stderr_" + std::to_string(::getpid());
  FILE* f = fopen(path.c_str(), "r");
  if (!f) return {};
  std::string s;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  fclose(f);
  return s;
}

// A path in the temporary directory, unique to this test process.
inline std::string tmp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("hat_test_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

// Writes `text` to tmp_path(name) and returns the path.
inline std::string write_tmp(const std::string& name, const std::string& text) {
  const std::string p = tmp_path(name);
  if (FILE* f = std::fopen(p.c_str(), "w")) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  return p;
}

// The whole text of a file ("" when it cannot be read).
inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `text` to `path`.
inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// A fresh, empty directory tmp_path(name) (removed first if it exists).
inline std::string scratch_dir(const std::string& name) {
  const std::filesystem::path p = tmp_path(name);
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

// A small symmetric two-country world config (Na = 40) for command-line tests.
inline constexpr const char* kTwoCountryWorld = R"(
[model]
gamma = 1.5
beta = 0.92
sigma_eps = 0.25
[grid]
assets = 40
[countries]
names = ["AAA", "BBB"]
labor = [1.0, 1.0]
tfp = [1.0, 1.0]
[trade_costs]
matrix = [[1.0, 1.745], [1.745, 1.0]]
[equilibrium]
R = 1.01
wages = [1.0, 1.0]
)";

inline std::string hat_binary() {
  return HAT_BINARY;
}
inline std::string source_dir() {
  return HAT_SOURCE_DIR;
}

// Starts the hat binary with `args` (stdout and stderr to /dev/null), sends `sig` after
// `delay` seconds and returns the wait status (-1 if it could not start).
inline int run_and_signal(const std::vector<std::string>& args, int sig, double delay) {
  std::vector<std::string> a = args;
  a.insert(a.begin(), hat_binary());
  std::vector<char*> argv;
  for (auto& s : a) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  std::this_thread::sleep_for(std::chrono::duration<double>(delay));
  ::kill(pid, sig);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

}  // namespace hat::test

// Skips (outside CI) or fails (in CI) when the EK data directory is missing.
#define HAT_REQUIRE_DATA(var)                                                        \
  const std::string var = ::hat::test::data_dir();                                   \
  if (var.empty()) {                                                                 \
    if (::hat::test::in_ci())                                                        \
      FAIL() << "EK data not found: set HAT_DATA_DIR or provide ../shared/data";     \
    GTEST_SKIP() << "EK data not found (../shared/data or $HAT_DATA_DIR); skipping"; \
  }
