// Validation of the analysis options (planner.hpp, welfare.hpp, elasticity.hpp,
// counterfactual.hpp).
#include <cmath>

#include "hat/analysis/counterfactual.hpp"
#include "hat/analysis/elasticity.hpp"
#include "hat/analysis/planner.hpp"
#include "hat/analysis/welfare.hpp"
#include "hat/core/error.hpp"

namespace hat::analysis {

namespace {
bool positive_finite(double v) {
  return std::isfinite(v) && v > 0;
}
}  // namespace

void PlannerOptions::validate() const {
  check_option(positive_finite(tolerance), "PlannerOptions.tolerance", "> 0");
  check_option(max_iterations >= 1, "PlannerOptions.max_iterations", ">= 1");
}

void WelfareOptions::validate() const {
  household.validate();
  distribution.validate();
  check_option(positive_finite(policy_tolerance), "WelfareOptions.policy_tolerance", "> 0");
  check_option(positive_finite(node_spacing), "WelfareOptions.node_spacing", "> 0");
  check_option(extension_stride >= 1, "WelfareOptions.extension_stride", ">= 1");
  check_option(core_quantile >= 0 && core_quantile < 0.5, "WelfareOptions.core_quantile",
               "in [0, 0.5)");
  check_option(positive_finite(lambda_min) && lambda_min < 1, "WelfareOptions.lambda_min",
               "in (0, 1)");
  check_option(std::isfinite(lambda_max) && lambda_max > 1, "WelfareOptions.lambda_max", "> 1");
  check_option(max_nodes >= 2, "WelfareOptions.max_nodes", ">= 2");
  check_option(groups >= 1, "WelfareOptions.groups", ">= 1");
  check_option(positive_finite(lump_sum_spacing), "WelfareOptions.lump_sum_spacing", "> 0");
  check_option(positive_finite(lump_sum_max), "WelfareOptions.lump_sum_max", "> 0");
  check_option(lump_sum_polish >= 0, "WelfareOptions.lump_sum_polish", ">= 0");
}

void ElasticityOptions::validate() const {
  check_option(positive_finite(step), "ElasticityOptions.step", "> 0");
  household.validate();
  distribution_options.validate();
}

void CounterfactualOptions::validate() const {
  check_option(std::isfinite(theta) && theta <= 0, "CounterfactualOptions.theta",
               "<= 0 (a negative trade elasticity; 0: -1/sigma_i)");
  for (int i : countries) check_option(i >= 0, "CounterfactualOptions.countries", "indices >= 0");
  for (double t : theta_trade_weighted)
    check_option(std::isfinite(t), "CounterfactualOptions.theta_trade_weighted", "finite");
  welfare.validate();
}

}  // namespace hat::analysis
