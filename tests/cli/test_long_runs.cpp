// Long but legal work (issue 18): a household block on a big grid reports its progress on
// stderr and Ctrl-C ends it with status 130 (SIGINT's), leaving no output directory and no
// temporary beside it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

std::string big_household_config() {
  std::ifstream in(fs::path(hat::test::source_dir()) / "examples" / "household.toml");
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  const auto k = text.find("\nassets = 100");
  EXPECT_NE(k, std::string::npos);
  text.replace(k, 13, "\nassets = 5000");  // 5000 x 10 x 19 cells: about a minute
  return hat::test::write_tmp("long_household.toml", text);
}

}  // namespace

TEST(LongRuns, HouseholdOnABigGridStopsOnCtrlCWithNothingWritten) {
  const std::string cfg = big_household_config();
  const fs::path out = hat::test::tmp_path("long_household_out");
  fs::remove_all(out);
  const int status =
      hat::test::run_and_signal({"household", cfg, "--out", out.string()}, SIGINT, 1.5);
  // The shell reports a death by SIGINT as 130, as it does an exit(130).
  const int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  EXPECT_EQ(code, 130);
  EXPECT_FALSE(fs::exists(out));
  for (const auto& e : fs::directory_iterator(out.parent_path()))
    EXPECT_EQ(e.path().filename().string().find(out.filename().string() + ".partial"),
              std::string::npos)
        << e.path();
}

TEST(LongRuns, HouseholdOnABigGridShowsProgressUnlessQuiet) {
  const std::string cfg = big_household_config();
  // Stopped early: a big problem announces its solve at once (then each stage, and the
  // solver's iteration every two seconds).
  hat::test::run("timeout -s INT 3 " + hat::test::hat_binary() + " household " + cfg);
  const std::string err = hat::test::last_stderr();
  EXPECT_NE(err.find("[hat] solving the household problem (5000 x 10 x 19 = 950000 cells)"),
            std::string::npos)
      << err;
  hat::test::run("timeout -s INT 3 " + hat::test::hat_binary() + " household --quiet " + cfg);
  EXPECT_EQ(hat::test::last_stderr().find("[hat]"), std::string::npos);
}
