// The baseline object of the analyses' outputs (see baseline.hpp).
#include "hat/reports/baseline.hpp"

#include "hat/io/manifest.hpp"
#include "json_values.hpp"

namespace hat::reports {

nlohmann::json baseline_json(const analysis::Baseline& b) {
  nlohmann::json j = io::to_json(b.report);
  j["solved"] = b.solved;
  j["evaluations"] = b.evaluations;
  const auto& p = b.state.prices;
  j["W"] = to_vector(p.W);
  j["R"] = to_vector(p.R);
  j["beta"] = p.beta;
  return j;
}

}  // namespace hat::reports
