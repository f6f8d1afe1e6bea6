// The gravity-as-a-guide trade-cost function (MODEL.md §2).
#include "hat/calibration/trade_costs.hpp"

#include <algorithm>
#include <cmath>

#include "hat/core/error.hpp"

namespace hat::calibration {

TradeCostParams trade_cost_params(const GravityEstimates& g) {
  TradeCostParams p;
  p.m = g.m;
  p.bins = g.bins;
  p.border = g.border;
  p.language = g.language;
  p.ec = g.ec;
  p.efta = g.efta;
  return p;
}

Eigen::VectorXd log_trade_cost_unfloored(const data::GravityData& geo, const TradeCostParams& p,
                                         double theta) {
  const long P = geo.n_pairs();
  if (p.m.size() != geo.n_countries() || p.bins.size() != 6)
    throw InputError("trade costs: need one importer effect per country and 6 distance bins");
  Eigen::VectorXd x(P);
  for (long q = 0; q < P; ++q) {
    const int n = geo.importer[q];
    const double e = p.bins(geo.distbin[q]) + p.border * geo.border(q) +
                     p.language * geo.language(q) + p.ec * geo.ec(q) + p.efta * geo.efta(q) +
                     p.m(n);
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

}  // namespace hat::calibration
