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

// The slopes of the same response, with w_kj = -(m_k / sigma) pi_kj c_kj^(1-gamma) the move of
// state k's choice towards j per unit of dlog p_j: dpi_kl / dlog p_j = w_kj (delta_lj - pi_kl),
// so d choice_l / dlog p_j = delta_lj sum_k w_kj - sum_k pi_kl w_kj (the second term a product
// of the N x M arrays), spending p_l c_kl likewise, and asset demand
// sum_k w_kj (a'_kj - sum_l pi_kl a'_kl).
LogitImpactSlopes logit_impact_slopes(const HouseholdProblem& hp, const HouseholdSolution& sol,
                                      const Eigen::VectorXd& mass) {
  const Eigen::ArrayXXd c = sol.c.array(), pi = sol.pi.array();
  const Eigen::ArrayXd scale = -mass.array() / hp.sigma;
  // c^(1-gamma) by log and exp over whole arrays (vectorised; exactly 1 for log utility).
  const Eigen::ArrayXXd w = ((c.log() * (1.0 - hp.gamma)).exp() * pi).colwise() * scale;  // N x M
  const Eigen::ArrayXXd spend = c.rowwise() * hp.prices.transpose().array();  // p_l c_kl
  LogitImpactSlopes s;
  s.log_prices = hp.prices.array().log().matrix();
  s.choice.noalias() = -(pi.matrix().transpose() * w.matrix());
  s.choice.diagonal() += w.colwise().sum().matrix().transpose();
  s.expenditure.noalias() = -((pi * spend).matrix().transpose() * w.matrix());
  s.expenditure.diagonal() += (w * spend).colwise().sum().matrix().transpose();
  const Eigen::ArrayXd mean_a = (pi * sol.a_next.array()).rowwise().sum();
  s.assets = (w * (sol.a_next.array().colwise() - mean_a)).colwise().sum().matrix().transpose();
  return s;
}

Aggregates logit_impact(const LogitImpactSlopes& slopes, const Aggregates& at,
                        const Eigen::VectorXd& prices) {
  const Eigen::VectorXd dlogp = prices.array().log().matrix() - slopes.log_prices;
  Aggregates out = at;
  out.choice_probability += slopes.choice * dlogp;
  out.expenditure += slopes.expenditure * dlogp;
  out.assets += slopes.assets.dot(dlogp);
  out.total_expenditure = out.expenditure.sum();
  out.expenditure_share = out.expenditure / out.total_expenditure;
  return out;
}

}  // namespace hat::household
