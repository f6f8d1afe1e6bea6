// The baseline world of an analysis (`hat elasticity`, `hat planner` and their Python
// counterparts): the config's equilibrium solved from its [equilibrium] start, or evaluated at
// those prices as they are. Its JSON object is reports/baseline.hpp's.
#pragma once

#include <functional>
#include <string>

#include "hat/core/progress.hpp"
#include "hat/core/status.hpp"
#include "hat/world/config.hpp"

namespace hat::analysis {

struct Baseline {
  world::Evaluation state;
  SolverReport report;
  bool solved = false;
  int evaluations = 0;
};

// Solves (solve = true) or evaluates the config's world. `progress`, when set, receives the
// equilibrium's reports with one line each (unless wc.options.progress is set) and a closing
// line (kStop: see EquilibriumOptions::progress and core/progress.hpp).
// NumericalError when the evaluation fails outright; a
// solve that stops short is returned with its report.
Baseline baseline_world(const world::WorldConfig& wc, bool solve,
                        const ProgressCallback& progress = {});

}  // namespace hat::analysis
