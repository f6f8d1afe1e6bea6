// A planner study as `hat planner` and `hat.planner` run it: the efficient allocation under the
// chosen Pareto weights and, for a reporting country, the decentralised baseline (solved, or
// the config's prices) to compare its imports with. The command line and the Python package are
// adapters over this; its outputs are in reports/planner.hpp.
#pragma once

#include <functional>
#include <string>

#include "hat/analysis/baseline.hpp"
#include "hat/analysis/planner.hpp"
#include "hat/core/progress.hpp"
#include "hat/world/config.hpp"

namespace hat::analysis {

struct PlannerStudyOptions {
  std::string weights = "tfp";  // Pareto weights: "tfp", "equal" or "population"
  std::string country{};        // compare this country's imports; empty: no comparison
  bool solve = true;            // false: the decentralised side at the config's prices
  // InputError naming the option (--weights).
  void validate() const;
};

struct PlannerStudy {
  world::World world;  // with the baseline's beta when a baseline was solved for it
  ParetoWeights weights = ParetoWeights::Tfp;
  int country = -1;  // -1: no reporting country (and no baseline)
  Baseline baseline;
  Eigen::MatrixXd decentralised;  // the baseline's trade shares (with a country)
  PlannerAllocation allocation;
  SolverStatus status = SolverStatus::Failed;  // worse of the planner and the baseline
  double seconds = 0, seconds_planner = 0;
};

// InputError for unknown weights or country; `progress` receives the baseline's lines.
PlannerStudy run_planner_study(const world::WorldConfig& wc, const PlannerStudyOptions& o,
                               const ProgressCallback& progress = {});

}  // namespace hat::analysis
