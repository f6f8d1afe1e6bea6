// Tests of the Eaton–Kortum studies (eaton_kortum/study.hpp): EK's own counterfactual baseline
// (trade costs from the fitted gravity equation) against the gravity fit (an identity) and
// against EK's published numbers, and the reporting of a counterfactual that does not converge.
#include <gtest/gtest.h>

#include <cmath>

#include "error_of.hpp"
#include "hat/core/error.hpp"
#include "hat/estimation/gravity.hpp"
#include "hat/models/eaton_kortum/study.hpp"
#include "hat/reports/ek.hpp"
#include "test_support.hpp"

namespace ek = hat::models::ek;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

struct EkBaselines {
  ek::EkData data;
  hat::estimation::GravityFit fit;  // Table III, OLS
  ek::Calibration ek_cal, data_cal;
};

const EkBaselines& baselines(const std::string& dir) {
  static EkBaselines b = [&] {
    EkBaselines x;
    x.data = ek::load_data(dir);
    hat::estimation::GravityRegression reg(x.data.raw.gravity);
    x.fit = reg.fit(x.data.raw.gravity.y);
    x.ek_cal = ek::calibrate_economy_ek(x.data.raw, x.fit.estimates, 8.28);
    x.data_cal = ek::calibrate_economy(x.data.raw, x.fit.estimates.S, 8.28);
    return x;
  }();
  return b;
}

}  // namespace

// Identity (EK eqs. 26-28): in the model, ln(X_ni/X_nn) + ((1-beta)/beta) ln[(X_ii/X_i) /
// (X_nn/X_n)] = S_i - S_n - theta ln d_ni with S_i = (1/beta) ln T_i - theta ln w_i. With T from
// the Table III source effects and d from its fitted geography, the EK baseline's
// beta-adjusted shares therefore equal the regression's fitted values, pair by pair.
TEST(EkStudy, EkBaselineReproducesTheGravityFit) {
  HAT_REQUIRE_DATA(dir);
  const auto& b = baselines(dir);
  const ek::Economy& e = b.ek_cal.economy;
  ek::Equilibrium eq = ek::solve_ek_equilibrium(e, ek::Labor::Mobile);
  ASSERT_TRUE(eq.report.converged());
  const auto& g = b.data.raw.gravity;
  const double k = (1 - e.beta) / e.beta;
  double worst = 0;
  for (long q = 0; q < g.n_pairs(); ++q) {
    const int n = g.importer[q], i = g.exporter[q];
    const MatrixXd& pi = eq.shares;
    const double y = std::log(pi(n, i) / pi(n, n)) + k * std::log(pi(i, i) / pi(n, n));
    worst = std::max(worst, std::abs(y - b.fit.fitted(q)));
  }
  EXPECT_LT(worst, 1e-9);
  // ... and not the observed shares (the gravity residuals are not in d)
  EXPECT_GT((eq.shares - b.ek_cal.data_shares).cwiseAbs().maxCoeff(), 1e-3);
}

// Immobile closure of EK's programs: manufacturing employment is the data's (efficiency units,
// L exp(0.06 H)), income is GDP, and the baseline wages clear the labour market.
TEST(EkStudy, EkImmobileBaselineClearsTheDataLabourMarket) {
  HAT_REQUIRE_DATA(dir);
  const auto& b = baselines(dir);
  const ek::Economy& e = b.ek_cal.immobile;
  ASSERT_TRUE(b.ek_cal.separate_immobile);
  ek::Equilibrium eq = ek::solve_ek_equilibrium(e, ek::Labor::Immobile);
  ASSERT_TRUE(eq.report.converged());
  const auto& raw = b.data.raw;
  const VectorXd L = raw.manuf_labor.cwiseProduct((0.06 * raw.edu_years).array().exp().matrix());
  for (int n = 0; n < 19; ++n) {
    EXPECT_NEAR(eq.manuf_labor(n) / (1e-6 * L(n)), 1.0, 1e-9) << raw.countries[n];
    EXPECT_NEAR(eq.income(n) / e.labor_income(n), 1.0, 1e-9) << raw.countries[n];
  }
}

// EK 2002 §6 (Table IX; the figures as quoted in issue 15, the paper's tables are not in the
// repository): autarky costs Belgium 10.3% of welfare, and world trade doubles when d - 1 is
// scaled by 0.69. Mobile labour, no tariffs: log(W'/W) = (alpha/(beta theta)) ln pi_nn of the
// baseline (closed form, tested to 1e-11; a fraction, compared with the published percent / 100),
// so the loss measures the baseline's Belgian
// home share: 0.2799 observed (data baseline: 9.77%), 0.2656 gravity-fitted (EK baseline:
// 10.17%); 10.3% corresponds to 0.2612. The tolerances are the published rounding (0.05 and
// 0.005) plus the gap documented in docs/eaton-kortum.md (0.08 and 0.02) that this baseline
// does not explain; the EK baseline must be closer to the published loss than the data one.
TEST(EkStudy, EkBaselineAgainstEksPublishedNumbers) {
  HAT_REQUIRE_DATA(dir);
  const auto& b = baselines(dir);
  const long bel = 2;
  ASSERT_EQ(b.ek_cal.economy.countries[bel], "BEL");
  ek::CounterfactualResult a =
      ek::run_counterfactual(b.ek_cal, ek::Scenario::Autarky, ek::Labor::Mobile);
  const ek::Economy& e = b.ek_cal.economy;
  for (int n = 0; n < 19; ++n)
    EXPECT_NEAR(a.welfare_change(n),
                e.alpha / (e.beta * e.theta) * std::log(a.baseline.shares(n, n)), 1e-11);
  // Published: Belgium loses 10.3% (the library's change is a fraction: compare with /100).
  EXPECT_NEAR(a.welfare_change(bel), -10.3 / 100, (0.05 + 0.08) / 100);
  ek::CounterfactualResult a_data =
      ek::run_counterfactual(b.data_cal, ek::Scenario::Autarky, ek::Labor::Mobile);
  EXPECT_LT(std::abs(a.welfare_change(bel) + 10.3 / 100),
            std::abs(a_data.welfare_change(bel) + 10.3 / 100));
  ek::CounterfactualResult im =
      ek::run_counterfactual(b.ek_cal, ek::Scenario::Autarky, ek::Labor::Immobile);
  EXPECT_NEAR(im.welfare_change(bel), -10.3 / 100, 0.05 / 100);  // within the rounding
  ek::CounterfactualResult dt =
      ek::run_counterfactual(b.ek_cal, ek::Scenario::DoubleTrade, ek::Labor::Mobile);
  EXPECT_NEAR(dt.world_trade_ratio, 2.0, 1e-8);
  EXPECT_NEAR(dt.trade_cost_factor, 0.69, 0.005 + 0.02);
}

// A counterfactual whose solver stops at its iteration limit is reported, not thrown: the
// study keeps it with its status, and the JSON object says so.
TEST(EkStudy, NonConvergedCounterfactualIsReported) {
  HAT_REQUIRE_DATA(dir);
  const auto& b = baselines(dir);
  ek::CounterfactualRequest r;
  r.scenario = "autarky";
  r.labor = "immobile";
  r.max_iter = 1;
  ek::ScenarioStudy st = ek::run_scenario_study(r, b.data);
  ASSERT_EQ(st.results.size(), 1u);
  EXPECT_FALSE(st.converged());
  EXPECT_TRUE(st.results[0].baseline.report.converged());
  EXPECT_EQ(st.results[0].counterfactual.report.status, hat::SolverStatus::IterationLimit);
  EXPECT_EQ(hat::reports::ek_counterfactual_json(st)["solver_status"], "iteration_limit");
  r.max_iter = 200;
  EXPECT_TRUE(ek::run_scenario_study(r, b.data).converged());
}

TEST(EkStudy, RequestValidationNamesTheOption) {
  ek::CounterfactualRequest r;
  r.scenario = "autarky";
  EXPECT_NO_THROW(r.validate());
  r.baseline = "fitted";
  try {
    r.validate();
    FAIL() << "expected InputError";
  } catch (const hat::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--baseline"), std::string::npos) << e.what();
  }
  r.baseline = "ek";
  r.max_iter = 0;  // named as the options of `hat ek counterfactual` spell them
  EXPECT_EQ(hat::test::error_of([&] { r.validate(); }), "--max-iterations must be in [1, 100000]");
  r.max_iter = 200;
  r.tol = 0;
  EXPECT_EQ(hat::test::error_of([&] { r.validate(); }), "--tolerance must be positive");
  r.tol = 1e-11;
  r.labor = "fixed";  // every accepted value is listed, "both" included
  EXPECT_EQ(hat::test::error_of([&] { r.validate(); }),
            "--labor: 'fixed' is not one of \"mobile\", \"immobile\" or \"both\"");
  r.labor = "both";
  EXPECT_EQ(r.labors().size(), 2u);
}
