// The baseline world of the analysis functions (elasticity, planner), as the command line's
// apps/hat/baseline.hpp: the config's equilibrium solved from [equilibrium], or evaluated at
// those prices as they are.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "hat/world/config.hpp"

namespace hat::python {

struct Baseline {
  world::Evaluation state;
  SolverReport report;
  bool solved = false;
  int evaluations = 0;
};

Baseline baseline_world(world::WorldConfig& wc, bool solve);
nlohmann::json baseline_json(const Baseline& b);

}  // namespace hat::python
