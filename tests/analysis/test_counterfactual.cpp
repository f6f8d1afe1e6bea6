// Tests of the counterfactual shocks and welfare measures (MODEL.md §1 "Welfare";
// hat-slides-2023 Propositions 2 and 3; Arkolakis, Costinot & Rodriguez-Clare 2012).
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>

#include "hat/analysis/counterfactual.hpp"
#include "hat/analysis/shocks.hpp"
#include "hat/analysis/welfare.hpp"
#include "hat/core/error.hpp"
#include "hat/io/config.hpp"
#include "hat/world/world.hpp"
#include "world_fixtures.hpp"

using namespace hat;
using namespace hat::analysis;

namespace {

// The symmetric two-country world of the published tests (d = 1.745) at Na = 40, or (M = 3)
// an asymmetric three-country variant of it.
world::World small_world(double gamma, int M = 2, int Na = 40) {
  world::World w = hat::test::symmetric_two(gamma, 1.745, Na);
  if (M == 3) {
    w.names.push_back("G");
    w.L.resize(3);
    w.L << 1.0, 0.7, 1.4;
    w.A.resize(3);
    w.A << 1.0, 1.1, 0.9;
    w.d.resize(3, 3);
    w.d << 1.0, 1.6, 2.1, 1.7, 1.0, 1.9, 2.2, 1.8, 1.0;
  }
  return w;
}

world::Prices start(int M) {
  return hat::test::start_prices(M, 1.01);
}

struct SolvedWorld {
  world::World w;
  world::EquilibriumOptions opt;
  world::Evaluation base;
  CounterfactualOptions co;
  std::vector<HouseholdState> old;
  SolvedWorld(double gamma, int M = 2) : w(small_world(gamma, M)) {
    world::Equilibrium eq = world::solve_equilibrium(w, start(M), opt);
    EXPECT_TRUE(eq.report.converged()) << eq.report.message;
    base = eq.state;
    co.countries = {0};
    old = baseline_states(base, co.countries, co.welfare);
    for (const auto& e : baseline_elasticities(old, co.countries, DistributionMode::Adjusts))
      co.theta_trade_weighted.push_back(e.theta_trade_weighted);
  }
  ExperimentResult run(const std::vector<Shock>& shocks) const {
    Experiment e;
    e.name = "test";
    e.shocks = shocks;
    return run_experiment(w, opt, base, old, e, co);
  }
};

}  // namespace

// ---- shock specifications --------------------------------------------------------------------

TEST(Shocks, ParseCommandLineSpecs) {
  Shock s = parse_shock_spec("importer=USA,exporter=JPN,factor=0.9");
  EXPECT_EQ(s.kind, ShockKind::TradeCost);
  EXPECT_EQ(s.importer, "USA");
  EXPECT_EQ(s.exporter, "JPN");
  EXPECT_DOUBLE_EQ(s.factor, 0.9);
  s = parse_shock_spec("importer=USA, exporter=*, factor=0.9");
  EXPECT_EQ(s.exporter, "*");
  s = parse_shock_spec("kind=tariff,importer=USA,exporter=CHN,tariff=0.25");
  EXPECT_EQ(s.kind, ShockKind::Tariff);
  ASSERT_TRUE(s.tariff.has_value());
  EXPECT_DOUBLE_EQ(*s.tariff, 0.25);
  s = parse_shock_spec("kind=tariff,importer=*,tariff_change=-0.05");
  ASSERT_TRUE(s.tariff_change.has_value());
  EXPECT_DOUBLE_EQ(*s.tariff_change, -0.05);
  s = parse_shock_spec("kind=autarky,country=USA");
  EXPECT_EQ(s.kind, ShockKind::Autarky);
  EXPECT_EQ(s.country, "USA");
}

TEST(Shocks, ParseErrorsNameTheProblem) {
  auto msg = [](const std::string& spec) {
    try {
      parse_shock_spec(spec);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg("importer=USA,exporter=JPN").find("factor: missing"), std::string::npos);
  EXPECT_NE(msg("importer=USA,factor=abc").find("'abc' is not a number"), std::string::npos);
  EXPECT_NE(msg("importer=USA,factor=-1").find("factor: must be a finite number > 0"),
            std::string::npos);
  EXPECT_NE(msg("importer=USA,factr=0.9").find("factr: unknown key"), std::string::npos);
  EXPECT_NE(msg("importer=USA,factor=0.9,factor=0.8").find("given twice"), std::string::npos);
  EXPECT_NE(msg("importer=USA,,factor=0.9").find("empty item"), std::string::npos);
  EXPECT_NE(msg("importer").find("not key=value"), std::string::npos);
  EXPECT_NE(msg("").find("empty specification"), std::string::npos);
  EXPECT_NE(msg("kind=quota,factor=0.9").find("kind: 'quota'"), std::string::npos);
  EXPECT_NE(msg("kind=tariff,importer=USA").find("exactly one of tariff"), std::string::npos);
  EXPECT_NE(msg("kind=tariff,tariff=0.1,tariff_change=0.1").find("exactly one of tariff"),
            std::string::npos);
  EXPECT_NE(msg("kind=autarky,factor=0.9").find("factor: not allowed for kind = autarky"),
            std::string::npos);
  EXPECT_NE(msg("kind=trade_cost,factor=0.9,tariff=0.1").find("tariff: not allowed"),
            std::string::npos);
  // Every message names the specification.
  EXPECT_EQ(msg("importer=USA,factr=0.9").rfind("--shock 'importer=USA,factr=0.9'", 0), 0u);
}

TEST(Shocks, ApplyToWorld) {
  world::World w = small_world(1.5, 3);
  // One pair.
  ShockedWorld s = apply_shocks(w, {parse_shock_spec("importer=H,exporter=G,factor=0.9")});
  EXPECT_DOUBLE_EQ(s.world.d(0, 2), 0.9 * w.d(0, 2));
  EXPECT_EQ(s.pairs_changed, 1);
  EXPECT_DOUBLE_EQ(s.world.d(2, 0), w.d(2, 0));
  // All of one importer's costs; the diagonal stays 1.
  s = apply_shocks(w, {parse_shock_spec("importer=F,exporter=*,factor=0.55")});
  EXPECT_EQ(s.world.d(1, 0), 1.0);  // 0.55 * 1.7 < 1: clamped at d = 1
  EXPECT_DOUBLE_EQ(s.world.d(1, 2), 0.55 * 1.9);
  EXPECT_EQ(s.pairs_clamped, 1);
  EXPECT_EQ(s.pairs_changed, 2);
  EXPECT_DOUBLE_EQ(s.world.d(1, 1), 1.0);
  // Global, composed with a second shock.
  s = apply_shocks(
      w, {parse_shock_spec("factor=0.9"), parse_shock_spec("importer=H,exporter=F,factor=0.5")});
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      const double expect =
          i == j ? 1.0 : std::max(1.0, (i == 0 && j == 1 ? 0.45 : 0.9) * w.d(i, j));
      EXPECT_DOUBLE_EQ(s.world.d(i, j), expect) << i << j;
    }
  // Tariffs: set and change; a world without tariffs gets a zero matrix first.
  s = apply_shocks(w, {parse_shock_spec("kind=tariff,importer=H,tariff=0.2"),
                       parse_shock_spec("kind=tariff,importer=H,exporter=G,tariff_change=0.05")});
  EXPECT_DOUBLE_EQ(s.world.tariff(0, 1), 0.2);
  EXPECT_DOUBLE_EQ(s.world.tariff(0, 2), 0.25);
  EXPECT_DOUBLE_EQ(s.world.tariff(1, 0), 0.0);
  EXPECT_DOUBLE_EQ(s.world.tariff(0, 0), 0.0);
  // Autarky of one country: both directions, others untouched.
  s = apply_shocks(w, {parse_shock_spec("kind=autarky,country=F,cost=1000")});
  EXPECT_DOUBLE_EQ(s.world.d(1, 0), 1000);
  EXPECT_DOUBLE_EQ(s.world.d(0, 1), 1000);
  EXPECT_DOUBLE_EQ(s.world.d(0, 2), w.d(0, 2));
  // Errors name the shock and the country.
  try {
    apply_shocks(w, {parse_shock_spec("importer=USA,factor=0.9")});
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("importer 'USA' is not a country"), std::string::npos);
  }
  EXPECT_THROW(apply_shocks(w, {parse_shock_spec("importer=H,exporter=H,factor=0.9")}), InputError);
  EXPECT_TRUE(same_trade_frictions(w, apply_shocks(w, {parse_shock_spec("factor=1")}).world));
}

// ---- exact weighted quantiles ----------------------------------------------------------------

// Hand-made distribution: values {5,1,3,3,2}, masses {.1,.3,.2,.2,.2}. Sorted CDF intervals:
// value 1 [0,.3], value 2 [.3,.5], value 3 (tie of states 2 and 3) [.5,.9], value 5 [.9,1].
// Quintile weights and means of x = {10,...,50} worked out by hand in the comments below.
TEST(Welfare, ExactWeightedQuintilesHandMade) {
  Eigen::VectorXd v(5), m(5), x(5);
  v << 5, 1, 3, 3, 2;
  m << 0.1, 0.3, 0.2, 0.2, 0.2;
  x << 10, 20, 30, 40, 50;
  Eigen::MatrixXd W = quantile_weights(v, m, 5);
  Eigen::MatrixXd expect(5, 5);
  expect << 0, 0, 0, 0, 0.1,  // state 0 (value 5): all in Q5
      0.2, 0.1, 0, 0, 0,      // state 1 (value 1): .2 in Q1, .1 in Q2
      0, 0, 0.05, 0.1, 0.05,  // state 2 (tie atom [.5,.9]): 1/4, 1/2, 1/4
      0, 0, 0.05, 0.1, 0.05,  // state 3: same shares as its tie partner
      0, 0.1, 0.1, 0, 0;      // state 4 (value 2): [.3,.5]
  EXPECT_LT((W - expect).cwiseAbs().maxCoeff(), 1e-15);
  Eigen::VectorXd g = group_means(W, x);
  // Q1 = 20; Q2 = (.1*20+.1*50)/.2 = 35; Q3 = (.1*50+.05*30+.05*40)/.2 = 42.5;
  // Q4 = (.1*30+.1*40)/.2 = 35; Q5 = (.05*30+.05*40+.1*10)/.2 = 22.5.
  Eigen::VectorXd ge(5);
  ge << 20, 35, 42.5, 35, 22.5;
  EXPECT_LT((g - ge).cwiseAbs().maxCoeff(), 1e-12);
  // NaN entries are skipped, the rest re-weighted.
  x(1) = std::nan("");
  g = group_means(W, x);
  EXPECT_TRUE(std::isnan(g(0)));
  EXPECT_NEAR(g(1), 50, 1e-12);
  EXPECT_THROW(quantile_weights(v, -m, 5), InputError);
}

// ---- welfare identities on solved worlds ---------------------------------------------------

// A shock that changes nothing gives exactly zero welfare change (EV, CE, ACR, every state),
// and the baseline is returned as the new equilibrium.
TEST(Welfare, ZeroShockGivesExactlyZero) {
  SolvedWorld st(1.5);
  ExperimentResult r = st.run({parse_shock_spec("importer=H,exporter=F,factor=1")});
  EXPECT_TRUE(r.ge_is_baseline);
  ASSERT_EQ(r.welfare.size(), 1u);
  for (const ScenarioWelfare& sw : r.welfare[0].scenarios) {
    EXPECT_EQ(sw.mean_ev, 0.0) << sw.scenario;
    EXPECT_EQ(sw.mean_ce, 0.0) << sw.scenario;
    EXPECT_EQ(sw.acr, 0.0) << sw.scenario;
    EXPECT_EQ(sw.acr_trade_weighted, 0.0) << sw.scenario;
    EXPECT_EQ(sw.ev.cwiseAbs().maxCoeff(), 0.0);
    EXPECT_EQ(sw.ce.cwiseAbs().maxCoeff(), 0.0);
    EXPECT_EQ(sw.ev_lump_sum.cwiseAbs().maxCoeff(), 0.0);
    EXPECT_EQ(sw.mean_ev_lump_sum, 0.0);
    EXPECT_EQ(sw.decomposition.W_new - sw.decomposition.W_old, 0.0);
    for (const auto& [g, q] : sw.ev_groups) EXPECT_EQ(q.cwiseAbs().maxCoeff(), 0.0) << g;
  }
}

// A 10% cut of H's import costs: EV and CE agree in sign state by state (both are monotone in
// V_new - V_old where R a + W z > 0); the EV root satisfies its definition when the old-price
// problem is solved directly at lambda(k); the CE satisfies (1+x)^(1-gamma) U + S = V_new; the
// Proposition 2 decomposition adds up; PE gains exceed zero for the importer.
TEST(Welfare, TradeCostCutIdentities) {
  SolvedWorld st(1.5);
  ExperimentResult r = st.run({parse_shock_spec("importer=H,exporter=F,factor=0.9")});
  ASSERT_TRUE(r.status.converged()) << r.status.message;
  const CountryWelfare& cw = r.welfare[0];
  const HouseholdState& old = st.old[0];
  const auto& hp = old.problem;
  EXPECT_EQ(cw.ev_report.unresolved, [&] {
    int n = 0;
    for (const auto& sw : cw.scenarios) n += (sw.ev_roots.array() == 0).count();
    return n;
  }());
  for (const ScenarioWelfare& sw : cw.scenarios) {
    int compared = 0;
    for (int k = 0; k < sw.ev.size(); ++k) {
      if (cw.nonpositive_wealth[k] || std::isnan(sw.ev(k))) continue;
      const double dv = sw.V_new(k) - cw.V_old(k);
      EXPECT_EQ(sw.ev(k) > 0, dv > 0) << sw.scenario << " state " << k;
      EXPECT_EQ(sw.ce(k) > 0, dv > 0) << sw.scenario << " state " << k;
      ++compared;
    }
    EXPECT_GT(compared, hp.Na() * hp.Nz() / 2);
    // CE definition.
    for (int k = 0; k < sw.ce.size(); ++k) {
      if (std::isnan(sw.ce(k))) continue;
      const double lhs =
          std::pow(1 + sw.ce(k), 1 - hp.gamma) * cw.split.utility(k) + cw.split.taste(k);
      EXPECT_NEAR(lhs, sw.V_new(k), 1e-10 * std::abs(sw.V_new(k)));
    }
    // Proposition 2: W_new - W_old = household + reallocation + interaction, and W_new is the
    // new stationary welfare sum mass_new V_new.
    const Decomposition& d = sw.decomposition;
    EXPECT_NEAR(d.W_new - d.W_old, d.household + d.reallocation + d.interaction, 1e-12);
    EXPECT_NEAR(d.W_new, sw.mass_new.dot(sw.V_new), 1e-12);
    EXPECT_NEAR(sw.mass_new.sum(), 1.0, 1e-12);
  }
  EXPECT_GT(cw.scenarios[0].mean_ev, 0);
  EXPECT_GT(cw.scenarios[0].acr, 0);
  // Honest reporting: ev_direction is the sign of R a + W z; the well-posed mean and mass are
  // those of the states with ev_direction = 1 and one root (recomputed here).
  for (int k = 0; k < cw.ev_direction.size(); ++k) {
    const double wealth = hp.R * cw.assets(k) + hp.W * cw.z(k);
    EXPECT_EQ(cw.ev_direction(k), wealth > 0 ? 1 : (wealth < 0 ? -1 : 0)) << k;
    EXPECT_EQ(cw.nonpositive_wealth[k] == 1, cw.ev_direction(k) <= 0) << k;
  }
  for (const ScenarioWelfare& sw : cw.scenarios) {
    double num = 0, mass = 0, multi = 0;
    for (int k = 0; k < sw.ev.size(); ++k) {
      if (sw.ev_roots(k) > 1) multi += cw.mass_old(k);
      if (cw.ev_direction(k) != 1 || sw.ev_roots(k) != 1) continue;
      num += cw.mass_old(k) * sw.ev(k);
      mass += cw.mass_old(k);
    }
    EXPECT_NEAR(sw.well_posed_mass, mass, 1e-14);
    EXPECT_NEAR(sw.mean_ev_well_posed, num / mass, 1e-14);
    EXPECT_NEAR(sw.multiple_roots_mass, multi, 1e-14);
    EXPECT_GT(mass, 0.3);
  }
  // EV definition: V_old(k; lambda_k) = V_new(k) by a direct solve at lambda_k, for the states
  // of largest mass (accuracy target 1e-6 in lambda).
  const ScenarioWelfare& ge = cw.scenarios[1];
  std::vector<int> idx(cw.mass_old.size());
  for (int k = 0; k < cw.mass_old.size(); ++k) idx[k] = k;
  std::partial_sort(idx.begin(), idx.begin() + 3, idx.end(),
                    [&](int a, int b) { return cw.mass_old(a) > cw.mass_old(b); });
  for (int q = 0; q < 3; ++q) {
    const int k = idx[q];
    if (std::isnan(ge.ev(k)) || ge.ev(k) == 0) continue;
    household::HouseholdProblem p = hp;
    p.lambda = 1 + ge.ev(k);
    household::HouseholdSolution s =
        household::solve_household(p, st.co.welfare.household, &old.solution);
    ASSERT_TRUE(s.report.converged());
    const double slope = (ge.V_new(k) - cw.V_old(k)) / ge.ev(k);  // secant dV/dlambda
    EXPECT_LT(std::abs(s.V(k) - ge.V_new(k)) / std::abs(slope), 1e-6) << "state " << k;
  }
  EXPECT_LT(cw.ev_report.check_error_lambda, 2e-6);
}

// Policy evaluation reproduces the value: with the logit identity, the per-period payoff
// sum_j pi_j (u_j + psi_j - sigma log pi_j) evaluated under the policies gives V (MODEL.md §1).
TEST(Welfare, PolicyEvaluationReproducesValue) {
  SolvedWorld st(1.5);
  const HouseholdState& old = st.old[0];
  const auto& hp = old.problem;
  const auto& sol = old.solution;
  Eigen::VectorXd b(sol.V.size());
  for (int k = 0; k < b.size(); ++k) {
    double acc = 0;
    for (int j = 0; j < hp.M(); ++j) {
      const double p = sol.pi(k, j);
      if (p > 0)
        acc += p * (std::pow(sol.c(k, j), 1 - hp.gamma) / (1 - hp.gamma) - hp.sigma * std::log(p));
    }
    b(k) = acc;
  }
  const Eigen::VectorXd V = evaluate_policy(hp, sol, b);
  EXPECT_LT((V - sol.V).cwiseAbs().maxCoeff(), 1e-9 * sol.V.cwiseAbs().maxCoeff());
}

// Log utility, partial equilibrium (W, R fixed, psi = 0): v_j = w(a,s) - log p_j, so
// V = w - log P/(1-beta) with P = (sum_j p_j^(-1/sigma))^(-sigma) (Proposition 3). Any price
// change shifts every state's value by -dlog P/(1-beta): the consumption equivalent is
// P_old/P_new - 1 in every state, and it equals the ACR formula (pi_ii'/pi_ii)^(-sigma) - 1.
TEST(Welfare, LogUtilityPermanentPriceChangeClosedForm) {
  SolvedWorld st(1.0, 3);
  ExperimentResult r = st.run({parse_shock_spec("importer=H,exporter=*,factor=0.8")});
  ASSERT_TRUE(r.status.converged()) << r.status.message;
  const auto& hp_old = st.old[0].problem;
  const auto hp_new = world::country_problem(r.shocked.world, 0, st.base.prices);
  auto P = [&](const Eigen::VectorXd& p) {
    return std::pow(p.array().pow(-1.0 / hp_old.sigma).sum(), -hp_old.sigma);
  };
  const double closed = P(hp_old.prices) / P(hp_new.prices) - 1.0;
  const ScenarioWelfare& pe = r.welfare[0].scenarios[0];
  ASSERT_EQ(pe.scenario, "pe");
  EXPECT_GT(closed, 0.01);
  EXPECT_LT((pe.ce.array() - closed).abs().maxCoeff(), 1e-9);
  EXPECT_NEAR(pe.mean_ce, closed, 1e-9);
  EXPECT_NEAR(pe.acr, closed, 1e-9);
  EXPECT_NEAR(pe.theta, -1.0 / hp_old.sigma, 1e-15);
  // The paper's benchmark: with log utility every bilateral PE elasticity is -1/sigma
  // (MODEL.md §1, Proposition 1), so the trade-weighted theta is -1/sigma and
  // (1/theta) log(pi_ii'/pi_ii) = log(1 + ACR) = log(P_old/P_new) (Proposition 3).
  EXPECT_NEAR(pe.theta_trade_weighted, -1.0 / hp_old.sigma, 1e-6);
  EXPECT_NEAR(pe.acr_trade_weighted, std::log1p(closed), 1e-8);
  EXPECT_EQ(r.welfare[0].scenarios[1].theta_trade_weighted, pe.theta_trade_weighted);
}

// ---- the paper's expenditure bins ------------------------------------------------------------

// Two states, two varieties, worked by hand. Pairs (value, mass x pi): state 0 chooses values 1
// and 3 with mass 0.25 each, state 1 value 2 with mass 0.5 (its other variety is never chosen).
// Cumulative mass: value 1 on [0, .25], 2 on [.25, .75], 3 on [.75, 1]; quintile boundaries at
// .2, .4, .6, .8 give state 0 = (.2, .05, 0, .05, .2) and state 1 = (0, .15, .2, .15, 0).
TEST(Welfare, PaperExpenditureBinsHandMade) {
  Eigen::MatrixXd value(2, 2), pi(2, 2);
  value << 1, 3, 2, 7;
  pi << 0.5, 0.5, 1, 0;
  const Eigen::Vector2d mass(0.5, 0.5);
  const Eigen::MatrixXd W = pair_quantile_weights(value, mass, pi, 5);
  Eigen::MatrixXd expect(2, 5);
  expect << .2, .05, 0, .05, .2, 0, .15, .2, .15, 0;
  EXPECT_LT((W - expect).cwiseAbs().maxCoeff(), 1e-15);
}

// Exact bins sum to the right mass: each state's row to its mass (its pairs' masses add up to it
// because its choice probabilities sum to one), each bin to total/groups, for 5, 10, 20 bins.
// With one variety, pairs are states and the bins are bit-for-bit the state bins
// (quantile_weights of expenditure), here on a solved household block.
TEST(Welfare, PaperExpenditureBinsMassAndOneVariety) {
  SolvedWorld st(1.5);
  const HouseholdState& old = st.old[0];
  const auto& hp = old.problem;
  const auto& sol = old.solution;
  Eigen::MatrixXd pair(sol.c.rows(), hp.M());
  for (int j = 0; j < hp.M(); ++j) pair.col(j) = hp.prices(j) * sol.c.col(j);
  const double total = old.mass.sum();
  for (int groups : {5, 10, 20}) {
    const Eigen::MatrixXd W = pair_quantile_weights(pair, old.mass, sol.pi, groups);
    // To a few ulps of the largest mass (the split is exact up to rounding).
    EXPECT_LT((W.rowwise().sum() - old.mass).cwiseAbs().maxCoeff(), 4e-15) << groups;
    for (int q = 0; q < groups; ++q) EXPECT_NEAR(W.col(q).sum(), total / groups, 1e-14) << q;
    EXPECT_GE(W.minCoeff(), 0.0);
  }
  // One variety: the household block of a single-variety problem.
  household::HouseholdProblem one = hp;
  one.prices = hp.prices.head(1);
  one.quality.resize(0, 0);
  household::HouseholdSolution s1 = household::solve_household(one, st.co.welfare.household);
  ASSERT_TRUE(s1.report.converged());
  const household::StationaryDistribution d = household::stationary_distribution(one, s1);
  const Eigen::VectorXd e = one.prices(0) * s1.c.col(0);
  for (int groups : {5, 10, 20}) {
    const Eigen::MatrixXd a = pair_quantile_weights(e, d.mass, s1.pi, groups);
    const Eigen::MatrixXd b = quantile_weights(e, d.mass, groups);
    EXPECT_EQ((a - b).cwiseAbs().maxCoeff(), 0.0) << groups;
  }
}

// ---- lump-sum equivalent variation -----------------------------------------------------------

// Definition: V_old(k; tau_k) = V_new(k). The refined roots are checked by direct household solves
// at tau_k (warm-started from the old solution, not from the nodes), to 1e-8 in utils; the
// interpolated (unrefined) roots agree with them to the reported interpolation accuracy, and
// the lump-sum EV has the sign of V_new - V_old in every state (V_old(k; .) is increasing).
TEST(Welfare, LumpSumEvSatisfiesItsDefinition) {
  SolvedWorld st(1.5);
  ExperimentResult r = st.run({parse_shock_spec("importer=H,exporter=F,factor=0.9")});
  ASSERT_TRUE(r.status.converged()) << r.status.message;
  const HouseholdState& old = st.old[0];
  const CountryWelfare& cw = r.welfare[0];
  std::vector<Eigen::VectorXd> targets{cw.scenarios[0].V_new, cw.scenarios[1].V_new};
  WelfareOptions opt = st.co.welfare;
  opt.lump_sum_polish = 1e-11;
  LumpSumReport rep;
  const std::vector<LumpSumResult> ls = lump_sum_ev(old.problem, old.solution, targets, opt, &rep);
  ASSERT_TRUE(rep.report.converged()) << rep.report.message;
  EXPECT_EQ(rep.unresolved, 0);
  EXPECT_EQ(rep.multiple_roots, 0);
  EXPECT_LT(rep.polish_max_residual, 1e-9);
  EXPECT_NEAR(rep.labour_income, cw.lump_sum_report.labour_income, 1e-15);
  const int N = static_cast<int>(old.solution.V.size());
  for (int t = 0; t < 2; ++t) {
    const ScenarioWelfare& sw = cw.scenarios[t];
    for (int k = 0; k < N; ++k) {
      ASSERT_TRUE(std::isfinite(ls[t].tau(k))) << k;
      EXPECT_EQ(ls[t].roots(k), 1) << k;
      EXPECT_EQ(ls[t].tau(k) > 0, sw.V_new(k) > cw.V_old(k)) << k;
      // Interpolated roots (the counterfactual's) within the reported accuracy.
      EXPECT_NEAR(sw.ev_lump_sum(k), ls[t].tau(k) / rep.labour_income,
                  10 * cw.lump_sum_report.check_error_tau + 1e-7)
          << k;
    }
    for (int k = t; k < N; k += 9) {  // independent direct solves on a spread of states
      household::HouseholdProblem hp = old.problem;
      hp.tau += ls[t].tau(k);
      household::HouseholdSolution s = household::solve_household(hp, opt.household, &old.solution);
      ASSERT_TRUE(s.report.converged());
      EXPECT_NEAR(s.V(k), sw.V_new(k), 1e-8) << "scenario " << t << " state " << k;
    }
  }
  EXPECT_LT(cw.lump_sum_report.check_error_tau, 1e-5);
}

// Closed form. Log utility, one income state, beta R = 1 and a permanent proportional change of
// all prices p -> kappa p. Then (v_j = w - log p_j, Proposition 3) the household's saving problem
// is the deterministic log-utility one with price index P, whose solution with beta R = 1 is
// a' = a and expenditure e = (R - 1) a + W z + tau (constant consumption, Euler equation
// u'(c) = beta R u'(c')), so V(a; tau, P) = [log((R-1) a + W z + tau) - log P + const]/(1-beta).
// The new prices give V_new = V_old + log(1+x)/(1-beta) with x = 1/kappa - 1 = P_old/P_new - 1
// (the consumption equivalent, the same in every state); V_old(a; tau) = V_new(a) gives
//     tau(a) = x ((R - 1) a + W z),
// the consumption equivalent times the household's permanent income. The discretised model
// reproduces the linear policy exactly, so the identity holds to solver accuracy.
TEST(Welfare, LumpSumEvLogUtilityClosedForm) {
  household::HouseholdProblem hp;
  hp.gamma = 1.0;
  hp.beta = 0.95;
  hp.R = 1.0 / hp.beta;
  hp.W = 1.3;
  hp.sigma = 0.3;
  hp.prices = Eigen::Vector2d(1.0, 1.25);
  hp.grid = Eigen::VectorXd::LinSpaced(30, -0.5, 6.0);
  hp.z = Eigen::VectorXd::Ones(1);
  hp.P = Eigen::MatrixXd::Ones(1, 1);
  WelfareOptions opt;
  opt.lump_sum_polish = 1e-12;
  household::HouseholdSolution old = household::solve_household(hp, opt.household);
  ASSERT_TRUE(old.report.converged()) << old.report.message;
  const double kappa = 0.9, x = 1.0 / kappa - 1.0;
  household::HouseholdProblem hn = hp;
  hn.prices *= kappa;
  household::HouseholdSolution nw = household::solve_household(hn, opt.household, &old);
  ASSERT_TRUE(nw.report.converged());
  // The consumption equivalent of the new prices is x in every state (the existing closed form).
  const ValueSplit split = split_value(hp, old);
  const Eigen::VectorXd ce = consumption_equivalent(1.0, hp.beta, old.V, nw.V, split);
  EXPECT_LT((ce.array() - x).abs().maxCoeff(), 1e-9);
  LumpSumReport rep;
  const std::vector<LumpSumResult> ls = lump_sum_ev(hp, old, {nw.V}, opt, &rep);
  ASSERT_TRUE(rep.report.converged()) << rep.report.message;
  EXPECT_NEAR(rep.labour_income, hp.W, 1e-15);
  for (int i = 0; i < hp.Na(); ++i) {
    const double closed = x * ((hp.R - 1.0) * hp.grid(i) + hp.W * hp.z(0));
    EXPECT_NEAR(ls[0].tau(i), closed, 1e-10) << "a = " << hp.grid(i);
  }
}

// Determinism: welfare of two countries computed in parallel equals the one-country runs.
TEST(Welfare, CountriesInParallelMatchSingleRuns) {
  SolvedWorld st(1.5);
  CounterfactualOptions both = st.co;
  both.countries = {0, 1};
  std::vector<HouseholdState> old2 = baseline_states(st.base, both.countries, both.welfare);
  both.theta_trade_weighted.clear();
  for (const auto& e : baseline_elasticities(old2, both.countries, DistributionMode::Adjusts))
    both.theta_trade_weighted.push_back(e.theta_trade_weighted);
  Experiment e;
  e.name = "t";
  e.shocks = {parse_shock_spec("importer=H,exporter=F,factor=0.9")};
  ExperimentResult r2 = run_experiment(st.w, st.opt, st.base, old2, e, both);
  ExperimentResult r1 = st.run(e.shocks);
  const auto& a = r1.welfare[0].scenarios[1];
  const auto& b = r2.welfare[0].scenarios[1];
  EXPECT_EQ(a.mean_ev, b.mean_ev);
  EXPECT_EQ(a.mean_ce, b.mean_ce);
  EXPECT_EQ(a.mean_ev_lump_sum, b.mean_ev_lump_sum);
  EXPECT_EQ(a.acr_trade_weighted, b.acr_trade_weighted);
  // The exporter F gains less than the importer H in PE (its own prices are unchanged).
  EXPECT_EQ(r2.welfare[1].scenarios[0].mean_ev, 0.0);
}

// The shipped experiments (examples/shock_*.toml) parse and apply to a world with the 19 EK
// countries (MODEL.md country order): each changes exactly the pairs it names.
TEST(Shocks, ShippedExamplesApplyToTheNineteenCountryWorld) {
  const std::vector<std::string> names{"AUS", "AUT", "BEL", "CAN", "DNK", "FIN", "FRA",
                                       "DEU", "GRC", "ITA", "JPN", "NLD", "NZL", "NOR",
                                       "PRT", "ESP", "SWE", "GBR", "USA"};
  world::World w = small_world(1.45, 2);
  w.names = names;
  const int M = 19;
  w.L = Eigen::VectorXd::Ones(M);
  w.A = Eigen::VectorXd::Ones(M);
  w.d = Eigen::MatrixXd::Constant(M, M, 2.0);
  w.d.diagonal().setOnes();
  const std::pair<const char*, int> files[] = {
      {"shock_us_japan", 1}, {"shock_us_france", 1}, {"shock_us_all", 18}, {"shock_global", 342}};
  for (const auto& [f, pairs] : files) {
    const std::string path = std::string(HAT_SOURCE_DIR) + "/examples/" + f + ".toml";
    io::ConfigFile cf = io::ConfigFile::load(path);
    Experiment e = read_experiment(cf.root(), f, path);
    EXPECT_EQ(e.country, "USA") << f;
    ShockedWorld s = apply_shocks(w, e.shocks);
    EXPECT_EQ(s.pairs_changed, pairs) << f;
    EXPECT_DOUBLE_EQ(s.world.d.maxCoeff(), pairs == 342 ? 1.8 : 2.0) << f;
    EXPECT_DOUBLE_EQ(s.world.d.minCoeff(), 1.0) << f;
  }
  io::ConfigFile cf =
      io::ConfigFile::load(std::string(HAT_SOURCE_DIR) + "/examples/shock_us_japan.toml");
  ShockedWorld s = apply_shocks(w, read_experiment(cf.root(), "x", "x").shocks);
  EXPECT_DOUBLE_EQ(s.world.d(18, 10), 1.8);  // USA imports from JPN
  EXPECT_DOUBLE_EQ(s.world.d(10, 18), 2.0);  // not JPN imports from USA
}

// Determinism: the same experiment with 1 and 2 OpenMP threads gives bit-identical welfare
// (fixed summation order; the lambda and tau node chains do not depend on scheduling).
TEST(Welfare, IdenticalForAnyThreadCount) {
  SolvedWorld st(1.5);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  ExperimentResult r1 = st.run({parse_shock_spec("importer=H,exporter=F,factor=0.9")});
  omp_set_num_threads(2);
  ExperimentResult r2 = st.run({parse_shock_spec("importer=H,exporter=F,factor=0.9")});
  omp_set_num_threads(saved);
  for (int s = 0; s < 2; ++s) {
    const auto& a = r1.welfare[0].scenarios[s];
    const auto& b = r2.welfare[0].scenarios[s];
    for (int k = 0; k < a.ev.size(); ++k) {
      if (std::isnan(a.ev(k))) {
        EXPECT_TRUE(std::isnan(b.ev(k)));
        continue;
      }
      EXPECT_EQ(a.ev(k), b.ev(k)) << k;
      EXPECT_EQ(a.ce(k), b.ce(k)) << k;
    }
    for (int k = 0; k < a.ev_lump_sum.size(); ++k)
      EXPECT_EQ(a.ev_lump_sum(k), b.ev_lump_sum(k)) << k;
    EXPECT_EQ(a.mean_ev, b.mean_ev);
    EXPECT_EQ(a.acr_trade_weighted, b.acr_trade_weighted);
  }
}
