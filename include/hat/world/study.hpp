// A world solve as `hat solve` and `hat.World(...).solve()` run it: the general equilibrium
// from the config's [equilibrium] start, the warnings about the asset grid and the --json
// object. The command line and the Python package are adapters over this.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hat/core/progress.hpp"
#include "hat/world/config.hpp"

namespace hat::world {

struct WorldSolve {
  World world;
  EquilibriumOptions options;  // the config's (without its progress hook)
  Equilibrium equilibrium;
  std::vector<std::string> warnings;  // countries with mass at a_max above 1e-3
  double seconds = 0;
};

// Solves the equilibrium (non-convergence is reported in equilibrium.report, not thrown).
// `progress`, unless wc.options.progress is set, receives the solve's reports with one line per
// evaluation as their message (kStop: see EquilibriumOptions::progress).
WorldSolve run_world_solve(WorldConfig wc, const ProgressCallback& progress = {});

// Each country's Euler errors (household::euler_errors) on `grid`, the countries in parallel
// (the same bits for any thread count). A country whose check is too costly
// (household::euler_error_refine 0) gets NaN, written as missing values.
std::vector<household::EulerErrors> country_euler_errors(const Evaluation& ev,
                                                         household::EulerGrid grid);

}  // namespace hat::world
