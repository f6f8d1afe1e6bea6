// Derivatives of a household block's stationary aggregates with respect to its problem
// (prices, wage, return, transfer, discount factor, grid, ...), by the implicit function theorem
// instead of re-solving the household at perturbed parameters.
//
// The stationary continuation x = (mu, V) is the fixed point x = G(x; theta) of the backward
// step (backward_step.hpp), the distribution D the fixed point D = Lambda(x, theta)' D of the
// lottery and income chain, and the aggregates Y = D' y(x, theta) (spending by variety,
// savings, efficiency units). Along a direction of the problem,
//     (I - G_x) dx = G_theta dtheta,
//     (I - Lambda') dD = (dLambda') D    (dD sums to zero),
//     dY = D' dy + y' dD,
// with G_theta dtheta, G_x v, dLambda' D and dy central directional differences of the one-period
// maps (error O(step^2), no household solve; one-sided where the map has a kink or jump within
// the step), and the two linear systems solved by GMRES
// (numerics/gmres.hpp). The direction is given as the pair of problems at theta +- h dtheta,
// so that any way the problem depends on an outer unknown (the grid scaling with TFP or the
// wage, the taste-shock scale with TFP, ...) is differentiated without listing it.
#pragma once

#include <Eigen/Dense>
#include <string>

#include "hat/household/household.hpp"
#include "hat/numerics/lottery.hpp"

namespace hat::household {

struct DerivativeOptions {
  double tolerance = 1e-10;  // GMRES relative residual of both linear systems
  int max_products = 600;    // per linear system
  double state_step = 1e-6;  // relative step of the differences along the continuation
  // Throws InputError naming the first invalid field ("DerivativeOptions.field must be ...").
  void validate() const;
};

// d(aggregate)/d(direction) of the fields the equilibrium uses: assets, efficiency_units,
// expenditure (choice_probability, shares and total are left empty / zero).
class SteadyStateDerivative {
 public:
  // At the stationary point (hp, sol, mass) of solve_household / stationary_distribution.
  SteadyStateDerivative(const HouseholdProblem& hp, const HouseholdSolution& sol,
                        const Eigen::VectorXd& mass, const DerivativeOptions& opt = {});

  // The derivative along the direction whose problems at +h and -h are hp_plus and hp_minus
  // (same sizes as the base problem). Returns false (with `message`) if a step fails or a linear
  // system does not converge. Thread-safe (const; every call has its own workspace).
  bool derivative(const HouseholdProblem& hp_plus, const HouseholdProblem& hp_minus, double h,
                  Aggregates& out, std::string& message) const;

 private:
  const HouseholdProblem& hp_;
  const Eigen::VectorXd& mass_;
  DerivativeOptions opt_;
  Eigen::VectorXd x_;             // stationary continuation (mu, V)
  Eigen::MatrixXd y_;             // per-state outputs: spending by variety, savings
  HouseholdSolution base_;        // one backward step from x_ (centre of the differences)
  Eigen::VectorXd g0_, f0_;       // its (mu, V) and the mass it moves forward
  Eigen::MatrixXd y0_;            // its per-state outputs
  numerics::LotteryOperator lt_;  // the stationary lottery as a gather (forward map)
  int N_ = 0;
};

}  // namespace hat::household
