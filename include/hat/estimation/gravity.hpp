// The gravity regression of Eaton & Kortum (2002, eq. 30 and Table III) with the EK
// normalisation of MODEL.md §2, for data and for model output alike.
//
//   y_ni = importer FE_n + exporter FE_i + dist_k(n,i) + sum_j beta_j x_j(n,i) + e
//
// over the N(N-1) off-diagonal pairs, by OLS, where x_j are the data's covariates (EK: border,
// language, EC, EFTA). Reported (all identified, whatever basis is used):
//   S_i    = exporter FE_i - mean(exporter FE)                          (source effects)
//   m_n    = (importer FE_n + exporter FE_n) - mean(importer FE + exporter FE)
//   dist_k = bin coefficient_k + mean(importer FE + exporter FE)        (bin 1 absorbed: coef 0)
// Data without distance bins have a single "constant" = mean(importer FE + exporter FE) in
// place of the six dist_k (the level of trade costs).
// The design is fixed, so the regression is a fixed linear map of y: the calibration evaluates
// moments = G y with a precomputed G (moment_map) inside its root finder.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "hat/data/ek_data.hpp"

namespace hat::estimation {

inline constexpr int kDistanceBins = 6;

// Named gravity estimates. S and m have one entry per country (both sum to zero).
struct GravityEstimates {
  std::vector<std::string> countries;
  Eigen::VectorXd S, m;  // N each
  // The 6 distance-bin effects dist_1..dist_6, or one entry (the constant) without bins.
  Eigen::VectorXd bins;
  std::vector<std::string> covariate_names;
  Eigen::VectorXd coef;  // one per covariate
  // Mirrors of the coefficients of covariates named border, language, ec, efta (0 if absent).
  double border = 0, language = 0, ec = 0, efta = 0;
  // The coefficient of a covariate by name; throws InputError if there is none.
  double covariate(const std::string& name) const;
};

// Names of the level effects: dist_1..dist_6 with distance bins, else {"constant"}.
std::vector<std::string> level_names(bool has_bins);

// Full fit: estimates with classical standard errors (same layout), RSS and R^2.
struct GravityFit {
  GravityEstimates estimates, std_errors;
  double rss = 0.0, r2 = 0.0, sigma2 = 0.0;
  long n_obs = 0, n_params = 0;
  Eigen::VectorXd fitted, residuals;
  // GLS only (fit_gls): the error components of EK eq. (30), delta_ni = delta2_ni + delta1_ni
  // with delta2 common to both directions of a pair: Var = sigma1^2 + sigma2^2,
  // Cov(delta_ni, delta_in) = sigma2^2.
  bool gls = false;
  double sigma1_sq = 0.0, sigma2_sq = 0.0;
};

class GravityRegression {
 public:
  // Builds the design matrix from the pair structure and covariates of `design` (its y is not
  // used) and precomputes the moment map. Throws InputError naming a collinear column if the
  // design is rank deficient (e.g. a covariate that varies by importer only).
  explicit GravityRegression(const data::GravityData& design);

  int n_countries() const { return n_; }
  long n_pairs() const { return X_.rows(); }
  // 2(N-1) + L + K moments: S_i (i < N-1, i.e. all but the last country, USA in EK's order),
  // m_n (n < N-1), the L level effects (dist_1..dist_6, or the constant without bins), the K
  // covariates' coefficients (EK: border, language, EC, EFTA; 2(N-1) + 10 in all).
  int n_moments() const { return static_cast<int>(G_.rows()); }
  int n_levels() const { return levels_; }
  const std::vector<std::string>& covariate_names() const { return covariate_names_; }
  // Names of the trade-cost moments: level names, then covariate names.
  std::vector<std::string> cost_names() const;
  std::vector<std::string> moment_names() const;
  // G (n_moments x n_pairs): moments = G y for y in the design's pair order.
  const Eigen::MatrixXd& moment_map() const { return G_; }
  Eigen::VectorXd moments(const Eigen::VectorXd& y) const;
  // y_ni = log(M_ni / M_nn) in the design's pair order from an N x N matrix of flows or shares
  // M(n, i) (importer n, exporter i): the model-side regressand of MODEL.md §2. Throws
  // InputError on a wrong size and NumericalError on non-positive entries.
  Eigen::VectorXd log_normalised_flows(const Eigen::MatrixXd& M) const;
  // Names the moments (S_last = -sum of the others, m_last likewise).
  GravityEstimates estimates(const Eigen::VectorXd& moments) const;
  // OLS with standard errors, RSS and R^2.
  GravityFit fit(const Eigen::VectorXd& y) const;
  // Feasible GLS of EK (2002) Table III, GLS column: the variance components are estimated
  // from the OLS residuals (sigma2^2 = sum e_ni e_in / (P - K), sigma1^2 + sigma2^2 =
  // sum e_ni^2 / (P - K)), then OLS on data pre-multiplied by Omega^(-1/2) (2 x 2 blocks per
  // reciprocal pair). Standard errors from (X' Omega^-1 X)^-1; rss/r2 refer to the
  // untransformed residuals. Requires every pair's reciprocal to be present.
  GravityFit fit_gls(const Eigen::VectorXd& y) const;
  // The basis design matrix (importer FE 1..N, exporter FE 1..N-1, bins 2..6 if any, the
  // covariates).
  const Eigen::MatrixXd& design_matrix() const { return X_; }
  const std::vector<std::string>& countries() const { return countries_; }

 private:
  int n_, levels_;
  std::vector<std::string> countries_, covariate_names_;
  Eigen::MatrixXd X_;  // pairs x (2N - 1 + L - 1 + K)
  Eigen::MatrixXd R_;  // (2N + L + K) x basis: basis coefficients -> all named quantities
  Eigen::MatrixXd G_;  // moments x pairs
  std::vector<std::string> column_names_;
  std::vector<long> partner_;  // index of the reciprocal pair (i, n) of pair (n, i)
  std::vector<int> importer_, exporter_;
};

}  // namespace hat::estimation
