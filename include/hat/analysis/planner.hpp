// The efficient (utilitarian planner) allocation of the HAT model under full insurance
// (MODEL.md §1 "Efficient allocation"; Propositions 4 and 5 of hat-slides-2023.md;
// hat-paper-draft-a.md Appendix D).
//
// The planner maximises sum_i omega_i L_i E[v_i] subject to the resource constraints
// A_j L_j E[z] = sum_i L_i d_ij c_ij pi_ij for every variety j. Its first-order conditions:
//   omega_i u'(c_ij) = chi_j d_ij                                   (consumption, any state)
//   pi_ij(s) proportional to exp((u(c_ij) - u'(c_ij) c_ij + psi_ij(s)) / sigma_i)  (choice)
// with sigma_i and psi_ij(s) the country-scaled taste-shock scale and quality shifter of the
// decentralised model (world::country_problem). The unknowns are the multipliers chi_j.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "hat/core/status.hpp"
#include "hat/world/world.hpp"

namespace hat::analysis {

enum class ParetoWeights { Tfp, Equal, Population };
const char* to_string(ParetoWeights w);
// "tfp" | "equal" | "population"; throws InputError naming `field` otherwise.
ParetoWeights parse_pareto_weights(const std::string& s, const std::string& field);
// Country Pareto weights omega_i: proportional to A_i, 1, or L_i; normalised to mean 1
// (a common scale of the weights only rescales chi and leaves the allocation unchanged).
Eigen::VectorXd pareto_weights(const world::World& w, ParetoWeights kind);

struct PlannerOptions {
  double tolerance = 1e-12;  // sup |log(demand_j / supply_j)|
  int max_iterations = 200;  // Newton steps
  // Throws InputError naming the first invalid field ("PlannerOptions.field must be ...").
  void validate() const;
};

struct PlannerAllocation {
  Eigen::VectorXd omega;  // Pareto weights
  Eigen::VectorXd chi;    // multipliers on the resource constraints (shadow values)
  Eigen::VectorXd sigma;  // country taste-shock scales sigma_i
  Eigen::MatrixXd c;      // c_ij, importer row, exporter column (the same in every state)
  std::vector<Eigen::MatrixXd> pi_state;  // per importer i: Nz x M choice probabilities
  Eigen::MatrixXd pi;                     // E_s pi_ij(s) under the stationary income distribution
  Eigen::MatrixXd quantity;  // L_i d_ij c_ij pi_ij: resources of j used by i (incl. iceberg)
  Eigen::MatrixXd value;     // L_i chi_j d_ij c_ij pi_ij: flows at shadow prices
  Eigen::MatrixXd shares;    // value_ij / sum_l value_il (rows sum to one)
  Eigen::MatrixXd theta;     // Proposition 5: -(1/sigma_i) u'(c_ij) c_ij (0 on the diagonal)
  // Proposition 5 welfare gain of a proportional reduction in d_ij:
  // dW / d(-log d_ij) = omega_i / (1 - beta) u'(c_ij) c_ij pi_ij L_i (0 on the diagonal).
  Eigen::MatrixXd welfare_gain;
  Eigen::VectorXd welfare;    // per household of i: E_s sum_j pi (u + psi - sigma log pi)/(1-beta)
  double social_welfare = 0;  // sum_i omega_i L_i welfare_i
  Eigen::VectorXd supply;     // A_j L_j E[z]
  Eigen::VectorXd resource_residual;  // (demand_j - supply_j) / supply_j
  double foc_residual = 0;  // max over i,j of |omega_i u'(c_ij) / (chi_j d_ij) - 1| and the
                            // choice-FOC log residual (checked on the returned allocation)
  SolverReport report;
};

// Solves the planner's problem by Newton's method on log chi with the analytic Jacobian and a
// backtracking line search. The returned report says whether the resource constraints were
// met to `tolerance`.
PlannerAllocation solve_planner(const world::World& w, const Eigen::VectorXd& omega,
                                const PlannerOptions& opt = {});

// The allocation implied by given multipliers (no solve): used by the solver and the tests.
PlannerAllocation planner_allocation(const world::World& w, const Eigen::VectorXd& omega,
                                     const Eigen::VectorXd& chi);

}  // namespace hat::analysis
