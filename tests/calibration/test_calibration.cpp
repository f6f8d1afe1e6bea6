// Tests of the gravity-as-a-guide calibration (MODEL.md §2) on the EK data.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "calibration/log_setup.hpp"
#include "hat/calibration/calibrate.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/estimation/trade_costs.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/numerics/markov.hpp"
#include "hat/world/config.hpp"
#include "test_support.hpp"

using namespace hat;
namespace fs = std::filesystem;

using hat::test::log_setup;

// Identity (calibration issue): log utility, sigma = 0.25, no quality shifter -> calibrated
// trade-cost parameters equal the data coefficients (bins, dummies, importer effects) to 1e-6,
// and log(A_i/W_i) - log(A_USA/W_USA) = (S_i - S_USA)/4.
TEST(Calibration, LogUtilityRecoversGravityCoefficients) {
  HAT_REQUIRE_DATA(dir);
  calibration::CalibrationSetup s = log_setup(dir, 25);
  calibration::CalibrationResult r = calibration::calibrate(s);
  ASSERT_TRUE(r.report.converged()) << r.report.message;
  EXPECT_LT(r.max_moment_error, 1e-6);
  estimation::GravityRegression reg(s.data);
  estimation::GravityEstimates g = reg.estimates(reg.moments(s.data.y));
  const auto& c = r.parameters.costs;
  for (int k = 0; k < 6; ++k) EXPECT_NEAR(c.bins(k), g.bins(k), 1e-6) << "bin " << k;
  ASSERT_EQ(c.coef.size(), 4);  // border, language, EC, EFTA
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(c.coef(k), g.coef(k), 1e-6) << g.covariate_names[k];
  const int us = 18;
  const auto& W = r.state.prices.W;
  for (int i = 0; i < 19; ++i) {
    EXPECT_NEAR(c.m(i), g.m(i), 1e-6) << s.data.countries[i];
    const double lhs =
        (r.parameters.log_tfp(i) - std::log(W(i))) - (r.parameters.log_tfp(us) - std::log(W(us)));
    EXPECT_NEAR(lhs, (g.S(i) - g.S(us)) / 4.0, 1e-6) << s.data.countries[i];
  }
  // The calibrated economy clears markets.
  EXPECT_LT(r.equilibrium_residual, 1e-10);
}

// The joint stage's Jacobian steers the solve, not its result: finite differences and the
// default (logit impact with the savings correction) reach the same parameters, prices and beta,
// to the tolerances (moments 1e-6, markets 1e-10), as the identity above holds for both.
TEST(Calibration, JointJacobiansReachTheSameCalibration) {
  HAT_REQUIRE_DATA(dir);
  calibration::CalibrationSetup s = log_setup(dir, 25);
  const calibration::CalibrationResult a = calibration::calibrate(s);
  s.joint_jacobian = world::JacobianMethod::FiniteDifference;
  const calibration::CalibrationResult b = calibration::calibrate(s);
  ASSERT_TRUE(a.report.converged()) << a.report.message;
  ASSERT_TRUE(b.report.converged()) << b.report.message;
  ASSERT_EQ(a.x.size(), b.x.size());
  EXPECT_LT((a.x - b.x).cwiseAbs().maxCoeff(), 1e-5);
  EXPECT_NEAR(a.state.prices.beta, b.state.prices.beta, 1e-9);
}

// The trade-cost function of MODEL.md §2 at the data coefficients: its inverse is the gravity
// barrier, d = max{1, exp(-x/4)}.
TEST(Calibration, TradeCostFunctionInvertsGravityBarrier) {
  HAT_REQUIRE_DATA(dir);
  data::GravityData g = data::read_ek_gravity(dir);
  estimation::GravityRegression reg(g);
  estimation::GravityEstimates e = reg.estimates(reg.moments(g.y));
  estimation::TradeCostParams p = estimation::trade_cost_params(e);
  Eigen::MatrixXd d = estimation::trade_cost_matrix(g, p, 4.0);
  for (long q = 0; q < g.n_pairs(); ++q) {
    const int n = g.importer[q], i = g.exporter[q];
    const double x = e.bins(g.distbin[q]) + e.border * g.border(q) + e.language * g.language(q) +
                     e.ec * g.ec(q) + e.efta * g.efta(q) + e.m(n);
    EXPECT_DOUBLE_EQ(d(n, i), std::max(1.0, std::exp(-x / 4.0)));
  }
  for (int i = 0; i < 19; ++i) EXPECT_EQ(d(i, i), 1.0);
}

// (Resume after an interruption: test_calibration_resume.cpp.)

// The generic tidy pairs format builds the same economy as the EK files it was written from
// (world config [data] set = "pairs" vs set = "ek2002").
TEST(Calibration, TidyPairsFormatMatchesEkFiles) {
  HAT_REQUIRE_DATA(dir);
  data::GravityData g = data::read_ek_gravity(dir);
  Eigen::VectorXd L = data::read_ek_labor(dir);
  const fs::path tmp = fs::temp_directory_path() / ("hat_pairs_" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  {
    std::ofstream csv(tmp / "pairs.csv");
    csv.precision(17);
    csv << "importer,exporter,y,distbin,border,language,ec,efta\n";
    for (long q = 0; q < g.n_pairs(); ++q)
      csv << g.countries[g.importer[q]] << "," << g.countries[g.exporter[q]] << "," << g.y(q) << ","
          << g.distbin[q] + 1 << "," << g.border(q) << "," << g.language(q) << "," << g.ec(q) << ","
          << g.efta(q) << "\n";
  }
  std::ostringstream labor;
  labor.precision(17);
  for (int i = 0; i < L.size(); ++i) labor << (i ? ", " : "") << L(i);
  std::ofstream(tmp / "pairs.toml") << "[data]\nset = \"pairs\"\npairs = \"pairs.csv\"\n"
                                    << "[countries]\nlabor = [" << labor.str() << "]\n";
  std::ofstream(tmp / "ek.toml") << "[data]\ndir = \"" << dir << "\"\n";
  world::WorldConfig a =
      estimation::read_world_config(io::ConfigFile::load((tmp / "pairs.toml").string()));
  world::WorldConfig b =
      estimation::read_world_config(io::ConfigFile::load((tmp / "ek.toml").string()));
  EXPECT_EQ(a.world.names, b.world.names);
  EXPECT_LT((a.world.d - b.world.d).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((a.world.A - b.world.A).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_EQ(a.world.L, b.world.L);
  fs::remove_all(tmp);
}
