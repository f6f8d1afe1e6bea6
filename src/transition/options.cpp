// Validation of the transition solvers' options (fake_news.hpp, transition.hpp).
#include <cmath>

#include "hat/core/error.hpp"
#include "hat/transition/fake_news.hpp"
#include "hat/transition/transition.hpp"

namespace hat::transition {

namespace {
bool positive_finite(double v) {
  return std::isfinite(v) && v > 0;
}
}  // namespace

void FakeNewsOptions::validate() const {
  check_option(periods >= 1, "FakeNewsOptions.periods", ">= 1");
  check_option(positive_finite(step), "FakeNewsOptions.step", "> 0");
  check_option(decay >= 0, "FakeNewsOptions.decay", ">= 0");
  check_option(positive_finite(expectation_tolerance), "FakeNewsOptions.expectation_tolerance",
               "> 0");
}

void TransitionOptions::validate() const {
  check_option(periods >= 1, "TransitionOptions.periods", ">= 1");
  check_option(positive_finite(tolerance), "TransitionOptions.tolerance", "> 0");
  check_option(max_iterations >= 1, "TransitionOptions.max_iterations", ">= 1");
  check_option(positive_finite(jacobian_step), "TransitionOptions.jacobian_step", "> 0");
  check_option(jacobian_decay >= 0, "TransitionOptions.jacobian_decay", ">= 0");
  check_option(foreign_horizon >= 0, "TransitionOptions.foreign_horizon", ">= 0");
  check_option(positive_finite(settle_tolerance), "TransitionOptions.settle_tolerance", "> 0");
}

}  // namespace hat::transition
