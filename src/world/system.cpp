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
#include <memory>
#include <unsupported/Eigen/NonLinearOptimization>

#include "hat/core/bytes.hpp"
#include "hat/core/parallel.hpp"
#include "hat/core/timer.hpp"

namespace hat::world {

namespace {

// ---- Snapshot serialisation of evaluations (household solutions included, bit-exactly). ----

void put_report(ByteWriter& b, const SolverReport& r) {
  b.put(static_cast<int>(r.status));
  b.put(r.iterations);
  b.put(r.residual);
  b.put(0.0);  // not r.seconds: timings are no state (checkpoints equal for any thread count)
  b.put(r.message);
}
SolverReport get_report(ByteReader& b) {
  SolverReport r;
  r.status = static_cast<SolverStatus>(b.get<int>());
  r.iterations = b.get<int>();
  r.residual = b.get<double>();
  r.seconds = b.get<double>();
  r.message = b.get_string();
  return r;
}

void put_country(ByteWriter& b, const CountryState& cs) {
  const auto& p = cs.problem;
  for (double v : {p.gamma, p.beta, p.R, p.W, p.sigma, p.tau, p.lambda}) b.put(v);
  b.put(p.prices);
  b.put(p.quality);
  b.put(p.grid);
  b.put(p.z);
  b.put(p.P);
  const auto& s = cs.solution;
  for (int v : {s.Na, s.Nz, s.M, s.envelope_steps, s.newton_failures}) b.put(v);
  for (const Eigen::MatrixXd* m : {&s.c, &s.a_next, &s.v, &s.pi}) b.put(*m);
  b.put(s.V);
  b.put(s.mu);
  put_report(b, s.report);
  b.put(s.sup_dc);
  b.put(s.sup_dv);
  b.put(cs.distribution.mass);
  put_report(b, cs.distribution.report);
  b.put(cs.distribution.mass_at_amax);
  const auto& a = cs.aggregates;
  b.put(a.assets);
  b.put(a.efficiency_units);
  b.put(a.expenditure);
  b.put(a.choice_probability);
  b.put(a.expenditure_share);
  b.put(a.total_expenditure);
}
CountryState get_country(ByteReader& b) {
  CountryState cs;
  auto& p = cs.problem;
  for (double* v : {&p.gamma, &p.beta, &p.R, &p.W, &p.sigma, &p.tau, &p.lambda})
    *v = b.get<double>();
  p.prices = b.get_vector();
  p.quality = b.get_matrix();
  p.grid = b.get_vector();
  p.z = b.get_vector();
  p.P = b.get_matrix();
  auto& s = cs.solution;
  for (int* v : {&s.Na, &s.Nz, &s.M, &s.envelope_steps, &s.newton_failures}) *v = b.get<int>();
  for (Eigen::MatrixXd* m : {&s.c, &s.a_next, &s.v, &s.pi}) *m = b.get_matrix();
  s.V = b.get_vector();
  s.mu = b.get_vector();
  s.report = get_report(b);
  s.sup_dc = b.get<double>();
  s.sup_dv = b.get<double>();
  cs.distribution.mass = b.get_vector();
  cs.distribution.report = get_report(b);
  cs.distribution.mass_at_amax = b.get<double>();
  auto& a = cs.aggregates;
  a.assets = b.get<double>();
  a.efficiency_units = b.get<double>();
  a.expenditure = b.get_vector();
  a.choice_probability = b.get_vector();
  a.expenditure_share = b.get_vector();
  a.total_expenditure = b.get<double>();
  return cs;
}

std::string evaluation_bytes(const Evaluation& ev) {
  ByteWriter b;
  b.put(ev.prices.W);
  b.put(ev.prices.R);
  b.put(ev.prices.tau);
  b.put(ev.prices.beta);
  b.put(static_cast<std::int64_t>(ev.countries.size()));
  for (const auto& c : ev.countries) put_country(b, c);
  b.put(ev.imports);
  for (const Eigen::VectorXd* v :
       {&ev.output, &ev.net_assets, &ev.efficiency, &ev.revenue, &ev.goods_residual, &ev.residuals})
    b.put(*v);
  b.put(static_cast<int>(ev.ok));
  b.put(ev.message);
  return b.take();
}
Evaluation get_evaluation(ByteReader& b) {
  Evaluation ev;
  ev.prices.W = b.get_vector();
  ev.prices.R = b.get_vector();
  ev.prices.tau = b.get_vector();
  ev.prices.beta = b.get<double>();
  const auto n = b.get<std::int64_t>();
  if (n < 0 || n > 100000) throw InputError("snapshot: implausible number of countries");
  for (std::int64_t i = 0; i < n; ++i) ev.countries.push_back(get_country(b));
  ev.imports = b.get_matrix();
  for (Eigen::VectorXd* v :
       {&ev.output, &ev.net_assets, &ev.efficiency, &ev.revenue, &ev.goods_residual, &ev.residuals})
    *v = b.get_vector();
  ev.ok = b.get<int>() != 0;
  ev.message = b.get_string();
  return ev;
}

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
  // Last base-point evaluation (warm start of the next one and of Jacobian columns). The
  // evaluations (some 12 MB for 19 countries) are shared, not copied, between the last, the
  // best and the best full-tolerance point; copying them cost about a millisecond per
  // evaluation and, the first time, 30-50 ms of page faults. The `state` of
  // `best` and `best_full` is filled from best_state only when the solve returns.
  World last_world;
  std::shared_ptr<Evaluation> last = std::make_shared<Evaluation>();
  Eigen::VectorXd x_last, r_last;
  bool have_last = false, have_warm = false;
  double last_tolerance = 0;                                  // household tolerance of `last`
  double best_tolerance = 0;                                  // household tolerance of `best`
  double best_raw = std::numeric_limits<double>::infinity();  // smallest sup |r| so far
  SystemResult best;
  double best_norm = std::numeric_limits<double>::infinity();
  SystemResult best_full;  // the best point evaluated at the full household tolerance
  std::shared_ptr<Evaluation> best_state = last, best_full_state = last;
  double best_full_norm = std::numeric_limits<double>::infinity();
  int evaluations = 0, jacobians = 0;
  int jacobians_given = 0;  // Jacobians handed to hybrj (finite-difference or initial)
  bool done = false, interrupted = false, used_initial = false;
  bool stop = false;  // the progress callback asked to stop
  // An accurate Jacobian whatever eq.jacobian says (at the solution): analytic where every
  // column moves household parameters only (each block's exact linearisation, about half the
  // cost of finite differences), else finite differences.
  bool accurate_jacobian = false;
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

  // Reports an evaluation to opt.progress. Its kStop is honoured at the next check (after this
  // evaluation, or before the next step); nothing is reported after it.
  void report_evaluation(const Eigen::VectorXd& x, const Eigen::VectorXd& r, double nrm) {
    if (!opt.progress || stop) return;
    Progress p;
    p.solver = "system";
    p.iteration = evaluations;
    p.residual = nrm;
    p.seconds = timer.seconds();
    p.x = &x;
    p.r = &r;
    stop = opt.progress(p) == Control::kStop;
  }

  bool eval_at(const Eigen::VectorXd& x);
  bool residuals_of(const Eigen::VectorXd& x, const World& w, const Evaluation& ev,
                    Eigen::VectorXd& r);
  void record(const Eigen::VectorXd& x, const Eigen::VectorXd& r, double tol, Evaluation&& ev,
              World&& w);

  // The state between two steps of the method, for snapshots; the economies (World) are
  // rebuilt from their points. Evaluations held twice (e.g. the last one is also the best) are
  // stored once.
  void save(ByteWriter& b) const;
  void load(ByteReader& b);

  World world_at(const Eigen::VectorXd& x) const {
    World w = base_world;
    Prices p = base_prices;
    if (x.size() == sys.n) sys.economy(x, w, p);
    return x.size() == sys.n ? w : World{};
  }

  int operator()(const Eigen::VectorXd& x, Eigen::VectorXd& fvec) {
    if (!x.allFinite() || !eval_at(x)) return -1;
    fvec = r_last;
    if (done) return -1;  // converged on the system's own test
    if (stop) {
      interrupted = true;
      return -1;
    }
    return 0;
  }

  int df(const Eigen::VectorXd& x, Eigen::MatrixXd& fjac);
  const Evaluation* jacobian_base(Evaluation& refined, double fd_tol, JacobianMethod method);
  // Whether a Jacobian by `method` differences re-solved households (and so needs its base
  // point at their tolerance): not analytic ones, nor linearised logit-impact ones whose
  // columns all move household parameters only.
  bool needs_accurate_base(JacobianMethod method) const {
    const bool linearised =
        method == JacobianMethod::LogitImpact && eq.jacobian_linearised && opt.parameter_columns;
    return method != JacobianMethod::Analytic && !linearised;
  }
};

// One base-point evaluation at x (false: the budget is spent, or the evaluation failed).
bool Functor::eval_at(const Eigen::VectorXd& x) {
  if (!budget_left()) return false;  // stops the solve: status IterationLimit
  World w = base_world;
  Prices p = base_prices;
  sys.economy(x, w, p);
  // The last evaluation the budget allows is at the full tolerance, so that a solve stopped by
  // the budget can report a full-tolerance point without a further evaluation.
  double tol = evaluations + 1 >= opt.max_evaluations ? eq.household.tolerance : inner_tolerance();
  // A fresh solve's first evaluation is the base point of its first Jacobian, whose columns
  // need it at their tolerance: evaluate it there at once rather than twice.
  if (evaluations == 0 && !opt.jacobian && needs_accurate_base(eq.jacobian))
    tol = std::min(tol, std::max(eq.household.tolerance, eq.fd_household_tolerance));
  // An inexact evaluation's distributions need no more accuracy than its households (their
  // L1 change to 1e-2 x the household tolerance; at full tolerance the configured 1e-13): the
  // cold EK19 solve takes 0.46-0.48 s against 0.48-0.52 s, alternated).
  EquilibriumOptions at_tol = with_tolerance(eq, tol);
  at_tol.distribution.tolerance = std::max(eq.distribution.tolerance, 1e-2 * tol);
  Evaluation ev = evaluate(w, p, at_tol, (have_last || have_warm) ? last.get() : nullptr);
  ++evaluations;
  Eigen::VectorXd r;
  if (!residuals_of(x, w, ev, r)) return false;
  if (tol > eq.household.tolerance && converged(r) && budget_left()) {
    // Only a full-tolerance evaluation may end the solve.
    Evaluation exact = evaluate(w, p, eq, &ev);
    ++evaluations;
    if (!residuals_of(x, w, exact, r)) return false;
    ev = std::move(exact);
    tol = eq.household.tolerance;
  }
  record(x, r, tol, std::move(ev), std::move(w));
  return true;
}

// The residuals of a successful evaluation (false, with `failure`, if it failed or they are
// not finite).
bool Functor::residuals_of(const Eigen::VectorXd& x, const World& w, const Evaluation& ev,
                           Eigen::VectorXd& r) {
  if (!ev.ok) {
    failure = ev.message;
    return false;
  }
  r = sys.residuals(x, w, ev);
  if (!r.allFinite()) {
    failure = "non-finite residuals";
    return false;
  }
  return true;
}

// Keeps an evaluation as the last one (and the best ones where it is), reports it and tests
// convergence.
void Functor::record(const Eigen::VectorXd& x, const Eigen::VectorXd& r, double tol,
                     Evaluation&& ev, World&& w) {
  last_tolerance = tol;
  best_raw = std::min(best_raw, r.cwiseAbs().maxCoeff());
  last = std::make_shared<Evaluation>(std::move(ev));
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
    best_full_state = last;
  }
  if (nrm < best_norm || (converged(r) && tol <= eq.household.tolerance)) {
    best_norm = nrm;
    best_tolerance = tol;
    best.x = x;
    best.r = r;
    best.world = last_world;
    best_state = last;
  }
  report_evaluation(x, r, nrm);
  // Only a full-tolerance evaluation ends the solve (not one the budget left inexact).
  if (converged(r) && tol <= eq.household.tolerance) done = true;
}

void Functor::save(ByteWriter& b) const {
  std::vector<std::string> table;
  auto ref = [&table](const Evaluation& e) {
    std::string bytes = evaluation_bytes(e);
    for (size_t i = 0; i < table.size(); ++i)
      if (table[i] == bytes) return static_cast<int>(i);
    table.push_back(std::move(bytes));
    return static_cast<int>(table.size() - 1);
  };
  const int refs[3] = {ref(*last), ref(*best_state), ref(*best_full_state)};
  b.put(static_cast<std::int64_t>(table.size()));
  for (const auto& t : table) b.put(t);
  for (int r : refs) b.put(r);
  for (const Eigen::VectorXd* v : {&x_last, &r_last, &best.x, &best.r, &best_full.x, &best_full.r})
    b.put(*v);
  for (double v : {last_tolerance, best_tolerance, best_raw, best_norm, best_full_norm}) b.put(v);
  for (int v : {evaluations, jacobians, jacobians_given}) b.put(v);
  for (bool v : {have_last, have_warm, done, interrupted, used_initial}) b.put(static_cast<int>(v));
  b.put(last_jacobian);
  b.put(failure);
}

void Functor::load(ByteReader& b) {
  const auto n = b.get<std::int64_t>();
  if (n < 0 || n > 3) throw InputError("snapshot: corrupt evaluation table");
  std::vector<std::shared_ptr<Evaluation>> table;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::string bytes = b.get_string();
    ByteReader eb(bytes, "snapshot");
    table.push_back(std::make_shared<Evaluation>(get_evaluation(eb)));
  }
  int refs[3];
  for (int& r : refs) {
    r = b.get<int>();
    if (r < 0 || r >= n) throw InputError("snapshot: corrupt evaluation reference");
  }
  last = table[refs[0]];
  best_state = table[refs[1]];
  best_full_state = table[refs[2]];
  for (Eigen::VectorXd* v : {&x_last, &r_last, &best.x, &best.r, &best_full.x, &best_full.r})
    *v = b.get_vector();
  for (double* v : {&last_tolerance, &best_tolerance, &best_raw, &best_norm, &best_full_norm})
    *v = b.get<double>();
  for (int* v : {&evaluations, &jacobians, &jacobians_given}) *v = b.get<int>();
  for (bool* v : {&have_last, &have_warm, &done, &interrupted, &used_initial})
    *v = b.get<int>() != 0;
  last_jacobian = b.get_matrix();
  failure = b.get_string();
  last_world = world_at(x_last);
  best.world = world_at(best.x);
  best_full.world = world_at(best_full.x);
}

int Functor::df(const Eigen::VectorXd& x, Eigen::MatrixXd& fjac) {
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
  EquilibriumOptions eq_j = eq;
  if (accurate_jacobian)
    eq_j.jacobian =
        opt.parameter_columns ? JacobianMethod::Analytic : JacobianMethod::FiniteDifference;
  const double fd_tol = std::max(eq.household.tolerance, eq.fd_household_tolerance);
  Evaluation refined;
  const Evaluation* base = jacobian_base(refined, fd_tol, eq_j.jacobian);
  if (!base) return -1;
  std::string msg;
  if (!residual_jacobian(sys, base_world, base_prices, eq_j, opt.fd_step, x, *base, fjac, msg,
                         false, fd_tol)) {
    failure = "Jacobian: " + msg;
    return -1;
  }
  last_jacobian = fjac;
  ++jacobians_given;
  return 0;
}

// Finite-difference columns are differences over fd_step, so their household solves need
// only fd_household_tolerance (the derivative error is about tolerance / fd_step); the base
// point must be at least as accurate as the columns (logit-impact Jacobians, too, difference
// re-solved countries). The analytic Jacobian linearises the base point as it is (an inexact
// point far from the solution only blurs the Jacobian).
const Evaluation* Functor::jacobian_base(Evaluation& refined, double fd_tol,
                                         JacobianMethod method) {
  if (!(needs_accurate_base(method) && last_tolerance > fd_tol)) return last.get();
  // Keep the budget's last evaluation for a full-tolerance point (see eval_at).
  if (evaluations + 1 >= opt.max_evaluations) return nullptr;
  refined = evaluate(last_world, last->prices, with_tolerance(eq, fd_tol), last.get());
  ++evaluations;
  if (!refined.ok) {
    failure = refined.message;
    return nullptr;
  }
  return &refined;
}

// Powell's hybrid method exactly as MINPACK's hybrj in Eigen's HybridNonLinearSolver (solveInit
// and solveOneStep, transcribed operation for operation, no external scaling), but cut after
// every function evaluation and every Jacobian so that its whole state can be saved between
// two steps and restored (checkpoints that resume bit-identically).
struct Hybrj {
  enum Phase : int { Start = 0, Jacobian = 1, Step = 2 };
  Phase phase = Start;
  Eigen::VectorXd x, fvec, qtf, diag;
  Eigen::MatrixXd fjac, R;
  long nfev = 0, njev = 0, iter = 0, ncsuc = 0, ncfail = 0, nslow1 = 0, nslow2 = 0, maxfev = 1;
  double fnorm = 0, delta = 0, xnorm = 0;
  bool jeval = false;
  static constexpr double xtol = 1e-15, factor = 1.0;

  // One step; false once the method has stopped (its own tests or the functor asked).
  bool step(Functor& f) {
    switch (phase) {
      case Start:
        return start(f);
      case Jacobian:
        return jacobian(f);
      case Step:
        return dogleg_step(f);
    }
    return false;
  }
  bool start(Functor& f) {
    const Eigen::Index n = x.size();
    fvec.resize(n);
    qtf.resize(n);
    fjac.resize(n, n);
    diag.resize(n);
    nfev = njev = 0;
    if (n <= 0 || maxfev <= 0) return false;
    nfev = 1;
    if (f(x, fvec) < 0) return false;
    fnorm = fvec.stableNorm();
    iter = 1;
    ncsuc = ncfail = nslow1 = nslow2 = 0;
    phase = Jacobian;
    return true;
  }
  bool jacobian(Functor& f) {
    jeval = true;
    if (f.df(x, fjac) < 0) return false;
    ++njev;
    const Eigen::VectorXd wa2 = fjac.colwise().blueNorm().transpose();
    if (iter == 1) {
      for (Eigen::Index j = 0; j < x.size(); ++j) diag[j] = (wa2[j] == 0.) ? 1. : wa2[j];
      xnorm = diag.cwiseProduct(x).stableNorm();
      delta = factor * xnorm;
      if (delta == 0.) delta = factor;
    }
    Eigen::HouseholderQR<Eigen::MatrixXd> qrfac(fjac);
    R = qrfac.matrixQR();
    fjac = qrfac.householderQ();
    qtf = fjac.transpose() * fvec;
    diag = diag.cwiseMax(wa2);
    phase = Step;
    return true;
  }
  bool dogleg_step(Functor& f);
  void update_radius(double ratio, double pnorm);
  void accept(const Eigen::VectorXd& trial, const Eigen::VectorXd& f_trial, double fnorm1);
  bool stalled(double pnorm) const;
  // Not in MINPACK: when fresh Jacobians cost about one evaluation (logit impact), take one
  // after an accepted step that cut the residual norm by less than the refresh factor, up to
  // the allowed number per solve. Broyden's updates of a Jacobian from a distant point
  // converge slowly; on the 19- and 40-country worlds two refreshes save 5-8 evaluations. Not
  // when the solve was handed a Jacobian from a nearby solve (a counterfactual's baseline).
  bool refresh_jacobian(const Functor& f, double ratio, double reduction) const {
    return f.eq.jacobian == JacobianMethod::LogitImpact && !f.opt.jacobian && ratio >= 1e-4 &&
           njev <= f.eq.jacobian_refreshes && reduction > f.eq.jacobian_refresh_factor;
  }
  void broyden_update(Eigen::VectorXd& wa1, Eigen::VectorXd& wa2, Eigen::VectorXd& wa3,
                      const Eigen::VectorXd& wa4, double pnorm, double ratio);

  void save(ByteWriter& b) const {
    b.put(static_cast<int>(phase));
    for (const Eigen::VectorXd* v : {&x, &fvec, &qtf, &diag}) b.put(*v);
    b.put(fjac);
    b.put(R);
    for (long v : {nfev, njev, iter, ncsuc, ncfail, nslow1, nslow2, maxfev}) b.put(v);
    for (double v : {fnorm, delta, xnorm}) b.put(v);
    b.put(static_cast<int>(jeval));
  }
  void load(ByteReader& b) {
    const int ph = b.get<int>();
    if (ph < Start || ph > Step) throw InputError("snapshot: corrupt method state");
    phase = static_cast<Phase>(ph);
    for (Eigen::VectorXd* v : {&x, &fvec, &qtf, &diag}) *v = b.get_vector();
    fjac = b.get_matrix();
    R = b.get_matrix();
    for (long* v : {&nfev, &njev, &iter, &ncsuc, &ncfail, &nslow1, &nslow2, &maxfev})
      *v = b.get<long>();
    for (double* v : {&fnorm, &delta, &xnorm}) *v = b.get<double>();
    jeval = b.get<int>() != 0;
  }
};

// A dogleg step in the trust region from the current Q R (a function evaluation), then either a
// fresh Jacobian (two failures in a row) or a rank-one update of Q R; false once a stopping
// test holds.
bool Hybrj::dogleg_step(Functor& f) {
  const Eigen::Index n = x.size();
  Eigen::VectorXd wa1(n), wa2(n), wa3(n), wa4(n);
  Eigen::internal::dogleg<double>(R, diag, qtf, delta, wa1);
  wa1 = -wa1;
  wa2 = x + wa1;
  const double pnorm = diag.cwiseProduct(wa1).stableNorm();
  if (iter == 1) delta = std::min(delta, pnorm);
  if (f(wa2, wa4) < 0) return false;
  ++nfev;
  const double fnorm1 = wa4.stableNorm();
  const double reduction = fnorm1 / fnorm;
  double actred = -1.;
  if (fnorm1 < fnorm) actred = 1. - Eigen::numext::abs2(fnorm1 / fnorm);
  wa3 = R.triangularView<Eigen::Upper>() * wa1 + qtf;
  const double temp = wa3.stableNorm();
  double prered = 0.;
  if (temp < fnorm) prered = 1. - Eigen::numext::abs2(temp / fnorm);
  double ratio = 0.;
  if (prered > 0.) ratio = actred / prered;
  update_radius(ratio, pnorm);
  if (ratio >= 1e-4) accept(wa2, wa4, fnorm1);
  ++nslow1;
  if (actred >= .001) nslow1 = 0;
  if (jeval) ++nslow2;
  if (actred >= .1) nslow2 = 0;
  if (stalled(pnorm)) return false;
  if (ncfail == 2 || refresh_jacobian(f, ratio, reduction)) {
    phase = Jacobian;
    return true;
  }
  broyden_update(wa1, wa2, wa3, wa4, pnorm, ratio);
  jeval = false;
  return true;
}

// The trust region after a step with this ratio of actual to predicted reduction.
void Hybrj::update_radius(double ratio, double pnorm) {
  if (ratio < .1) {
    ncsuc = 0;
    ++ncfail;
    delta = .5 * delta;
  } else {
    ncfail = 0;
    ++ncsuc;
    if (ratio >= .5 || ncsuc > 1) delta = std::max(delta, pnorm / .5);
    if (std::abs(ratio - 1.) <= .1) delta = pnorm / .5;
  }
}

// A successful step: the trial point becomes the current one.
void Hybrj::accept(const Eigen::VectorXd& trial, const Eigen::VectorXd& f_trial, double fnorm1) {
  x = trial;
  const Eigen::VectorXd scaled = diag.cwiseProduct(x);
  fvec = f_trial;
  xnorm = scaled.stableNorm();
  fnorm = fnorm1;
  ++iter;
}

// hybrj's stopping tests: the trust region or the residual vanished, the budget is spent, the
// step is below machine precision, or progress is too slow.
bool Hybrj::stalled(double pnorm) const {
  if (delta <= xtol * xnorm || fnorm == 0.) return true;
  if (nfev >= maxfev) return true;
  if (.1 * std::max(.1 * delta, pnorm) <= std::numeric_limits<double>::epsilon() * xnorm)
    return true;
  return nslow2 == 5 || nslow1 == 10;
}

// Rank-one (Broyden) update of the Q R factorisation along the step wa1 (wa3: the predicted
// residuals, wa4: the actual ones).
void Hybrj::broyden_update(Eigen::VectorXd& wa1, Eigen::VectorXd& wa2, Eigen::VectorXd& wa3,
                           const Eigen::VectorXd& wa4, double pnorm, double ratio) {
  const Eigen::Index n = x.size();
  wa1 = diag.cwiseProduct(diag.cwiseProduct(wa1) / pnorm);
  wa2 = fjac.transpose() * wa4;
  if (ratio >= 1e-4) qtf = wa2;
  wa2 = (wa2 - wa3) / pnorm;
  std::vector<Eigen::JacobiRotation<double>> v_givens(n), w_givens(n);
  bool sing = false;
  Eigen::internal::r1updt<double>(R, wa1, v_givens, w_givens, wa2, wa3, &sing);
  Eigen::internal::r1mpyq<double>(n, n, fjac.data(), v_givens, w_givens);
  Eigen::internal::r1mpyq<double>(1, n, qtf.data(), v_givens, w_givens);
}

}  // namespace

namespace {

// After the method stopped: a Jacobian at the solution if asked for, the best point at the full
// household tolerance, and the typed report.
SystemResult finish(Functor& f, const CountrySystem& sys, const EquilibriumOptions& eq_opt,
                    const SystemOptions& opt, const Timer& timer) {
  if (f.done && opt.final_jacobian && f.best.x.size()) {
    // An accurate Jacobian at the solution, for re-solves nearby (counterfactuals).
    f.last = f.best_state;
    f.last_world = f.best.world;
    f.x_last = f.best.x;
    f.r_last = f.best.r;
    f.last_tolerance = eq_opt.household.tolerance;
    f.have_last = true;
    f.done = false;
    f.used_initial = true;
    f.accurate_jacobian = true;
    Eigen::MatrixXd J;
    if (f.df(f.best.x, J) == 0 && J.allFinite()) f.last_jacobian = std::move(J);
    f.done = true;
  }
  if (!f.done && f.best_tolerance > eq_opt.household.tolerance && f.best.x.size() &&
      !f.budget_left() && f.best_full.x.size()) {
    // The budget is spent: report the best full-tolerance point instead (the last evaluation
    // of the budget always is one).
    f.best = std::move(f.best_full);
    f.best_state = f.best_full_state;
    f.best_norm = f.best_full_norm;
    f.best_tolerance = eq_opt.household.tolerance;
  }
  if (!f.done && !f.interrupted && f.best_tolerance > eq_opt.household.tolerance &&
      f.best.x.size() && f.budget_left()) {
    // The best point came from an inexact evaluation: report it at the full tolerance.
    Evaluation exact = evaluate(f.best.world, f.best_state->prices, eq_opt, f.best_state.get());
    ++f.evaluations;
    if (exact.ok) {
      f.best.r = sys.residuals(f.best.x, f.best.world, exact);
      f.best_state = std::make_shared<Evaluation>(std::move(exact));
      f.best_norm = f.norm(f.best.r);
      f.best_tolerance = eq_opt.household.tolerance;
      if (f.best.r.allFinite() && f.converged(f.best.r)) f.done = true;
    } else if (f.failure.empty()) {
      f.failure = exact.message;
    }
  }
  SystemResult res = std::move(f.best);
  // The best evaluation, moved out (the functor's other references are dropped first).
  f.last.reset();
  f.best_full_state.reset();
  if (f.best_state.use_count() == 1)
    res.state = std::move(*f.best_state);
  else
    res.state = *f.best_state;
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

}  // namespace

SystemResult solve_system(const CountrySystem& sys, const World& base_world,
                          const Prices& base_prices, const EquilibriumOptions& eq_opt,
                          const SystemOptions& opt, const Eigen::VectorXd& x0,
                          const Evaluation* warm) {
  opt.validate();
  eq_opt.validate();
  Timer timer;
  Functor f(sys, base_world, base_prices, eq_opt, opt);
  Hybrj h;
  int attempt = 0, given_before = 0, evaluations_before = 0;
  bool resumed = false;
  if (opt.resume) {
    ByteReader b(opt.resume->bytes, "snapshot");
    if (b.get<int>() != sys.n) throw InputError("snapshot: written for a system of another size");
    attempt = b.get<int>();
    given_before = b.get<int>();
    evaluations_before = b.get<int>();
    f.load(b);
    h.load(b);
    if (!b.at_end()) throw InputError("snapshot: trailing bytes");
    // The budget of the resumed solve is this run's.
    h.maxfev = std::max(1, opt.max_evaluations - evaluations_before);
    resumed = true;
  } else if (warm && static_cast<int>(warm->countries.size()) == base_world.size()) {
    f.last = std::make_shared<Evaluation>(*warm);
    f.have_warm = true;
  }
  // A snapshot is taken only while the evaluation budget has not yet shaped the solve (the
  // budget's last evaluation is exact, and a Jacobian or restart it would not leave room for is
  // skipped): resumed under a larger budget, the solve then continues as one that never had the
  // smaller one.
  int snapshot_at = -1;  // evaluations at the last snapshot (-1: none yet)
  auto snapshot = [&](bool force) {
    if (!opt.on_snapshot || f.evaluations + 1 >= opt.max_evaluations) return;
    if (!force && snapshot_at >= 0 && f.evaluations - snapshot_at < opt.snapshot_every) return;
    snapshot_at = f.evaluations;
    ByteWriter b;
    for (int v : {sys.n, attempt, given_before, evaluations_before}) b.put(v);
    f.save(b);
    h.save(b);
    SystemSnapshot s;
    s.bytes = b.take();
    s.evaluations = f.evaluations;
    s.best_x = f.best.x;
    s.best_norm = f.best_norm;
    opt.on_snapshot(s);
  };
  for (; attempt < opt.restarts; ++attempt) {
    if (!resumed) {
      if (attempt > 0) {
        if (f.done || !f.failure.empty() || f.interrupted) break;
        if (f.evaluations >= opt.max_evaluations) break;
        f.last = f.best_state;
        f.last_world = f.best.world;
        f.x_last = f.best.x;
        f.r_last = f.best.r;
        f.last_tolerance = f.best_tolerance;
        f.have_last = true;
      }
      given_before = f.jacobians_given;
      evaluations_before = f.evaluations;
      h = Hybrj{};
      h.x = attempt > 0 ? f.best.x : x0;
      h.maxfev = std::max(1, opt.max_evaluations - f.evaluations);
    }
    resumed = false;
    while (true) {
      snapshot(f.stop);
      if (f.stop) {
        f.interrupted = true;
        break;
      }
      if (!h.step(f)) break;
    }
    // hybrj keeps its Jacobian as Q R, rank-one (Broyden) updated along every step it took:
    // near the solution that is a better Jacobian to hand on than the last finite-difference
    // one, which may have been taken far away (e.g. at a cold starting guess).
    // (Only if this hybrj run received a Jacobian: otherwise its Q R was never set.)
    if (h.fjac.rows() == sys.n && h.R.rows() == sys.n && f.jacobians_given > given_before) {
      Eigen::MatrixXd J = h.fjac * h.R.triangularView<Eigen::Upper>();
      if (J.allFinite()) f.last_jacobian = std::move(J);
    }
    if (f.interrupted) break;
  }
  return finish(f, sys, eq_opt, opt, timer);
}

}  // namespace hat::world
