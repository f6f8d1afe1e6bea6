// Estimation of the Eaton–Kortum (2002) parameters from their raw 1990 data:
//  * theta from trade and prices (§3, eq. 13 and Figure 2): the price measure
//    D_ni = max2_j r_ni(j) - mean_j r_ni(j), r_ni(j) = ln p_n(j) - ln p_i(j), against the
//    normalised import share ln[(X_ni/X_n)/(X_ii/X_i)] = -theta D_ni; method of moments
//    (ratio of means), OLS through the origin, OLS with source and destination dummies, and
//    2SLS with the geography of Table III as instruments (§5.2).
//  * Table V: source effects on R&D stocks, schooling and schooling-adjusted wages (OLS, 2SLS
//    with the schooling-adjusted labour force and population density as instruments for the
//    wage).
//  * Table VI: states of technology from source effects and schooling-adjusted wages.
//  * Table VII: cost effects 100 (exp(-b / theta) - 1) of the gravity coefficients.
#include <algorithm>
#include <cmath>

#include "hat/core/error.hpp"
#include "hat/models/eaton_kortum.hpp"

namespace hat::models::ek {

PriceTradePairs price_trade_pairs(const data::EkRawData& raw) {
  const int n = static_cast<int>(raw.trade.rows());
  const Eigen::VectorXd X = raw.trade.rowwise().sum();  // absorption, local currency
  const long goods = raw.log_price.cols();
  if (goods < 2) throw InputError("price data: need at least two goods");
  PriceTradePairs p;
  std::vector<double> share, dm;
  std::vector<double> r(goods);
  for (int a = 0; a < n; ++a)
    for (int i = 0; i < n; ++i) {
      if (a == i) continue;
      p.importer.push_back(a);
      p.exporter.push_back(i);
      share.push_back(std::log(raw.trade(a, i) / X(a)) - std::log(raw.trade(i, i) / X(i)));
      double mean = 0;
      for (long j = 0; j < goods; ++j) {
        r[j] = raw.log_price(a, j) - raw.log_price(i, j);
        mean += r[j];
      }
      mean /= static_cast<double>(goods);
      std::vector<double> s = r;
      std::nth_element(s.begin(), s.end() - 2, s.end());  // second largest at end-2
      dm.push_back(s[goods - 2] - mean);
    }
  p.log_share = Eigen::Map<Eigen::VectorXd>(share.data(), static_cast<long>(share.size()));
  p.price_measure = Eigen::Map<Eigen::VectorXd>(dm.data(), static_cast<long>(dm.size()));
  return p;
}

ThetaEstimates estimate_theta(const data::EkRawData& raw) {
  const PriceTradePairs p = price_trade_pairs(raw);
  const data::GravityData& g = raw.gravity;
  const int n = g.n_countries();
  const long P = g.n_pairs();
  for (long k = 0; k < P; ++k)
    if (g.importer[k] != p.importer[k] || g.exporter[k] != p.exporter[k])
      throw InputError("EK raw data: pair order of regression_data.csv differs from the flows");
  ThetaEstimates t;
  const Eigen::VectorXd& y = p.log_share;
  const Eigen::VectorXd& D = p.price_measure;
  t.mom = -y.mean() / D.mean();
  {
    numerics::RegressionResult r = numerics::ols(D, y, {"price_measure"});
    t.ols_origin = -r.coef(0);
    t.se_ols_origin = r.se(0);
  }
  // dummies: importer 1..N, exporter 1..N-1 (one absorbed by the common constant)
  Eigen::MatrixXd FE = Eigen::MatrixXd::Zero(P, 2 * n - 1);
  for (long k = 0; k < P; ++k) {
    FE(k, g.importer[k]) = 1.0;
    if (g.exporter[k] < n - 1) FE(k, n + g.exporter[k]) = 1.0;
  }
  {
    Eigen::MatrixXd X(P, 2 * n);
    X << D, FE;
    numerics::RegressionResult r = numerics::ols(X, y);
    t.ols_dummies = -r.coef(0);
    t.se_ols_dummies = r.se(0);
  }
  {
    // 2SLS: D instrumented by the geography (bins 2..6, border, language, EC, EFTA), dummies
    // included as exogenous regressors.
    Eigen::MatrixXd X(P, 2 * n), Z(P, 2 * n - 1 + 9);
    X << D, FE;
    Eigen::MatrixXd geo = Eigen::MatrixXd::Zero(P, 9);
    for (long k = 0; k < P; ++k) {
      if (g.distbin[k] > 0) geo(k, g.distbin[k] - 1) = 1.0;
      geo(k, 5) = g.border(k);
      geo(k, 6) = g.language(k);
      geo(k, 7) = g.ec(k);
      geo(k, 8) = g.efta(k);
    }
    Z << FE, geo;
    numerics::RegressionResult r = numerics::tsls(X, Z, y);
    t.tsls = -r.coef(0);
    t.se_tsls = r.se(0);
  }
  return t;
}

namespace {
// Country-level regressor relative to the last country (USA), read from the pair columns of
// regression_data.csv, which hold exporter-minus-importer differences.
Eigen::VectorXd relative_to_last(const data::EkRawData& raw, const Eigen::VectorXd& pair_col) {
  const data::GravityData& g = raw.gravity;
  const int n = g.n_countries();
  Eigen::VectorXd v = Eigen::VectorXd::Zero(n);
  for (long k = 0; k < g.n_pairs(); ++k)
    if (g.importer[k] == n - 1) v(g.exporter[k]) = pair_col(k);
  return v;
}
}  // namespace

SourceEffectsFit estimate_source_effects(const data::EkRawData& raw, const Eigen::VectorXd& S,
                                         double g) {
  const int n = raw.gravity.n_countries();
  if (S.size() != n) throw InputError("source effects: expected one S_i per country");
  if (raw.edu_years.size() != n) throw InputError("source effects: expected schooling per country");
  const Eigen::VectorXd lr = relative_to_last(raw, raw.rd),
                        lw = relative_to_last(raw, raw.wage_term),
                        dens = relative_to_last(raw, raw.density),
                        lab = relative_to_last(raw, raw.labor);
  // Years of schooling H_i relative to the US and 1/H_i - 1/H_US.
  const long us = n - 1;
  Eigen::VectorXd H(n), inv_h(n);
  for (long i = 0; i < n; ++i) {
    H(i) = raw.edu_years(i) - raw.edu_years(us);
    inv_h(i) = 1.0 / raw.edu_years(i) - 1.0 / raw.edu_years(us);
  }
  // Wage per efficiency unit of labour, labour force in efficiency units.
  const Eigen::VectorXd lw_adj = lw - g * H, lab_adj = lab + g * H;
  Eigen::MatrixXd X(n, 4), Z(n, 5);
  X << Eigen::VectorXd::Ones(n), lr, inv_h, lw_adj;
  Z << Eigen::VectorXd::Ones(n), lr, inv_h, lab_adj, dens;
  const std::vector<std::string> names = {"constant", "ln_research", "inv_schooling",
                                          "ln_wage_adjusted"};
  SourceEffectsFit f;
  f.ols = numerics::ols(X, S, names);
  f.tsls = numerics::tsls(X, Z, S, names);
  f.theta_ols = -f.ols.coef(3);
  f.theta_tsls = -f.tsls.coef(3);
  return f;
}

Eigen::VectorXd relative_technology(const data::EkRawData& raw, const Eigen::VectorXd& S,
                                    double theta, double g) {
  const long n = S.size();
  if (raw.wage.size() != n) throw InputError("relative technology: size mismatch");
  const long us = n - 1;
  Eigen::VectorXd T(n);
  for (long i = 0; i < n; ++i) {
    const double lw =
        std::log(raw.wage(i) / raw.wage(us)) - g * (raw.edu_years(i) - raw.edu_years(us));
    T(i) = std::exp(raw.beta * (S(i) - S(us) + theta * lw));
  }
  return T;
}

double cost_effect(double coefficient, double theta) {
  return std::expm1(-coefficient / theta);
}

}  // namespace hat::models::ek
