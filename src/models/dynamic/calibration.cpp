// Calibration of iceberg trade costs to observed bilateral trade shares for the dynamic
// gains-from-trade models. Method: with observed tariff-inclusive shares lambda, balanced
// trade and rebated tariff revenue make sales the Perron vector of the column-stochastic
// matrix M_od = (lambda_do / tau_do) / sum_o' (lambda_do' / tau_do') (solved as a linear system
// with the normalisation S_0 = 1); wages follow from w_o L_o = (1 - s) S_o and iceberg costs
// from the steady-state gravity equation (docs/dynamic.md §1.1) with kappa_dd = 1:
//   log kappa_do = -[log(lambda_do/lambda_dd) - (1 - psi(1+chi)) log tau_do
//                    - omega log(w_o/w_d)] / (eps (1+chi)),  omega = -chi - (eps+a)(1+chi).
#include <cmath>
#include <string>

#include "hat/core/error.hpp"
#include "hat/models/dynamic.hpp"

namespace hat::dynamic {

Economy calibrate_trade_costs(const Parameters& p, const Eigen::VectorXd& labor,
                              const Eigen::MatrixXd& tariff, const Eigen::MatrixXd& flows) {
  const ReducedForm r = reduced_form(p);
  const int J = static_cast<int>(labor.size());
  if (flows.rows() != J || flows.cols() != J)
    throw InputError("[calibration] file: expected " + std::to_string(J) + " x " +
                     std::to_string(J) + " trade flows, got " + std::to_string(flows.rows()) +
                     " x " + std::to_string(flows.cols()));
  for (int d = 0; d < J; ++d)
    for (int o = 0; o < J; ++o)
      if (!std::isfinite(flows(d, o)) || flows(d, o) <= 0)
        throw InputError("[calibration] file: trade flow (importer " + std::to_string(d + 1) +
                         ", exporter " + std::to_string(o + 1) +
                         ") must be positive (a zero flow needs an infinite trade cost)");
  Economy e{labor, Eigen::MatrixXd::Ones(J, J), tariff};
  validate(e);
  Eigen::MatrixXd lambda(J, J);
  for (int d = 0; d < J; ++d) {
    double total = 0;
    for (int o = 0; o < J; ++o) total += tariff(d, o) * flows(d, o);
    for (int o = 0; o < J; ++o) lambda(d, o) = tariff(d, o) * flows(d, o) / total;
  }
  Eigen::VectorXd a(J);
  for (int d = 0; d < J; ++d) {
    a(d) = 0;
    for (int o = 0; o < J; ++o) a(d) += lambda(d, o) / tariff(d, o);
  }
  Eigen::MatrixXd M(J, J);
  for (int o = 0; o < J; ++o)
    for (int d = 0; d < J; ++d) M(o, d) = lambda(d, o) / tariff(d, o) / a(d);
  // (M - I) S = 0 with S_0 = 1: replace the first equation by the normalisation.
  Eigen::MatrixXd A = M - Eigen::MatrixXd::Identity(J, J);
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(J);
  A.row(0).setZero();
  A(0, 0) = 1;
  rhs(0) = 1;
  Eigen::VectorXd S = A.fullPivLu().solve(rhs);
  if (!S.allFinite() || (S.array() <= 0).any())
    throw InputError(
        "[calibration] file: the trade flows do not determine positive sales "
        "(the trade matrix is reducible)");
  Eigen::VectorXd w(J);
  for (int o = 0; o < J; ++o) w(o) = (1 - r.s) * S(o) / labor(o);
  w /= w(0);
  const double omega = -r.chi - (r.epsilon + r.a) * (1 + r.chi);
  const double gamma_tau = 1 - r.psi * (1 + r.chi), theta = r.epsilon * (1 + r.chi);
  for (int d = 0; d < J; ++d)
    for (int o = 0; o < J; ++o) {
      if (d == o) continue;
      const double rhs_log = std::log(lambda(d, o) / lambda(d, d)) -
                             gamma_tau * std::log(tariff(d, o)) -
                             omega * (std::log(w(o)) - std::log(w(d)));
      e.kappa(d, o) = std::exp(-rhs_log / theta);
    }
  return e;
}

}  // namespace hat::dynamic
