// OLS and 2SLS by column-pivoted Householder QR (numerically stable; rank is checked against
// a relative threshold). Standard errors are the classical ones (e.g. Greene, Econometric
// Analysis, ch. 4 and 8); the 2SLS covariance is sigma2 (Xhat'Xhat)^-1 with sigma2 from the
// structural residuals.
#include "hat/numerics/ols.hpp"

#include <cmath>
#include <string>

#include "hat/core/error.hpp"

namespace hat::numerics {
namespace {

std::string column_name(const std::vector<std::string>& names, long j) {
  // built with append: GCC 12 warns spuriously (-Wrestrict) on "literal" + std::string
  std::string out;
  if (j >= 0 && j < static_cast<long>(names.size())) {
    out.append("'").append(names[j]).append("'");
  } else {
    out.append("#").append(std::to_string(j));
  }
  return out;
}

void check_finite(const Eigen::MatrixXd& M, const char* what) {
  if (!M.allFinite()) throw NumericalError(std::string("regression: non-finite values in ") + what);
}

// Full-rank check with a column-pivoted QR; names a column that lies in the span of others.
Eigen::ColPivHouseholderQR<Eigen::MatrixXd> checked_qr(const Eigen::MatrixXd& X,
                                                       const std::vector<std::string>& names,
                                                       const char* what) {
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(X);
  qr.setThreshold(1e-10);
  if (qr.rank() < X.cols()) {
    // the pivoted column at position rank() is (numerically) dependent on the earlier ones
    const long j = qr.colsPermutation().indices()(qr.rank());
    throw NumericalError(std::string("regression: ") + what + " is rank deficient (rank " +
                         std::to_string(qr.rank()) + " of " + std::to_string(X.cols()) +
                         " columns; column " + column_name(names, j) + " is collinear)");
  }
  return qr;
}

void fill_fit(RegressionResult& r, const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  r.n = X.rows();
  r.k = X.cols();
  r.fitted = X * r.coef;
  r.residuals = y - r.fitted;
  r.rss = r.residuals.squaredNorm();
  r.sigma2 = r.rss / static_cast<double>(r.n - r.k);
  const double mean = y.mean();
  const double tss = (y.array() - mean).matrix().squaredNorm();
  r.r2 = tss > 0 ? 1.0 - r.rss / tss : 0.0;
  const double yy = y.squaredNorm();
  r.r2_uncentered = yy > 0 ? 1.0 - r.rss / yy : 0.0;
}

}  // namespace

RegressionResult ols(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                     const std::vector<std::string>& names) {
  if (X.rows() != y.size()) throw NumericalError("ols: X and y have different numbers of rows");
  if (X.rows() <= X.cols()) throw NumericalError("ols: need more observations than regressors");
  check_finite(X, "X");
  check_finite(y, "y");
  auto qr = checked_qr(X, names, "the design matrix");
  RegressionResult r;
  r.coef = qr.solve(y);
  fill_fit(r, X, y);
  // (X'X)^-1 = P R^-1 R^-T P'
  const long k = X.cols();
  Eigen::MatrixXd Rinv = qr.matrixR().topLeftCorner(k, k).triangularView<Eigen::Upper>().solve(
      Eigen::MatrixXd::Identity(k, k));
  Eigen::MatrixXd XtXinv_perm = Rinv * Rinv.transpose();
  const auto& P = qr.colsPermutation();
  Eigen::MatrixXd XtXinv = P * XtXinv_perm * P.transpose();
  r.cov = r.sigma2 * XtXinv;
  r.se = r.cov.diagonal().cwiseSqrt();
  return r;
}

RegressionResult tsls(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Z, const Eigen::VectorXd& y,
                      const std::vector<std::string>& names) {
  if (X.rows() != y.size() || Z.rows() != y.size())
    throw NumericalError("tsls: X, Z and y have different numbers of rows");
  if (Z.cols() < X.cols())
    throw NumericalError("tsls: fewer instruments than regressors (under-identified)");
  check_finite(X, "X");
  check_finite(Z, "Z");
  check_finite(y, "y");
  auto qz = checked_qr(Z, {}, "the instrument matrix");
  // first stage: Xhat = Z (Z'Z)^-1 Z' X
  Eigen::MatrixXd Xhat = Z * qz.solve(X);
  auto qx = checked_qr(Xhat, names, "the projected regressors (weak or missing instruments)");
  RegressionResult r;
  r.coef = qx.solve(y);
  fill_fit(r, X, y);  // structural residuals
  const long k = X.cols();
  Eigen::MatrixXd Rinv = qx.matrixR().topLeftCorner(k, k).triangularView<Eigen::Upper>().solve(
      Eigen::MatrixXd::Identity(k, k));
  const auto& P = qx.colsPermutation();
  Eigen::MatrixXd inv = P * (Rinv * Rinv.transpose()) * P.transpose();
  r.cov = r.sigma2 * inv;
  r.se = r.cov.diagonal().cwiseSqrt();
  return r;
}

Eigen::MatrixXd ols_coefficient_map(const Eigen::MatrixXd& X,
                                    const std::vector<std::string>& names) {
  check_finite(X, "X");
  auto qr = checked_qr(X, names, "the design matrix");
  return qr.solve(Eigen::MatrixXd::Identity(X.rows(), X.rows()));
}

}  // namespace hat::numerics
