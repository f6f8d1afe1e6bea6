// The baseline world of an analysis (analysis/baseline.hpp) as the `baseline` object of the
// --json output and manifests of `hat elasticity` and `hat planner`.
#pragma once

#include <nlohmann/json.hpp>

#include "hat/analysis/baseline.hpp"

namespace hat::reports {

// The report, `solved`, `evaluations`, W, R and beta of a baseline.
nlohmann::json baseline_json(const analysis::Baseline& b);

}  // namespace hat::reports
