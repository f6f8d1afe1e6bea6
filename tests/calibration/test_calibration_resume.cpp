// Interruption and resume of `hat calibrate` (issue 18): SIGINT and SIGKILL at seeded random
// moments leave a valid checkpoint, and --resume reaches outputs byte-identical to an
// uninterrupted run, because the checkpoint holds the solver's complete state (Powell's method,
// its trust region and Jacobian, the household solutions that warm-start the next
// evaluation). A coarse grid (10 asset points) of the EK data keeps each run a few seconds.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "hat/calibration/study.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace hat;

namespace {

// These tests need the EK data and fail (not skip) without them.
#define HAT_NEED_DATA(var)                         \
  const std::string var = ::hat::test::data_dir(); \
  ASSERT_FALSE(var.empty()) << "EK data not found: set HAT_DATA_DIR or provide ../shared/data"

std::string small_config(const std::string& dir) {
  return hat::test::write_tmp(
      "resume.toml", "[data]\ndir = \"" + dir +
                         "\"\n[model]\ngamma = 1.0\nsigma_eps = 0.25\nbeta = 0.93\n[grid]\n"
                         "assets = 10\n[equilibrium]\nunknown = \"beta\"\nR = 1.01\n");
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every output of `a` except the manifest (timings) and the checkpoint equals `b`'s, byte for
// byte; returns the number of files compared.
int expect_same_outputs(const fs::path& a, const fs::path& b) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(a)) {
    const std::string name = e.path().filename().string();
    if (name == "manifest.json" || name.rfind("checkpoint", 0) == 0) continue;
    EXPECT_TRUE(fs::exists(b / name)) << name;
    EXPECT_TRUE(slurp(e.path()) == slurp(b / name)) << name << " differs after resume";
    ++n;
  }
  return n;
}

// The checkpoint is complete: checkpoint.json parses and names a state file of its size.
void expect_valid_checkpoint(const fs::path& out) {
  const fs::path js = out / "checkpoint.json";
  ASSERT_TRUE(fs::exists(js));
  const auto j = nlohmann::json::parse(slurp(js), nullptr, false);
  ASSERT_TRUE(j.is_object()) << slurp(js);
  ASSERT_TRUE(j.contains("state"));
  const fs::path state = out / j["state"].get<std::string>();
  ASSERT_TRUE(fs::exists(state));
  EXPECT_EQ(fs::file_size(state), j["state_bytes"].get<std::uintmax_t>());
}

// Starts `hat calibrate`, sends `sig` after `delay` seconds and returns the wait status.
int run_and_signal(const std::string& cfg, const fs::path& out, int sig, double delay) {
  return hat::test::run_and_signal(
      {"calibrate", cfg, "--quiet", "--no-policies", "--out", out.string()}, sig, delay);
}

struct FullRun {
  std::string cfg;
  fs::path dir;
  double seconds = 0;
};

// Interrupts a run with `sig` at a seeded random moment of the full run's duration, resumes
// it and compares the outputs with the full run's.
void interrupt_and_resume(const FullRun& full, int sig, unsigned seed) {
  std::mt19937 gen(seed);
  const double delay = std::uniform_real_distribution<double>(0.1, 0.9)(gen) * full.seconds;
  const fs::path out = hat::test::tmp_path("resume_" + std::to_string(sig));
  fs::remove_all(out);
  const int status = run_and_signal(full.cfg, out, sig, delay);
  const std::string how =
      WIFSIGNALED(status) ? "killed" : "exit " + std::to_string(WEXITSTATUS(status));
  if (sig == SIGKILL && WIFSIGNALED(status)) {
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
  }
  if (sig == SIGINT && WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    EXPECT_EQ(WEXITSTATUS(status), 130);
  }
  expect_valid_checkpoint(out);
  const auto j = nlohmann::json::parse(slurp(out / "checkpoint.json"));
  std::printf("%s after %.2f s of a %.2f s run: %s, checkpoint at evaluation %d\n",
              sig == SIGINT ? "SIGINT" : "SIGKILL", delay, full.seconds, how.c_str(),
              j["evaluations"].get<int>());
  ASSERT_EQ(hat::test::run(hat::test::hat_binary() + " calibrate " + full.cfg +
                           " --quiet --no-policies --resume --out " + out.string()),
            0)
      << hat::test::last_stderr();
  EXPECT_GE(expect_same_outputs(full.dir, out), 10);
  fs::remove_all(out);
}

// One test (one uninterrupted run) for SIGINT, SIGKILL and an evaluation cap: a run stopped by
// its cap (exit 3) resumes under the config's cap to the same bytes as the uninterrupted run
// (the cap of the resumed run applies from the checkpoint on).
TEST(CalibrationResume, InterruptedRunsResumeBitIdentically) {
  HAT_NEED_DATA(dir);
  FullRun full;
  full.cfg = small_config(dir);
  full.dir = hat::test::tmp_path("resume_full");
  fs::remove_all(full.dir);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(hat::test::run(hat::test::hat_binary() + " calibrate " + full.cfg +
                           " --quiet --no-policies --out " + full.dir.string()),
            0)
      << hat::test::last_stderr();
  full.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  interrupt_and_resume(full, SIGINT, 18);
  interrupt_and_resume(full, SIGKILL, 1418);

  const fs::path out = hat::test::tmp_path("resume_cap");
  fs::remove_all(out);
  EXPECT_EQ(hat::test::run(hat::test::hat_binary() + " calibrate " + full.cfg +
                           " --quiet --no-policies --max-evaluations 12 --out " + out.string()),
            3);
  expect_valid_checkpoint(out);
  ASSERT_EQ(hat::test::run(hat::test::hat_binary() + " calibrate " + full.cfg +
                           " --quiet --no-policies --resume --out " + out.string()),
            0)
      << hat::test::last_stderr();
  EXPECT_GE(expect_same_outputs(full.dir, out), 10);
  fs::remove_all(out);
  fs::remove_all(full.dir);
}

// The checkpoints seen by a calibration of at most `cap` evaluations with checkpoint_every = n.
std::vector<int> checkpoints(const std::string& dir, int cap, int every, int& evaluations,
                             std::vector<int>* stages = nullptr) {
  io::ConfigFile file = io::ConfigFile::load(small_config(dir));
  calibration::CalibrationSetup setup = calibration::read_calibration_setup(file);
  setup.max_evaluations = cap;
  setup.checkpoint_every = every;
  std::vector<int> seen;
  setup.on_checkpoint = [&](const calibration::CalibrationCheckpoint& c) {
    seen.push_back(c.evaluations);
    if (stages) stages->push_back(c.stage);
    EXPECT_EQ(c.x.size(), c.start.size());
  };
  evaluations = calibration::calibrate(setup).evaluations;
  return seen;
}

// The checkpoint exists before the first evaluation and advances with every step (at most two
// evaluations apart: a step's evaluation and its full-tolerance repeat).
TEST(CalibrationCheckpoints, WrittenFirstAndAfterEveryStep) {
  HAT_NEED_DATA(dir);
  int evaluations = 0;
  const std::vector<int> seen = checkpoints(dir, 10, 1, evaluations);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), 0);
  for (size_t k = 1; k < seen.size(); ++k) {
    EXPECT_GE(seen[k], seen[k - 1]);
    EXPECT_LE(seen[k] - seen[k - 1], 2) << "checkpoint " << k;
  }
  EXPECT_GE(seen.back(), evaluations - 2);
}

// With checkpoint_every = 4 (the CLI's [calibration] checkpoint_every, default 20), the first
// checkpoint is still before the first evaluation, and the next ones follow the first step that
// ends at least 4 evaluations after the last (so 4 to 6 apart), except that the joint stage
// starts with one.
TEST(CalibrationCheckpoints, EveryFewEvaluations) {
  HAT_NEED_DATA(dir);
  int evaluations = 0;
  std::vector<int> stages;
  const std::vector<int> seen = checkpoints(dir, 20, 4, evaluations, &stages);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen.front(), 0);
  for (size_t k = 1; k < seen.size(); ++k) {
    if (stages[k] != stages[k - 1]) continue;
    EXPECT_GE(seen[k] - seen[k - 1], 4) << "checkpoint " << k;
    EXPECT_LE(seen[k] - seen[k - 1], 6) << "checkpoint " << k;
  }
  EXPECT_GE(seen.back(), evaluations - 6);
}

}  // namespace
