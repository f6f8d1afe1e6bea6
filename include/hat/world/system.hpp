// A square nonlinear system F(x) = 0 whose every evaluation solves the household blocks of all
// countries of an economy (World, Prices) that depends on x. The world equilibrium (x = prices)
// and the calibration (x = parameters and prices) are both such systems.
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <string>
#include <vector>

#include "hat/core/progress.hpp"
#include "hat/core/status.hpp"
#include "hat/world/world.hpp"

namespace hat::world {

struct CountrySystem {
  int n = 0;  // unknowns = equations
  // x -> the economy at x (starting from copies of a base economy).
  std::function<void(const Eigen::VectorXd& x, World& w, Prices& p)> economy;
  // The residual vector from the assembled evaluation at x.
  std::function<Eigen::VectorXd(const Eigen::VectorXd& x, const World& w, const Evaluation& ev)>
      residuals;
  // Convergence test on the residual vector (default: sup-norm <= options.tolerance).
  std::function<bool(const Eigen::VectorXd& r)> converged;
  // A scalar summary of the residuals for progress and "best point" tracking (default: sup-norm).
  std::function<double(const Eigen::VectorXd& r)> norm;
};

// The complete state of a solve between two of its steps (Powell's method, its Jacobian and
// trust region, the counters, the best points and the household solutions that warm-start the
// next evaluation). A solve resumed from it continues exactly as the uninterrupted one would
// have: bit-identical results.
struct SystemSnapshot {
  std::string bytes;       // binary; doubles stored bit-exactly
  int evaluations = 0;     // evaluations so far
  Eigen::VectorXd best_x;  // best point so far (empty before the first evaluation)
  double best_norm = 0;    // its residual norm (infinity before the first evaluation)
};

struct SystemOptions {
  double tolerance = 1e-10;
  int max_evaluations = 400;
  double fd_step = 1e-6;
  int restarts = 4;
  // Optional starting Jacobian (e.g. from a nearby solve): used instead of the first
  // finite-difference Jacobian; fresh ones are still computed when progress stalls.
  const Eigen::MatrixXd* jacobian = nullptr;
  // After convergence, compute a finite-difference Jacobian at the solution and return it
  // (one more Jacobian; re-solves near the solution then start from an accurate one).
  bool final_jacobian = false;
  // After every base-point evaluation: {"system", evaluations, residual norm, elapsed seconds,
  // x, residuals}. kStop (e.g. on SIGINT) ends the solve after that evaluation (before the
  // next step of the method, if the evaluation was a Jacobian's base point): status
  // IterationLimit, message "interrupted", SystemResult::interrupted; the snapshots already
  // taken stay valid.
  ProgressCallback progress;
  // Before the first evaluation and after every step of the method (one base-point
  // evaluation, or a Jacobian), until the last evaluation the budget allows: the solve's state,
  // e.g. for a checkpoint.
  std::function<void(const SystemSnapshot&)> on_snapshot;
  // A snapshot before a step only once this many evaluations have been made since the last
  // one (<= 1: before every step). Each serialises the solve's whole state, household
  // solutions included (tens of MB on 19 countries), and costs about an evaluation; counting
  // evaluations, not seconds, keeps the snapshots, and so the files written from them, the same
  // in every run. The first snapshot, and one when the progress callback asks to stop, are
  // always taken.
  int snapshot_every = 1;
  // Every Jacobian column moves only household parameters (prices, wages, beta, R, transfers;
  // or a block's scale as TFP does, not the grid or sigma otherwise): linearised logit-impact
  // Jacobians then re-solve no household and need no base point at the finite-difference household
  // tolerance.
  bool parameter_columns = false;
  // Continue from a snapshot of a solve of the same system (x0 and `warm` are then ignored;
  // a larger or smaller max_evaluations applies from the snapshot on).
  const SystemSnapshot* resume = nullptr;
  // Throws InputError naming the first invalid field ("SystemOptions.field must be ...").
  void validate() const;
};

struct SystemResult {
  SolverReport report;       // residual = norm at the best point; iterations = evaluations
  Eigen::VectorXd x;         // best point
  Eigen::VectorXd r;         // residuals there
  World world;               // economy at the best point
  Evaluation state;          // its evaluation
  Eigen::MatrixXd jacobian;  // at the solution if final_jacobian, else hybrj's last
                             // (Broyden-updated) Jacobian
  int evaluations = 0, jacobians = 0;  // jacobians = finite-difference Jacobians computed
  bool interrupted = false;            // stopped by the progress callback
};

// Powell's hybrid method (MINPACK hybrj, via Eigen) with Jacobians by eq_opt.jacobian (see
// residual_jacobian) and Broyden updates between them. Each
// Jacobian column re-solves only the countries whose household problem changes when that
// unknown moves, in parallel, warm-started from the base point, so results do not depend on
// the number of threads. `warm` optionally warm-starts the first evaluation.
SystemResult solve_system(const CountrySystem& sys, const World& base_world,
                          const Prices& base_prices, const EquilibriumOptions& eq_opt,
                          const SystemOptions& opt, const Eigen::VectorXd& x0,
                          const Evaluation* warm = nullptr);

// The Jacobian of sys's residuals at x (step h in each unknown), given the evaluation `at` of
// the economy at x. eq.jacobian = Analytic: each country changed by an unknown is linearised
// around its stationary solution in `at` (household/steady_state_derivative.hpp) and the
// residuals are centrally differenced over aggregates moved along that derivative, so no
// household is re-solved. LogitImpact: as FiniteDifference for the countries whose problem
// changes in more than its consumer prices; a country whose prices alone change (an importer in
// another country's wage column) moves by household::logit_impact, without a re-solve, plus,
// with eq.jacobian_impact_savings, a savings response fitted from two re-solves per country.
// FiniteDifference: the changed countries are re-solved at x + h e_c
// (and x - h e_c when `central`), warm-started from `at`, at household tolerance `fd_tolerance`;
// with eq.jacobian_price_directions, columns that move only a country's consumer prices share
// one re-solve per moved variety where that is fewer (the chain rule over log prices).
// (Column, country) tasks run in parallel, each independent of the others, so the result does
// not depend on the thread count. False (with `message`) if a task fails.
bool residual_jacobian(const CountrySystem& sys, const World& base_world, const Prices& base_prices,
                       const EquilibriumOptions& eq, double h, const Eigen::VectorXd& x,
                       const Evaluation& at, Eigen::MatrixXd& J, std::string& message,
                       bool central = false, double fd_tolerance = 0.0);

// residual_jacobian for solve_equilibrium's system (its unknowns and residuals, see
// unknown_names / residual_names) at the prices of the evaluation `at`.
bool equilibrium_jacobian(const World& w, const EquilibriumOptions& opt, const Evaluation& at,
                          Eigen::MatrixXd& J, std::string& message, bool central = false,
                          double fd_tolerance = 0.0);

}  // namespace hat::world
