// The logit choice's impact response of a household block's aggregates to its consumer prices,
// at given savings policies and distribution: the cheap part of a column of the world
// equilibrium's Jacobian (world/system.hpp, JacobianMethod::LogitImpact). MODEL.md §1: the
// household picks variety j with probability pi_j = softmax((v_j + psi_j) / sigma).
#include <cmath>
#include <vector>

#include "hat/household/household.hpp"

namespace hat::household {

// With a'_j held, spending p_j c_j = cash - a'_j does not move when p_j does, and the conditional
// value moves by dv_j = u'(c_j) dc_j = -c_j^(1-gamma) dlog p_j (by the envelope theorem the
// savings response changes v_j only at second order), so
//   dpi_k = pi_k (dv_k - sum_l pi_l dv_l) / sigma,
// spending on k moves by dpi_k p_k c_k and asset demand by dpi_k a'_k. What this leaves out
// (savings, continuation values, the distribution) is the smaller part of a country's response
// to one import price; the equilibrium solver's Broyden updates correct it.
Aggregates logit_impact(const HouseholdProblem& hp, const HouseholdSolution& sol,
                        const Eigen::VectorXd& mass, const Aggregates& at,
                        const Eigen::VectorXd& prices) {
  const int M = hp.M(), n_states = static_cast<int>(mass.size());
  const Eigen::VectorXd dlogp = (prices.array() / hp.prices.array()).log().matrix();
  std::vector<int> moved;
  for (int j = 0; j < M; ++j)
    if (dlogp(j) != 0.0) moved.push_back(j);
  Aggregates out = at;
  Eigen::VectorXd dv = Eigen::VectorXd::Zero(M);
  for (int k = 0; k < n_states; ++k) {
    const double m = mass(k);
    if (m == 0.0) continue;
    double mean_dv = 0.0;
    for (int j : moved) {
      dv(j) = -std::pow(sol.c(k, j), 1.0 - hp.gamma) * dlogp(j);
      mean_dv += sol.pi(k, j) * dv(j);
    }
    const double scale = m / hp.sigma;
    for (int j = 0; j < M; ++j) {
      const double dpi = scale * sol.pi(k, j) * (dv(j) - mean_dv);
      out.choice_probability(j) += dpi;
      out.expenditure(j) += dpi * hp.prices(j) * sol.c(k, j);
      out.assets += dpi * sol.a_next(k, j);
    }
  }
  out.total_expenditure = out.expenditure.sum();
  out.expenditure_share = out.expenditure / out.total_expenditure;
  return out;
}

}  // namespace hat::household
