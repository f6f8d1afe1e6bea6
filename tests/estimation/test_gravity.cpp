// Tests of the gravity regression (src/estimation/gravity.cpp; EK 2002 Table III, MODEL.md §2).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "hat/core/error.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/estimation/gravity.hpp"
#include "hat/io/csv.hpp"
#include "test_support.hpp"

using hat::data::GravityData;
using hat::estimation::GravityFit;
using hat::estimation::GravityRegression;
using hat::test::read_text;
using hat::test::scratch_dir;
using hat::test::write_text;
namespace fs = std::filesystem;

namespace {

std::string tidy_csv(const GravityData& d, const std::vector<long>& order) {
  hat::io::CsvWriter w(
      {"importer", "exporter", "y", "distbin", "border", "language", "ec", "efta"});
  for (long k : order)
    w.cell(d.countries[d.importer[k]])
        .cell(d.countries[d.exporter[k]])
        .cell(d.y(k))
        .cell(d.distbin[k] + 1)
        .cell(d.border(k))
        .cell(d.language(k))
        .cell(d.ec(k))
        .cell(d.efta(k))
        .end_row();
  return w.str();
}

}  // namespace

// EK (2002) Table III, OLS column, as normalised in MODEL.md §2 (numbers quoted there and in the
// issue: bins, border, language, EC, EFTA; S_JPN, S_USA; RSS).
TEST(EkGravity, ReproducesTableIII) {
  HAT_REQUIRE_DATA(dir);
  GravityData d = hat::data::read_ek_gravity(dir);
  GravityRegression reg(d);
  GravityFit f = reg.fit(d.y);
  const double bins[] = {-3.10244, -3.66594, -4.03340, -4.21808, -6.06437, -6.55893};
  for (int b = 0; b < 6; ++b) EXPECT_NEAR(f.estimates.bins(b), bins[b], 1e-5) << "bin " << b;
  EXPECT_NEAR(f.estimates.border, 0.303564, 1e-5);
  EXPECT_NEAR(f.estimates.language, 0.510080, 1e-5);
  EXPECT_NEAR(f.estimates.ec, 0.0359119, 1e-5);
  EXPECT_NEAR(f.estimates.efta, 0.536071, 1e-5);
  EXPECT_NEAR(f.estimates.S(10), 4.19879, 1e-5);  // JPN
  EXPECT_NEAR(f.estimates.S(18), 3.98372, 1e-5);  // USA
  EXPECT_NEAR(f.rss, 71.449, 1e-3);
  EXPECT_EQ(f.n_obs, 342);
  EXPECT_EQ(f.n_params, 46);
  // normalisation: both sets of effects sum to zero
  EXPECT_NEAR(f.estimates.S.sum(), 0.0, 1e-10);
  EXPECT_NEAR(f.estimates.m.sum(), 0.0, 1e-10);
}

// The moment map: 46 x 342, G y equals the fitted named estimates, and the classical
// covariance of the moments is sigma^2 G G' (moments are linear in y).
TEST(EkGravity, MomentMapAgreesWithTheFit) {
  HAT_REQUIRE_DATA(dir);
  GravityData d = hat::data::read_ek_gravity(dir);
  GravityRegression reg(d);
  ASSERT_EQ(reg.n_moments(), 46);
  ASSERT_EQ(reg.moment_map().rows(), 46);
  ASSERT_EQ(reg.moment_map().cols(), 342);
  GravityFit f = reg.fit(d.y);
  auto e = reg.estimates(reg.moments(d.y));
  EXPECT_LT((e.S - f.estimates.S).cwiseAbs().maxCoeff(), 1e-11);
  EXPECT_LT((e.m - f.estimates.m).cwiseAbs().maxCoeff(), 1e-11);
  EXPECT_LT((e.bins - f.estimates.bins).cwiseAbs().maxCoeff(), 1e-11);
  EXPECT_NEAR(e.efta, f.estimates.efta, 1e-11);
  const Eigen::MatrixXd& G = reg.moment_map();
  const Eigen::VectorXd se = (f.sigma2 * G * G.transpose()).diagonal().cwiseSqrt();
  const auto names = reg.moment_names();
  ASSERT_EQ(names.size(), 46u);
  EXPECT_EQ(names[0], "S_AUS");
  EXPECT_EQ(names[18], "m_AUS");
  EXPECT_EQ(names[36], "dist_1");
  EXPECT_EQ(names[45], "efta");
  for (int k = 0; k < 18; ++k) EXPECT_NEAR(se(k), f.std_errors.S(k), 1e-10);
  for (int b = 0; b < 6; ++b) EXPECT_NEAR(se(36 + b), f.std_errors.bins(b), 1e-10);
  EXPECT_NEAR(se(42), f.std_errors.border, 1e-10);
  EXPECT_THROW(reg.moments(Eigen::VectorXd::Zero(10)), hat::InputError);
}

// Identification: with noise-free y generated from known effects, the normalised estimates are
// the normalised generating values (S = b - mean b, m = a + b - mean(a + b), dist_k = c_k +
// mean(a + b)), whatever the split between importer effects, exporter effects and bins.
TEST(EkGravity, RecoversGeneratingParametersExactly) {
  HAT_REQUIRE_DATA(dir);
  GravityData d = hat::data::read_ek_gravity(dir);
  const int N = 19;
  Eigen::VectorXd a(N), b(N), c(6);
  for (int i = 0; i < N; ++i) a(i) = std::sin(1.3 * i) - 0.4, b(i) = std::cos(0.7 * i) + 0.2;
  c << -2.0, -2.5, -2.9, -3.3, -4.0, -4.6;
  const double dums[4] = {0.3, -0.2, 0.1, 0.45};
  for (long k = 0; k < d.n_pairs(); ++k)
    d.y(k) = a(d.importer[k]) + b(d.exporter[k]) + c(d.distbin[k]) + dums[0] * d.border(k) +
             dums[1] * d.language(k) + dums[2] * d.ec(k) + dums[3] * d.efta(k);
  GravityRegression reg(d);
  auto f = reg.fit(d.y);
  const Eigen::VectorXd ab = a + b;
  for (int i = 0; i < N; ++i) {
    EXPECT_NEAR(f.estimates.S(i), b(i) - b.mean(), 1e-10);
    EXPECT_NEAR(f.estimates.m(i), ab(i) - ab.mean(), 1e-10);
  }
  for (int k = 0; k < 6; ++k) EXPECT_NEAR(f.estimates.bins(k), c(k) + ab.mean(), 1e-10);
  EXPECT_NEAR(f.estimates.border, dums[0], 1e-10);
  EXPECT_NEAR(f.estimates.efta, dums[3], 1e-10);
  EXPECT_LT(f.rss, 1e-18);
}

// The tidy pairs format gives the same estimates as EK's files, whatever the row order; a
// missing pair is an error naming the file.
TEST(EkGravity, TidyPairsFormatIsEquivalentAndValidated) {
  HAT_REQUIRE_DATA(dir);
  GravityData d = hat::data::read_ek_gravity(dir);
  std::vector<long> order(d.n_pairs());
  for (long k = 0; k < d.n_pairs(); ++k) order[k] = (k * 7 + 3) % d.n_pairs();  // 7 coprime to 342
  const std::string p = scratch_dir("tidy") + "/pairs.csv";
  write_text(p, tidy_csv(d, order));
  GravityData t = hat::data::read_gravity_pairs(p);
  auto fe = GravityRegression(d).fit(d.y).estimates;
  auto ft = GravityRegression(t).fit(t.y).estimates;
  for (int b = 0; b < 6; ++b) EXPECT_NEAR(ft.bins(b), fe.bins(b), 1e-10);
  for (int i = 0; i < t.n_countries(); ++i) {
    const auto it = std::find(d.countries.begin(), d.countries.end(), t.countries[i]);
    ASSERT_NE(it, d.countries.end());
    const long j = it - d.countries.begin();
    EXPECT_NEAR(ft.S(i), fe.S(j), 1e-10) << t.countries[i];
    EXPECT_NEAR(ft.m(i), fe.m(j), 1e-10) << t.countries[i];
  }
  order.pop_back();
  write_text(p, tidy_csv(d, order));
  try {
    hat::data::read_gravity_pairs(p);
    FAIL() << "missing pair accepted";
  } catch (const hat::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("pairs.csv"), std::string::npos) << e.what();
  }
}

// Feasible GLS equals the textbook formula (X' W X)^-1 X' W y with W = Omega^-1 built densely
// from the reported variance components (EK eq. 30 error structure: Var = s1 + s2,
// Cov(e_ni, e_in) = s2), and its standard errors are sqrt(diag((X' W X)^-1)) mapped to the
// named quantities.
TEST(EkGravity, GlsEqualsDenseGlsFormula) {
  HAT_REQUIRE_DATA(dir);
  GravityData d = hat::data::read_ek_gravity(dir);
  GravityRegression reg(d);
  GravityFit g = reg.fit_gls(d.y);
  ASSERT_TRUE(g.gls);
  ASSERT_GT(g.sigma1_sq, 0.0);
  ASSERT_GT(g.sigma2_sq, 0.0);
  const long P = d.n_pairs();
  Eigen::MatrixXd Omega = Eigen::MatrixXd::Zero(P, P);
  for (long k = 0; k < P; ++k)
    for (long q = 0; q < P; ++q) {
      if (q == k)
        Omega(k, q) = g.sigma1_sq + g.sigma2_sq;
      else if (d.importer[q] == d.exporter[k] && d.exporter[q] == d.importer[k])
        Omega(k, q) = g.sigma2_sq;
    }
  const Eigen::MatrixXd W = Omega.inverse();
  const Eigen::MatrixXd& X = reg.design_matrix();
  const Eigen::MatrixXd XtWX = X.transpose() * W * X;
  const Eigen::VectorXd beta = XtWX.ldlt().solve(X.transpose() * W * d.y);
  // named estimates of the dense solution via the OLS moment map of its (exact) fitted values
  auto e = reg.estimates(reg.moments(X * beta));
  for (int b = 0; b < 6; ++b) EXPECT_NEAR(g.estimates.bins(b), e.bins(b), 1e-9);
  for (int i = 0; i < 19; ++i) EXPECT_NEAR(g.estimates.S(i), e.S(i), 1e-9);
  EXPECT_NEAR(g.estimates.border, e.border, 1e-9);
  const Eigen::MatrixXd cov = XtWX.inverse();
  const int K = static_cast<int>(X.cols());  // the last four basis columns are the dummies
  EXPECT_NEAR(g.std_errors.border, std::sqrt(cov(K - 4, K - 4)), 1e-9);
  EXPECT_NEAR(g.std_errors.efta, std::sqrt(cov(K - 1, K - 1)), 1e-9);
  // OLS and GLS agree closely on EK's data (Table III reports both)
  GravityFit o = reg.fit(d.y);
  EXPECT_NEAR(g.estimates.bins(0), o.estimates.bins(0), 0.01);
}

// Model side of MODEL.md §2: y_ni = log(M_ni / M_nn) from a flow matrix, in the design's pair
// order; flows built as exp(y) on the off-diagonal and 1 on the diagonal give y back.
TEST(EkGravity, LogNormalisedFlowsFollowThePairOrder) {
  HAT_REQUIRE_DATA(dir);
  GravityData d = hat::data::read_ek_gravity(dir);
  GravityRegression reg(d);
  Eigen::MatrixXd M = Eigen::MatrixXd::Constant(19, 19, 2.0);
  for (long k = 0; k < d.n_pairs(); ++k) M(d.importer[k], d.exporter[k]) = 2.0 * std::exp(d.y(k));
  EXPECT_LT((reg.log_normalised_flows(M) - d.y).cwiseAbs().maxCoeff(), 1e-12);
  M(3, 4) = 0.0;
  EXPECT_THROW(reg.log_normalised_flows(M), hat::NumericalError);
  EXPECT_THROW(reg.log_normalised_flows(Eigen::MatrixXd::Ones(3, 3)), hat::InputError);
}
