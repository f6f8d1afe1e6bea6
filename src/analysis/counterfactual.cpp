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

#include "hat/core/error.hpp"
#include "hat/core/parallel.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/world/config.hpp"
#include "hat/world/outputs.hpp"

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

void worse(SolverReport& acc, const SolverReport& r) {
  auto rank = [](SolverStatus s) {
    return s == SolverStatus::Converged ? 0 : (s == SolverStatus::IterationLimit ? 1 : 2);
  };
  if (rank(r.status) > rank(acc.status)) acc = r;
}

}  // namespace

ExperimentResult run_experiment(const world::World& w, const world::EquilibriumOptions& opt,
                                const world::Evaluation& baseline,
                                const std::vector<HouseholdState>& old_states, const Experiment& e,
                                const CounterfactualOptions& o) {
  if (old_states.size() != o.countries.size())
    throw InputError("run_experiment: one baseline state per measured country is required");
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
    if (o.progress) o.progress(fmt::format("{}: solving the new equilibrium", e.name));
    world::Prices start = baseline.prices;
    const Eigen::MatrixXd* jac =
        (o.jacobian_cache && o.jacobian_cache->size()) ? o.jacobian_cache : nullptr;
    r.ge = world::solve_equilibrium(r.shocked.world, start, counterfactual_equilibrium_options(opt),
                                    &baseline, jac);
    if (o.jacobian_cache && r.ge.report.converged() && r.ge.jacobian.size())
      *o.jacobian_cache = r.ge.jacobian;
  }
  r.seconds_ge = timer.seconds();
  worse(r.status, r.ge.report);
  if (r.ge.state.countries.empty())
    throw NumericalError(e.name + ": the new equilibrium could not be evaluated (" +
                         r.ge.report.message + ")");
  r.prices_new = r.ge.state.prices;
  r.shares_old = world::trade_shares(baseline);
  r.shares_new = world::trade_shares(r.ge.state);

  timer.reset();
  if (o.progress)
    o.progress(fmt::format("{}: welfare of {} country block(s)", e.name, o.countries.size()));
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
      worse(reports[c], pe.report);
      worse(reports[c], ge.report);
      if (pe.report.status == SolverStatus::Failed || ge.report.status == SolverStatus::Failed)
        return;
      r.welfare[c] = measure_welfare(old, {{"pe", &pe}, {"ge", &ge}}, i, o.theta, o.welfare);
      worse(reports[c], r.welfare[c].ev_report.report);
      worse(reports[c], r.welfare[c].split.report);
    });
  errors.rethrow();
  for (int c = 0; c < C; ++c) {
    if (r.welfare[c].scenarios.empty())
      throw NumericalError(e.name + ": household solve failed for " + w.names[o.countries[c]] +
                           " (" + reports[c].message + ")");
    worse(r.status, reports[c]);
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

void add_counterfactual_outputs(io::OutputDir& out, const world::World& w,
                                const world::EquilibriumOptions& opt,
                                const std::vector<ExperimentResult>& results,
                                const std::vector<int>& countries) {
  io::CsvWriter states({"experiment", "scenario", "country", "state", "income_state", "assets", "z",
                        "income", "expenditure", "mass_old", "mass_new", "V_old", "V_new", "ev",
                        "ev_roots", "ce", "nonpositive_wealth"});
  io::CsvWriter groups(
      {"experiment", "scenario", "country", "grouping", "quintile", "measure", "value"});
  io::CsvWriter summary({"experiment", "scenario", "country", "measure", "value"});
  io::CsvWriter prices({"experiment", "country", "variable", "old", "new"});
  io::CsvWriter shares({"experiment", "importer", "exporter", "share_old", "share_new"});
  io::CsvWriter shocks({"experiment", "shock", "specification", "source"});
  io::CsvWriter diag({"experiment", "country", "measure", "value"});
  for (const ExperimentResult& r : results) {
    const std::string& en = r.experiment.name;
    for (size_t s = 0; s < r.experiment.shocks.size(); ++s)
      shocks.cell(en)
          .cell(static_cast<int>(s + 1))
          .cell(r.experiment.shocks[s].text)
          .cell(r.experiment.source)
          .end_row();
    for (int i = 0; i < w.size(); ++i) {
      prices.cell(en)
          .cell(w.names[i])
          .cell("W")
          .cell(r.prices_old.W(i))
          .cell(r.prices_new.W(i))
          .end_row();
      prices.cell(en)
          .cell(w.names[i])
          .cell("R")
          .cell(r.prices_old.R(i))
          .cell(r.prices_new.R(i))
          .end_row();
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
    for (size_t c = 0; c < r.welfare.size(); ++c) {
      const CountryWelfare& cw = r.welfare[c];
      const std::string& cn = w.names[countries[c]];
      const int N = static_cast<int>(cw.V_old.size());
      const int Na = static_cast<int>(N / std::max<long>(1, w.income.z.size()));
      for (const ScenarioWelfare& sw : cw.scenarios) {
        for (int k = 0; k < N; ++k)
          states.cell(en)
              .cell(sw.scenario)
              .cell(cn)
              .cell(k)
              .cell(k / Na + 1)
              .cell(cw.assets(k))
              .cell(cw.z(k))
              .cell(cw.income(k))
              .cell(cw.expenditure(k))
              .cell(cw.mass_old(k))
              .cell(sw.mass_new(k))
              .cell(cw.V_old(k))
              .cell(sw.V_new(k))
              .cell(sw.ev(k))
              .cell(sw.ev_roots(k))
              .cell(sw.ce(k))
              .cell(static_cast<int>(cw.nonpositive_wealth[k]))
              .end_row();
        for (const auto& g : welfare_groupings())
          for (int q = 0; q < sw.ev_groups.at(g).size(); ++q) {
            groups.cell(en)
                .cell(sw.scenario)
                .cell(cn)
                .cell(g)
                .cell(q + 1)
                .cell("ev")
                .cell(sw.ev_groups.at(g)(q))
                .end_row();
            groups.cell(en)
                .cell(sw.scenario)
                .cell(cn)
                .cell(g)
                .cell(q + 1)
                .cell("ce")
                .cell(sw.ce_groups.at(g)(q))
                .end_row();
          }
        const Decomposition& d = sw.decomposition;
        const std::pair<const char*, double> rows[] = {
            {"mean_ev", sw.mean_ev},
            {"mean_ev_positive_wealth", sw.mean_ev_positive_wealth},
            {"mean_ce", sw.mean_ce},
            {"acr", sw.acr},
            {"theta", sw.theta},
            {"home_share_old", sw.home_share_old},
            {"home_share_new", sw.home_share_new},
            {"W_old", d.W_old},
            {"W_new", d.W_new},
            {"dW", d.W_new - d.W_old},
            {"dW_household", d.household},
            {"dW_reallocation", d.reallocation},
            {"dW_interaction", d.interaction},
            {"ev_unresolved_mass", sw.unresolved_mass},
            {"nonpositive_wealth_mass", cw.nonpositive_wealth_mass}};
        for (const auto& [name, v] : rows)
          summary.cell(en).cell(sw.scenario).cell(cn).cell(name).cell(v).end_row();
      }
      const EvReport& er = cw.ev_report;
      const std::pair<const char*, double> drows[] = {
          {"lambda_nodes", static_cast<double>(er.nodes)},
          {"lambda_lo", er.lambda_lo},
          {"lambda_hi", er.lambda_hi},
          {"check_lambda", er.check_lambda},
          {"check_error_value", er.check_error_value},
          {"check_error_lambda", er.check_error_lambda},
          {"unresolved", static_cast<double>(er.unresolved)},
          {"multiple_roots", static_cast<double>(er.multiple_roots)}};
      for (const auto& [name, v] : drows) diag.cell(en).cell(cn).cell(name).cell(v).end_row();

      // Figures: EV by quintile, PE vs GE, one per grouping.
      for (const auto& g : welfare_groupings()) {
        io::BarChart bc;
        bc.title = fmt::format("{}: welfare of {} households by {} quintile", en, cn, g);
        bc.ylabel = "equivalent variation (% of period wealth)";
        bc.categories = {"Q1 (poorest)", "Q2", "Q3", "Q4", "Q5 (richest)"};
        bc.categories.resize(cw.scenarios[0].ev_groups.at(g).size());
        for (const ScenarioWelfare& sw : cw.scenarios) {
          bc.group_labels.push_back(scenario_label(sw.scenario));
          std::vector<double> v;
          for (int q = 0; q < sw.ev_groups.at(g).size(); ++q)
            v.push_back(100.0 * sw.ev_groups.at(g)(q));
          bc.values.push_back(v);
        }
        out.add(fmt::format("welfare_{}_{}_{}.svg", en, cn, g), bc.render());
      }
      // EV by assets for each income state (GE).
      const ScenarioWelfare& ge = cw.scenarios.back();
      io::Plot pl;
      pl.title = fmt::format("{}: {} equivalent variation by state ({})", en, cn,
                             scenario_label(ge.scenario));
      pl.xlabel = "assets a";
      pl.ylabel = "equivalent variation (%)";
      const int Nz = N / Na;
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
    out.add("world_" + en + ".toml", world::world_to_toml(r.shocked.world, r.prices_new, opt));
  }
  // Across experiments: mean EV and CE, PE vs GE, per measured country.
  for (size_t c = 0; c < countries.size() && !results.empty(); ++c) {
    io::BarChart bc;
    bc.title = fmt::format("Welfare of {} households by experiment (utilitarian mean)",
                           w.names[countries[c]]);
    bc.ylabel = "% (EV: of period wealth; CE: of consumption)";
    for (const auto& r : results) bc.categories.push_back(r.experiment.name);
    for (const char* sc : {"pe", "ge"})
      for (const char* m : {"ev", "ce"}) {
        bc.group_labels.push_back(
            fmt::format("{} {}", std::string(m) == "ev" ? "EV" : "CE", scenario_label(sc)));
        std::vector<double> v;
        for (const auto& r : results)
          for (const auto& sw : r.welfare[c].scenarios)
            if (sw.scenario == sc)
              v.push_back(100.0 * (std::string(m) == "ev" ? sw.mean_ev : sw.mean_ce));
        bc.values.push_back(v);
      }
    out.add(fmt::format("welfare_experiments_{}.svg", w.names[countries[c]]), bc.render());
  }
  out.add("welfare_states.csv", states.str());
  out.add("welfare_groups.csv", groups.str());
  out.add("welfare_summary.csv", summary.str());
  out.add("welfare_diagnostics.csv", diag.str());
  out.add("prices.csv", prices.str());
  out.add("trade_shares.csv", shares.str());
  out.add("shocks.csv", shocks.str());
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
  auto num = [](double x) {
    return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
  };
  auto vec = [&](const Eigen::VectorXd& v) {
    nlohmann::json a = nlohmann::json::array();
    for (int q = 0; q < v.size(); ++q) a.push_back(num(v(q)));
    return a;
  };
  nlohmann::json by_country;
  for (const CountryWelfare& cw : r.welfare) {
    nlohmann::json wj;
    for (const ScenarioWelfare& sw : cw.scenarios) {
      nlohmann::json s;
      s["mean_ev"] = num(sw.mean_ev);
      s["mean_ev_positive_wealth"] = num(sw.mean_ev_positive_wealth);
      s["mean_ce"] = num(sw.mean_ce);
      s["acr"] = num(sw.acr);
      s["theta"] = sw.theta;
      s["home_share_old"] = sw.home_share_old;
      s["home_share_new"] = sw.home_share_new;
      for (const auto& g : welfare_groupings()) {
        s["ev_by_" + g + "_quintile"] = vec(sw.ev_groups.at(g));
        s["ce_by_" + g + "_quintile"] = vec(sw.ce_groups.at(g));
      }
      const Decomposition& d = sw.decomposition;
      s["decomposition"] = {{"W_old", d.W_old},
                            {"W_new", d.W_new},
                            {"dW", d.W_new - d.W_old},
                            {"household", d.household},
                            {"reallocation", d.reallocation},
                            {"interaction", d.interaction}};
      s["ev_unresolved_mass"] = sw.unresolved_mass;
      wj[sw.scenario] = s;
    }
    wj["nonpositive_wealth_mass"] = cw.nonpositive_wealth_mass;
    wj["ev_check_error_lambda"] = cw.ev_report.check_error_lambda;
    wj["ev_lambda_nodes"] = cw.ev_report.nodes;
    if (cw.country == country) j["welfare"] = wj;
    by_country[w.names[cw.country]] = wj;
  }
  if (r.welfare.size() > 1) j["welfare_by_country"] = by_country;
  return j;
}

}  // namespace hat::analysis
