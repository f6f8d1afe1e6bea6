// hat — the command-line tool. Each subcommand lives in its own file (cmd_*.cpp); errors in
// user input end the run with a one-line message and a non-zero exit status.
#include <omp.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "common.hpp"
#include "hat/core/build_info.hpp"
#include "hat/core/error.hpp"
#include "hat/core/memory.hpp"
#include "hat/io/manifest.hpp"

namespace hat::cli {

void set_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

void print_json(const nlohmann::json& j) {
  std::cout << j.dump(2) << std::endl;
}

void add_run_options(CLI::App* sub, std::string& out, bool& json, bool& quiet, int& threads) {
  sub->add_option("--out", out, "write CSV tables, SVG figures and manifest.json here");
  sub->add_flag("--json", json, "print a JSON summary on stdout");
  sub->add_flag("--quiet", quiet, "no progress lines on stderr");
  sub->add_option("--threads", threads,
                  "OpenMP threads (default: [solver] threads or OMP_NUM_THREADS)");
}

void add_config_argument(CLI::App* sub, std::string& config, const std::string& help) {
  sub->add_option("config", config, help)->required()->check(CLI::ExistingFile);
}

void add_policies_flags(CLI::App* sub, bool& policies) {
  CLI::Option* on = sub->add_flag("--policies", policies,
                                  "also write policies.csv (large: one row per country, income "
                                  "state, asset point and variety)");
  sub->add_flag_callback(
         "--no-policies", [&policies] { policies = false; },
         "do not write policies.csv (the default)")
      ->excludes(on);
}

bool& quiet_progress() {
  static bool quiet = false;
  return quiet;
}

int& exit_status() {
  static int status = 0;
  return status;
}

namespace {

// Range checks for the numeric options every subcommand shares, attached after registration so
// that commands added later get them too: a negative or absurd value is bad input (exit 2),
// never narrowed or silently replaced by the default.
void add_range_checks(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands({})) {
    if (CLI::Option* o = sub->get_option_no_throw("--threads"))
      o->check(CLI::Range(0, 1024).description(""));  // 0 = OMP_NUM_THREADS / all cores
    if (CLI::Option* o = sub->get_option_no_throw("--max-evaluations"))
      o->check(CLI::Range(1, 1000000).description(""));
    add_range_checks(*sub);
  }
}

// One command-line contract (docs/cli.md): every command takes --quiet and --threads with the
// same meaning. Commands that do not declare them get them here; a declared --quiet also sets
// the process-wide switch of progress(), so that no command prints progress lines with it.
void add_common_options(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands({})) {
    add_common_options(*sub);
    if (!sub->get_subcommands({}).empty()) continue;  // a group such as `hat ek`
    if (CLI::Option* o = sub->get_option_no_throw("--quiet"))
      o->each([](const std::string&) { quiet_progress() = true; });
    else
      sub->add_flag_callback(
          "--quiet", [] { quiet_progress() = true; }, "no progress lines on stderr");
    if (!sub->get_option_no_throw("--threads"))
      sub->add_option_function<int>(
          "--threads", [](const int& n) { set_threads(n); },
          "OpenMP threads (default: OMP_NUM_THREADS)");
  }
}

// CLI11's message on one line (some of its messages span several).
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

}  // namespace hat::cli

int main(int argc, char** argv) {
  hat::keep_freed_memory();
  hat::io::set_command_line(argc, argv);
  CLI::App app{"hat: heterogeneous-agent trade, Eaton-Kortum and dynamic gains-from-trade models"};
  app.set_version_flag("--version",
                       std::string("hat ") + hat::version() + " (" + hat::git_commit() + ")");
  app.require_subcommand(1);
  hat::cli::register_household(app);
  hat::cli::register_world(app);
  hat::cli::register_elasticity(app);
  hat::cli::register_planner(app);
  hat::cli::register_calibrate(app);
  hat::cli::register_gravity(app);
  hat::cli::register_ek(app);
  hat::cli::register_counterfactual(app);
  hat::cli::register_dynamic(app);
  hat::cli::register_transition(app);
  hat::cli::register_replicate(app);
  hat::cli::register_synth(app);
  hat::cli::add_common_options(app);
  hat::cli::add_range_checks(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({}))
      known = known || (argc > 1 && sub->check_name(argv[1]));
    if (argc > 1 && argv[1][0] != '-' && !known) {
      std::fprintf(stderr, "hat: error: unknown command '%s' (see hat --help)\n", argv[1]);
      return 2;
    }
    // Bad command line (unknown subcommand or option, missing or bad value, missing file):
    // bad input like a bad config, one line and exit status 2.
    std::fprintf(stderr, "hat: error: %s (see hat --help)\n", hat::cli::one_line(e.what()).c_str());
    return 2;
  } catch (const hat::InputError& e) {
    std::fprintf(stderr, "hat: error: %s\n", e.what());
    return 2;
  } catch (const hat::NumericalError& e) {
    std::fprintf(stderr, "hat: numerical failure: %s\n", e.what());
    return 3;
  } catch (const std::filesystem::filesystem_error& e) {
    // A path given by the user that cannot be created or written (e.g. --out in /proc).
    std::fprintf(stderr, "hat: error: %s: cannot write there (%s)\n", e.path1().c_str(),
                 e.code().message().c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hat: internal error: %s\n", e.what());
    return 4;
  }
  // A solver that stopped short: say so even with --quiet (docs/cli.md), in every command (some
  // have said which solver and why just before).
  if (hat::cli::exit_status() == 3)
    hat::cli::warning(
        "warning: a solver did not converge (exit status 3); the outputs are "
        "written and marked as such in manifest.json");
  return hat::cli::exit_status();
}
