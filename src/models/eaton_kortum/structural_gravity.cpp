// Structural gravity with Fréchet technology: Eaton & Kortum (2002), eqs. (7)-(10):
// pi_ni = T_i (c_i d_ni)^-theta / Phi_n, p_n = gamma Phi_n^(-1/theta). Sums are taken in logs
// (log-sum-exp) so that large theta or large trade costs neither overflow nor underflow.
#include <cmath>
#include <limits>

#include "hat/core/error.hpp"
#include "hat/models/eaton_kortum.hpp"

namespace hat::models::ek {
namespace {

void check_inputs(const Eigen::VectorXd& T, const Eigen::VectorXd& c, const Eigen::MatrixXd& d,
                  double theta) {
  const long n = T.size();
  if (c.size() != n || d.rows() != n || d.cols() != n)
    throw InputError("structural gravity: T, c and d must have matching sizes (N, N, N x N)");
  if (!(theta > 0) || !std::isfinite(theta))
    throw InputError("structural gravity: theta must be positive and finite");
  for (long i = 0; i < n; ++i) {
    if (!(T(i) > 0) || !std::isfinite(T(i)))
      throw InputError("structural gravity: T[" + std::to_string(i) + "] must be positive");
    if (!(c(i) > 0) || !std::isfinite(c(i)))
      throw InputError("structural gravity: c[" + std::to_string(i) + "] must be positive");
    for (long j = 0; j < n; ++j)
      if (!(d(i, j) > 0) || std::isnan(d(i, j)))
        throw InputError("structural gravity: d(" + std::to_string(i) + "," + std::to_string(j) +
                         ") must be positive (+inf allowed)");
  }
}

// log of T_i (c_i d_ni)^-theta; -inf for prohibitive d.
Eigen::MatrixXd log_terms(const Eigen::VectorXd& T, const Eigen::VectorXd& c,
                          const Eigen::MatrixXd& d, double theta) {
  const long n = T.size();
  Eigen::MatrixXd L(n, n);
  for (long i = 0; i < n; ++i) {
    const double base = std::log(T(i)) - theta * std::log(c(i));
    for (long r = 0; r < n; ++r)
      L(r, i) = std::isinf(d(r, i)) ? -std::numeric_limits<double>::infinity()
                                    : base - theta * std::log(d(r, i));
  }
  return L;
}

double row_lse(const Eigen::MatrixXd& L, long r) {
  const double m = L.row(r).maxCoeff();
  if (!std::isfinite(m))
    throw InputError("structural gravity: country " + std::to_string(r) +
                     " can buy from no source (all trade costs infinite)");
  double s = 0;
  for (long i = 0; i < L.cols(); ++i) s += std::exp(L(r, i) - m);  // fixed order
  return m + std::log(s);
}

}  // namespace

Eigen::VectorXd log_price_parameter(const Eigen::VectorXd& T, const Eigen::VectorXd& c,
                                    const Eigen::MatrixXd& d, double theta) {
  check_inputs(T, c, d, theta);
  const Eigen::MatrixXd L = log_terms(T, c, d, theta);
  Eigen::VectorXd out(T.size());
  for (long r = 0; r < T.size(); ++r) out(r) = row_lse(L, r);
  return out;
}

Eigen::MatrixXd trade_shares(const Eigen::VectorXd& T, const Eigen::VectorXd& c,
                             const Eigen::MatrixXd& d, double theta) {
  check_inputs(T, c, d, theta);
  const Eigen::MatrixXd L = log_terms(T, c, d, theta);
  Eigen::MatrixXd pi(T.size(), T.size());
  for (long r = 0; r < T.size(); ++r) {
    const double lphi = row_lse(L, r);
    for (long i = 0; i < T.size(); ++i) pi(r, i) = std::exp(L(r, i) - lphi);
  }
  return pi;
}

Eigen::VectorXd price_index(const Eigen::VectorXd& T, const Eigen::VectorXd& c,
                            const Eigen::MatrixXd& d, double theta, double gamma) {
  if (!(gamma > 0)) throw InputError("structural gravity: gamma must be positive");
  return (std::log(gamma) - log_price_parameter(T, c, d, theta).array() / theta).exp().matrix();
}

double gamma_constant(double theta, double sigma) {
  if (!(sigma > 0) || sigma == 1.0)
    throw InputError("gamma_constant: sigma must be positive and different from 1");
  if (!(theta > sigma - 1))
    throw InputError("gamma_constant: EK require theta > sigma - 1 for a finite price index");
  return std::pow(std::tgamma((theta + 1 - sigma) / theta), 1.0 / (1.0 - sigma));
}

}  // namespace hat::models::ek
