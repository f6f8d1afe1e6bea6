// One period of the HAT household problem, backward in time: the building block of
// transition paths (sequence space) and of their Jacobians (the fake-news algorithm).
//
// Given next period's marginal value of wealth mu'(a', s') = sum_k pi_k u'(c_k) / p_k and
// ex-ante value V'(a', s') on the asset grid, this period's prices, wage, transfer and the
// return R on the assets the household enters with (all in `hp`), and the return R' on the
// assets it buys now, the step returns this period's policies c_j, a'_j, values v_j, choice
// probabilities pi_j, V and mu (MODEL.md §1, one EGM step with the logit choice).
#pragma once

#include <Eigen/Dense>

#include "hat/household/household.hpp"

namespace hat::household {

// Next period as this period's household sees it.
struct Continuation {
  const Eigen::VectorXd* mu = nullptr;  // mu'(a', s'), (Na*Nz), index s' * Na + i'
  const Eigen::VectorXd* V = nullptr;   // V'(a', s')
  double R = 1.0;                       // gross return on the assets bought this period
};

// Fills `out` (c, a_next, v, pi, V, mu; report.status Converged, or Failed with a message
// when some consumption is not positive and finite). Solved by the endogenous grid method with
// an upper envelope where a variety's endogenous grid folds (see backward_step.cpp).
void backward_step(const HouseholdProblem& hp, const Continuation& next, HouseholdSolution& out);

// The household's continuation at a solution of the stationary problem: (mu, V, R).
inline Continuation continuation_of(const HouseholdSolution& sol, double R) {
  return Continuation{&sol.mu, &sol.V, R};
}

}  // namespace hat::household
