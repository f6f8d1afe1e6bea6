// Sequence-space Jacobians of one household block by the fake-news algorithm (Auclert,
// Bardoczy, Rognlie & Straub 2021, Econometrica, "Using the Sequence-Space Jacobian to Solve
// and Estimate Heterogeneous-Agent Models", section 3).
//
// Around a stationary solution (policies, distribution D), a block maps T-period paths of its
// inputs (prices, returns, transfers) to T-period paths of aggregate outputs (expenditure by
// variety, assets). Its Jacobian J[o][k](t, s) = d Y_o,t / d X_k,s is built from one backward
// iteration per input (the policy responses u = 0, 1, ... periods ahead of a shock: the "fake
// news" at date 0) and one forward iteration of expectation vectors per output:
//   F(0, s) = dY_s,   F(t, s) = E_{t-1}' dD_s (t >= 1),   J(t, s) = F(t, s) + J(t-1, s-1),
// with dY_s the date-0 output response and dD_s the date-1 distribution response to a shock
// at date s, and E_t = Lambda^t y the expected output t periods ahead under the stationary
// transition Lambda. Policy responses are one-sided finite differences of the nonlinear
// backward step (household/backward_step.hpp) with step h, as in the authors' code (or
// central differences where the Jacobian itself is the result).
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <string>
#include <vector>

#include "hat/household/backward_step.hpp"
#include "hat/household/household.hpp"

namespace hat::transition {

// An input of the block: how a perturbation of size h changes one period's problem and the
// return on the assets bought in it.
struct BlockInput {
  std::string name;
  std::function<void(household::HouseholdProblem&, double& R_next, double h)> perturb;
  int horizon = 0;  // anticipation horizon: shocks up to this many periods ahead (0: all T)
};

// Per-state outputs of a period: column o of the result is output o at each state k, so that
// the aggregate is mass' * column (e.g. expenditure on variety j, savings).
using BlockOutputs = std::function<Eigen::MatrixXd(const household::HouseholdProblem&,
                                                   const household::HouseholdSolution&)>;

struct FakeNewsOptions {
  int periods = 300;
  double step = 1e-4;    // finite-difference step h
  bool central = false;  // central differences (error O(h^2), twice the backward steps)
  double decay = 1e-10;  // stop a backward iteration once sup |d(mu, V)| / h is below this
  // The expectation vectors E_t stop once they no longer move (relative to the output's scale):
  // E_t converges to a constant, which no distribution change can move.
  double expectation_tolerance = 1e-10;
  // Throws InputError naming the first invalid field ("FakeNewsOptions.field must be ...").
  void validate() const;
};

struct BlockJacobian {
  int periods = 0;
  std::vector<std::string> inputs, outputs;
  // J[k] is (outputs * T) x T: row o * T + t, column s.
  std::vector<Eigen::MatrixXd> J;
  double J_at(int o, int k, int t, int s) const { return J[k](o * periods + t, s); }
  int expectation_horizon = 0;      // periods of expectation vectors computed
  std::vector<int> backward_steps;  // per input, how many periods the backward iteration ran
  // Wall seconds: all, the expectation vectors, and (summed over inputs) the products E' dD
  // and the accumulation into J.
  double seconds = 0, seconds_expectations = 0, seconds_products = 0, seconds_accumulate = 0;
};

// The Jacobian of the block around the stationary point (hp, sol, mass) with return R on
// savings, for the given inputs and outputs. Inputs run in parallel; results do not depend on
// the thread count.
BlockJacobian fake_news_jacobian(const household::HouseholdProblem& hp,
                                 const household::HouseholdSolution& sol, double R,
                                 const Eigen::VectorXd& mass, const std::vector<BlockInput>& inputs,
                                 const std::vector<std::string>& output_names,
                                 const BlockOutputs& outputs, const FakeNewsOptions& opt);

// The HAT household block's outputs by state: spending p_j c_j pi_j on each variety j
// (columns 0..M-1), then savings sum_j pi_j a'_j (column M).
Eigen::MatrixXd spending_and_savings(const household::HouseholdProblem& hp,
                                     const household::HouseholdSolution& sol);

// One period forward: mass' = lottery(a'_j, pi_j) then the income chain.
Eigen::VectorXd forward_step(const household::HouseholdProblem& hp,
                             const household::HouseholdSolution& sol, const Eigen::VectorXd& mass);

}  // namespace hat::transition
