// Tests of OLS / 2SLS (numerics/ols): closed forms of the simple regression and the IV ratio.
#include <gtest/gtest.h>

#include <cmath>

#include "hat/core/error.hpp"
#include "hat/numerics/ols.hpp"

using namespace hat::numerics;

namespace {
Eigen::VectorXd grid(int n, double a, double b) {
  return Eigen::VectorXd::LinSpaced(n, a, b);
}
}  // namespace

// Noise-free data: OLS returns the generating coefficients and zero residuals.
TEST(OlsRegression, RecoversExactCoefficients) {
  const int n = 40;
  Eigen::MatrixXd X(n, 3);
  X << Eigen::VectorXd::Ones(n), grid(n, -1, 2), grid(n, 0, 1).array().square().matrix();
  const Eigen::Vector3d b(0.5, -1.25, 3.0);
  RegressionResult r = ols(X, X * b);
  EXPECT_LT((r.coef - b).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT(r.rss, 1e-20);
}

// Simple regression with a constant: slope = cov(x,y)/var(x), se(slope) = sqrt(s2 / Sxx),
// R^2 = corr(x,y)^2 (textbook closed forms, e.g. Greene ch. 3-4).
TEST(OlsRegression, SimpleRegressionClosedForms) {
  const int n = 25;
  Eigen::VectorXd x = grid(n, 0, 4), y(n);
  for (int i = 0; i < n; ++i) y(i) = 1.0 + 0.7 * x(i) + 0.3 * std::sin(3.0 * i);
  Eigen::MatrixXd X(n, 2);
  X << Eigen::VectorXd::Ones(n), x;
  RegressionResult r = ols(X, y);
  const double mx = x.mean(), my = y.mean();
  const double sxx = (x.array() - mx).square().sum();
  const double sxy = ((x.array() - mx) * (y.array() - my)).sum();
  const double syy = (y.array() - my).square().sum();
  const double slope = sxy / sxx;
  EXPECT_NEAR(r.coef(1), slope, 1e-12);
  EXPECT_NEAR(r.coef(0), my - slope * mx, 1e-12);
  const double rss = syy - slope * sxy;
  EXPECT_NEAR(r.rss, rss, 1e-10);
  EXPECT_NEAR(r.se(1), std::sqrt(rss / (n - 2) / sxx), 1e-12);
  EXPECT_NEAR(r.r2, sxy * sxy / (sxx * syy), 1e-12);
}

TEST(OlsRegression, RankDeficiencyIsAnErrorNamingTheColumn) {
  const int n = 10;
  Eigen::MatrixXd X(n, 3);
  X << Eigen::VectorXd::Ones(n), grid(n, 0, 1), 2.0 * Eigen::VectorXd::Ones(n);
  try {
    ols(X, grid(n, 0, 1), {"const", "x", "twice_const"});
    FAIL() << "expected NumericalError";
  } catch (const hat::NumericalError& e) {
    EXPECT_NE(std::string(e.what()).find("rank deficient"), std::string::npos) << e.what();
  }
  Eigen::VectorXd bad = grid(n, 0, 1);
  bad(3) = std::nan("");
  EXPECT_THROW(ols(X.leftCols(2), bad), hat::NumericalError);
}

// Just-identified IV without a constant: b = z'y / z'x; with Z = X, 2SLS is OLS.
TEST(OlsRegression, TslsClosedForms) {
  const int n = 30;
  Eigen::VectorXd z = grid(n, 1, 2), x(n), y(n);
  for (int i = 0; i < n; ++i) {
    x(i) = z(i) + 0.2 * std::cos(1.7 * i);
    y(i) = 2.0 * x(i) + 0.5 * std::cos(1.7 * i);  // error correlated with x, not with z
  }
  RegressionResult iv = tsls(x, z, y);
  EXPECT_NEAR(iv.coef(0), z.dot(y) / z.dot(x), 1e-12);
  RegressionResult o = ols(x, y), same = tsls(x, x, y);
  EXPECT_NEAR(same.coef(0), o.coef(0), 1e-12);
  EXPECT_NEAR(same.se(0), o.se(0), 1e-12);
  Eigen::MatrixXd X2(n, 2);
  X2 << x, z;
  EXPECT_THROW(tsls(X2, z, y), hat::NumericalError);  // under-identified
}

// The coefficient map (X'X)^-1 X' reproduces the OLS coefficients for any y.
TEST(OlsRegression, CoefficientMapMatchesOls) {
  const int n = 20;
  Eigen::MatrixXd X(n, 2);
  X << Eigen::VectorXd::Ones(n), grid(n, -3, 1);
  Eigen::MatrixXd G = ols_coefficient_map(X);
  Eigen::VectorXd y = grid(n, 0, 1).array().exp();
  EXPECT_LT((G * y - ols(X, y).coef).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((G * X - Eigen::MatrixXd::Identity(2, 2)).cwiseAbs().maxCoeff(), 1e-12);
}
