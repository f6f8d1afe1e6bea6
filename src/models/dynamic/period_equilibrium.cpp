// Static general equilibrium in wages for one period (or a steady state) of the dynamic
// gains-from-trade models. Method: Powell's hybrid (dogleg) method with a forward-difference
// Jacobian (MINPACK hybrd; Eigen unsupported/NonLinearOptimization) on the J-1 log relative
// wages, dropping country 0's market-clearing condition (Walras' law); convergence is then
// checked on all J conditions. Reference: Powell (1970), "A hybrid method for nonlinear
// equations"; More, Garbow and Hillstrom (1980), MINPACK.
#include "period_equilibrium.hpp"

#include <cmath>
#include <limits>
#include <unsupported/Eigen/NonLinearOptimization>

#include "hat/core/timer.hpp"

namespace hat::dynamic::detail {

void evaluate_period(const Eigen::MatrixXd& log_coef, double omega, const Eigen::MatrixXd& tariff,
                     const std::function<double(int, double)>& sales, const Eigen::VectorXd& w,
                     PeriodSolution& out, Eigen::VectorXd& residual) {
  const int J = static_cast<int>(w.size());
  out.wages = w;
  out.sales.resize(J);
  out.expenditure.resize(J);
  out.shares.resize(J, J);
  residual.resize(J);
  for (int o = 0; o < J; ++o) out.sales(o) = sales(o, w(o));
  for (int d = 0; d < J; ++d) {
    // log-sum-exp over exporters in a fixed order
    double mx = -std::numeric_limits<double>::infinity();
    Eigen::VectorXd z(J);
    for (int o = 0; o < J; ++o) {
      z(o) = log_coef(d, o) + omega * std::log(w(o));
      mx = std::max(mx, z(o));
    }
    double sum = 0;
    for (int o = 0; o < J; ++o) sum += std::exp(z(o) - mx);
    double inv_tau_share = 0;
    for (int o = 0; o < J; ++o) {
      out.shares(d, o) = std::exp(z(o) - mx) / sum;
      inv_tau_share += out.shares(d, o) / tariff(d, o);
    }
    out.expenditure(d) = out.sales(d) / inv_tau_share;
  }
  for (int o = 0; o < J; ++o) {
    double demand = 0;
    for (int d = 0; d < J; ++d) demand += out.shares(d, o) * out.expenditure(d) / tariff(d, o);
    residual(o) = demand / out.sales(o) - 1;
  }
}

namespace {
struct WageFunctor {
  const Eigen::MatrixXd& log_coef;
  double omega;
  const Eigen::MatrixXd& tariff;
  const std::function<double(int, double)>& sales;
  int J;
  int operator()(const Eigen::VectorXd& x, Eigen::VectorXd& f) const {
    Eigen::VectorXd w(J), r;
    w(0) = 1;
    for (int o = 1; o < J; ++o) w(o) = std::exp(x(o - 1));
    PeriodSolution tmp;
    evaluate_period(log_coef, omega, tariff, sales, w, tmp, r);
    for (int o = 1; o < J; ++o) f(o - 1) = std::isfinite(r(o)) ? r(o) : 1e6;
    return 0;
  }
};
}  // namespace

PeriodSolution solve_period(const Eigen::MatrixXd& log_coef, double omega,
                            const Eigen::MatrixXd& tariff,
                            const std::function<double(int, double)>& sales,
                            const Eigen::VectorXd& wage_guess, double tolerance,
                            int max_evaluations, Eigen::MatrixXd* jacobian) {
  Timer timer;
  const int J = static_cast<int>(log_coef.rows());
  PeriodSolution sol;
  Eigen::VectorXd residual;
  Eigen::VectorXd w = wage_guess / wage_guess(0);
  int evaluations = 0;
  if (J > 1) {
    WageFunctor f{log_coef, omega, tariff, sales, J};
    Eigen::VectorXd x(J - 1), fx(J - 1);
    for (int o = 1; o < J; ++o) x(o - 1) = std::log(w(o));
    bool done = false;
    if (jacobian && jacobian->rows() == J - 1) {
      // Chord-Newton with the cached Jacobian; accepted only if it meets the tolerance.
      Eigen::PartialPivLU<Eigen::MatrixXd> lu(*jacobian);
      // Steps continue while the residual keeps falling fast; the result is accepted only if
      // all J market-clearing conditions (country 0's included) meet the tolerance.
      Eigen::VectorXd y = x;
      double prev = std::numeric_limits<double>::infinity();
      for (int it = 0; it < 20; ++it) {
        f(y, fx);
        ++evaluations;
        const double r = fx.cwiseAbs().maxCoeff();
        if (!std::isfinite(r) || r > 0.5 * prev) break;
        x = y;
        prev = r;
        if (r <= 1e-3 * tolerance) break;
        y -= lu.solve(fx);
      }
      if (std::isfinite(prev)) {
        Eigen::VectorXd wx(J), full;
        wx(0) = 1;
        for (int o = 1; o < J; ++o) wx(o) = std::exp(x(o - 1));
        PeriodSolution tmp;
        evaluate_period(log_coef, omega, tariff, sales, wx, tmp, full);
        done = full.cwiseAbs().maxCoeff() <= tolerance;
      }
      if (!done)
        for (int o = 1; o < J; ++o) x(o - 1) = std::log(w(o));  // restart from the guess
    }
    if (!done) {
      Eigen::HybridNonLinearSolver<WageFunctor> solver(f);
      solver.parameters.xtol = 1e-15;
      solver.parameters.maxfev = max_evaluations;
      solver.solveNumericalDiff(x);
      evaluations += static_cast<int>(solver.nfev);
      if (jacobian) {
        // Forward-difference Jacobian at the solution for later chord steps.
        f(x, fx);
        jacobian->resize(J - 1, J - 1);
        Eigen::VectorXd xh = x, fh(J - 1);
        for (int k = 0; k < J - 1; ++k) {
          const double h = 1e-7;
          xh(k) = x(k) + h;
          f(xh, fh);
          jacobian->col(k) = (fh - fx) / h;
          xh(k) = x(k);
        }
        evaluations += J;
      }
    }
    for (int o = 1; o < J; ++o) w(o) = std::exp(x(o - 1));
  }
  evaluate_period(log_coef, omega, tariff, sales, w, sol, residual);
  const double res = residual.cwiseAbs().maxCoeff();
  sol.report.iterations = evaluations;
  sol.report.residual = std::isfinite(res) ? res : std::numeric_limits<double>::infinity();
  sol.report.seconds = timer.seconds();
  if (!std::isfinite(res) || !sol.sales.allFinite() || (sol.sales.array() <= 0).any()) {
    sol.report.status = SolverStatus::Failed;
    sol.report.message = "non-finite or non-positive sales at the final wages";
  } else if (res <= tolerance) {
    sol.report.status = SolverStatus::Converged;
    sol.report.message = "market clearing met in all countries";
  } else {
    sol.report.status =
        evaluations >= max_evaluations ? SolverStatus::IterationLimit : SolverStatus::Failed;
    sol.report.message = "market-clearing residual above tolerance";
  }
  return sol;
}

}  // namespace hat::dynamic::detail
