// The command-line contract for solves that stop unconverged (docs/cli.md, "Exit status"): the
// command writes its outputs as far as computed, the manifest's status is the solver's
// (to_string(SolverStatus), here "iteration_limit") and the exit status is 3. Each case is
// forced with a tiny iteration cap on a two-country model, so each run takes well under a
// second.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/dynamic_fixture.hpp"
#include "manifest_checks.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using hat::test::hat_binary;
using hat::test::run;
using hat::test::tmp_path;
using nlohmann::json;

namespace {

const std::string kDynamic = hat::test::dynamic_two_country(40);

json manifest_of(const fs::path& out) {
  std::ifstream in(out / "manifest.json");
  EXPECT_TRUE(in.good()) << out;
  return in.good() ? json::parse(in) : json::object();
}

// Runs `args` (a hat command line without --out) into a fresh directory and checks the
// contract of an unconverged run: exit 3, status `status` in the manifest, `main_csv` written
// and listed in the manifest's files. Returns the manifest.
json expect_marked_run(const std::string& name, const std::string& args, const std::string& status,
                       const std::string& main_csv) {
  SCOPED_TRACE(name);
  const fs::path out = tmp_path("not_converged_" + name);
  fs::remove_all(out);
  EXPECT_EQ(run(hat_binary() + " " + args + " --quiet --out " + out.string()), 3)
      << hat::test::last_stderr();
  const json m = manifest_of(out);
  EXPECT_EQ(m.value("status", ""), status) << m.dump(1);
  hat::test::expect_manifest_vocabulary(m, name);
  EXPECT_TRUE(fs::exists(out / main_csv)) << main_csv;
  bool listed = false;
  for (const auto& f : m.value("files", json::array()))
    if (f.is_object() && f.value("name", "") == main_csv) listed = true;
  EXPECT_TRUE(listed) << main_csv << " not in the manifest's files";
  fs::remove_all(out);
  return m;
}

std::string dynamic_config(const std::string& name, const std::string& extra) {
  return hat::test::write_tmp("not_converged_" + name + ".toml", kDynamic + extra);
}

}  // namespace

// A transition stopped by the sweep cap writes the path as far as computed.
TEST(CliNotConverged, DynamicTransitionSweepCap) {
  const std::string cfg = dynamic_config("dyn_sweeps", "max_sweeps = 1\n");
  const json m = expect_marked_run("dyn_transition", "dynamic transition " + cfg, "iteration_limit",
                                   "path.csv");
  EXPECT_EQ(m["solvers"]["transition"]["status"], "iteration_limit");
  EXPECT_EQ(m["solvers"]["steady_state_before"]["status"], "converged");
}

// A steady state stopped by its evaluation cap is written with its last iterate, in each of
// the three commands that solve one.
TEST(CliNotConverged, DynamicSteadyStateEvaluationCap) {
  const std::string cap = "[steady_state]\nmax_evaluations = 1\n";
  const std::string cfg = dynamic_config("dyn_ss", cap);
  json m = expect_marked_run("dyn_steady_state", "dynamic steady-state " + cfg, "iteration_limit",
                             "dynamic_countries.csv");
  EXPECT_EQ(m["solvers"]["steady_state"]["status"], "iteration_limit");
  m = expect_marked_run("dyn_gft", "dynamic gft " + cfg, "iteration_limit", "gains.csv");
  EXPECT_EQ(m["solvers"]["steady_state"]["status"], "iteration_limit");
  m = expect_marked_run("dyn_transition_ss", "dynamic transition " + cfg, "iteration_limit",
                        "path.csv");
  EXPECT_EQ(m["solvers"]["steady_state_before"]["status"], "iteration_limit");
}

// A converged run of the same config exits 0 (the cap, not the model, makes the runs above
// stop).
TEST(CliNotConverged, SameConfigWithoutCapConverges) {
  const fs::path out = tmp_path("not_converged_control");
  fs::remove_all(out);
  EXPECT_EQ(run(hat_binary() + " dynamic transition " + dynamic_config("dyn_ok", "") +
                " --quiet --out " + out.string()),
            0)
      << hat::test::last_stderr();
  EXPECT_EQ(manifest_of(out)["status"], "converged");
  fs::remove_all(out);
}

// `hat transition` whose baseline equilibrium stops at the evaluation cap writes the baseline's
// tables (baseline_*.csv), marked, and no path.
TEST(CliNotConverged, TransitionBaselineEvaluationCap) {
  const std::string world =
      hat::test::write_tmp("not_converged_world.toml", std::string(hat::test::kTwoCountryWorld) +
                                                           "[solver]\nmax_evaluations = 1\n");
  const json m = expect_marked_run(
      "transition", "transition " + world + " --shock importer=AAA,exporter=BBB,factor=0.9",
      "iteration_limit", "baseline_prices.csv");
  EXPECT_EQ(m["solvers"]["baseline"]["status"], "iteration_limit");
  EXPECT_FALSE(m["solvers"].contains("transition"));
  std::string out;  // --json without --out: the status on stdout, exit 3 as well
  EXPECT_EQ(run(hat_binary() + " transition " + world +
                    " --shock importer=AAA,exporter=BBB,factor=0.9 --quiet --json",
                &out),
            3);
  EXPECT_EQ(json::parse(out).value("status", ""), "iteration_limit") << out;
}
