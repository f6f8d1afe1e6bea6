// A transition study as `hat transition` and `hat.transition` run it: the baseline equilibrium
// of a world config, the path after the shocks, welfare including the transition and trade
// elasticities by horizon. The command line and the Python package are adapters over this.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hat/core/progress.hpp"
#include "hat/transition/transition.hpp"
#include "hat/world/config.hpp"

namespace hat::transition {

struct StudyRequest {
  std::vector<analysis::Shock> shocks;  // all apply together, each with its own timing
  std::string country;    // reporting country; empty: `suggested`, the first importer, USA, first
  std::string suggested;  // a shock file's `country`
  int periods = 300, max_iterations = 40, foreign_horizon = 1;
  double tolerance = 1e-9;
  bool welfare = true, elasticities = true;
  // InputError naming the option (--periods, --tolerance, ...) out of range, or no shocks.
  void validate() const;
};

// The path, welfare and elasticities of a study (reports/transition.hpp writes them).
struct TransitionRun {
  std::vector<analysis::Shock> shocks;
  int country = 0;  // the reporting country
  TransitionResult result;
  std::optional<TransitionWelfare> welfare;
  std::optional<HorizonElasticities> elasticities;
  double seconds = 0, seconds_welfare = 0, seconds_elasticities = 0;
};

struct Study {
  world::Equilibrium baseline;
  PathEconomy economy;
  TransitionRun run;
};

// The reporting country of a request (InputError for unknown names).
int reporting_country(const world::World& w, const StudyRequest& r);

// Solves the baseline, sets up the economy, solves the path and measures welfare and
// elasticities. A baseline that does not converge ends the study there: the Study has the
// baseline (with its report), an economy with only `initial` (the world) set and an empty run;
// check baseline.report first. `progress` receives one message per stage and
// the reports of the solves (see TransitionOptions::progress, EquilibriumOptions::progress).
Study run_study(world::WorldConfig wc, const StudyRequest& r,
                const ProgressCallback& progress = {});

}  // namespace hat::transition
