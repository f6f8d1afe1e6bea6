// The EK 19-country calibration setup with log utility, shared by the calibration and progress
// tests.
#pragma once

#include <string>

#include "hat/calibration/calibrate.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/numerics/markov.hpp"

namespace hat::test {

// The EK world with log utility and sigma = 1/4: the HAT model is then EK/Armington gravity with
// theta = 4 (paper, Corollary 2), so the calibration must return the data's own coefficients.
inline calibration::CalibrationSetup log_setup(const std::string& dir, int assets) {
  calibration::CalibrationSetup s;
  s.data = data::read_ek_gravity(dir);
  world::World& w = s.world;
  w.names = s.data.countries;
  w.L = data::read_ek_labor(dir);
  w.A = Eigen::VectorXd::Ones(19);
  w.d = Eigen::MatrixXd::Ones(19, 19);
  w.gamma = 1.0;
  w.sigma = 0.25;
  w.quality_slope = 0.0;
  w.assets = assets;
  w.income = numerics::make_income_process(numerics::IncomeSpec{});
  s.start.W = Eigen::VectorXd::Ones(19);
  s.start.R = Eigen::VectorXd::Constant(19, 1.01);
  s.start.beta = 0.93;
  s.equilibrium.unknown = world::Unknown::Beta;
  return s;
}

}  // namespace hat::test
