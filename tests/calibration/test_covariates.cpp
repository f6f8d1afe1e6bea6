// Gravity data with custom covariates (`[data] set = "pairs"`, `covariates = [...]`): the reader,
// the regression without distance bins, the world builder and the calibration's log-utility
// identity on synthetic worlds (hat synth-world's pairs.csv), and the shipped
// examples/synthetic40.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hat/calibration/calibrate.hpp"
#include "hat/calibration/study.hpp"
#include "hat/core/error.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/estimation/gravity.hpp"
#include "hat/estimation/trade_costs.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/io/config.hpp"
#include "hat/numerics/markov.hpp"
#include "hat/world/config.hpp"
#include "hat/world/synth.hpp"
#include "test_support.hpp"

using namespace hat;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kCov = {"log_distance", "contiguity", "rta"};

fs::path scratch(const std::string& name) {
  const fs::path p =
      fs::temp_directory_path() / ("hat_cov_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const fs::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary) << s;
}

// The InputError message of read_gravity_pairs on `csv` (empty if it was accepted).
std::string reader_error(const std::string& csv, const std::vector<std::string>& cov) {
  const fs::path d = scratch("reader");
  spit(d / "pairs.csv", csv);
  try {
    data::read_gravity_pairs((d / "pairs.csv").string(), cov);
  } catch (const InputError& e) {
    return e.what();
  }
  return {};
}

// A 3-country pairs file (all six pairs) with two covariates; `edit` changes its text.
std::string small_csv() {
  return "importer,exporter,y,dist,fta\n"
         "A,B,-1.0,1.0,1\nA,C,-2.0,2.0,0\nB,A,-1.5,1.0,1\n"
         "B,C,-2.5,3.0,0\nC,A,-2.2,2.0,1\nC,B,-3.0,3.0,0\n";
}

// Largest unfloored -theta log d exponent at the data's coefficients: negative means that
// the floor d >= 1 never binds, the condition of the log-utility identity.
double max_cost_exponent(const data::GravityData& g) {
  estimation::GravityRegression reg(g);
  const auto e = reg.estimates(reg.moments(g.y));
  return (-estimation::log_trade_cost_unfloored(g, estimation::trade_cost_params(e), 1.0))
      .maxCoeff();
}

}  // namespace

// Reader errors name the file, the line and the column: missing column, NaN, duplicate pair,
// constant covariate, duplicate covariate, unknown exporter.
TEST(Covariates, ReaderValidatesTheCsv) {
  EXPECT_EQ(reader_error(small_csv(), {"dist", "fta"}), "");
  auto has = [](const std::string& msg, const std::string& part) {
    return msg.find(part) != std::string::npos && msg.find("pairs.csv") != std::string::npos;
  };
  std::string m = reader_error(small_csv(), {"dist", "rta"});
  EXPECT_TRUE(has(m, "missing column 'rta'")) << m;
  std::string csv = small_csv();
  csv.replace(csv.find("-2.5,3.0"), 8, "-2.5,nan");
  m = reader_error(csv, {"dist", "fta"});
  EXPECT_TRUE(has(m, "column 'dist'") && has(m, "nan")) << m;
  csv = small_csv();
  csv.replace(csv.find("C,B,"), 4, "C,A,");
  m = reader_error(csv, {"dist", "fta"});
  EXPECT_TRUE(has(m, "line 7: duplicate pair C-A (first on line 6)")) << m;
  csv =
      "importer,exporter,y,dist,one\nA,B,-1,1,1\nA,C,-2,2,1\nB,A,-1,1,1\nB,C,-2,3,1\n"
      "C,A,-2,2,1\nC,B,-3,3,1\n";
  m = reader_error(csv, {"dist", "one"});
  EXPECT_TRUE(has(m, "column 'one': constant")) << m;
  m = reader_error(small_csv(), {"dist", "dist"});
  EXPECT_TRUE(has(m, "'dist' listed twice")) << m;
  csv = small_csv();
  csv.replace(csv.find("A,C,"), 4, "A,D,");
  m = reader_error(csv, {"dist", "fta"});
  EXPECT_TRUE(has(m, "line 3, column 'exporter': country 'D'")) << m;
  // Without covariates the legacy EK-style columns are required.
  m = reader_error(small_csv(), {});
  EXPECT_TRUE(has(m, "missing column 'distbin'")) << m;
}

// A covariate that varies by importer only is collinear with the importer effects: an
// InputError naming the file and the column, and `hat gravity` exits with 2.
TEST(Covariates, CollinearCovariateIsAnInputError) {
  const fs::path d = scratch("collinear");
  const std::string csv =
      "importer,exporter,y,dist,gdp_importer\n"
      "A,B,-1,1,5\nA,C,-2,2,5\nA,D,-2,4,5\nB,A,-1,1,6\nB,C,-2,3,6\nB,D,-1,2,6\n"
      "C,A,-2,2,7\nC,B,-3,3,7\nC,D,-1,1,7\nD,A,-2,4,8\nD,B,-1,2,8\nD,C,-1,1,8\n";
  spit(d / "pairs.csv", csv);
  const data::GravityData g =
      data::read_gravity_pairs((d / "pairs.csv").string(), {"dist", "gdp_importer"});
  try {
    estimation::GravityRegression reg(g);
    FAIL() << "collinear design accepted";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("pairs.csv"), std::string::npos) << m;
    EXPECT_NE(m.find("not identified"), std::string::npos) << m;
  }
  EXPECT_EQ(test::run(std::string(HAT_BINARY) + " gravity --pairs " + (d / "pairs.csv").string() +
                      " --covariates dist,gdp_importer"),
            2);
  EXPECT_EQ(test::run(std::string(HAT_BINARY) + " gravity --pairs " + (d / "pairs.csv").string() +
                      " --covariates dist"),
            0);
  fs::remove_all(d);
}

// Closed form: y_ni = S_i - S_n + c + beta' x_ni + m_n exactly (S and m summing to zero) is
// fitted exactly, and the regression reports S, m, the constant c and beta.
TEST(Covariates, RegressionRecoversAnExactGravityEquation) {
  const auto w = world::synth_world(9, 3);
  const fs::path d = scratch("exact");
  spit(d / "pairs.csv", world::synth_pairs_csv(w, 3));
  data::GravityData g = data::read_gravity_pairs((d / "pairs.csv").string(), kCov);
  ASSERT_EQ(g.n_countries(), 9);
  ASSERT_EQ(g.countries[0], "C001");
  EXPECT_FALSE(g.has_bins());
  const int N = 9;
  Eigen::VectorXd S(N), m(N);
  for (int i = 0; i < N; ++i) S(i) = 0.3 * i - 1.0, m(i) = 0.1 * std::sin(i);
  S.array() -= S.mean();
  m.array() -= m.mean();
  const double c = 2.5;
  const Eigen::Vector3d beta(-1.1, 0.4, 0.7);
  for (long q = 0; q < g.n_pairs(); ++q)
    g.y(q) =
        S(g.exporter[q]) - S(g.importer[q]) + c + g.covariates.row(q).dot(beta) + m(g.importer[q]);
  estimation::GravityRegression reg(g);
  EXPECT_EQ(reg.n_moments(), 2 * (N - 1) + 1 + 3);
  const auto names = reg.moment_names();
  EXPECT_EQ(names[2 * (N - 1)], "constant");
  EXPECT_EQ(names.back(), "rta");
  const auto f = reg.fit(g.y);
  EXPECT_LT(f.rss, 1e-20);
  ASSERT_EQ(f.estimates.bins.size(), 1);
  EXPECT_NEAR(f.estimates.bins(0), c, 1e-10);
  for (int j = 0; j < 3; ++j) EXPECT_NEAR(f.estimates.coef(j), beta(j), 1e-10) << kCov[j];
  EXPECT_NEAR(f.estimates.covariate("contiguity"), 0.4, 1e-10);
  EXPECT_LT((f.estimates.S - S).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT((f.estimates.m - m).cwiseAbs().maxCoeff(), 1e-10);
  // the moment map gives the same numbers
  const auto e = reg.estimates(reg.moments(g.y));
  EXPECT_NEAR(e.bins(0), c, 1e-10);
  EXPECT_LT((e.coef - beta).cwiseAbs().maxCoeff(), 1e-10);
  fs::remove_all(d);
}

// The [data] world builder on a pairs file with covariates: names and count from the file,
// A_i = exp(S_i / theta), d_ni = max{1, exp(-(c + beta' x_ni + m_n) / theta)}.
TEST(Covariates, WorldBuilderUsesTheCovariates) {
  const auto w = world::synth_world(6, 2);
  const fs::path d = scratch("world");
  spit(d / "pairs.csv", world::synth_pairs_csv(w, 2));
  std::ofstream(d / "w.toml") << "[data]\nset = \"pairs\"\npairs = \"pairs.csv\"\n"
                              << "covariates = [\"log_distance\", \"contiguity\", \"rta\"]\n"
                              << "[countries]\nlabor = [1, 1, 1, 1, 1, 1]\n";
  const world::WorldConfig wc =
      estimation::read_world_config(io::ConfigFile::load((d / "w.toml").string()));
  EXPECT_EQ(wc.world.names, w.names);
  const data::GravityData g = data::read_gravity_pairs((d / "pairs.csv").string(), kCov);
  estimation::GravityRegression reg(g);
  const auto e = reg.estimates(reg.moments(g.y));
  for (long q = 0; q < g.n_pairs(); ++q) {
    const int n = g.importer[q], i = g.exporter[q];
    const double x = e.bins(0) + e.coef(0) * g.covariates(q, 0) + e.coef(1) * g.covariates(q, 1) +
                     e.coef(2) * g.covariates(q, 2) + e.m(n);
    EXPECT_NEAR(wc.world.d(n, i), std::max(1.0, std::exp(-x / 4.0)), 1e-14);
  }
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(wc.world.A(i), std::exp(e.S(i) / 4.0), 1e-14);
  // covariates belong to set = "pairs"
  std::ofstream(d / "bad.toml") << "[data]\nset = \"ek2002\"\ncovariates = [\"rta\"]\n";
  EXPECT_THROW(estimation::read_world_config(io::ConfigFile::load((d / "bad.toml").string())),
               InputError);
  fs::remove_all(d);
}

// Identity (issue "scale", your own data): on a synthetic world with custom covariates (log
// distance, contiguity, RTA; no distance bins), log utility with sigma = 1/theta and no quality
// shifter make the model EK/Armington gravity with theta = 4 (paper, Corollary 2), so the
// calibrated trade costs equal the regression's coefficients (constant, covariates, importer
// effects) to 1e-6 and log(A_i/W_i) - log(A_N/W_N) = (S_i - S_N)/4, as on the EK data
// (Calibration.LogUtilityRecoversGravityCoefficients). 8 countries, 25 asset points; the
// 40-country example is run by hand (examples/synthetic40/README.md).
TEST(Covariates, LogUtilityIdentityOnSyntheticWorld) {
  const int N = 8;
  const std::uint64_t seed = 1;  // contiguity varies and the floor is far from binding
  const auto w = world::synth_world(N, seed);
  const fs::path d = scratch("identity");
  spit(d / "pairs.csv", world::synth_pairs_csv(w, seed));
  calibration::CalibrationSetup s;
  s.data = data::read_gravity_pairs((d / "pairs.csv").string(), kCov);
  ASSERT_LT(max_cost_exponent(s.data), 0.0) << "the floor d >= 1 binds: choose another seed";
  world::World& ww = s.world;
  ww.names = s.data.countries;
  ww.L = w.labor;
  ww.A = Eigen::VectorXd::Ones(N);
  ww.d = Eigen::MatrixXd::Ones(N, N);
  ww.gamma = 1.0;
  ww.sigma = 0.25;
  ww.quality_slope = 0.0;
  ww.assets = 25;
  ww.income = numerics::make_income_process(numerics::IncomeSpec{});
  s.start.W = Eigen::VectorXd::Ones(N);
  s.start.R = Eigen::VectorXd::Constant(N, 1.01);
  s.start.beta = 0.93;
  s.equilibrium.unknown = world::Unknown::Beta;
  calibration::CalibrationResult r = calibration::calibrate(s);
  ASSERT_TRUE(r.report.converged()) << r.report.message;
  EXPECT_LT(r.max_moment_error, 1e-6);
  EXPECT_LT(r.equilibrium_residual, 1e-10);
  estimation::GravityRegression reg(s.data);
  estimation::GravityEstimates g = reg.estimates(reg.moments(s.data.y));
  const auto& c = r.parameters.costs;
  ASSERT_EQ(c.bins.size(), 1);
  EXPECT_NEAR(c.bins(0), g.bins(0), 1e-6) << "constant";
  ASSERT_EQ(c.coef.size(), 3);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(c.coef(k), g.coef(k), 1e-6) << kCov[k];
  const auto& W = r.state.prices.W;
  const int last = N - 1;
  for (int i = 0; i < N; ++i) {
    EXPECT_NEAR(c.m(i), g.m(i), 1e-6) << ww.names[i];
    const double lhs = (r.parameters.log_tfp(i) - std::log(W(i))) -
                       (r.parameters.log_tfp(last) - std::log(W(last)));
    EXPECT_NEAR(lhs, (g.S(i) - g.S(last)) / 4.0, 1e-6) << ww.names[i];
  }
  // parameter names follow the data's covariates
  const auto names = calibration::parameter_names(ww.names, s.data);
  EXPECT_EQ(names[2 * (N - 1)], "constant");
  EXPECT_EQ(names[2 * (N - 1) + 1], "log_distance");
  fs::remove_all(d);
}

// The shipped examples/synthetic40 is what its README says (`hat synth-world --countries 40
// --seed 2`: byte for byte), its calibration config reads (40 countries from the file, 1560
// pairs, 82 moments) and the floor d >= 1 does not bind at the data's coefficients (so the
// log-utility identity holds there too; the calibration itself is run by hand).
TEST(Covariates, Synthetic40ExampleIsReproducible) {
  const fs::path ex = fs::path(HAT_SOURCE_DIR) / "examples" / "synthetic40";
  const auto w = world::synth_world(40, 2);
  EXPECT_EQ(slurp(ex / "pairs.csv"), world::synth_pairs_csv(w, 2));
  EXPECT_EQ(slurp(ex / "calibrate.toml"), world::synth_calibration_toml(w, 2, "pairs.csv"));
  const auto setup =
      calibration::read_calibration_setup(io::ConfigFile::load((ex / "calibrate.toml").string()));
  EXPECT_EQ(setup.world.size(), 40);
  EXPECT_EQ(setup.data.n_pairs(), 1560);
  EXPECT_EQ(setup.data.covariate_names, kCov);
  EXPECT_EQ(estimation::GravityRegression(setup.data).n_moments(), 82);
  EXPECT_LT(max_cost_exponent(setup.data), 0.0);
}
