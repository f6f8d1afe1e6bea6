// Tidy outputs of a transition run (long format: one row per period, country, ... and value),
// SVG figures of the price, net-foreign-asset, welfare and elasticity paths, and the JSON
// summary.
#include "hat/reports/transition.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "hat/io/csv.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/reports/welfare.hpp"
#include "json_values.hpp"

namespace hat::reports {

using transition::HorizonElasticities;
using transition::PathEconomy;
using transition::TransitionResult;
using transition::TransitionRun;
using transition::TransitionWelfare;

namespace {

// Per-capita values into country totals and shares.
double nfa(const PathEconomy& e, const TransitionResult& r, int i, int t) {
  return e.initial.L(i) * r.path.countries[i].assets(t);
}

void prices_and_countries(io::OutputDir& out, const PathEconomy& e, const TransitionRun& run) {
  const TransitionResult& r = run.result;
  const int T = e.periods, N = e.initial.size();
  io::CsvWriter prices({"period", "country", "W", "R_next", "tau"});
  io::CsvWriter countries(
      {"period", "country", "nfa", "nfa_over_output", "consumption", "expenditure", "home_share"});
  io::CsvWriter shares({"period", "importer", "exporter", "trade_cost", "share"});
  for (int t = -1; t < T; ++t)  // t = -1: the old steady state
    for (int i = 0; i < N; ++i) {
      const bool old = t < 0;
      prices.cell(t)
          .cell(e.initial.names[i])
          .cell(old ? e.old_prices.W(i) : r.prices.W(t, i))
          .cell(old ? e.old_prices.R(i) : r.prices.R(t, i))
          .cell(old ? e.old_prices.tau(i) : r.prices.tau(t, i))
          .end_row();
      if (!r.path.ok) continue;
      const analysis::HouseholdState& os = e.old_states[i];
      const Eigen::VectorXd spend =
          old ? os.aggregates.expenditure : Eigen::VectorXd(r.path.countries[i].expenditure.row(t));
      const double W = old ? e.old_prices.W(i) : r.prices.W(t, i);
      const double a = old ? e.initial.L(i) * os.aggregates.assets : nfa(e, r, i, t);
      const double cons =
          old ? os.mass.dot(os.solution.pi.cwiseProduct(os.solution.c).rowwise().sum())
              : r.path.countries[i].consumption(t);
      countries.cell(t)
          .cell(e.initial.names[i])
          .cell(a)
          .cell(a / (W * e.initial.L(i) * os.aggregates.efficiency_units))
          .cell(e.initial.L(i) * cons)
          .cell(e.initial.L(i) * spend.sum())
          .cell(spend(i) / spend.sum())
          .end_row();
      const world::World& w = old ? e.initial : e.worlds[t];
      for (int j = 0; j < N; ++j)
        shares.cell(t)
            .cell(e.initial.names[i])
            .cell(e.initial.names[j])
            .cell(w.d(i, j))
            .cell(spend(j) / spend.sum())
            .end_row();
    }
  out.add("path_prices.csv", prices.str());
  if (r.path.ok) {
    out.add("path_countries.csv", countries.str());
    out.add("path_trade_shares.csv", shares.str());
  }
  io::CsvWriter res({"period", "max_abs_residual"});
  for (int t = 0; t < r.residual_by_period.size(); ++t)
    res.cell(t).cell(r.residual_by_period(t)).end_row();
  out.add("path_residuals.csv", res.str());
}

void price_figures(io::OutputDir& out, const PathEconomy& e, const TransitionRun& run) {
  const TransitionResult& r = run.result;
  const int T = e.periods, N = e.initial.size();
  io::Plot wp, rp, np;
  wp.title = "Wages along the transition (relative to the old steady state)";
  wp.xlabel = "period";
  wp.ylabel = "W_t / W_old - 1 (%)";
  rp.title = "Interest rate on bonds bought in period t";
  rp.xlabel = "period";
  rp.ylabel = "R_{t+1} - 1 (%)";
  np.title = "Net foreign assets (share of output)";
  np.xlabel = "period";
  np.ylabel = "NFA / (W N) (%)";
  const bool autarky = e.options.financial == world::Financial::Autarky;
  for (int i = 0; i < N; ++i) {
    io::Series sw, sr, sn;
    sw.label = sr.label = sn.label = e.initial.names[i];
    for (int t = 0; t < T; ++t) {
      sw.x.push_back(t);
      sw.y.push_back(100.0 * (r.prices.W(t, i) / e.old_prices.W(i) - 1.0));
      sr.x.push_back(t);
      sr.y.push_back(100.0 * (r.prices.R(t, i) - 1.0));
      if (r.path.ok) {
        sn.x.push_back(t);
        sn.y.push_back(
            100.0 * nfa(e, r, i, t) /
            (r.prices.W(t, i) * e.initial.L(i) * e.old_states[i].aggregates.efficiency_units));
      }
    }
    wp.series.push_back(sw);
    if (autarky || i == 0) {
      if (!autarky) sr.label = "world";
      rp.series.push_back(sr);
    }
    np.series.push_back(sn);
  }
  out.add("prices_wages.svg", wp.render());
  out.add("prices_R.svg", rp.render());
  if (r.path.ok && !autarky) out.add("nfa.svg", np.render());
}

void welfare_outputs(io::OutputDir& out, const PathEconomy& e, const TransitionRun& run) {
  const TransitionWelfare& tw = *run.welfare;
  const analysis::CountryWelfare& cw = tw.welfare;
  const std::string& cn = e.initial.names[tw.country];
  reports::WelfareTables tables;
  tables.add("transition", cn, cw, e.initial.assets);
  tables.add_summary("transition", "transition", cn, "transition_share_ce", tw.transition_share_ce);
  tables.add_summary("transition", "transition", cn, "transition_share_ev", tw.transition_share_ev);
  tables.add_summary("transition", "transition", cn, "transition_share_ev_lump_sum",
                     tw.transition_share_ev_lump_sum);
  tables.write(out);
  struct Measure {
    const char* name;
    const char* label;
    const std::map<std::string, Eigen::VectorXd> analysis::ScenarioWelfare::*groups;
  };
  const Measure measures[] = {
      {"ev", "equivalent variation (% of period wealth)", &analysis::ScenarioWelfare::ev_groups},
      {"ce", "consumption equivalent (%)", &analysis::ScenarioWelfare::ce_groups},
      {"ev_lump_sum", "lump-sum equivalent variation (% of mean labour income)",
       &analysis::ScenarioWelfare::ev_lump_sum_groups}};
  for (const Measure& m : measures) {
    io::BarChart bc;
    bc.title = fmt::format("Welfare of {} households by expenditure quintile", cn);
    bc.ylabel = m.label;
    bc.categories = {"Q1 (poorest)", "Q2", "Q3", "Q4", "Q5 (richest)"};
    for (const analysis::ScenarioWelfare& sw : cw.scenarios) {
      bc.group_labels.push_back(sw.scenario == "transition" ? "including the transition"
                                                            : "steady state to steady state");
      const Eigen::VectorXd& v = (sw.*m.groups).at("expenditure");
      std::vector<double> vals;
      for (int q = 0; q < v.size(); ++q) vals.push_back(100.0 * v(q));
      bc.values.push_back(vals);
    }
    out.add(fmt::format("welfare_quintiles_{}.svg", m.name), bc.render());
  }
}

void elasticity_outputs(io::OutputDir& out, const PathEconomy& e, const TransitionRun& run) {
  const HorizonElasticities& he = *run.elasticities;
  const std::string& cn = e.initial.names[he.country];
  const int T = static_cast<int>(he.pe.rows()), P = static_cast<int>(he.partners.size());
  io::CsvWriter hz({"importer", "exporter", "horizon", "theta_pe", "theta_path"});
  io::CsvWriter sm({"importer", "exporter", "import_share", "theta_pe_impact", "theta_pe_last",
                    "theta_pe_steady_state", "theta_path_impact", "theta_path_steady_state"});
  io::Plot pl;
  pl.title = fmt::format("{}: partial-equilibrium trade elasticity by horizon", cn);
  pl.xlabel = "horizon h (periods after a permanent change of d_ij)";
  pl.ylabel = "d log(M_ij,h / M_ii,h) / d log d_ij";
  for (int p = 0; p < P; ++p) {
    const std::string& pn = e.initial.names[he.partners[p]];
    io::Series s;
    s.label = pn;
    for (int t = 0; t < T; ++t) {
      hz.cell(cn).cell(pn).cell(t).cell(he.pe(t, p)).cell(he.path(t, p)).end_row();
      s.x.push_back(t);
      s.y.push_back(he.pe(t, p));
    }
    sm.cell(cn)
        .cell(pn)
        .cell(he.import_share(p))
        .cell(he.pe(0, p))
        .cell(he.pe(T - 1, p))
        .cell(he.steady_state_pe(p))
        .cell(he.path(0, p))
        .cell(he.steady_state_path(p))
        .end_row();
    pl.series.push_back(s);
  }
  out.add("elasticity_by_horizon.csv", hz.str());
  out.add("elasticity_summary.csv", sm.str());
  out.add("elasticity_by_horizon.svg", pl.render());
}

}  // namespace

void add_transition_outputs(io::OutputDir& out, const PathEconomy& e, const TransitionRun& run) {
  io::CsvWriter shocks({"shock_1", "specification", "start", "phase_in", "end"});
  for (size_t s = 0; s < run.shocks.size(); ++s) {
    const analysis::Shock& sh = run.shocks[s];
    shocks.cell(static_cast<int>(s + 1)).cell(sh.text).cell(sh.start).cell(sh.phase_in);
    if (sh.end >= 0)
      shocks.cell(sh.end);
    else
      shocks.cell("");
    shocks.end_row();
  }
  out.add("path_shocks.csv", shocks.str());
  prices_and_countries(out, e, run);
  price_figures(out, e, run);
  if (run.welfare) welfare_outputs(out, e, run);
  if (run.elasticities) elasticity_outputs(out, e, run);
}

nlohmann::json transition_json(const PathEconomy& e, const TransitionRun& run) {
  const TransitionResult& r = run.result;
  const int T = e.periods, N = e.initial.size(), c = run.country;
  nlohmann::json j;
  j["status"] = to_string(r.report.status);
  j["message"] = r.report.message;
  j["periods"] = T;
  j["iterations"] = r.iterations;
  j["max_residual"] = finite_or_null(r.report.residual);
  j["settled"] = r.settled;
  j["settle_distance"] = finite_or_null(r.settle_distance);
  j["country"] = e.initial.names[c];
  j["financial"] = world::to_string(e.options.financial);
  std::vector<std::string> specs;
  for (const auto& s : run.shocks) specs.push_back(s.text);
  j["shocks"] = specs;
  j["R_path"] = finite_array(r.prices.R.col(c));
  nlohmann::json wages, ssw, old_w;
  for (int i = 0; i < N; ++i) {
    wages[e.initial.names[i]] = finite_array(r.prices.W.col(i));
    ssw[e.initial.names[i]] = e.new_prices.W(i);
    old_w[e.initial.names[i]] = e.old_prices.W(i);
  }
  j["wages_path"] = wages;
  j["steady_state"] = {{"R", e.new_prices.R(c)}, {"wages", ssw}};
  j["initial_steady_state"] = {{"R", e.old_prices.R(c)}, {"wages", old_w}};
  if (run.welfare) {
    nlohmann::json w = reports::country_welfare_json(run.welfare->welfare);
    w["transition_share_ce"] = finite_or_null(run.welfare->transition_share_ce);
    w["transition_share_ev"] = finite_or_null(run.welfare->transition_share_ev);
    w["transition_share_ev_lump_sum"] = finite_or_null(run.welfare->transition_share_ev_lump_sum);
    j["welfare"] = w;
  }
  if (run.elasticities) {
    const HorizonElasticities& he = *run.elasticities;
    nlohmann::json el;
    for (size_t p = 0; p < he.partners.size(); ++p) {
      const int q = static_cast<int>(p);
      el[e.initial.names[he.partners[p]]] = {
          {"pe", finite_array(he.pe.col(q))},
          {"path", finite_array(he.path.col(q))},
          {"steady_state_pe", finite_or_null(he.steady_state_pe(q))},
          {"steady_state_path", finite_or_null(he.steady_state_path(q))},
          {"import_share", he.import_share(q)}};
    }
    j["elasticity_by_horizon"] = el;
  }
  j["seconds"] = run.seconds;
  j["timings"] = {{"steady_states_seconds", r.seconds_steady_state},
                  {"jacobian_seconds", r.seconds_jacobian},
                  {"newton_seconds", r.seconds_newton},
                  {"welfare_seconds", run.seconds_welfare},
                  {"elasticities_seconds", run.seconds_elasticities}};
  return j;
}

}  // namespace hat::reports
