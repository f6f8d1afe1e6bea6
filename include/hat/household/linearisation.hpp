// A household block linearised at its stationary solution, in the form of the EGM sweep's own
// Newton steps (the sparse sweep Jacobian of src/household/egm.cpp): exact first-order responses
// of the aggregates to a move of the block's prices, wage, discount factor, interest rate and
// transfer (forward mode, one direction per call), and the gradient of asset demand in all its
// prices at once (adjoint mode, one transposed solve). Both cost about one Newton step of the
// household instead of a re-solve, and neither needs a finite-difference step.
// Method and references: src/household/linearisation.cpp.
//
// Unlike SteadyStateDerivative (steady_state_derivative.hpp), which differences the one-period
// map along any direction of the problem (including the grid), the moves here are those of the
// prices, wage, beta, R and transfer, and one scaling of the whole block: the grid by a factor
// s with sigma and the quality shifters by s^(1-gamma) (a TFP move under the paper's scaling,
// world/world.hpp). That block is s times the block on the unscaled grid with income and
// transfer divided by s (choices unchanged, consumption and assets times s), so its response
// is exact too. ParameterMove::between says whether two problems differ only so.
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <string>

#include "hat/household/household.hpp"

namespace hat::household {

// A move of a block's parameters: d log p_j (empty: none), d log W, d beta, d log R, d tau, and
// d log s of the block's scale (grid x s, sigma and quality shifters x s^(1-gamma)).
struct ParameterMove {
  Eigen::VectorXd log_prices;
  double log_W = 0, beta = 0, log_R = 0, tau = 0, log_scale = 0;

  // The move from `base` to `moved` (false if they differ in anything else: the chain, gamma,
  // lambda, or a grid, sigma or quality shifters not scaled together as above).
  static bool between(const HouseholdProblem& base, const HouseholdProblem& moved,
                      ParameterMove& out);
};

class StationaryLinearisation {
 public:
  // At a converged solution `sol` of `hp` with stationary distribution `mass` (all three must
  // outlive this object). Not thread-safe: one object per thread.
  StationaryLinearisation(const HouseholdProblem& hp, const HouseholdSolution& sol,
                          const Eigen::VectorXd& mass);
  ~StationaryLinearisation();

  // The aggregates' first-order response to `move` (per unit of it): expenditure,
  // choice_probability, assets, efficiency_units and total_expenditure (expenditure_share is
  // left empty). `tolerance`: relative residual of the two GMRES solves. False (with `message`)
  // if one does not converge.
  bool response(const ParameterMove& move, Aggregates& d, std::string& message,
                double tolerance = 1e-10);

  // gradient(j) = d assets / d log p_j for every variety (savings and the distribution
  // included; income, R and beta held), by one adjoint solve.
  bool asset_gradient(Eigen::VectorXd& gradient, std::string& message, double tolerance = 1e-10);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hat::household
