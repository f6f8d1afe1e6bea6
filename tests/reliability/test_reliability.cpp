// Reliability under hostile input: exceptions inside parallel loops reach the caller, and the
// reproducers of issue #18 (one key of a shipped example changed) end in exit 2 (bad input,
// one line) or 3 (solver did not converge, outputs marked), never a signal.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "hat/core/parallel.hpp"
#include "hat/household/config.hpp"
#include "hat/io/config.hpp"
#include "output_checks.hpp"
#include "test_support.hpp"
#include "world_fixtures.hpp"

namespace fs = std::filesystem;
using hat::test::has_nonfinite_text;
using hat::test::hat_binary;
using hat::test::read_text;
using hat::test::run;

namespace {

// The shipped example with the first line matching `line` (an ECMAScript regex, multiline
// anchors) replaced by `replacement`, written beside the other test files.
std::string mutated_example(const std::string& example, const std::string& line,
                            const std::string& replacement, const std::string& tag) {
  const std::string text = read_text(fs::path(hat::test::source_dir()) / "examples" / example);
  std::smatch m;
  const std::regex re(line, std::regex::multiline);
  if (!std::regex_search(text, m, re)) throw std::runtime_error(example + ": no line " + line);
  const std::string out = text.substr(0, m.position(0)) + replacement + m.suffix().str();
  return hat::test::write_tmp(tag + ".toml", out);
}

// Lines of stderr besides "[hat] " progress lines (which a slow run may print, e.g. under a
// sanitizer).
int count_lines(const std::string& s) {
  int n = 0;
  size_t start = 0;
  for (size_t k = 0; k < s.size(); ++k)
    if (s[k] == '\n') {
      n += s.compare(start, 6, "[hat] ") != 0;
      start = k + 1;
    }
  return n;
}

}  // namespace

TEST(ParallelErrors, LowestIndexIsRethrownOnTheCallingThread) {
  hat::ParallelErrors errors;
  std::vector<int> done(64, 0);
#pragma omp parallel for schedule(dynamic, 1)
  for (int i = 0; i < 64; ++i)
    errors.run(i, [&] {
      if (i % 10 == 7) throw std::runtime_error("index " + std::to_string(i));
      done[i] = 1;
    });
  ASSERT_TRUE(errors.failed());
  try {
    errors.rethrow();
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "index 7");  // the lowest failing index, whatever the schedule
  }
  int n = 0;
  for (int d : done) n += d;
  EXPECT_EQ(n, 64 - 6);  // the other iterations still ran
  hat::ParallelErrors none;
  none.run(0, [] {});
  EXPECT_FALSE(none.failed());
  EXPECT_NO_THROW(none.rethrow());
}

// Issue #18: each of these ended in `terminate called after throwing an instance of
// 'hat::InputError'` (an exception escaping the parallel household solves).
TEST(Reliability, WorldReproducersExitTwoOrThree) {
  struct Case {
    const char* line;
    const char* replacement;
    bool may_converge = false;  // a start far from the equilibrium that the solve now reaches
  };
  // R = 1e-6: R's softplus coordinate (world/world.hpp, RateCoordinate) maps it to a point the
  // solve converges from.
  const Case cases[] = {{"^beta = 0\\.92.*$", "beta = 0.5"},
                        {"^tfp = .*$", "tfp = [1e6, 1.0]"},
                        {"^R = 1\\.01.*$", "R = 1e6"},
                        {"^R = 1\\.01.*$", "R = 1e-6", true},
                        {"^wages = .*$", "wages = [1e-300, 1.0]"},
                        {"^threads = 0.*$", "threads = 0\nfd_step = 10.0"}};
  int k = 0;
  for (const Case& c : cases) {
    const std::string cfg =
        mutated_example("two_country.toml", c.line, c.replacement, "rel_world" + std::to_string(k));
    const std::string out = hat::test::tmp_path("rel_world_out" + std::to_string(k++));
    fs::remove_all(out);
    const int rc = run(hat_binary() + " solve " + cfg + " --quiet --out " + out);
    const std::string err = hat::test::last_stderr();
    EXPECT_TRUE(rc == 2 || rc == 3 || (rc == 0 && c.may_converge))
        << c.replacement << ": exit " << rc << "\n"
        << err;
    if (rc == 0) {
      auto man = nlohmann::json::parse(std::ifstream(fs::path(out) / "manifest.json"));
      EXPECT_EQ(man["status"], "converged") << c.replacement;
    }
    if (rc == 2) {
      EXPECT_EQ(count_lines(err), 1) << err;
      EXPECT_NE(err.find(cfg), std::string::npos) << err;  // names the file
      EXPECT_FALSE(fs::exists(out));
    }
    if (rc == 3) {  // outputs written and marked
      auto man = nlohmann::json::parse(std::ifstream(fs::path(out) / "manifest.json"));
      EXPECT_NE(man["status"], "converged") << c.replacement;
    }
    fs::remove_all(out);
    fs::remove(cfg);
  }
}

// Issue #18: gamma = 0.01 segfaulted while writing the (empty) policies of a failed solve;
// gamma = 1e-3 and extreme prices terminated; beta = 1e-6 and tau = 1e300 wrote NaN/inf.
TEST(Reliability, HouseholdReproducersFailCleanlyAndWriteNoNonFiniteNumbers) {
  struct Case {
    const char* line;
    const char* replacement;
    int expected;  // 0: any of 0 and 3
  };
  const Case cases[] = {{"^gamma = 1\\.45.*$", "gamma = 0.01", 3},
                        {"^gamma = 1\\.45.*$", "gamma = 1e-3", 3},
                        {"^prices = \\[1\\.0, 1\\.2,", "prices = [1e-300, 1e300,", 3},
                        {"^beta = 0\\.92.*$", "beta = 1e-6", 0},
                        {"^beta = 0\\.92.*$", "beta = 1e-308", 0},
                        {"^W = 1\\.0.*$", "W = 1.0\ntau = 1e300", 0}};
  int k = 0;
  for (const Case& c : cases) {
    const std::string cfg =
        mutated_example("household.toml", c.line, c.replacement, "rel_hh" + std::to_string(k));
    const fs::path out = hat::test::tmp_path("rel_hh_out" + std::to_string(k++));
    fs::remove_all(out);
    const int rc = run(hat_binary() + " household " + cfg + " --out " + out.string());
    if (c.expected == 3)
      EXPECT_EQ(rc, 3) << c.replacement << "\n" << hat::test::last_stderr();
    else
      EXPECT_TRUE(rc == 0 || rc == 3) << c.replacement << ": exit " << rc;
    ASSERT_TRUE(fs::exists(out / "manifest.json")) << c.replacement;
    auto man = nlohmann::json::parse(std::ifstream(out / "manifest.json"));
    EXPECT_EQ(man["status"] == "converged", rc == 0) << c.replacement;
    if (rc == 3 && man["status"] == "failed") {
      EXPECT_FALSE(fs::exists(out / "household_policies.csv"));
    }
    EXPECT_FALSE(has_nonfinite_text(out)) << c.replacement;
    fs::remove_all(out);
    fs::remove(cfg);
  }
}

// Issue #18: command-line errors exited 104-106 (CLI11's codes) or 4 with several lines, and
// out-of-range numbers were narrowed (4294967297 threads became 1) or ignored (-1, 0, -5).
TEST(Reliability, CommandLineErrorsAreBadInputOnOneLine) {
  const std::string ex = hat::test::source_dir() + "/examples/";
  const std::string out = hat::test::tmp_path("rel_cli_out");
  struct Case {
    std::string args, expect;
  };
  const Case cases[] = {
      {"household " + ex + "no_such_file.toml", "no_such_file.toml"},
      {"frobnicate", "unknown command 'frobnicate'"},
      {"household " + ex + "household.toml --threads abc", "--threads"},
      {"household " + ex + "household.toml --threads -1", "--threads"},
      {"solve " + ex + "two_country.toml --threads 4294967297", "--threads"},
      {"calibrate " + ex + "ek19_baseline.toml --out " + out + " --max-evaluations 0",
       "--max-evaluations"},
      {"calibrate " + ex + "ek19_baseline.toml --out " + out + " --max-evaluations -5",
       "--max-evaluations"},
      {"household " + ex + "household.toml --out /proc/hat_cannot_write_here", "/proc/"},
      {"household " + ex + "household.toml --no-such-option", "--no-such-option"}};
  for (const Case& c : cases) {
    EXPECT_EQ(run(hat_binary() + " " + c.args), 2) << c.args;
    const std::string err = hat::test::last_stderr();
    EXPECT_EQ(count_lines(err), 1) << c.args << "\n" << err;
    EXPECT_NE(err.find(c.expect), std::string::npos) << c.args << "\n" << err;
  }
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(run(hat_binary() + " --version"), 0);
  EXPECT_EQ(run(hat_binary() + " household --help"), 0);
}

// Legal but unreasonable sizes fail at once with the limit and the reason (they ran out of
// memory, or for more than a minute, before); integers are range-checked before narrowing.
TEST(Reliability, UnreasonableSizesAreRejectedWithTheLimitAndTheReason) {
  struct Case {
    const char* example;
    const char* line;
    const char* replacement;
    const char* expect;
  };
  const Case cases[] = {
      {"household.toml", "^assets = 100.*$", "assets = 4294967396",
       "assets: must be between 2 and"},
      {"household.toml", "^assets = 100.*$", "assets = 100000", "memory"},
      {"household.toml", "^tolerance", "howard_steps = 1000000\ntolerance", "howard_steps"},
      {"household.toml", "^tolerance", "anderson_depth = 100000\ntolerance", "anderson_depth"},
      {"household.toml", "^tolerance", "max_iterations = 0\ntolerance", "max_iterations"},
      {"household.toml", "^persistent_states = 5", "persistent_states = 4294967301",
       "persistent_states"},
      {"household.toml", "^assets = 100.*$", "assets = 15000", "cells"},
      {"two_country.toml", "^threads = 0.*$", "threads = 4294967297", "[solver] threads"},
      {"two_country.toml", "^threads = 0.*$", "max_evaluations = -5", "max_evaluations"},
      {"two_country.toml", "^assets = 100", "assets = 4294967396", "[grid] assets"},
      {"dynamic_krugman.toml", "^names = .*$", "names = [\"USA\", \"USA\", \"CHN\", \"ROW\"]",
       "duplicate country name USA"}};
  int k = 0;
  for (const Case& c : cases) {
    const std::string cfg =
        mutated_example(c.example, c.line, c.replacement, "rel_lim" + std::to_string(k++));
    const std::string ex(c.example);
    const std::string cmd = ex == "household.toml"        ? " household "
                            : ex.rfind("dynamic", 0) == 0 ? " dynamic steady-state "
                                                          : " solve ";
    const std::string out = hat::test::tmp_path("rel_lim_out");
    EXPECT_EQ(run(hat_binary() + cmd + cfg + " --out " + out), 2) << c.replacement;
    EXPECT_FALSE(fs::exists(out));
    const std::string err = hat::test::last_stderr();
    EXPECT_EQ(count_lines(err), 1) << err;
    EXPECT_NE(err.find(c.expect), std::string::npos) << c.replacement << "\n" << err;
    fs::remove(cfg);
  }
  // 101 varieties: over the limit, with the reason.
  std::string prices = "prices = [1.0";
  for (int j = 1; j < 101; ++j) prices += ", 1.5";
  const std::string cfg =
      mutated_example("household.toml", "^prices = \\[[^\\]]*\\]", prices + "]", "rel_lim_m");
  EXPECT_EQ(run(hat_binary() + " household " + cfg), 2);
  EXPECT_NE(hat::test::last_stderr().find("at most 100 varieties"), std::string::npos)
      << hat::test::last_stderr();
  fs::remove(cfg);
}

// Issue #18: writing into an existing directory mixed old and new files, and a killed run left
// OUT.partial.PID behind. Now an existing directory is replaced as a whole and temporaries of
// dead processes are removed by the next run.
TEST(Reliability, OutputDirectoryIsReplacedAsAWholeAndStaleTemporariesRemoved) {
  const fs::path out = hat::test::tmp_path("rel_atomic_out");
  const fs::path parent = out.parent_path();
  const std::string name = out.filename().string();
  fs::remove_all(out);
  fs::create_directories(out);
  std::ofstream(out / "left_from_before.csv") << "x\n1\n";
  // A temporary of a process that no longer exists (above the largest pid Linux hands out).
  const fs::path stale = parent / ("." + name + ".partial.4194305");
  fs::create_directories(stale);
  std::ofstream(stale / "household_policies.csv") << "half";
  const std::string cfg = hat::test::source_dir() + "/examples/household.toml";
  ASSERT_EQ(run(hat_binary() + " household " + cfg + " --out " + out.string()), 0)
      << hat::test::last_stderr();
  EXPECT_FALSE(fs::exists(out / "left_from_before.csv"));
  EXPECT_TRUE(fs::exists(out / "manifest.json"));
  EXPECT_TRUE(fs::exists(out / "household_policies.csv"));
  EXPECT_FALSE(fs::exists(stale));
  for (const auto& e : fs::directory_iterator(parent))
    EXPECT_EQ(e.path().filename().string().rfind("." + name + ".", 0), std::string::npos)
        << "temporary left: " << e.path();
  // A run that fails on bad input leaves the previous directory as it was.
  const std::string bad =
      mutated_example("household.toml", "^gamma = 1\\.45.*$", "gamma = -1", "rel_atomic_bad");
  EXPECT_EQ(run(hat_binary() + " household " + bad + " --out " + out.string()), 2);
  EXPECT_TRUE(fs::exists(out / "household_policies.csv"));
  fs::remove(bad);
  fs::remove_all(out);
}

// Issue #18: elasticity and planner manifests said "converged" when their baseline did not;
// runs that failed before having results (dynamic models) wrote nothing.
TEST(Reliability, ExitThreeRunsLeaveOutputsMarkedNotConverged) {
  struct Case {
    const char* example;
    const char* line;
    const char* replacement;
    const char* command;
  };
  const Case cases[] = {
      {"two_country.toml", "^threads = 0.*$", "max_evaluations = 1",
       "elasticity --quiet --country HOME"},
      {"two_country.toml", "^threads = 0.*$", "max_evaluations = 1",
       "planner --quiet --country HOME"},
      {"dynamic_melitz.toml", "^sigma = 4\\.0.*$", "sigma = 1.000001", "dynamic steady-state"},
      {"dynamic_krugman.toml", "^chi = 1\\.0.*$", "chi = 1e6", "dynamic transition"}};
  int k = 0;
  for (const Case& c : cases) {
    const std::string cfg =
        mutated_example(c.example, c.line, c.replacement, "rel_mark" + std::to_string(k));
    const fs::path out = hat::test::tmp_path("rel_mark_out" + std::to_string(k++));
    fs::remove_all(out);
    const std::string cmd = std::string(c.command);
    const size_t sp = cmd.find(' ', cmd.rfind("dynamic", 0) == 0 ? 8 : 0);
    // hat <command> CONFIG [options]: the config goes right after the (sub)command name.
    const std::string head = sp == std::string::npos ? cmd : cmd.substr(0, sp);
    const std::string tail = sp == std::string::npos ? "" : cmd.substr(sp);
    EXPECT_EQ(run(hat_binary() + " " + head + " " + cfg + tail + " --out " + out.string()), 3)
        << c.command << "\n"
        << hat::test::last_stderr();
    ASSERT_TRUE(fs::exists(out / "manifest.json")) << c.command;
    const auto man = nlohmann::json::parse(std::ifstream(out / "manifest.json"));
    EXPECT_NE(man["status"], "converged") << c.command;
    fs::remove_all(out);
    fs::remove(cfg);
  }
}

// The Euler-error check costs refine x Na x M^2 x nnz(P): a 50 x 2 income chain with 19
// varieties took half a minute at refine 10. The refinement is lowered to keep it bounded.
TEST(Reliability, EulerErrorRefinementIsBoundedByItsCost) {
  auto refine = [](const std::string& assets, const std::string& persistent) {
    std::string text = read_text(fs::path(hat::test::source_dir()) / "examples" / "household.toml");
    text = std::regex_replace(text, std::regex("assets = 100 "), "assets = " + assets + " ",
                              std::regex_constants::format_first_only);
    text = std::regex_replace(text, std::regex("persistent_states = 5"),
                              "persistent_states = " + persistent,
                              std::regex_constants::format_first_only);
    // (No borrowing: long chains have very low income states.)
    text = std::regex_replace(text, std::regex("borrowing_limit = 0\\.5"), "borrowing_limit = 0.0");
    const auto f = hat::io::ConfigFile::parse(text, "household.toml");
    return hat::household::euler_error_refine(hat::household::read_household_config(f).problem);
  };
  // The example: 100 points, 19 varieties, 5 x 2 states with all 100 transitions positive:
  // 100 x 361 x 100 = 3.6e6 per unit of refinement, 10 affordable.
  EXPECT_EQ(refine("100", "5"), 10);
  // 50 x 2 states (1e4 transitions): 3.6e8 per unit, refine 1.
  EXPECT_EQ(refine("100", "50"), 1);
  // 40 x 2 states (6400 transitions) on 60 points: 1.4e8 per unit, refine 2.
  EXPECT_EQ(refine("60", "40"), 2);
  // 100 x 2 states on 200 points (4e4 transitions): 2.9e9 even at refine 1: skipped.
  EXPECT_EQ(refine("200", "100"), 0);
}

// Issue #18: a cap of 1 evaluation ran 8. The budget of residual evaluations is now exact
// (Jacobian columns are not residual evaluations), and a solve stopped by it never claims
// convergence.
TEST(Reliability, EvaluationCapIsExact) {
  const hat::world::World w = hat::test::symmetric_two(1.5, 1.745, 40);
  hat::world::EquilibriumOptions opt;
  const hat::world::Equilibrium full =
      hat::world::solve_equilibrium(w, hat::test::start_prices(2, 1.01), opt);
  ASSERT_TRUE(full.report.converged());
  ASSERT_GT(full.evaluations, 3);
  for (int cap = 1; cap < full.evaluations; ++cap) {
    opt.max_evaluations = cap;
    const hat::world::Equilibrium eq =
        hat::world::solve_equilibrium(w, hat::test::start_prices(2, 1.01), opt);
    EXPECT_LE(eq.evaluations, cap);
    // A claim of convergence is checked: the last evaluation of a budget is at full tolerance
    // and may end the solve one evaluation earlier than the uncapped one (which took an
    // inexact evaluation there); fewer never suffice.
    if (cap < full.evaluations - 1) {
      EXPECT_FALSE(eq.report.converged()) << cap;
    }
    if (eq.report.converged()) {
      EXPECT_LE(eq.report.residual, opt.tolerance) << cap;
    }
  }
}

// Every output file except manifest.json (which holds the timings and the thread count) is
// byte-identical for 1 and 2 threads.
TEST(Reliability, OutputsIdenticalForOneAndTwoThreads) {
  const std::string ex = hat::test::source_dir() + "/examples/";
  const std::string runs[] = {
      "household " + ex + "household.toml",
      "solve " + ex + "two_country.toml --quiet",
      "counterfactual " + ex +
          "two_country.toml --quiet --shock importer=HOME,exporter=FOREIGN,factor=0.9",
      "dynamic transition " + ex + "dynamic_krugman.toml",
      "residuals " + ex + "two_country.toml",
      "elasticity " + ex + "two_country.toml --country HOME --quiet",
      "planner " + ex + "two_country.toml --country HOME --quiet"};
  int k = 0;
  for (const std::string& r : runs) {
    fs::path out[2];
    for (int t = 0; t < 2; ++t) {
      out[t] = hat::test::tmp_path("rel_threads_" + std::to_string(k) + "_" + std::to_string(t));
      fs::remove_all(out[t]);
      ASSERT_EQ(run("OMP_NUM_THREADS=" + std::to_string(t + 1) + " " + hat_binary() + " " + r +
                    " --out " + out[t].string()),
                0)
          << r << "\n"
          << hat::test::last_stderr();
    }
    int compared = 0;
    for (const auto& e : fs::recursive_directory_iterator(out[0])) {
      if (!e.is_regular_file() || e.path().filename() == "manifest.json") continue;
      const fs::path other = out[1] / fs::relative(e.path(), out[0]);
      EXPECT_EQ(read_text(e.path()), read_text(other)) << r << ": " << other;
      ++compared;
    }
    EXPECT_GT(compared, 0) << r;
    fs::remove_all(out[0]);
    fs::remove_all(out[1]);
    ++k;
  }
}

// The calibration on a small grid (EK data): every output, the checkpoint included (its state
// holds no timings), byte-identical for 1 and 2 threads.
TEST(Reliability, CalibrationIdenticalForOneAndTwoThreads) {
  HAT_REQUIRE_DATA(dir);
  const std::string cfg = hat::test::write_tmp(
      "rel_threads_cal.toml", "[data]\ndir = \"" + dir +
                                  "\"\n[model]\ngamma = 1.0\nsigma_eps = 0.25\nbeta = 0.93\n"
                                  "[grid]\nassets = 20\n[equilibrium]\nunknown = \"beta\"\n"
                                  "R = 1.01\n");
  fs::path out[2];
  for (int t = 0; t < 2; ++t) {
    out[t] = hat::test::tmp_path("rel_threads_cal_" + std::to_string(t));
    fs::remove_all(out[t]);
    ASSERT_EQ(run("OMP_NUM_THREADS=" + std::to_string(t + 1) + " " + hat_binary() + " calibrate " +
                  cfg + " --quiet --out " + out[t].string()),
              0)
        << hat::test::last_stderr();
  }
  int compared = 0;
  for (const auto& e : fs::recursive_directory_iterator(out[0])) {
    if (!e.is_regular_file() || e.path().filename() == "manifest.json") continue;
    EXPECT_EQ(read_text(e.path()), read_text(out[1] / fs::relative(e.path(), out[0])))
        << e.path().filename();
    ++compared;
  }
  EXPECT_GT(compared, 10);
  fs::remove_all(out[0]);
  fs::remove_all(out[1]);
}

// Issue #18: --resume accepted another config's checkpoint silently.
TEST(Reliability, ResumeRefusesAnotherConfigsCheckpoint) {
  HAT_REQUIRE_DATA(dir);
  const std::string cfg = hat::test::write_tmp(
      "rel_resume.toml", "[data]\ndir = \"" + dir +
                             "\"\n[model]\ngamma = 1.0\nsigma_eps = 0.25\nbeta = 0.93\n[grid]\n"
                             "assets = 20\n[equilibrium]\nunknown = \"beta\"\nR = 1.01\n");
  const fs::path out = hat::test::tmp_path("rel_resume_out");
  fs::remove_all(out);
  fs::create_directories(out);
  std::ofstream(out / "checkpoint.json")
      << R"({"program": "hat calibrate", "config": "other.toml", "config_fingerprint": "0", "x": [0]})";
  EXPECT_EQ(run(hat_binary() + " calibrate " + cfg + " --quiet --resume --out " + out.string()), 2);
  const std::string err = hat::test::last_stderr();
  EXPECT_NE(err.find("written for another config"), std::string::npos) << err;
  EXPECT_EQ(count_lines(err), 1) << err;
  fs::remove_all(out);
  fs::remove(cfg);
}
