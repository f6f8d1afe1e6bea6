// Internal: the static (one-period) general equilibrium shared by the steady-state and the
// transition solvers. Given, for every pair (d, o), a log coefficient c_do and a wage
// elasticity omega such that tariff-inclusive expenditure shares are
//   lambda_do = exp(c_do + omega log w_o) / sum_o' exp(c_do' + omega log w_o'),
// and each country's sales as a function of its own wage, S_o(w_o), it finds the wages
// (w_0 = 1) at which sales equal the demand for each country's goods:
//   S_o = sum_d lambda_do Y_d / tau_do,   Y_d = S_d / sum_o lambda_do / tau_do,
// where the second equation is the budget with tariff revenue rebated (Y = S + R).
#pragma once

#include <Eigen/Dense>
#include <functional>

#include "hat/core/status.hpp"

namespace hat::dynamic::detail {

struct PeriodSolution {
  Eigen::VectorXd wages, expenditure, sales;
  Eigen::MatrixXd shares;  // lambda_do
  SolverReport report;
};

// `jacobian` (optional): a cache of the Jacobian of the J-1 residuals in log wages. When it is
// non-empty, chord-Newton steps with it are tried first (cheap when a nearby problem was solved
// before, as in successive sweeps of a transition); after a fallback to the hybrid method it
// is refreshed by forward differences at the solution.
// `sales(o, w_o)` must be positive for the wages the solver visits (return a non-positive or
// non-finite number to signal an inadmissible wage; the solver then reports failure).
PeriodSolution solve_period(const Eigen::MatrixXd& log_coef, double omega,
                            const Eigen::MatrixXd& tariff,
                            const std::function<double(int, double)>& sales,
                            const Eigen::VectorXd& wage_guess, double tolerance,
                            int max_evaluations, Eigen::MatrixXd* jacobian = nullptr);

// Shares, expenditure and relative residuals S_demand/S_o - 1 at given wages.
void evaluate_period(const Eigen::MatrixXd& log_coef, double omega, const Eigen::MatrixXd& tariff,
                     const std::function<double(int, double)>& sales, const Eigen::VectorXd& w,
                     PeriodSolution& out, Eigen::VectorXd& residual);

}  // namespace hat::dynamic::detail
