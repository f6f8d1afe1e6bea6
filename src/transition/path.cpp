// The transition path's residuals (exact nonlinear passes), its sequence-space Jacobian
// (fake-news household Jacobians of every country, Auclert et al. 2021) and the quasi-Newton
// iteration on the stacked market-clearing conditions.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "hat/core/error.hpp"
#include "hat/core/parallel.hpp"
#include "hat/core/timer.hpp"
#include "hat/household/backward_step.hpp"
#include "hat/transition/fake_news.hpp"
#include "hat/transition/transition.hpp"

namespace hat::transition {

namespace {

// Country i's household problem in period t: that period's frictions and wages, the return
// on the assets the households enter with (the old steady state's at t = 0) and the transfer.
household::HouseholdProblem problem_at(const PathEconomy& e, const PricePath& p, int i, int t) {
  world::Prices q = e.old_prices;
  q.W = p.W.row(t).transpose();
  q.tau = p.tau.row(t).transpose();
  q.R = (t == 0) ? e.old_prices.R : Eigen::VectorXd(p.R.row(t - 1).transpose());
  return world::country_problem(e.worlds[t], i, q);
}

// Backward from the terminal steady state's values, then forward from the old distribution.
bool country_path(const PathEconomy& e, const PricePath& p, int i, CountryPath& out,
                  std::string& message) {
  const int T = e.periods, N = e.initial.size();
  std::vector<household::HouseholdSolution> sol(T);
  std::vector<household::HouseholdProblem> hp(T);
  const household::HouseholdSolution& terminal = e.new_states[i].solution;
  for (int t = T - 1; t >= 0; --t) {
    hp[t] = problem_at(e, p, i, t);
    const household::HouseholdSolution& next = (t == T - 1) ? terminal : sol[t + 1];
    household::backward_step(hp[t], household::Continuation{&next.mu, &next.V, p.R(t, i)}, sol[t]);
    if (sol[t].report.status == SolverStatus::Failed) {
      message = fmt::format("{}, period {}: {}", e.initial.names[i], t, sol[t].report.message);
      return false;
    }
  }
  out.expenditure.resize(T, N);
  out.assets.resize(T);
  out.consumption.resize(T);
  Eigen::VectorXd mass = e.old_states[i].mass;
  for (int t = 0; t < T; ++t) {
    // The same per-state outputs as the Jacobian's (spending by variety, savings).
    const Eigen::RowVectorXd y = mass.transpose() * spending_and_savings(hp[t], sol[t]);
    out.expenditure.row(t) = y.head(N);
    out.assets(t) = y(N);
    out.consumption(t) = mass.dot((sol[t].pi.cwiseProduct(sol[t].c)).rowwise().sum());
    mass = forward_step(hp[t], sol[t], mass);
  }
  out.V0 = sol[0].V;
  out.mass_end = mass;
  return true;
}

}  // namespace

PathEvaluation evaluate_path(const PathEconomy& e, const PricePath& p) {
  const int T = e.periods, N = e.initial.size(), n = unknowns_per_period(e);
  PathEvaluation ev;
  ev.countries.resize(N);
  std::vector<std::string> messages(N);
  std::vector<int> ok(N, 1);
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (int i = 0; i < N; ++i)
    errors.run(i, [&] { ok[i] = country_path(e, p, i, ev.countries[i], messages[i]); });
  errors.rethrow();
  for (int i = 0; i < N; ++i)
    if (!ok[i]) {
      ev.ok = false;
      ev.message = messages[i];
      return ev;
    }
  ev.residuals.resize(static_cast<Eigen::Index>(n) * T);
  std::vector<household::Aggregates> ag(N);
  std::vector<const household::Aggregates*> ptr(N);
  for (int t = 0; t < T; ++t) {
    for (int i = 0; i < N; ++i) {
      ag[i].expenditure = ev.countries[i].expenditure.row(t).transpose();
      ag[i].assets = ev.countries[i].assets(t);
      ag[i].efficiency_units = e.old_states[i].aggregates.efficiency_units;
      ptr[i] = &ag[i];
    }
    world::Prices q = e.old_prices;
    q.W = p.W.row(t).transpose();
    q.R = p.R.row(t).transpose();
    q.tau = p.tau.row(t).transpose();
    world::Evaluation w;
    world::assemble(e.worlds[t], e.options, q, ptr, w);
    ev.residuals.segment(static_cast<Eigen::Index>(t) * n, n) = w.residuals;
  }
  if (!ev.residuals.allFinite()) {
    ev.ok = false;
    ev.message = "non-finite market-clearing residuals along the path";
  }
  return ev;
}

namespace {

// d residuals / d (per-capita aggregates of country i: spending by variety, then savings) and
// d residuals / d unknowns at fixed aggregates, in one period at the terminal steady state.
struct PeriodDerivatives {
  std::vector<Eigen::MatrixXd> G;  // per country, n x (N + 1)
  Eigen::MatrixXd direct;          // n x n
};

PeriodDerivatives period_derivatives(const PathEconomy& e) {
  const int N = e.initial.size(), n = unknowns_per_period(e);
  std::vector<household::Aggregates> ag(N);
  for (int i = 0; i < N; ++i) ag[i] = e.new_states[i].aggregates;
  auto residuals = [&](const world::Prices& q, const std::vector<household::Aggregates>& a) {
    std::vector<const household::Aggregates*> ptr(N);
    for (int i = 0; i < N; ++i) ptr[i] = &a[i];
    world::Evaluation w;
    world::assemble(e.terminal, e.options, q, ptr, w);
    return w.residuals;
  };
  const Eigen::VectorXd r0 = residuals(e.new_prices, ag);
  PeriodDerivatives d;
  // The residuals are linear in the aggregates: one-sided differences are exact up to rounding.
  for (int i = 0; i < N; ++i) {
    d.G.emplace_back(n, N + 1);
    for (int o = 0; o <= N; ++o) {
      std::vector<household::Aggregates> a = ag;
      const double h = 1e-3 * std::max(1.0, o < N ? a[i].expenditure(o) : std::abs(a[i].assets));
      if (o < N)
        a[i].expenditure(o) += h;
      else
        a[i].assets += h;
      d.G[i].col(o) = (residuals(e.new_prices, a) - r0) / h;
    }
  }
  const Eigen::VectorXd x0 = world::pack_unknowns(e.terminal, e.options, e.new_prices);
  d.direct.resize(n, n);
  for (int u = 0; u < n; ++u) {
    const double h = 1e-6;
    Eigen::VectorXd xp = x0, xm = x0;
    xp(u) += h;
    xm(u) -= h;
    const world::Prices qp = world::unpack_unknowns(e.terminal, e.options, xp, e.new_prices);
    const world::Prices qm = world::unpack_unknowns(e.terminal, e.options, xm, e.new_prices);
    d.direct.col(u) = (residuals(qp, ag) - residuals(qm, ag)) / (2 * h);
  }
  return d;
}

// Inputs of country i's block: log wages (prices of every variety; the own wage also moves
// income), log R on the assets held (period t's R_t), log R on savings (R_{t+1}), transfer.
std::vector<BlockInput> block_inputs(const PathEconomy& e, int i, const TransitionOptions& opt) {
  const int N = e.initial.size();
  std::vector<BlockInput> in;
  for (int j = 0; j < N; ++j)
    in.push_back({"log_W_" + e.initial.names[j],
                  [j, i](household::HouseholdProblem& hp, double&, double h) {
                    hp.prices(j) *= std::exp(h);
                    if (j == i) hp.W *= std::exp(h);
                  },
                  j == i ? 0 : opt.foreign_horizon});
  in.push_back({"log_R_assets",
                [](household::HouseholdProblem& hp, double&, double h) { hp.R *= std::exp(h); },
                0});
  in.push_back({"log_R_savings",
                [](household::HouseholdProblem&, double& R, double h) { R *= std::exp(h); }, 0});
  if (e.options.solve_transfers)
    in.push_back(
        {"tau", [](household::HouseholdProblem& hp, double&, double h) { hp.tau += h; }, 0});
  return in;
}

// H(t n + r, s' n + u) += sum_o G(r, o) J(o T + t, s) with s' = s - shift, for every t, s.
// G is sparse (spending on variety j enters goods market j and i's rebate; savings the bond
// market), so the sum runs over its nonzero entries only.
void add_block(Eigen::MatrixXd& H, const Eigen::MatrixXd& G, const Eigen::MatrixXd& J, int T, int n,
               int u, int shift) {
  struct Entry {
    int r, o;
    double g;
  };
  std::vector<Entry> nz;
  for (int o = 0; o < G.cols(); ++o)
    for (int r = 0; r < n; ++r)
      if (G(r, o) != 0.0) nz.push_back({r, o, G(r, o)});
  for (int s = shift; s < T; ++s) {
    double* h = H.col(static_cast<Eigen::Index>(s - shift) * n + u).data();
    const double* j = J.col(s).data();
    for (int t = 0; t < T; ++t)
      for (const Entry& e : nz)
        h[static_cast<Eigen::Index>(t) * n + e.r] +=
            e.g * j[static_cast<Eigen::Index>(e.o) * T + t];
  }
}

}  // namespace

Eigen::MatrixXd path_jacobian(const PathEconomy& e, const TransitionOptions& opt,
                              std::vector<int>* backward_steps) {
  const int T = e.periods, N = e.initial.size(), n = unknowns_per_period(e);
  const bool autarky = e.options.financial == world::Financial::Autarky;
  const PeriodDerivatives d = period_derivatives(e);
  Eigen::MatrixXd H =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n) * T, static_cast<Eigen::Index>(n) * T);
  std::vector<std::string> out_names;
  for (int j = 0; j < N; ++j) out_names.push_back("spending_" + e.initial.names[j]);
  out_names.push_back("savings");
  FakeNewsOptions fo;
  fo.periods = T;
  fo.step = opt.jacobian_step;
  fo.decay = opt.jacobian_decay;
  Timer timer;
  double t_blocks = 0, t_assembly = 0, t_expect = 0, t_products = 0, t_accumulate = 0;
  int max_horizon = 0;
  for (int i = 0; i < N; ++i) {
    const analysis::HouseholdState& ss = e.new_states[i];
    const std::vector<BlockInput> inputs = block_inputs(e, i, opt);
    const BlockJacobian bj = fake_news_jacobian(ss.problem, ss.solution, e.new_prices.R(i), ss.mass,
                                                inputs, out_names, spending_and_savings, fo);
    t_blocks += timer.seconds();
    timer.reset();
    t_expect += bj.seconds_expectations;
    t_products += bj.seconds_products;
    t_accumulate += bj.seconds_accumulate;
    max_horizon = std::max(max_horizon, bj.expectation_horizon);
    if (backward_steps)
      backward_steps->insert(backward_steps->end(), bj.backward_steps.begin(),
                             bj.backward_steps.end());
    const int uR = autarky ? N + i : N;
    for (int j = 0; j < N; ++j) add_block(H, d.G[i], bj.J[j], T, n, j, 0);
    add_block(H, d.G[i], bj.J[N], T, n, uR, 1);      // R_t on assets: the unknown of t - 1
    add_block(H, d.G[i], bj.J[N + 1], T, n, uR, 0);  // R_{t+1} on savings: the unknown of t
    if (e.options.solve_transfers)
      add_block(H, d.G[i], bj.J[N + 2], T, n, N + (autarky ? N : 1) + i, 0);
    t_assembly += timer.seconds();
    timer.reset();
  }
  if (opt.progress)
    report_stage(
        opt.progress, "transition",
        fmt::format(
            "household Jacobians {:.2f}s (expectation vectors {:.2f}s; summed over threads: "
            "products "
            "E'dD {:.2f}s, accumulation {:.2f}s), assembly {:.2f}s; expectation vectors settle "
            "within {} periods",
            t_blocks, t_expect, t_products, t_accumulate, t_assembly, max_horizon));
  for (int t = 0; t < T; ++t)
    H.block(static_cast<Eigen::Index>(t) * n, static_cast<Eigen::Index>(t) * n, n, n) += d.direct;
  return H;
}

namespace {

double settle_distance(const PathEconomy& e, const PricePath& p) {
  const int T = e.periods, N = e.initial.size();
  double dist = 0;
  for (int t = T - std::max(1, T / 10); t < T; ++t)
    for (int i = 0; i < N; ++i) {
      dist = std::max(dist, std::abs(p.W(t, i) / e.new_prices.W(i) - 1.0));
      dist = std::max(dist, std::abs(p.R(t, i) / e.new_prices.R(i) - 1.0));
      dist = std::max(dist, std::abs(p.tau(t, i) - e.new_prices.tau(i)) / e.new_prices.W(i));
    }
  return dist;
}

// The progress report of a quasi-Newton iteration.
Control report_iteration(const TransitionOptions& opt, int it, double r, double step,
                         const Timer& timer) {
  if (!opt.progress) return Control::kContinue;
  const std::string line = fmt::format("iteration {:3d}  residual {:.3e}  step {}", it, r, step);
  Progress p;
  p.solver = "transition";
  p.iteration = it;
  p.residual = r;
  p.seconds = timer.seconds();
  p.message = line;
  return opt.progress(p);
}

}  // namespace

TransitionResult solve_transition(const PathEconomy& e, const TransitionOptions& opt) {
  opt.validate();
  Timer timer;
  TransitionResult res;
  const int T = e.periods, n = unknowns_per_period(e);
  auto say = [&](const std::string& m) { report_stage(opt.progress, "transition", m); };
  bool stopped = false;  // by the progress callback
  Eigen::VectorXd x = pack_path(e, constant_path(e, e.new_prices));
  res.path = evaluate_path(e, unpack_path(e, x));
  Timer t_newton;
  double r = res.path.ok ? res.path.residuals.cwiseAbs().maxCoeff() : HUGE_VAL;
  res.residual_history.push_back(r);
  say(fmt::format("path at the terminal prices: residual {:.3e}", r));
  Eigen::PartialPivLU<Eigen::MatrixXd> lu;
  bool have_jacobian = false;
  res.report.status = SolverStatus::IterationLimit;
  for (int it = 0; res.path.ok; ++it) {
    if (r <= opt.tolerance) {
      res.report.status = SolverStatus::Converged;
      break;
    }
    if (it >= opt.max_iterations) break;
    if (!have_jacobian) {
      Timer tj;
      say(fmt::format("sequence-space Jacobian ({} x {}) by the fake-news algorithm", n * T,
                      n * T));
      std::vector<int> steps;
      const Eigen::MatrixXd H = path_jacobian(e, opt, &steps);
      long total = 0;
      for (int k : steps) total += k;
      say(fmt::format("{} backward steps in {} fake-news iterations (longest {})", total,
                      steps.size(),
                      steps.empty() ? 0 : *std::max_element(steps.begin(), steps.end())));
      Timer tlu;
      lu.compute(H);
      say(fmt::format("LU factors in {:.2f}s", tlu.seconds()));
      have_jacobian = true;
      res.seconds_jacobian = tj.seconds();
      say(fmt::format("Jacobian and its LU factors in {:.2f}s", res.seconds_jacobian));
    }
    const Eigen::VectorXd dx = lu.solve(res.path.residuals);
    // Full quasi-Newton steps, halved while they do not reduce the residual.
    double step = 1.0;
    PathEvaluation trial;
    double r_trial = HUGE_VAL;
    for (int h = 0; h < 6; ++h, step *= 0.5) {
      trial = evaluate_path(e, unpack_path(e, x - step * dx));
      r_trial = trial.ok ? trial.residuals.cwiseAbs().maxCoeff() : HUGE_VAL;
      if (r_trial < r) break;
    }
    if (!(r_trial < r)) {
      res.report.status = SolverStatus::Failed;
      res.report.message = "transition: no quasi-Newton step reduced the residual";
      break;
    }
    x -= step * dx;
    res.path = std::move(trial);
    r = r_trial;
    res.iterations = it + 1;
    res.residual_history.push_back(r);
    if (report_iteration(opt, it + 1, r, step, timer) == Control::kStop) {
      stopped = true;
      break;
    }
  }
  if (!res.path.ok) {
    res.report.status = SolverStatus::Failed;
    res.report.message = "transition: " + res.path.message;
  }
  res.seconds_newton = t_newton.seconds() - res.seconds_jacobian;
  res.prices = unpack_path(e, x);
  res.report.residual = r;
  res.report.iterations = res.iterations;
  res.report.seconds = timer.seconds();
  if (res.report.converged()) res.report.message = "transition: converged";
  if (res.report.status == SolverStatus::IterationLimit)
    res.report.message = fmt::format("transition: {}{} iterations, residual {:.3e}",
                                     stopped ? "interrupted after " : "", res.iterations, r);
  if (res.path.ok) {
    res.residual_by_period.resize(T);
    for (int t = 0; t < T; ++t)
      res.residual_by_period(t) =
          res.path.residuals.segment(static_cast<Eigen::Index>(t) * n, n).cwiseAbs().maxCoeff();
  }
  res.settle_distance = settle_distance(e, res.prices);
  res.settled = res.settle_distance <= opt.settle_tolerance;
  return res;
}

}  // namespace hat::transition
