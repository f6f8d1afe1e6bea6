// hat — the command-line tool. Each subcommand lives in its own file (cmd_*.cpp); errors in
// user input end the run with a one-line message and a non-zero exit status.
#include <omp.h>

#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "hat/core/build_info.hpp"
#include "hat/core/error.hpp"
#include "hat/core/memory.hpp"

namespace hat::cli {

void set_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

void print_json(const nlohmann::json& j) {
  std::cout << j.dump(2) << std::endl;
}

int& exit_status() {
  static int status = 0;
  return status;
}

}  // namespace hat::cli

int main(int argc, char** argv) {
  hat::keep_freed_memory();
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const hat::InputError& e) {
    std::fprintf(stderr, "hat: error: %s\n", e.what());
    return 2;
  } catch (const hat::NumericalError& e) {
    std::fprintf(stderr, "hat: numerical failure: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hat: internal error: %s\n", e.what());
    return 4;
  }
  return hat::cli::exit_status();
}
