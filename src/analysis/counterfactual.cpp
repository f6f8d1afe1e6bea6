// Counterfactual experiments: shocks -> partial- and general-equilibrium new states -> welfare.
//
// Method. The baseline is an evaluated world (normally the solved equilibrium). PE keeps W, R
// and the transfers tau at their baseline values and re-solves the households of the measured
// countries at the new trade costs; GE re-solves the world equilibrium (Powell hybrid method,
// world::solve_equilibrium) warm-started from the baseline evaluation, with the discount
// factor held at its baseline value. Household blocks are then re-solved to the tight welfare
// tolerances (warm-started) before the welfare measures of welfare.hpp are computed. When the
// shocks leave trade costs and tariffs bit-for-bit unchanged, the baseline itself is the new
// state (so a zero shock gives exactly zero welfare change).
#include "hat/analysis/counterfactual.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <cmath>
#include <limits>

#include "hat/core/error.hpp"
#include "hat/core/parallel.hpp"
#include "hat/core/timer.hpp"
#include "hat/world/world.hpp"

namespace hat::analysis {

world::EquilibriumOptions counterfactual_equilibrium_options(const world::EquilibriumOptions& opt) {
  world::EquilibriumOptions o = opt;
  o.unknown = world::Unknown::R;
  return o;
}

std::vector<HouseholdState> baseline_states(const world::Evaluation& baseline,
                                            const std::vector<int>& countries,
                                            const WelfareOptions& opt) {
  std::vector<HouseholdState> out(countries.size());
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t c = 0; c < countries.size(); ++c)
    errors.run(static_cast<long>(c), [&] {
      const world::CountryState& cs = baseline.countries[countries[c]];
      out[c] = solve_tight(cs.problem, opt, &cs.solution, &cs.distribution.mass);
    });
  errors.rethrow();
  return out;
}

std::vector<CountryElasticities> baseline_elasticities(const std::vector<HouseholdState>& states,
                                                       const std::vector<int>& countries,
                                                       DistributionMode mode) {
  if (states.size() != countries.size())
    throw InputError("baseline_elasticities: one state per country is required");
  ElasticityOptions eo;
  eo.distribution = mode;
  eo.micro = false;
  std::vector<CountryElasticities> out;
  for (size_t c = 0; c < states.size(); ++c) {
    std::vector<int> partners;
    for (int j = 0; j < states[c].problem.M(); ++j)
      if (j != countries[c]) partners.push_back(j);
    out.push_back(country_elasticities(states[c].problem, states[c].solution, states[c].mass,
                                       countries[c], partners, eo));
  }
  return out;
}

namespace {

bool same_matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.size() == 0 || a == b);
}

// Bitwise equality of two household problems (then their solutions are identical too).
bool same_problem(const household::HouseholdProblem& a, const household::HouseholdProblem& b) {
  return a.gamma == b.gamma && a.beta == b.beta && a.R == b.R && a.W == b.W && a.sigma == b.sigma &&
         a.tau == b.tau && a.lambda == b.lambda && same_matrix(a.prices, b.prices) &&
         same_matrix(a.quality, b.quality) && same_matrix(a.grid, b.grid) &&
         same_matrix(a.z, b.z) && same_matrix(a.P, b.P);
}

}  // namespace

ExperimentResult run_experiment(const world::World& w, const world::EquilibriumOptions& opt,
                                const world::Evaluation& baseline,
                                const std::vector<HouseholdState>& old_states, const Experiment& e,
                                const CounterfactualOptions& o) {
  o.validate();
  opt.validate();
  if (old_states.size() != o.countries.size())
    throw InputError("run_experiment: one baseline state per measured country is required");
  if (!o.theta_trade_weighted.empty() && o.theta_trade_weighted.size() != o.countries.size())
    throw InputError(
        "run_experiment: one trade-weighted elasticity per measured country is required");
  ExperimentResult r;
  r.experiment = e;
  r.status.status = SolverStatus::Converged;
  r.status.message = "converged";
  r.shocked = apply_shocks(w, e.shocks);
  r.prices_old = baseline.prices;
  Timer timer;
  if (same_trade_frictions(w, r.shocked.world)) {
    r.ge_is_baseline = true;
    r.ge.state = baseline;
    r.ge.report.status = SolverStatus::Converged;
    r.ge.report.message = "shocks change nothing: the baseline is the new equilibrium";
    r.ge.report.residual = baseline.residuals.size() ? baseline.residuals.cwiseAbs().maxCoeff() : 0;
  } else {
    if (o.progress)
      report_stage(o.progress, "counterfactual",
                   fmt::format("{}: solving the new equilibrium", e.name));
    world::Prices start = baseline.prices;
    const Eigen::MatrixXd* jac =
        (o.jacobian_cache && o.jacobian_cache->size()) ? o.jacobian_cache : nullptr;
    r.ge = world::solve_equilibrium(r.shocked.world, start, counterfactual_equilibrium_options(opt),
                                    &baseline, jac);
    if (o.jacobian_cache && r.ge.report.converged() && r.ge.jacobian.size())
      *o.jacobian_cache = r.ge.jacobian;
  }
  r.seconds_ge = timer.seconds();
  merge_report(r.status, r.ge.report);
  if (r.ge.state.countries.empty())
    throw NumericalError(e.name + ": the new equilibrium could not be evaluated (" +
                         r.ge.report.message + ")");
  r.prices_new = r.ge.state.prices;
  r.shares_old = world::trade_shares(baseline);
  r.shares_new = world::trade_shares(r.ge.state);

  timer.reset();
  if (o.progress)
    report_stage(o.progress, "counterfactual",
                 fmt::format("{}: welfare of {} country block(s)", e.name, o.countries.size()));
  const int C = static_cast<int>(o.countries.size());
  r.welfare.resize(C);
  std::vector<SolverReport> reports(C);
  // Countries in parallel; inside, the lambda-node chains run serially (nested regions off).
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1) if (C > 1)
  for (int c = 0; c < C; ++c)
    errors.run(c, [&] {
      const int i = o.countries[c];
      const HouseholdState& old = old_states[c];
      reports[c].status = SolverStatus::Converged;
      HouseholdState pe, ge;
      const household::HouseholdProblem hp_pe =
          world::country_problem(r.shocked.world, i, baseline.prices);
      pe = same_problem(hp_pe, old.problem)
               ? old
               : solve_tight(hp_pe, o.welfare, &old.solution, &old.mass);
      const world::CountryState& gs = r.ge.state.countries[i];
      ge = same_problem(gs.problem, old.problem)
               ? old
               : solve_tight(gs.problem, o.welfare, &gs.solution, &gs.distribution.mass);
      merge_report(reports[c], pe.report);
      merge_report(reports[c], ge.report);
      if (pe.report.status == SolverStatus::Failed || ge.report.status == SolverStatus::Failed)
        return;
      const double th_tw = o.theta_trade_weighted.empty() ? std::numeric_limits<double>::quiet_NaN()
                                                          : o.theta_trade_weighted.at(c);
      r.welfare[c] = measure_welfare(old, {{"pe", &pe}, {"ge", &ge}}, i, o.theta, o.welfare, th_tw);
      merge_report(reports[c], r.welfare[c].ev_report.report);
      merge_report(reports[c], r.welfare[c].lump_sum_report.report);
      merge_report(reports[c], r.welfare[c].split.report);
    });
  errors.rethrow();
  for (int c = 0; c < C; ++c) {
    if (r.welfare[c].scenarios.empty())
      throw NumericalError(e.name + ": household solve failed for " + w.names[o.countries[c]] +
                           " (" + reports[c].message + ")");
    merge_report(r.status, reports[c]);
  }
  r.seconds_welfare = timer.seconds();
  return r;
}

}  // namespace hat::analysis
