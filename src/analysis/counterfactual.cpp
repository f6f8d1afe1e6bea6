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

#include "hat/analysis/welfare_report.hpp"
#include "hat/core/error.hpp"
#include "hat/core/parallel.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/world/config.hpp"
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

// ---- outputs -----------------------------------------------------------------------------

namespace {

std::string scenario_label(const std::string& s) {
  return s == "pe" ? "PE (W, R fixed)" : "GE";
}

}  // namespace

std::string welfare_readme(const world::World& w, const std::vector<ExperimentResult>& results,
                           const std::vector<int>& countries) {
  std::string t =
      "Welfare measures of this run (docs/counterfactual-welfare.md): which is robust where\n"
      "\n"
      "ev_lump_sum (welfare_states.csv): the transfer tau, in the numeraire every period at the\n"
      "  old prices, that makes the household as well off as after the shock, divided by mean\n"
      "  labour income W E[z]. The value rises with tau in every state, so every state has\n"
      "  exactly one root: robust everywhere, including at the borrowing limit. Preferred for\n"
      "  means and for comparisons across bins.\n"
      "ce: the proportional change in consumption in every period under the old policies.\n"
      "  Robust wherever it is finite (an empty cell where no finite value exists).\n"
      "ev (the paper's measure): lambda scales period wealth R a + W z, now and in every future\n"
      "  period. Where R a + W z <= 0 (ev_direction = -1 or 0) a larger lambda lowers or leaves\n"
      "  current resources, a gain can show as lambda < 1, and there can be two roots or none.\n"
      "  Where R a + W z > 0 (ev_direction = 1) it raises them, but it also lowers the future\n"
      "  resources of states that will borrow, so a second root is still possible (ev_roots).\n"
      "  Well posed: ev_direction = 1 and exactly one root in the searched range.\n"
      "  mean_ev mixes all states; mean_ev_well_posed averages the well-posed ones only (a\n"
      "  selected, richer population: compare it with ev_lump_sum on the same states).\n"
      "acr: (pi_ii'/pi_ii)^(1/theta) - 1 with theta = -1/sigma_i; acr_trade_weighted: the\n"
      "  paper's (1/theta_tw) log(pi_ii'/pi_ii) with the model's trade-weighted elasticity.\n"
      "  Representative-agent benchmarks, not household welfare.\n"
      "Bins: expenditure_choice are the paper's bins ((state, variety) pairs by the expenditure\n"
      "  on the chosen variety, exact); expenditure bins states by expected expenditure.\n"
      "All welfare numbers are fractions (0.01 = 1%).\n\nThis run (old-distribution mass "
      "shares; means):\n";
  for (const ExperimentResult& r : results)
    for (size_t c = 0; c < r.welfare.size(); ++c) {
      const CountryWelfare& cw = r.welfare[c];
      for (const ScenarioWelfare& sw : cw.scenarios)
        t += fmt::format(
            "  {} {} {}: R a + W z <= 0 in {:.4f} of the mass, {:.4f} with several EV roots, "
            "{:.4f} without; mean_ev {:.6f}, mean_ev_well_posed {:.6f} (over {:.4f}), "
            "mean_ev_lump_sum {:.6f}, mean_ce {:.6f}, acr {:.6f}, acr_trade_weighted {:.6f}\n",
            r.experiment.name, w.names[countries[c]], sw.scenario, cw.nonpositive_wealth_mass,
            sw.multiple_roots_mass, sw.unresolved_mass, sw.mean_ev, sw.mean_ev_well_posed,
            sw.well_posed_mass, sw.mean_ev_lump_sum, sw.mean_ce, sw.acr, sw.acr_trade_weighted);
    }
  return t;
}

namespace {

// One experiment's rows of counterfactual_prices.csv and counterfactual_trade_shares.csv.
void price_and_share_rows(const world::World& w, const ExperimentResult& r, io::CsvWriter& prices,
                          io::CsvWriter& shares) {
  const std::string& en = r.experiment.name;
  for (int i = 0; i < w.size(); ++i) {
    prices.cell(en).cell(w.names[i]).cell("W").cell(r.prices_old.W(i)).cell(r.prices_new.W(i));
    prices.end_row();
    prices.cell(en).cell(w.names[i]).cell("R").cell(r.prices_old.R(i)).cell(r.prices_new.R(i));
    prices.end_row();
    const double t0 = r.prices_old.tau.size() ? r.prices_old.tau(i) : 0.0;
    const double t1 = r.prices_new.tau.size() ? r.prices_new.tau(i) : 0.0;
    prices.cell(en).cell(w.names[i]).cell("tau").cell(t0).cell(t1).end_row();
    for (int j = 0; j < w.size(); ++j)
      shares.cell(en)
          .cell(w.names[i])
          .cell(w.names[j])
          .cell(r.shares_old(i, j))
          .cell(r.shares_new(i, j))
          .end_row();
  }
}

// The welfare figures of one experiment (en) and measured country (cn): EV by group, PE vs GE,
// one chart per grouping, and the GE EV by assets for each income state.
void add_welfare_figures(io::OutputDir& out, const std::string& en, const std::string& cn,
                         const CountryWelfare& cw, int Na) {
  for (const auto& g : welfare_groupings()) {
    io::BarChart bc;
    const int G = static_cast<int>(cw.scenarios[0].ev_groups.at(g).size());
    bc.title = fmt::format("{}: welfare of {} households by {} {}", en, cn, g, bin_name(G));
    bc.ylabel = "equivalent variation (% of period wealth)";
    for (int q = 1; q <= G; ++q)
      bc.categories.push_back(q == 1   ? "1 (poorest)"
                              : q == G ? fmt::format("{} (richest)", q)
                                       : std::to_string(q));
    for (const ScenarioWelfare& sw : cw.scenarios) {
      bc.group_labels.push_back(scenario_label(sw.scenario));
      std::vector<double> v;
      for (int q = 0; q < sw.ev_groups.at(g).size(); ++q)
        v.push_back(100.0 * sw.ev_groups.at(g)(q));
      bc.values.push_back(v);
    }
    out.add(fmt::format("welfare_{}_{}_{}.svg", en, cn, g), bc.render());
  }
  const ScenarioWelfare& ge = cw.scenarios.back();
  io::Plot pl;
  pl.title =
      fmt::format("{}: {} equivalent variation by state ({})", en, cn, scenario_label(ge.scenario));
  pl.xlabel = "assets a";
  pl.ylabel = "equivalent variation (%)";
  const int Nz = static_cast<int>(cw.V_old.size()) / Na;
  for (int s = 0; s < Nz; ++s) {
    io::Series se;
    se.label = fmt::format("z = {:.3f}", cw.z(s * Na));
    for (int i = 0; i < Na; ++i) {
      const double v = ge.ev(s * Na + i);
      if (!std::isfinite(v)) continue;
      se.x.push_back(cw.assets(s * Na + i));
      se.y.push_back(100.0 * v);
    }
    pl.series.push_back(se);
  }
  out.add(fmt::format("welfare_states_{}_{}.svg", en, cn), pl.render());
}

// Across experiments: mean EV and CE, PE vs GE, of measured country c.
void add_experiments_figure(io::OutputDir& out, const world::World& w,
                            const std::vector<ExperimentResult>& results,
                            const std::vector<int>& countries, size_t c) {
  io::BarChart bc;
  bc.title = fmt::format("Welfare of {} households by experiment (utilitarian mean)",
                         w.names[countries[c]]);
  bc.ylabel = "% (EV: of period wealth; CE: of consumption)";
  for (const auto& r : results) bc.categories.push_back(r.experiment.name);
  for (const char* sc : {"pe", "ge"})
    for (const bool ev : {true, false}) {
      bc.group_labels.push_back(fmt::format("{} {}", ev ? "EV" : "CE", scenario_label(sc)));
      std::vector<double> v;
      for (const auto& r : results)
        for (const auto& sw : r.welfare[c].scenarios)
          if (sw.scenario == sc) v.push_back(100.0 * (ev ? sw.mean_ev : sw.mean_ce));
      bc.values.push_back(v);
    }
  out.add(fmt::format("welfare_experiments_{}.svg", w.names[countries[c]]), bc.render());
}

}  // namespace

void add_counterfactual_outputs(io::OutputDir& out, const world::World& w,
                                const world::EquilibriumOptions& opt,
                                const std::vector<ExperimentResult>& results,
                                const std::vector<int>& countries) {
  WelfareTables tables;
  io::CsvWriter prices({"experiment", "country", "variable", "old", "new"});
  io::CsvWriter shares({"experiment", "importer", "exporter", "share_old", "share_new"});
  io::CsvWriter shocks({"experiment", "shock_1", "specification", "source"});
  for (const ExperimentResult& r : results) {
    const std::string& en = r.experiment.name;
    for (size_t s = 0; s < r.experiment.shocks.size(); ++s)
      shocks.cell(en)
          .cell(static_cast<int>(s + 1))
          .cell(r.experiment.shocks[s].text)
          .cell(r.experiment.source)
          .end_row();
    price_and_share_rows(w, r, prices, shares);
    for (size_t c = 0; c < r.welfare.size(); ++c) {
      const CountryWelfare& cw = r.welfare[c];
      const int N = static_cast<int>(cw.V_old.size());
      const int Na = static_cast<int>(N / std::max<long>(1, w.income.z.size()));
      tables.add(en, w.names[countries[c]], cw, Na);
      add_welfare_figures(out, en, w.names[countries[c]], cw, Na);
    }
    out.add("world_" + en + ".toml", world::world_to_toml(r.shocked.world, r.prices_new, opt));
  }
  for (size_t c = 0; c < countries.size() && !results.empty(); ++c)
    add_experiments_figure(out, w, results, countries, c);
  out.add("README.txt", welfare_readme(w, results, countries));
  tables.write(out);
  out.add("counterfactual_prices.csv", prices.str());
  out.add("counterfactual_trade_shares.csv", shares.str());
  out.add("counterfactual_shocks.csv", shocks.str());
}

nlohmann::json experiment_json(const world::World& w, const ExperimentResult& r, int country) {
  nlohmann::json j;
  j["name"] = r.experiment.name;
  if (!r.experiment.description.empty()) j["description"] = r.experiment.description;
  std::vector<std::string> specs;
  for (const auto& s : r.experiment.shocks) specs.push_back(s.text);
  j["shocks"] = specs;
  j["notes"] = r.shocked.notes;
  j["status"] = to_string(r.status.status);
  j["message"] = r.status.message;
  j["ge_status"] = to_string(r.ge.report.status);
  j["ge_residual"] = r.ge.report.residual;
  j["ge_seconds"] = r.seconds_ge;
  j["welfare_seconds"] = r.seconds_welfare;
  j["country"] = w.names[country];
  j["R_old"] = r.prices_old.R(country);
  j["R_new"] = r.prices_new.R(country);
  j["beta"] = r.prices_new.beta;
  nlohmann::json wn, wo, rn;
  for (int i = 0; i < w.size(); ++i) {
    wn[w.names[i]] = r.prices_new.W(i);
    wo[w.names[i]] = r.prices_old.W(i);
    rn[w.names[i]] = r.prices_new.R(i);
  }
  j["wages_new"] = wn;
  j["wages_old"] = wo;
  j["R_new_by_country"] = rn;
  nlohmann::json by_country;
  for (const CountryWelfare& cw : r.welfare) {
    const nlohmann::json wj = country_welfare_json(cw);
    if (cw.country == country) j["welfare"] = wj;
    by_country[w.names[cw.country]] = wj;
  }
  if (r.welfare.size() > 1) j["welfare_by_country"] = by_country;
  return j;
}

}  // namespace hat::analysis
