// The linearised household block (household/linearisation.hpp) against an independent
// computation: central differences of the stationary aggregates with the household re-solved
// and its distribution recomputed at moved parameters (solve_household and
// stationary_distribution at tolerances 1e-13 / 1e-15), and the adjoint gradient against the
// forward responses (the two modes must be transposes of each other to rounding).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "hat/household/linearisation.hpp"
#include "hat/world/world.hpp"
#include "world_fixtures.hpp"

using namespace hat;

namespace {

struct Block {
  world::CountryState cs;
  world::EquilibriumOptions opt;
};

// Country 2 of the five-country world (gamma 1.45, with quality shifters), solved tightly.
Block solved_block(double gamma, double quality_slope) {
  world::World w = hat::test::five_country(gamma, 40);
  w.quality_slope = quality_slope;
  Block b;
  b.opt.household.tolerance = b.opt.household.value_tolerance = 1e-13;
  b.opt.distribution.tolerance = 1e-15;
  b.cs = world::solve_country(w, 2, hat::test::near_equilibrium(w, world::Financial::Globalization),
                              b.opt);
  EXPECT_TRUE(world::country_converged(b.cs));
  return b;
}

using Move = std::function<void(household::HouseholdProblem&, double)>;

// A move of the own TFP by e in logs under the paper's scaling (world::country_problem): the
// grid scales with A, sigma and the quality shifters with A^(1-gamma), the own price W / A.
void move_tfp(household::HouseholdProblem& hp, int own, double e) {
  const double pref = std::exp(e * (1.0 - hp.gamma));
  hp.grid *= std::exp(e);
  hp.sigma *= pref;
  hp.quality *= pref;
  hp.prices(own) *= std::exp(-e);
}

// Central differences of the re-solved aggregates along `move` (step h) against the
// linearisation's response; returns the largest gap relative to the largest difference, over
// expenditure, choice probabilities and assets.
double response_gap(const Block& b, const Move& move, double h = 1e-5) {
  household::Aggregates side[2];
  for (int s = 0; s < 2; ++s) {
    household::HouseholdProblem hp = b.cs.problem;
    move(hp, s == 0 ? h : -h);
    side[s] = world::solve_country_problem(hp, b.opt, &b.cs).aggregates;
  }
  household::HouseholdProblem hp = b.cs.problem;
  move(hp, 1.0);
  household::ParameterMove mv;
  EXPECT_TRUE(household::ParameterMove::between(b.cs.problem, hp, mv));
  // The move per unit: log prices, log W and log R are exact in the step; beta and tau linear.
  household::StationaryLinearisation lin(b.cs.problem, b.cs.solution, b.cs.distribution.mass);
  household::Aggregates d;
  std::string msg;
  EXPECT_TRUE(lin.response(mv, d, msg)) << msg;
  const int M = b.cs.problem.M();
  Eigen::VectorXd fd(2 * M + 1), lin_d(2 * M + 1);
  fd << (side[0].expenditure - side[1].expenditure) / (2 * h),
      (side[0].choice_probability - side[1].choice_probability) / (2 * h),
      (side[0].assets - side[1].assets) / (2 * h);
  lin_d << d.expenditure, d.choice_probability, d.assets;
  EXPECT_GT(fd.cwiseAbs().maxCoeff(), 1e-3);  // the move does move the block
  return (lin_d - fd).cwiseAbs().maxCoeff() / fd.cwiseAbs().maxCoeff();
}

}  // namespace

// Every kind of move the equilibrium Jacobian asks for: one import price, the own wage with
// the own variety's price (a wage column), beta, R, the transfer, several prices at once, and
// the own TFP (a calibration column: the block's scale).
// Measured gaps: 1e-10 to 3e-8 (beta and R, whose responses are large and curved, the
// largest); a 0.1% error in the value's response to consumption gives 8e-6 to 9e-4.
TEST(Linearisation, ForwardResponsesEqualReSolvedDifferences) {
  for (double slope : {0.0, 0.725}) {
    const Block b = solved_block(1.45, slope);
    const int own = 2;
    const std::vector<std::pair<const char*, Move>> moves = {
        {"import price", [](auto& hp, double e) { hp.prices(0) *= std::exp(e); }},
        {"own wage",
         [&](auto& hp, double e) {
           hp.W *= std::exp(e);
           hp.prices(own) *= std::exp(e);
         }},
        {"beta", [](auto& hp, double e) { hp.beta += e; }},
        {"R", [](auto& hp, double e) { hp.R *= std::exp(e); }},
        {"transfer", [](auto& hp, double e) { hp.tau += e; }},
        {"several prices",
         [](auto& hp, double e) {
           for (int j = 0; j < hp.M(); ++j) hp.prices(j) *= std::exp(e * std::sin(j + 1.0));
         }},
        {"own TFP", [&](auto& hp, double e) { move_tfp(hp, own, e); }},
    };
    for (const auto& [name, move] : moves) EXPECT_LT(response_gap(b, move), 1e-6) << name;
  }
}

// The same with log utility, where a price moves neither savings nor the distribution (the
// logit-impact response is then exact) but the wage and beta do.
TEST(Linearisation, LogUtilityResponsesEqualReSolvedDifferences) {
  const Block b = solved_block(1.0, 0.0);
  EXPECT_LT(response_gap(b, [](auto& hp, double e) { hp.prices(1) *= std::exp(e); }), 1e-6);
  EXPECT_LT(response_gap(b, [](auto& hp, double e) { hp.W *= std::exp(e); }), 1e-6);
  EXPECT_LT(response_gap(b, [](auto& hp, double e) { hp.beta += e; }), 1e-6);
  EXPECT_LT(response_gap(b, [](auto& hp, double e) { move_tfp(hp, 2, e); }), 1e-6);
}

// The adjoint gradient of asset demand is the forward response's asset part along every price
// direction (to the GMRES tolerance), and it differs from the logit-impact slope (which holds
// savings): on this block by more than 10% of the largest entry.
TEST(Linearisation, AssetGradientIsTheForwardResponsesTranspose) {
  const Block b = solved_block(1.45, 0.725);
  household::StationaryLinearisation lin(b.cs.problem, b.cs.solution, b.cs.distribution.mass);
  Eigen::VectorXd g;
  std::string msg;
  ASSERT_TRUE(lin.asset_gradient(g, msg)) << msg;
  const int M = b.cs.problem.M();
  for (int j = 0; j < M; ++j) {
    household::ParameterMove mv;
    mv.log_prices = Eigen::VectorXd::Unit(M, j);
    household::Aggregates d;
    ASSERT_TRUE(lin.response(mv, d, msg)) << msg;
    EXPECT_NEAR(g(j), d.assets, 1e-8 * g.cwiseAbs().maxCoeff()) << "variety " << j;
  }
  const household::LogitImpactSlopes impact =
      household::logit_impact_slopes(b.cs.problem, b.cs.solution, b.cs.distribution.mass);
  EXPECT_GT((impact.assets - g).cwiseAbs().maxCoeff(), 0.1 * g.cwiseAbs().maxCoeff());
}

TEST(Linearisation, MovesOtherThanParametersAreRejected) {
  const Block b = solved_block(1.45, 0.0);
  household::HouseholdProblem hp = b.cs.problem;
  household::ParameterMove mv;
  EXPECT_TRUE(household::ParameterMove::between(b.cs.problem, hp, mv));
  hp.sigma *= 1.01;
  EXPECT_FALSE(household::ParameterMove::between(b.cs.problem, hp, mv));
  hp = b.cs.problem;
  hp.grid *= 1.01;  // a scaled grid without sigma scaled with it
  EXPECT_FALSE(household::ParameterMove::between(b.cs.problem, hp, mv));
  hp = b.cs.problem;
  hp.grid(3) += 1e-3;  // a grid not scaled as a whole
  EXPECT_FALSE(household::ParameterMove::between(b.cs.problem, hp, mv));
  hp = b.cs.problem;
  move_tfp(hp, 2, 0.01);
  ASSERT_TRUE(household::ParameterMove::between(b.cs.problem, hp, mv));
  EXPECT_NEAR(mv.log_scale, 0.01, 1e-14);
  EXPECT_NEAR(mv.log_prices(2), -0.01, 1e-14);
}
