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
#include "test_support.hpp"

namespace fs = std::filesystem;
using hat::test::hat_binary;
using hat::test::run;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

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

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
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
  };
  const Case cases[] = {{"^beta = 0\\.92.*$", "beta = 0.5"},
                        {"^tfp = .*$", "tfp = [1e6, 1.0]"},
                        {"^R = 1\\.01.*$", "R = 1e6"},
                        {"^R = 1\\.01.*$", "R = 1e-6"},
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
    EXPECT_TRUE(rc == 2 || rc == 3) << c.replacement << ": exit " << rc << "\n" << err;
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

namespace {

// True if any file under `dir` has a non-finite number written as text.
bool has_nonfinite_text(const fs::path& dir) {
  const std::regex bad("(^|[,:\\[ ])-?(nan|NaN|inf|Inf|Infinity)\\b", std::regex::multiline);
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() != ".svg" &&
        std::regex_search(read_text(e.path()), bad))
      return true;
  return false;
}

}  // namespace

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
    if (rc == 3 && man["status"] == "failed") EXPECT_FALSE(fs::exists(out / "policies.csv"));
    EXPECT_FALSE(has_nonfinite_text(out)) << c.replacement;
    fs::remove_all(out);
    fs::remove(cfg);
  }
}
