// Bad input on the command line is exit status 2 and one line on stderr naming the culprit,
// whichever part of the program catches it: the option parser (a missing config file), the
// config reader, or the data reader (a data directory, named by where it came from).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "test_support.hpp"

using hat::test::hat_binary;
using hat::test::last_stderr;
using hat::test::run;

namespace {
void expect_one_line_error(const std::string& command, const std::string& needle) {
  EXPECT_EQ(run(command), 2) << command;
  const std::string err = last_stderr();
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << command << ": " << err;
  EXPECT_NE(err.find("hat: error: "), std::string::npos) << command << ": " << err;
  EXPECT_NE(err.find(needle), std::string::npos) << command << ": " << err;
}
}  // namespace

// Every command that reads a config takes it as a positional argument; a missing file is bad
// input (exit 2), not the option parser's own exit code.
TEST(CliBadInput, MissingConfigFileIsExitTwoInEveryCommand) {
  const std::string missing = "/nonexistent/hat-config.toml";
  const std::string out = " --out " + hat::test::tmp_path("bad_input_out");
  for (const char* cmd :
       {"household", "solve", "residuals", "elasticity", "planner", "calibrate", "counterfactual",
        "transition", "dynamic gft", "dynamic steady-state", "dynamic transition"})
    expect_one_line_error(hat_binary() + " " + cmd + " " + missing + out, "hat-config.toml");
}

TEST(CliBadInput, DataDirectoryErrorsNameTheirSource) {
  const std::string missing = "/nonexistent/hat-data";
  expect_one_line_error(hat_binary() + " gravity --data " + missing,
                        "--data: no such directory " + missing);
  expect_one_line_error("HAT_DATA_DIR=" + missing + " " + hat_binary() + " gravity",
                        "HAT_DATA_DIR: no such directory " + missing);
  expect_one_line_error("HAT_DATA_DIR=" + missing + " " + hat_binary() + " ek estimate",
                        "HAT_DATA_DIR: no such directory " + missing);
  // World configs: --data over $HAT_DATA_DIR over [data] dir (docs/cli.md).
  const std::string cfg =
      hat::test::write_tmp("data_source.toml", "[data]\ndir = \"" + missing + "3\"\n");
  const std::string out = " --out " + hat::test::tmp_path("data_source_out");
  expect_one_line_error("env -u HAT_DATA_DIR " + hat_binary() + " solve " + cfg + out,
                        "[data] dir: no such directory " + missing + "3");
  expect_one_line_error("HAT_DATA_DIR=" + missing + " " + hat_binary() + " solve " + cfg + out,
                        "HAT_DATA_DIR: no such directory " + missing);
  expect_one_line_error("HAT_DATA_DIR=" + missing + " " + hat_binary() + " calibrate " + cfg +
                            " --data " + missing + "2" + out,
                        "--data: no such directory " + missing + "2");
}
