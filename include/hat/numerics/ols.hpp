// Linear regression: ordinary least squares and two-stage least squares with classical
// (homoskedastic) standard errors, R^2 and residuals. Rank deficiency is an error, not a
// silently dropped column.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

namespace hat::numerics {

struct RegressionResult {
  Eigen::VectorXd coef;        // k coefficients, in the column order of X
  Eigen::VectorXd se;          // classical standard errors sqrt(diag(sigma2 (X'X)^-1))
  Eigen::MatrixXd cov;         // sigma2 (X'X)^-1 (2SLS: sigma2 (Xhat'Xhat)^-1)
  Eigen::VectorXd fitted;      // X coef
  Eigen::VectorXd residuals;   // y - X coef
  double rss = 0.0;            // residual sum of squares
  double sigma2 = 0.0;         // rss / (n - k)
  double r2 = 0.0;             // 1 - rss / centred TSS
  double r2_uncentered = 0.0;  // 1 - rss / y'y (the relevant R^2 without a constant)
  long n = 0, k = 0;
};

// OLS of y on the columns of X. Throws NumericalError if X does not have full column rank
// (names the first offending column when `names` is given) or n <= k.
RegressionResult ols(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                     const std::vector<std::string>& names = {});

// Two-stage least squares: regressors X (exogenous ones included in Z as well), instruments Z
// (must contain at least as many columns as X). Residuals and sigma2 use the structural
// residuals y - X coef (not the second-stage ones).
RegressionResult tsls(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Z, const Eigen::VectorXd& y,
                      const std::vector<std::string>& names = {});

// The k x n matrix (X'X)^-1 X' that maps y to the OLS coefficients (for designs that are
// fixed while y changes, e.g. the calibration's moment map).
Eigen::MatrixXd ols_coefficient_map(const Eigen::MatrixXd& X,
                                    const std::vector<std::string>& names = {});

}  // namespace hat::numerics
