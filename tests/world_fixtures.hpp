// Small worlds shared by the world, elasticity and planner tests.
#pragma once

#include <Eigen/Dense>
#include <cmath>

#include "hat/numerics/markov.hpp"
#include "hat/world/world.hpp"

namespace hat::test {

// The symmetric two-country world of the published tests (A = L = 1, d_12 = d_21 = dcost,
// beta 0.92, sigma 0.25, phi 0.5, amax 8, the reference income chain of MODEL.md).
inline world::World symmetric_two(double gamma, double dcost, int assets = 100) {
  world::World w;
  w.names = {"H", "F"};
  w.L = Eigen::VectorXd::Ones(2);
  w.A = Eigen::VectorXd::Ones(2);
  w.d = Eigen::MatrixXd::Constant(2, 2, dcost);
  w.d.diagonal().setOnes();
  w.gamma = gamma;
  w.beta = 0.92;
  w.sigma = 0.25;
  w.borrowing_limit = 0.5;
  w.asset_max = 8.0;
  w.assets = assets;
  w.income = numerics::make_income_process(numerics::IncomeSpec{});
  return w;
}

// An asymmetric five-country world.
inline world::World five_country(double gamma, int assets = 60) {
  world::World w;
  w.names = {"A", "B", "C", "D", "E"};
  w.L.resize(5);
  w.L << 1.0, 0.5, 2.0, 0.8, 1.2;
  w.A.resize(5);
  w.A << 1.0, 1.2, 0.8, 1.1, 0.9;
  w.d.resize(5, 5);
  w.d << 1.0, 1.8, 2.2, 1.6, 2.5,  //
      1.7, 1.0, 1.9, 2.4, 2.1,     //
      2.3, 2.0, 1.0, 1.5, 1.9,     //
      1.6, 2.2, 1.4, 1.0, 2.0,     //
      2.6, 2.1, 1.8, 2.1, 1.0;
  w.gamma = gamma;
  w.beta = 0.92;
  w.sigma = 0.25;
  w.assets = assets;
  w.income = numerics::make_income_process(numerics::IncomeSpec{});
  return w;
}

// Initial prices: unit wages, a common R, no transfers.
inline world::Prices start_prices(int M, double R, double beta = 0.92) {
  world::Prices p;
  p.W = Eigen::VectorXd::Ones(M);
  p.R = Eigen::VectorXd::Constant(M, R);
  p.tau = Eigen::VectorXd::Zero(M);
  p.beta = beta;
  return p;
}

// The two-country world of the Jacobian tests: asymmetric TFP, labour and trade costs, and a
// state-dependent quality term on the home variety.
inline world::World asymmetric_two() {
  world::World w = symmetric_two(1.45, 1.8, 80);
  w.A(1) = 1.2;
  w.L(1) = 0.7;
  w.d(0, 1) = 1.6;
  w.quality_slope = 0.5;
  return w;
}

// Tariffs of 10% on every import, 25% on the last country's imports from the first.
inline void add_tariffs(world::World& w) {
  const int M = w.size();
  w.tariff = Eigen::MatrixXd::Constant(M, M, 0.1);
  w.tariff.diagonal().setZero();
  w.tariff(M - 1, 0) = 0.25;
}

// Prices near (not at) the equilibrium of such worlds, with R_i under autarky and transfers
// when there are tariffs.
inline world::Prices near_equilibrium(const world::World& w, world::Financial f) {
  world::Prices p = start_prices(w.size(), 1.01);
  for (int i = 0; i < w.size(); ++i) p.W(i) = std::pow(w.A(i), 0.8);
  if (f == world::Financial::Autarky)
    for (int i = 0; i < w.size(); ++i) p.R(i) = 1.005 + 0.0021 * i;
  if (w.has_tariffs()) p.tau = Eigen::VectorXd::Constant(w.size(), 0.02);
  return p;
}

}  // namespace hat::test
