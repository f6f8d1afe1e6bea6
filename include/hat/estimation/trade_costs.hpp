// The trade-cost function of "gravity as a guide" (MODEL.md §2):
//   d_ni = max{1, exp(-(1/theta) [dist_k(n,i) + sum_j beta_j x_j(n,i) + m_n])}
// for n != i (importer n, exporter i), d_nn = 1, where x_j are the data's covariates (EK:
// border, language, EC, EFTA) and dist_k is the constant for data without distance bins;
// theta = 4 is only the units of the coefficients.
#pragma once

#include <Eigen/Dense>

#include "hat/data/ek_data.hpp"
#include "hat/estimation/gravity.hpp"

namespace hat::estimation {

struct TradeCostParams {
  Eigen::VectorXd m;     // importer effects, one per country
  Eigen::VectorXd bins;  // 6 distance-bin effects, or the constant (1) for data without bins
  Eigen::VectorXd coef;  // one per covariate, in the order of GravityData::covariate_names
};

// From gravity estimates (their importer effects and coefficients).
TradeCostParams trade_cost_params(const GravityEstimates& g);

// The N x N iceberg matrix (importer row, exporter column) on the geography of `geo`.
Eigen::MatrixXd trade_cost_matrix(const data::GravityData& geo, const TradeCostParams& p,
                                  double theta = 4.0);

// The exponent inside the max{1, .} for each pair: log d_ni before the floor (pair order of geo).
Eigen::VectorXd log_trade_cost_unfloored(const data::GravityData& geo, const TradeCostParams& p,
                                         double theta = 4.0);

}  // namespace hat::estimation
