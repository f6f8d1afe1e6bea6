// The counterfactual study shared by the command line and the Python package (see
// counterfactual_study.hpp).
#include "hat/analysis/counterfactual_study.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/world/static_start.hpp"

namespace hat::analysis {

std::vector<Experiment> config_experiments(const io::ConfigFile& config) {
  io::ConfigTable cf = config.root().table("counterfactual");
  if (cf.empty()) return {};
  return {read_experiment(cf, "config", "[counterfactual]")};
}

void append_experiments(std::vector<Experiment>& experiments,
                        const std::vector<io::ConfigFile>& shock_files,
                        const std::vector<std::string>& shocks, const std::string& name,
                        const std::string& config_name) {
  for (const io::ConfigFile& f : shock_files) {
    const std::string& path = f.path();
    std::string stem = path.substr(path.find_last_of('/') + 1);
    stem = stem.substr(0, stem.find('.'));
    experiments.push_back(read_experiment(f.root(), stem, path));
  }
  if (!shocks.empty()) {
    Experiment e;
    e.name = name;
    e.source = "--shock";
    for (const std::string& s : shocks) e.shocks.push_back(parse_shock_spec(s));
    experiments.push_back(e);
  }
  if (experiments.empty())
    throw InputError("no shocks: give --shock SPEC, --shocks FILE or a [counterfactual] table in " +
                     config_name);
  for (size_t a = 0; a < experiments.size(); ++a)
    for (size_t b = 0; b < a; ++b)
      if (experiments[a].name == experiments[b].name)
        throw InputError("two experiments are named '" + experiments[a].name + "' (" +
                         experiments[b].source + ", " + experiments[a].source + ")");
}

void CounterfactualStudyOptions::validate() const {
  if (bins != 5 && bins != 10 && bins != 20) throw InputError("--bins must be 5, 10 or 20");
  if (!(lump_sum_polish >= 0 && lump_sum_polish < 1e-3))
    throw InputError("--lump-sum-polish must be in [0, 1e-3)");
  if (!(ev_step > 0 && ev_step <= 0.1)) throw InputError("--ev-step must be in (0, 0.1]");
  if (!std::isfinite(theta) || theta > 0)
    throw InputError(
        "--theta must be the trade elasticity d log(M_ij/M_ii) / d log d_ij, negative as in every "
        "output (0: -1/sigma_i), got " +
        fmt::format("{}", theta));
  parse_distribution_mode(acr_distribution, "--acr-distribution");
}

namespace {

// Every shock valid for the world and none timed, before any solve.
void check_experiments(const world::World& w, const std::vector<Experiment>& experiments) {
  if (experiments.empty()) throw InputError("no shocks: give --shock SPEC or --shocks FILE");
  for (const auto& e : experiments) {
    apply_shocks(w, e.shocks);
    for (const auto& s : e.shocks)
      if (s.timed())
        throw InputError(e.source + ": shock '" + s.text +
                         "': start, phase_in and end describe a path; use `hat transition`");
  }
}

int reporting_country(const world::World& w, const CounterfactualStudyOptions& o) {
  if (!o.country.empty()) return world::country_index(w, o.country, "--country");
  for (const auto& e : o.experiments)
    if (!e.country.empty()) return world::country_index(w, e.country, e.source + ": country");
  for (const auto& e : o.experiments)
    for (const auto& s : e.shocks)
      if (s.kind != ShockKind::Autarky && s.importer != "*")
        return world::country_index(w, s.importer, "importer");
  auto it = std::find(w.names.begin(), w.names.end(), "USA");
  return it != w.names.end() ? static_cast<int>(it - w.names.begin()) : 0;
}

// The baseline equilibrium: solved from the config's start, or evaluated at its prices.
void solve_baseline(const world::WorldConfig& wc, bool solve, CounterfactualStudy& st,
                    const ProgressCallback& progress) {
  const world::World& w = wc.world;
  if (!solve) {
    world::Prices p = wc.start;
    if (!w.has_tariffs()) p.tau.setZero();
    st.baseline = world::evaluate(w, p, wc.options);
    if (!st.baseline.ok) throw NumericalError("baseline evaluation: " + st.baseline.message);
    st.baseline_report.status = SolverStatus::Converged;
    st.baseline_report.message = "baseline: the config's prices (not solved, --no-solve)";
    st.baseline_report.residual = st.baseline.residuals.cwiseAbs().maxCoeff();
    return;
  }
  report_stage(progress, "counterfactual", "solving the baseline equilibrium");
  world::Equilibrium eq = world::solve_equilibrium(w, world::cold_start(wc), wc.options);
  st.baseline_report = eq.report;
  if (eq.state.countries.empty()) throw NumericalError("baseline: " + eq.report.message);
  st.baseline = std::move(eq.state);
  st.status = worse_status(st.status, eq.report.status);
  if (!eq.report.converged()) st.converged = false;
}

}  // namespace

CounterfactualStudy run_counterfactual_study(world::WorldConfig wc,
                                             const CounterfactualStudyOptions& o,
                                             const ProgressCallback& progress) {
  Timer timer;
  auto say = [&](const std::string& m) { report_stage(progress, "counterfactual", m); };
  CounterfactualStudy st;
  st.world = wc.world;
  const world::World& w = st.world;
  check_experiments(w, o.experiments);
  st.country = reporting_country(w, o);
  o.validate();
  Eigen::MatrixXd shared_jacobian;  // the first GE solve's Jacobian starts the later ones
  CounterfactualOptions co;
  co.jacobian_cache = &shared_jacobian;
  co.theta = st.theta = o.theta;
  co.welfare.node_spacing = o.ev_step;
  co.welfare.lump_sum_polish = o.lump_sum_polish;
  co.welfare.groups = o.bins;
  if (o.all_countries)
    for (int i = 0; i < w.size(); ++i) co.countries.push_back(i);
  else
    co.countries.push_back(st.country);
  co.progress = progress;
  st.countries = co.countries;
  st.welfare = co.welfare;

  // Evaluation lines of the baseline and (through the options they share) the GE solves.
  if (progress && o.solve && !wc.options.progress)
    wc.options.progress =
        with_message(progress, "world", [](const Progress& p) { return evaluation_line("", p); });
  Timer t_base;
  solve_baseline(wc, o.solve, st, progress);
  st.seconds_baseline = t_base.seconds();
  // The counterfactuals hold beta at its baseline value.
  st.options = counterfactual_equilibrium_options(wc.options);

  Timer t_tight;
  const std::vector<HouseholdState> old_states =
      baseline_states(st.baseline, co.countries, co.welfare);
  for (const auto& s : old_states)
    if (s.report.status == SolverStatus::Failed)
      throw NumericalError("baseline household re-solve failed: " + s.report.message);
  // The paper's ACR benchmark: the model's trade-weighted average PE elasticity.
  Timer t_elast;
  say("trade elasticities of the baseline (ACR benchmark)");
  st.elasticities = baseline_elasticities(
      old_states, co.countries, parse_distribution_mode(o.acr_distribution, "--acr-distribution"));
  for (const auto& e : st.elasticities) {
    st.status = worse_status(st.status, e.report.status);
    if (!e.report.converged()) st.converged = false;
    co.theta_trade_weighted.push_back(e.theta_trade_weighted);
  }
  st.theta_trade_weighted = co.theta_trade_weighted;
  st.seconds_elasticities = t_elast.seconds();
  st.seconds_baseline_tight = t_tight.seconds() - st.seconds_elasticities;

  for (const auto& e : o.experiments) {
    st.results.push_back(run_experiment(w, st.options, st.baseline, old_states, e, co));
    const auto& r = st.results.back();
    st.status = worse_status(st.status, r.status.status);
    if (!r.status.converged()) st.converged = false;
    for (const auto& n : r.shocked.notes) say(fmt::format("{}: note: {}", e.name, n));
    say(fmt::format("{}: GE {} ({:.2f}s), welfare {:.2f}s", e.name, to_string(r.ge.report.status),
                    r.seconds_ge, r.seconds_welfare));
  }
  st.options.progress = nullptr;  // it refers to `progress`, which the study does not own
  st.seconds = timer.seconds();
  return st;
}

}  // namespace hat::analysis
