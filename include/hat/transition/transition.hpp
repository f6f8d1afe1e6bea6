// Transition dynamics of the HAT world after a trade shock: the perfect-foresight path of
// wages, interest rates and transfers from the old stationary equilibrium (the distribution of
// households at t = 0) to the new one, after shocks announced at t = 0 (permanent, delayed,
// phased in or temporary; analysis::Shock's timing fields).
//
// Timing. Period t's households enter with assets a bought in t - 1, earn R_t a + W_t z + tau_t,
// choose a variety and buy a' at price 1 paying R_{t+1} in t + 1. R_0 is the old steady state's
// (bonds were bought before the news); R_{t+1} for t = 0..T-1 clears period t's bond market.
// Market clearing in every period t is that of the stationary equilibrium (world/world.hpp):
// the numeraire, goods markets 2..N, bonds (world or by country), tariff rebates. From T on the
// economy is in the terminal steady state (the counterfactual's general equilibrium).
//
// Method (Auclert, Bardoczy, Rognlie & Straub 2021): the stacked residuals F(X) of all periods
// and countries are evaluated exactly by nonlinear backward (EGM with logit, from the terminal
// steady state's values) and forward (lottery, from the old distribution) passes; the unknowns
// X are updated by quasi-Newton steps X <- X - H^-1 F(X) with H the sequence-space Jacobian
// at the terminal steady state, assembled from each country's fake-news household Jacobians.
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <string>
#include <vector>

#include "hat/analysis/shocks.hpp"
#include "hat/analysis/welfare.hpp"
#include "hat/core/progress.hpp"
#include "hat/core/status.hpp"
#include "hat/world/world.hpp"

namespace hat::transition {

struct TransitionOptions {
  int periods = 300;            // T: periods 0..T-1 on the path, the terminal steady state from T
  double tolerance = 1e-9;      // sup-norm of the stacked scaled market-clearing residuals
  int max_iterations = 40;      // quasi-Newton iterations
  double jacobian_step = 1e-4;  // finite-difference step of the fake-news backward iterations
  // A fake-news backward iteration stops once sup |d(mu, V)| / h falls below this: the
  // anticipation of shocks further ahead is dropped from the Jacobian (never from the residuals).
  double jacobian_decay = 1e-6;
  // Anticipation horizon of the Jacobian's responses to foreign wages (0: all T). Own wage,
  // interest rates and transfers always use the full horizon.
  int foreign_horizon = 0;
  double settle_tolerance = 1e-5;  // "settled": the last 10% of the path within this of the
                                   // terminal steady state (relative, prices)
  // Reports {"transition", message} (stderr in the CLI); after each quasi-Newton iteration also
  // with iteration, residual and seconds. kStop after an iteration ends the solve: status
  // IterationLimit, message "transition: interrupted ..."; kStop after a stage message throws
  // hat::Interrupted (core/progress.hpp).
  ProgressCallback progress;
  // Throws InputError naming the first invalid field ("TransitionOptions.field must be ...").
  void validate() const;
};

// Prices along the path: row t = period, column i = country.
struct PricePath {
  Eigen::MatrixXd W;    // wage per efficiency unit W_{i,t}
  Eigen::MatrixXd R;    // R(t, i) = R_{i,t+1}: gross return on bonds bought in t
  Eigen::MatrixXd tau;  // lump-sum transfer per household
};

// The economy along the path: the two steady states and the frictions by period.
struct PathEconomy {
  int periods = 0;
  world::World initial;               // the baseline (old steady state) world
  world::World terminal;              // frictions of the terminal steady state
  std::vector<world::World> worlds;   // frictions in periods 0..T-1
  world::EquilibriumOptions options;  // layout of unknowns and residuals (R unknown, beta fixed)
  world::Prices old_prices, new_prices;
  std::vector<analysis::HouseholdState> old_states, new_states;  // per country, tight solves
  bool terminal_is_initial = false;  // a temporary shock (or none): back to the old steady state
  SolverReport terminal_report;      // the terminal steady state's general-equilibrium solve
  int terminal_evaluations = 0;
};

// The world in period t of a path with these shocks (each at its own timing).
world::World world_at(const world::World& initial, const std::vector<analysis::Shock>& shocks,
                      int t);
// The world from the last period in which a shock changes on (permanent shocks fully in, or
// temporary ones undone).
world::World terminal_world(const world::World& initial,
                            const std::vector<analysis::Shock>& shocks);

// Sets up the path: frictions by period, the terminal steady state (solved warm from the
// baseline unless the shocks are temporary) and tight re-solves of both steady states'
// household blocks. `baseline` must be an equilibrium of `w` under `opt`.
PathEconomy make_path_economy(const world::World& w, const world::EquilibriumOptions& opt,
                              const world::Evaluation& baseline,
                              const std::vector<analysis::Shock>& shocks, int periods,
                              const analysis::WelfareOptions& welfare,
                              const ProgressCallback& progress = {});

// What one country's households do along the path.
struct CountryPath {
  Eigen::MatrixXd expenditure;  // T x N: per-capita spending on each variety (consumer prices)
  Eigen::VectorXd assets;       // T: per-capita bonds bought in t (net foreign assets / L)
  Eigen::VectorXd consumption;  // T: per-capita consumption sum lambda pi_j c_j (units)
  Eigen::VectorXd V0;           // value at t = 0 by state (on the old grid)
  Eigen::VectorXd mass_end;     // the distribution entering period T
};

struct PathEvaluation {
  std::vector<CountryPath> countries;
  Eigen::VectorXd residuals;  // stacked: period-major, the stationary layout within a period
  bool ok = true;
  std::string message;
};

// The stacked residuals of the path (exact: nonlinear backward and forward passes).
PathEvaluation evaluate_path(const PathEconomy& e, const PricePath& p);

// Stacked unknowns (period-major; log W, log R, tau as in the stationary layout) and back.
int unknowns_per_period(const PathEconomy& e);
Eigen::VectorXd pack_path(const PathEconomy& e, const PricePath& p);
PricePath unpack_path(const PathEconomy& e, const Eigen::VectorXd& x);
// The path that stays at the terminal steady state's prices.
PricePath constant_path(const PathEconomy& e, const world::Prices& p);

// The sequence-space Jacobian dF/dX of the stacked residuals at the terminal steady state,
// from each country's fake-news Jacobian (inputs: log wages, log R on savings and on assets,
// transfer; outputs: spending by variety, savings). Also returns the seconds it took.
Eigen::MatrixXd path_jacobian(const PathEconomy& e, const TransitionOptions& opt,
                              std::vector<int>* backward_steps = nullptr);

struct TransitionResult {
  SolverReport report;  // residual: sup-norm of the stacked residuals at the returned path
  PricePath prices;
  PathEvaluation path;
  Eigen::VectorXd residual_by_period;  // sup-norm of each period's residuals
  double settle_distance = 0;          // max over the last 10% of periods and prices, relative
  bool settled = true;
  int iterations = 0;
  std::vector<double> residual_history;
  double seconds_steady_state = 0, seconds_jacobian = 0, seconds_newton = 0;
};

// Solves the path by quasi-Newton iteration on the stacked residuals.
TransitionResult solve_transition(const PathEconomy& e, const TransitionOptions& opt);

}  // namespace hat::transition

namespace hat::transition {

// Welfare of one country's households including the transition: the value at t = 0 on the path
// against the old steady state, per state, as the equivalent variation on period wealth, the
// consumption equivalent and the lump-sum equivalent variation (analysis/welfare.hpp), beside the
// steady-state comparison (the terminal steady state's values, as `hat counterfactual`'s general
// equilibrium).
struct TransitionWelfare {
  int country = 0;
  analysis::CountryWelfare welfare;  // scenarios "transition" and "steady_state"
  // (transition - steady state) / |steady state| of the mean consumption equivalent and of the
  // mean equivalent variation: the share of the steady-state gain the transition adds (> 0) or
  // removes (< 0).
  double transition_share_ce = 0, transition_share_ev = 0, transition_share_ev_lump_sum = 0;
};

TransitionWelfare transition_welfare(const PathEconomy& e, const TransitionResult& r, int country,
                                     const analysis::WelfareOptions& opt);

// Trade elasticities of one country's imports by horizon h = 0..T-1.
struct HorizonElasticities {
  int country = 0;
  std::vector<int> partners;
  // Partial equilibrium (W, R, tau fixed at the old steady state): the response of
  // log(M_ij,h / M_ii,h) to a permanent, unanticipated change of log d_ij at h = 0, from the
  // household block's sequence-space Jacobian at the old steady state. T x partners.
  Eigen::MatrixXd pe;
  // Along the solved general-equilibrium path: Delta log(M_ij,h / M_ii,h) / Delta log d_ij,h
  // against the old steady state (NaN where d_ij did not change). T x partners.
  Eigen::MatrixXd path;
  Eigen::VectorXd steady_state_pe;    // Proposition 1 (distribution adjusting), by partner
  Eigen::VectorXd steady_state_path;  // the terminal steady state's arc elasticity (GE)
  Eigen::VectorXd import_share;       // M_ij / sum_k M_ik at the old steady state
};

HorizonElasticities horizon_elasticities(const PathEconomy& e, const TransitionResult& r,
                                         int country, const TransitionOptions& opt);

}  // namespace hat::transition
