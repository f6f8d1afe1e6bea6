// The gravity-as-a-guide trade-cost function (MODEL.md §2).
#include "hat/estimation/trade_costs.hpp"

#include <algorithm>
#include <cmath>

#include "hat/core/error.hpp"

namespace hat::estimation {

TradeCostParams trade_cost_params(const GravityEstimates& g) {
  TradeCostParams p;
  p.m = g.m;
  p.bins = g.bins;
  p.coef = g.coef;
  return p;
}

Eigen::VectorXd log_trade_cost_unfloored(const data::GravityData& geo, const TradeCostParams& p,
                                         double theta) {
  const long P = geo.n_pairs();
  const long K = geo.covariates.cols();
  if (p.m.size() != geo.n_countries() || p.bins.size() != (geo.has_bins() ? 6 : 1) ||
      p.coef.size() != K)
    throw InputError("trade costs: need one importer effect per country, " +
                     std::string(geo.has_bins() ? "6 distance bins" : "a constant") + " and " +
                     std::to_string(K) + " covariate coefficients");
  Eigen::VectorXd x(P);
  for (long q = 0; q < P; ++q) {
    const int n = geo.importer[q];
    // summed left to right: bit-identical to the explicit EK sum of earlier versions
    double e = p.bins(geo.has_bins() ? geo.distbin[q] : 0);
    for (long j = 0; j < K; ++j) e += p.coef(j) * geo.covariates(q, j);
    e += p.m(n);
    x(q) = -e / theta;
  }
  return x;
}

Eigen::MatrixXd trade_cost_matrix(const data::GravityData& geo, const TradeCostParams& p,
                                  double theta) {
  const int N = geo.n_countries();
  Eigen::MatrixXd d = Eigen::MatrixXd::Ones(N, N);
  const Eigen::VectorXd x = log_trade_cost_unfloored(geo, p, theta);
  for (long q = 0; q < geo.n_pairs(); ++q)
    d(geo.importer[q], geo.exporter[q]) = std::max(1.0, std::exp(x(q)));
  return d;
}

}  // namespace hat::estimation
