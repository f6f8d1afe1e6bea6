// The economy along a transition path: frictions by period (shock timing), the terminal steady
// state (the counterfactual's general equilibrium) and tight re-solves of both steady states'
// household blocks, which anchor the path's backward (values) and forward (distribution) ends.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "hat/analysis/counterfactual.hpp"
#include "hat/core/error.hpp"
#include "hat/core/parallel.hpp"
#include "hat/transition/transition.hpp"

namespace hat::transition {

world::World world_at(const world::World& initial, const std::vector<analysis::Shock>& shocks,
                      int t) {
  world::World w = initial;
  for (const analysis::Shock& s : shocks) {
    const double f = s.fraction(t);
    if (f == 0.0) continue;
    const world::World full = analysis::apply_shocks(w, {s}).world;
    if (f == 1.0) {
      w = full;
      continue;
    }
    // Phased in: log-linear in d_ij (a constant growth rate of the trade cost), linear in t_ij.
    w.d = (w.d.array().log() * (1.0 - f) + full.d.array().log() * f).exp().matrix();
    w.d.diagonal().setOnes();
    if (full.tariff.size()) {
      if (!w.tariff.size()) w.tariff = Eigen::MatrixXd::Zero(w.size(), w.size());
      w.tariff = (1.0 - f) * w.tariff + f * full.tariff;
    }
  }
  return w;
}

namespace {

// The first period from which no shock changes the frictions any more.
int last_change(const std::vector<analysis::Shock>& shocks) {
  int last = 0;
  for (const auto& s : shocks) last = std::max(last, s.end >= 0 ? s.end : s.start + s.phase_in - 1);
  return last;
}

}  // namespace

world::World terminal_world(const world::World& initial,
                            const std::vector<analysis::Shock>& shocks) {
  return world_at(initial, shocks, last_change(shocks));
}

namespace {

bool any_tariffs(const PathEconomy& e) {
  if (e.initial.has_tariffs() || e.terminal.has_tariffs()) return true;
  for (const auto& w : e.worlds)
    if (w.has_tariffs()) return true;
  return false;
}

// Tight household blocks of every country at the given prices (warm from `warm` if given).
std::vector<analysis::HouseholdState> tight_states(const world::World& w, const world::Prices& p,
                                                   const analysis::WelfareOptions& opt,
                                                   const world::Evaluation* warm) {
  const int N = w.size();
  std::vector<analysis::HouseholdState> out(N);
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (int i = 0; i < N; ++i)
    errors.run(i, [&] {
      const world::CountryState* cs = warm ? &warm->countries[i] : nullptr;
      out[i] =
          analysis::solve_tight(world::country_problem(w, i, p), opt, cs ? &cs->solution : nullptr,
                                cs ? &cs->distribution.mass : nullptr);
    });
  errors.rethrow();
  for (int i = 0; i < N; ++i)
    if (!out[i].report.converged())
      throw NumericalError("transition: the household block of " + w.names[i] +
                           " did not solve at steady-state prices: " + out[i].report.message);
  return out;
}

}  // namespace

PathEconomy make_path_economy(const world::World& w, const world::EquilibriumOptions& opt,
                              const world::Evaluation& baseline,
                              const std::vector<analysis::Shock>& shocks, int periods,
                              const analysis::WelfareOptions& welfare,
                              const ProgressCallback& progress) {
  if (periods < 2 || periods > 5000)
    throw InputError("--periods must be between 2 and 5000 (the path's length T)");
  if (w.scaling != world::Scaling::Tfp)
    throw InputError(
        "model.scaling = \"income\" is not supported by transitions (the asset grid would move "
        "with the wage along the path); use \"tfp\"");
  if (last_change(shocks) >= periods)
    throw InputError("shock timing: the trade frictions still change in period " +
                     std::to_string(last_change(shocks)) +
                     ", at or beyond the path's end (--periods " + std::to_string(periods) +
                     "); the path must end in the final steady state: "
                     "raise --periods well beyond it");
  PathEconomy e;
  e.periods = periods;
  e.initial = w;
  e.options = analysis::counterfactual_equilibrium_options(opt);
  e.worlds.reserve(periods);
  for (int t = 0; t < periods; ++t) e.worlds.push_back(world_at(w, shocks, t));
  e.terminal = terminal_world(w, shocks);
  e.options.solve_transfers = any_tariffs(e);
  e.old_prices = baseline.prices;
  if (e.old_prices.tau.size() != w.size()) e.old_prices.tau = Eigen::VectorXd::Zero(w.size());
  e.terminal_is_initial = analysis::same_trade_frictions(e.terminal, w);
  if (e.terminal_is_initial) {
    e.new_prices = e.old_prices;
    e.terminal_report.status = SolverStatus::Converged;
    e.terminal_report.message = "terminal steady state = initial steady state";
  } else {
    report_stage(progress, "transition", "solving the terminal steady state");
    world::Equilibrium ge =
        world::solve_equilibrium(e.terminal, e.old_prices, e.options, &baseline);
    e.terminal_report = ge.report;
    e.terminal_evaluations = ge.evaluations;
    if (!ge.report.converged())
      throw NumericalError("transition: the terminal steady state did not solve (" +
                           ge.report.message + ")");
    e.new_prices = ge.state.prices;
  }
  report_stage(progress, "transition", "tight household solves at both steady states");
  e.old_states = tight_states(w, e.old_prices, welfare, &baseline);
  e.new_states = e.terminal_is_initial ? e.old_states
                                       : tight_states(e.terminal, e.new_prices, welfare, &baseline);
  return e;
}

int unknowns_per_period(const PathEconomy& e) {
  return world::n_unknowns(e.terminal, e.options);
}

namespace {

world::Prices prices_in(const PathEconomy& e, const PricePath& p, int t) {
  world::Prices q = e.old_prices;
  q.W = p.W.row(t).transpose();
  q.R = p.R.row(t).transpose();
  q.tau = p.tau.row(t).transpose();
  return q;
}

}  // namespace

Eigen::VectorXd pack_path(const PathEconomy& e, const PricePath& p) {
  const int n = unknowns_per_period(e), T = e.periods;
  Eigen::VectorXd x(static_cast<Eigen::Index>(n) * T);
  for (int t = 0; t < T; ++t)
    x.segment(static_cast<Eigen::Index>(t) * n, n) =
        world::pack_unknowns(e.worlds[t], e.options, prices_in(e, p, t));
  return x;
}

PricePath unpack_path(const PathEconomy& e, const Eigen::VectorXd& x) {
  const int n = unknowns_per_period(e), T = e.periods, N = e.initial.size();
  PricePath p;
  p.W.resize(T, N);
  p.R.resize(T, N);
  p.tau.resize(T, N);
  for (int t = 0; t < T; ++t) {
    const world::Prices q = world::unpack_unknowns(
        e.worlds[t], e.options, x.segment(static_cast<Eigen::Index>(t) * n, n), e.new_prices);
    p.W.row(t) = q.W.transpose();
    p.R.row(t) = q.R.transpose();
    p.tau.row(t) = q.tau.transpose();
  }
  return p;
}

PricePath constant_path(const PathEconomy& e, const world::Prices& q) {
  const int T = e.periods;
  PricePath p;
  p.W = q.W.transpose().replicate(T, 1);
  p.R = q.R.transpose().replicate(T, 1);
  p.tau = q.tau.transpose().replicate(T, 1);
  return p;
}

}  // namespace hat::transition
