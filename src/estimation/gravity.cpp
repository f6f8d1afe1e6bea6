// Gravity regression with importer and exporter fixed effects, distance bins and covariates:
// Eaton & Kortum (2002), "Technology, Geography, and Trade", Econometrica 70(5), eq. (30) and
// Table III; normalisation of the fixed effects as in MODEL.md §2. OLS by QR (numerics/ols).
#include "hat/estimation/gravity.hpp"

#include <cmath>

#include "hat/core/error.hpp"
#include "hat/numerics/ols.hpp"

namespace hat::estimation {

std::vector<std::string> level_names(bool has_bins) {
  if (!has_bins) return {"constant"};
  std::vector<std::string> names;
  for (int b = 1; b <= kDistanceBins; ++b) names.push_back("dist_" + std::to_string(b));
  return names;
}

double GravityEstimates::covariate(const std::string& name) const {
  for (size_t j = 0; j < covariate_names.size(); ++j)
    if (covariate_names[j] == name) return coef(static_cast<Eigen::Index>(j));
  throw InputError("gravity estimates: no covariate '" + name + "'");
}

GravityRegression::GravityRegression(const data::GravityData& d)
    : n_(d.n_countries()),
      levels_(d.has_bins() ? kDistanceBins : 1),
      countries_(d.countries),
      covariate_names_(d.covariate_names),
      importer_(d.importer),
      exporter_(d.exporter) {
  d.validate("gravity design");
  const int N = n_, L = levels_;
  const int Kc = static_cast<int>(covariate_names_.size());
  const long P = d.n_pairs();
  const int c0 = 2 * N - 1, x0 = c0 + L - 1;  // first bin column, first covariate column
  const int K = x0 + Kc;
  // Basis: a_1..a_N (importer FE), b_1..b_{N-1} (exporter FE, b_N = 0), c_2..c_L (c_1 = 0),
  // the covariates.
  X_ = Eigen::MatrixXd::Zero(P, K);
  for (long k = 0; k < P; ++k) {
    X_(k, d.importer[k]) = 1.0;
    if (d.exporter[k] < N - 1) X_(k, N + d.exporter[k]) = 1.0;
    if (d.has_bins() && d.distbin[k] > 0) X_(k, c0 + d.distbin[k] - 1) = 1.0;
    for (int j = 0; j < Kc; ++j) X_(k, x0 + j) = d.covariates(k, j);
  }
  for (int i = 0; i < N; ++i) column_names_.push_back("importer_" + countries_[i]);
  for (int i = 0; i < N - 1; ++i) column_names_.push_back("exporter_" + countries_[i]);
  for (int b = 2; b <= L; ++b) column_names_.push_back("bin" + std::to_string(b));
  for (const auto& s : covariate_names_) column_names_.push_back(s);

  // R maps basis coefficients to [S_1..S_N, m_1..m_N, level effects, covariates].
  R_ = Eigen::MatrixXd::Zero(2 * N + L + Kc, K);
  // exporter FE as a linear function of the basis: b_i (i < N), 0 for the last
  Eigen::MatrixXd B = Eigen::MatrixXd::Zero(N, K), A = Eigen::MatrixXd::Zero(N, K);
  for (int i = 0; i < N - 1; ++i) B(i, N + i) = 1.0;
  for (int i = 0; i < N; ++i) A(i, i) = 1.0;
  const Eigen::RowVectorXd mean_b = B.colwise().mean();
  const Eigen::MatrixXd AB = A + B;
  const Eigen::RowVectorXd mean_ab = AB.colwise().mean();
  for (int i = 0; i < N; ++i) {
    R_.row(i) = B.row(i) - mean_b;
    R_.row(N + i) = AB.row(i) - mean_ab;
  }
  for (int b = 0; b < L; ++b) {
    R_.row(2 * N + b) = mean_ab;
    if (b > 0) R_(2 * N + b, c0 + b - 1) += 1.0;
  }
  for (int j = 0; j < Kc; ++j) R_(2 * N + L + j, x0 + j) = 1.0;

  // reciprocal pairs (validate() guarantees that every ordered pair is present once)
  std::vector<long> index(static_cast<size_t>(N) * N, -1);
  for (long k = 0; k < P; ++k) index[d.importer[k] * N + d.exporter[k]] = k;
  partner_.resize(P);
  for (long k = 0; k < P; ++k) partner_[k] = index[d.exporter[k] * N + d.importer[k]];

  Eigen::MatrixXd coef_map;
  try {
    coef_map = numerics::ols_coefficient_map(X_, column_names_);
  } catch (const NumericalError& e) {
    // A property of the data (e.g. a covariate that varies by importer or exporter only).
    const std::string src = d.files.empty() ? "gravity design" : d.files.front();
    throw InputError(src + ": the gravity design with fixed effects" +
                     (d.has_bins() ? std::string(", distance bins") : std::string()) +
                     " and covariates is not identified: " + e.what());
  }
  const Eigen::MatrixXd all = R_ * coef_map;  // (2N+L+K) x P
  // moments: drop S_N and m_N (they are minus the sum of the others)
  G_.resize(2 * (N - 1) + L + Kc, P);
  G_.topRows(N - 1) = all.topRows(N - 1);
  G_.middleRows(N - 1, N - 1) = all.middleRows(N, N - 1);
  G_.bottomRows(L + Kc) = all.bottomRows(L + Kc);
}

std::vector<std::string> GravityRegression::cost_names() const {
  std::vector<std::string> names = level_names(levels_ == kDistanceBins);
  names.insert(names.end(), covariate_names_.begin(), covariate_names_.end());
  return names;
}

std::vector<std::string> GravityRegression::moment_names() const {
  std::vector<std::string> names;
  for (int i = 0; i < n_ - 1; ++i) names.push_back("S_" + countries_[i]);
  for (int i = 0; i < n_ - 1; ++i) names.push_back("m_" + countries_[i]);
  for (const auto& s : cost_names()) names.push_back(s);
  return names;
}

Eigen::VectorXd GravityRegression::moments(const Eigen::VectorXd& y) const {
  if (y.size() != n_pairs())
    throw InputError("gravity: y has " + std::to_string(y.size()) + " entries, expected " +
                     std::to_string(n_pairs()));
  if (!y.allFinite()) throw NumericalError("gravity: y contains non-finite values");
  return G_ * y;
}

Eigen::VectorXd GravityRegression::log_normalised_flows(const Eigen::MatrixXd& M) const {
  if (M.rows() != n_ || M.cols() != n_)
    throw InputError("gravity: flow matrix must be " + std::to_string(n_) + " x " +
                     std::to_string(n_));
  Eigen::VectorXd y(n_pairs());
  for (long k = 0; k < n_pairs(); ++k) {
    const double num = M(importer_[k], exporter_[k]), den = M(importer_[k], importer_[k]);
    if (!(num > 0) || !(den > 0) || !std::isfinite(num) || !std::isfinite(den))
      throw NumericalError("gravity: flows must be positive and finite (pair " +
                           countries_[importer_[k]] + "-" + countries_[exporter_[k]] + ")");
    y(k) = std::log(num / den);
  }
  return y;
}

namespace {
// Names the trade-cost part (levels then covariates) of a vector and fills the mirrors.
void name_costs(GravityEstimates& e, const Eigen::VectorXd& v, int levels,
                const std::vector<std::string>& covariate_names) {
  e.bins = v.head(levels);
  e.covariate_names = covariate_names;
  e.coef = v.segment(levels, static_cast<Eigen::Index>(covariate_names.size()));
  for (size_t j = 0; j < covariate_names.size(); ++j) {
    const std::string& s = covariate_names[j];
    const double c = e.coef(static_cast<Eigen::Index>(j));
    if (s == "border") e.border = c;
    if (s == "language") e.language = c;
    if (s == "ec") e.ec = c;
    if (s == "efta") e.efta = c;
  }
}

GravityEstimates named_vector(const std::vector<std::string>& countries, const Eigen::VectorXd& v,
                              int levels, const std::vector<std::string>& covariate_names) {
  const int N = static_cast<int>(countries.size());
  GravityEstimates e;
  e.countries = countries;
  e.S = v.head(N);
  e.m = v.segment(N, N);
  name_costs(e, v.tail(v.size() - 2 * N), levels, covariate_names);
  return e;
}
}  // namespace

GravityEstimates GravityRegression::estimates(const Eigen::VectorXd& mom) const {
  const int N = n_;
  if (mom.size() != n_moments())
    throw InputError("gravity: expected " + std::to_string(n_moments()) + " moments, got " +
                     std::to_string(mom.size()));
  GravityEstimates e;
  e.countries = countries_;
  e.S.resize(N);
  e.m.resize(N);
  e.S.head(N - 1) = mom.head(N - 1);
  e.S(N - 1) = -mom.head(N - 1).sum();
  e.m.head(N - 1) = mom.segment(N - 1, N - 1);
  e.m(N - 1) = -mom.segment(N - 1, N - 1).sum();
  name_costs(e, mom.tail(mom.size() - 2 * (N - 1)), levels_, covariate_names_);
  return e;
}

GravityFit GravityRegression::fit_gls(const Eigen::VectorXd& y) const {
  GravityFit ols_fit = fit(y);
  const long P = X_.rows(), K = X_.cols();
  const Eigen::VectorXd& e = ols_fit.residuals;
  double ee = 0, cross = 0;
  for (long k = 0; k < P; ++k) {
    ee += e(k) * e(k);
    cross += e(k) * e(partner_[k]);
  }
  const double c = cross / static_cast<double>(P - K);
  const double s = ee / static_cast<double>(P - K) - c;
  if (!(s > 0) || !(s + 2 * c > 0))
    throw NumericalError("gravity GLS: estimated error covariance is not positive definite");
  // Omega^(-1/2) on a pair block [[s+c, c], [c, s+c]]: eigenvalues s+2c on (1,1), s on (1,-1)
  const double a = 1 / std::sqrt(s + 2 * c), b = 1 / std::sqrt(s);
  Eigen::MatrixXd Xt(P, K);
  Eigen::VectorXd yt(P);
  for (long k = 0; k < P; ++k) {
    const long q = partner_[k];
    Xt.row(k) = 0.5 * (a + b) * X_.row(k) + 0.5 * (a - b) * X_.row(q);
    yt(k) = 0.5 * (a + b) * y(k) + 0.5 * (a - b) * y(q);
  }
  numerics::RegressionResult r = numerics::ols(Xt, yt, column_names_);
  // classical cov of the transformed regression is sigma2_t (Xt'Xt)^-1; with Omega estimated in
  // levels the GLS covariance is (Xt'Xt)^-1 itself
  const Eigen::MatrixXd cov = r.cov / r.sigma2;
  GravityFit f;
  f.estimates = named_vector(countries_, R_ * r.coef, levels_, covariate_names_);
  f.std_errors = named_vector(countries_, (R_ * cov * R_.transpose()).diagonal().cwiseSqrt(),
                              levels_, covariate_names_);
  f.fitted = X_ * r.coef;
  f.residuals = y - f.fitted;
  f.rss = f.residuals.squaredNorm();
  const double tss = (y.array() - y.mean()).matrix().squaredNorm();
  f.r2 = 1 - f.rss / tss;
  f.sigma2 = f.rss / static_cast<double>(P - K);
  f.n_obs = P;
  f.n_params = K;
  f.gls = true;
  f.sigma1_sq = s;
  f.sigma2_sq = c;
  return f;
}

GravityFit GravityRegression::fit(const Eigen::VectorXd& y) const {
  numerics::RegressionResult r = numerics::ols(X_, y, column_names_);
  GravityFit f;
  const Eigen::VectorXd all = R_ * r.coef;
  const Eigen::VectorXd se = (R_ * r.cov * R_.transpose()).diagonal().cwiseSqrt();
  auto named = [&](const Eigen::VectorXd& v) {
    return named_vector(countries_, v, levels_, covariate_names_);
  };
  f.estimates = named(all);
  f.std_errors = named(se);
  f.rss = r.rss;
  f.r2 = r.r2;
  f.sigma2 = r.sigma2;
  f.n_obs = r.n;
  f.n_params = r.k;
  f.fitted = r.fitted;
  f.residuals = r.residuals;
  return f;
}

}  // namespace hat::estimation
