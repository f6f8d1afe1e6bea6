// Powell's hybrid method for systems that solve all countries' household blocks per evaluation.
//
// Method: MINPACK's hybrj (More, Garbow & Hillstrom 1980; Powell 1970's dogleg with Broyden
// rank-1 Jacobian updates), as ported in Eigen's unsupported NonLinearOptimization module.
// hybrj asks for a fresh Jacobian only at the start and when progress stalls. Fresh Jacobians
// are one-sided finite differences: for every column, the economy is rebuilt at x + h e_c and
// only the countries whose household problem differs (bitwise) from the base point's are
// re-solved, each warm-started from the base solution; the (column, country) tasks run in
// parallel and each depends only on the base point, so the result is the same for any thread
// count (src/world/jacobian.cpp; with eq.jacobian = Analytic no household is re-solved, each
// country is linearised around the base point instead). hybrj's own stopping rule (relative
// step) is not trusted: the system stops on its residual test, and hybrj is restarted from the
// best point with a fresh Jacobian if it gives up early. Evaluations far from the solution
// solve the households inexactly (Dembo, Eisenstat & Steihaug 1982, tolerance tied to the
// residual); only full-tolerance evaluations end a solve or are returned.
#include "hat/world/system.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unsupported/Eigen/NonLinearOptimization>

#include "hat/core/parallel.hpp"
#include "hat/core/timer.hpp"

namespace hat::world {

namespace {

struct Functor {
  typedef double Scalar;
  enum { InputsAtCompileTime = Eigen::Dynamic, ValuesAtCompileTime = Eigen::Dynamic };
  typedef Eigen::VectorXd InputType;
  typedef Eigen::VectorXd ValueType;
  typedef Eigen::MatrixXd JacobianType;

  const CountrySystem& sys;
  const World& base_world;
  const Prices& base_prices;
  const EquilibriumOptions& eq;
  const SystemOptions& opt;
  // Last base-point evaluation (warm start of the next one and of Jacobian columns).
  World last_world;
  Evaluation last;
  Eigen::VectorXd x_last, r_last;
  bool have_last = false, have_warm = false;
  double last_tolerance = 0;                                  // household tolerance of `last`
  double best_tolerance = 0;                                  // household tolerance of `best`
  double best_raw = std::numeric_limits<double>::infinity();  // smallest sup |r| so far
  SystemResult best;
  double best_norm = std::numeric_limits<double>::infinity();
  SystemResult best_full;  // the best point evaluated at the full household tolerance
  double best_full_norm = std::numeric_limits<double>::infinity();
  int evaluations = 0, jacobians = 0;
  int jacobians_given = 0;  // Jacobians handed to hybrj (finite-difference or initial)
  bool done = false, interrupted = false, used_initial = false;
  Eigen::MatrixXd last_jacobian;
  std::string failure;
  Timer timer;

  Functor(const CountrySystem& s, const World& w, const Prices& p, const EquilibriumOptions& e,
          const SystemOptions& o)
      : sys(s), base_world(w), base_prices(p), eq(e), opt(o) {}
  int inputs() const { return sys.n; }
  int values() const { return sys.n; }

  double norm(const Eigen::VectorXd& r) const {
    return sys.norm ? sys.norm(r) : r.cwiseAbs().maxCoeff();
  }
  bool converged(const Eigen::VectorXd& r) const {
    return sys.converged ? sys.converged(r) : r.cwiseAbs().maxCoeff() <= opt.tolerance;
  }

  // Household tolerance of the next base-point evaluation: inexact (Dembo, Eisenstat &
  // Steihaug 1982) while the residual is large, the full tolerance near the solution. Tied to
  // the raw sup-norm of the residuals (a system's own norm may be scaled by its tolerances).
  double inner_tolerance() const {
    const double full = eq.household.tolerance;
    if (!(eq.inexact_factor > 0)) return full;
    const double loose = std::max(full, eq.inexact_max_tolerance);
    if (!std::isfinite(best_raw)) return loose;
    return std::clamp(eq.inexact_factor * best_raw, full, loose);
  }
  static EquilibriumOptions with_tolerance(const EquilibriumOptions& e, double tol) {
    EquilibriumOptions o = e;
    o.household.tolerance = std::max(e.household.tolerance, tol);
    o.household.value_tolerance = std::max(e.household.value_tolerance, tol);
    return o;
  }

  // The evaluation budget is exact: no residual evaluation beyond opt.max_evaluations (hybrj's
  // own maxfev is only checked between its steps).
  bool budget_left() const { return evaluations < opt.max_evaluations; }

  bool eval_at(const Eigen::VectorXd& x) {
    if (!budget_left()) return false;  // stops the solve: status IterationLimit
    World w = base_world;
    Prices p = base_prices;
    sys.economy(x, w, p);
    // The last evaluation the budget allows is at the full tolerance, so that a solve stopped by
    // the budget can report a full-tolerance point without a further evaluation.
    double tol =
        evaluations + 1 >= opt.max_evaluations ? eq.household.tolerance : inner_tolerance();
    Evaluation ev =
        evaluate(w, p, with_tolerance(eq, tol), (have_last || have_warm) ? &last : nullptr);
    ++evaluations;
    if (!ev.ok) {
      failure = ev.message;
      return false;
    }
    Eigen::VectorXd r = sys.residuals(x, w, ev);
    if (!r.allFinite()) {
      failure = "non-finite residuals";
      return false;
    }
    if (tol > eq.household.tolerance && converged(r) && budget_left()) {
      // Only a full-tolerance evaluation may end the solve.
      Evaluation exact = evaluate(w, p, eq, &ev);
      ++evaluations;
      if (!exact.ok) {
        failure = exact.message;
        return false;
      }
      ev = std::move(exact);
      tol = eq.household.tolerance;
      r = sys.residuals(x, w, ev);
      if (!r.allFinite()) {
        failure = "non-finite residuals";
        return false;
      }
    }
    last_tolerance = tol;
    best_raw = std::min(best_raw, r.cwiseAbs().maxCoeff());
    last = std::move(ev);
    last_world = std::move(w);
    x_last = x;
    r_last = r;
    have_last = true;
    const double nrm = norm(r);
    if (tol <= eq.household.tolerance && nrm < best_full_norm) {
      best_full_norm = nrm;
      best_full.x = x;
      best_full.r = r;
      best_full.world = last_world;
      best_full.state = last;
    }
    if (nrm < best_norm || (converged(r) && tol <= eq.household.tolerance)) {
      best_norm = nrm;
      best_tolerance = tol;
      best.x = x;
      best.r = r;
      best.world = last_world;
      best.state = last;
    }
    if (opt.on_evaluation) opt.on_evaluation(evaluations, x, r, nrm, timer.seconds());
    // Only a full-tolerance evaluation ends the solve (not one the budget left inexact).
    if (converged(r) && tol <= eq.household.tolerance) done = true;
    return true;
  }

  int operator()(const Eigen::VectorXd& x, Eigen::VectorXd& fvec) {
    if (!x.allFinite() || !eval_at(x)) return -1;
    fvec = r_last;
    if (done) return -1;  // converged on the system's own test
    if (opt.stop && opt.stop->load()) {
      interrupted = true;
      return -1;
    }
    return 0;
  }

  int df(const Eigen::VectorXd& x, Eigen::MatrixXd& fjac) {
    if (!have_last || x != x_last)
      if (!eval_at(x)) return -1;
    if (done) return -1;
    if (opt.jacobian && !used_initial && opt.jacobian->rows() == sys.n &&
        opt.jacobian->cols() == sys.n) {
      used_initial = true;
      fjac = *opt.jacobian;
      last_jacobian = fjac;
      ++jacobians_given;
      return 0;
    }
    ++jacobians;
    // Finite-difference columns are differences over fd_step, so their household solves need
    // only fd_household_tolerance (the derivative error is about tolerance / fd_step); the base
    // point must be at least as accurate as the columns. The analytic Jacobian linearises the
    // base point as it is (an inexact point far from the solution only blurs the Jacobian).
    const bool fd = eq.jacobian == JacobianMethod::FiniteDifference;
    const double fd_tol = std::max(eq.household.tolerance, eq.fd_household_tolerance);
    const Evaluation* base = &last;
    Evaluation refined;
    if (fd && last_tolerance > fd_tol) {
      // Keep the budget's last evaluation for a full-tolerance point (see eval_at).
      if (evaluations + 1 >= opt.max_evaluations) return -1;
      refined = evaluate(last_world, last.prices, with_tolerance(eq, fd_tol), &last);
      ++evaluations;
      if (!refined.ok) {
        failure = refined.message;
        return -1;
      }
      base = &refined;
    }
    std::string msg;
    if (!residual_jacobian(sys, base_world, base_prices, eq, opt.fd_step, x, *base, fjac, msg,
                           false, fd_tol)) {
      failure = "Jacobian: " + msg;
      return -1;
    }
    last_jacobian = fjac;
    ++jacobians_given;
    return 0;
  }
};

}  // namespace

SystemResult solve_system(const CountrySystem& sys, const World& base_world,
                          const Prices& base_prices, const EquilibriumOptions& eq_opt,
                          const SystemOptions& opt, const Eigen::VectorXd& x0,
                          const Evaluation* warm) {
  Timer timer;
  Functor f(sys, base_world, base_prices, eq_opt, opt);
  if (warm && static_cast<int>(warm->countries.size()) == base_world.size()) {
    f.last = *warm;
    f.have_warm = true;
  }
  Eigen::VectorXd x = x0;
  for (int attempt = 0; attempt < opt.restarts; ++attempt) {
    if (attempt > 0) {
      if (f.done || !f.failure.empty() || f.interrupted) break;
      if (f.evaluations >= opt.max_evaluations) break;
      x = f.best.x;
      f.last = f.best.state;
      f.last_world = f.best.world;
      f.x_last = f.best.x;
      f.r_last = f.best.r;
      f.last_tolerance = f.best_tolerance;
      f.have_last = true;
    }
    const int given_before = f.jacobians_given;
    Eigen::HybridNonLinearSolver<Functor> solver(f);
    solver.parameters.xtol = 1e-15;
    solver.parameters.maxfev = std::max(1, opt.max_evaluations - f.evaluations);
    solver.parameters.factor = 1.0;
    solver.solve(x);
    // hybrj keeps its Jacobian as Q R, rank-one (Broyden) updated along every step it took:
    // near the solution that is a better Jacobian to hand on than the last finite-difference
    // one, which may have been taken far away (e.g. at a cold starting guess).
    // (Only if this hybrj run received a Jacobian: otherwise its Q R was never set.)
    if (solver.fjac.rows() == sys.n && solver.R.rows() == sys.n &&
        f.jacobians_given > given_before) {
      Eigen::MatrixXd J = solver.fjac * solver.R.triangularView<Eigen::Upper>();
      if (J.allFinite()) f.last_jacobian = std::move(J);
    }
  }
  if (f.done && opt.final_jacobian && f.best.x.size()) {
    // A finite-difference Jacobian at the solution, for re-solves nearby (counterfactuals).
    f.last = f.best.state;
    f.last_world = f.best.world;
    f.x_last = f.best.x;
    f.r_last = f.best.r;
    f.last_tolerance = eq_opt.household.tolerance;
    f.have_last = true;
    f.done = false;
    f.used_initial = true;
    Eigen::MatrixXd J;
    if (f.df(f.best.x, J) == 0 && J.allFinite()) f.last_jacobian = std::move(J);
    f.done = true;
  }
  if (!f.done && f.best_tolerance > eq_opt.household.tolerance && f.best.x.size() &&
      !f.budget_left() && f.best_full.x.size()) {
    // The budget is spent: report the best full-tolerance point instead (the last evaluation
    // of the budget always is one).
    f.best = std::move(f.best_full);
    f.best_norm = f.best_full_norm;
    f.best_tolerance = eq_opt.household.tolerance;
  }
  if (!f.done && f.best_tolerance > eq_opt.household.tolerance && f.best.x.size() &&
      f.budget_left()) {
    // The best point came from an inexact evaluation: report it at the full tolerance.
    Evaluation exact = evaluate(f.best.world, f.best.state.prices, eq_opt, &f.best.state);
    ++f.evaluations;
    if (exact.ok) {
      f.best.r = sys.residuals(f.best.x, f.best.world, exact);
      f.best.state = std::move(exact);
      f.best_norm = f.norm(f.best.r);
      f.best_tolerance = eq_opt.household.tolerance;
      if (f.best.r.allFinite() && f.converged(f.best.r)) f.done = true;
    } else if (f.failure.empty()) {
      f.failure = exact.message;
    }
  }
  SystemResult res = std::move(f.best);
  res.evaluations = f.evaluations;
  res.jacobians = f.jacobians;
  res.jacobian = std::move(f.last_jacobian);
  res.interrupted = f.interrupted;
  res.report.seconds = timer.seconds();
  res.report.iterations = f.evaluations;
  res.report.residual = f.best_norm;
  if (f.done) {
    res.report.status = SolverStatus::Converged;
    res.report.message = "converged";
  } else if (!f.failure.empty()) {
    res.report.status = SolverStatus::Failed;
    res.report.message = f.failure;
  } else {
    res.report.status = SolverStatus::IterationLimit;
    res.report.message = f.interrupted ? "interrupted"
                                       : "stopped above tolerance (residual norm " +
                                             std::to_string(f.best_norm) + ")";
  }
  return res;
}

}  // namespace hat::world
