// The outputs of counterfactual experiments and studies (see counterfactual.hpp).
#include "hat/reports/counterfactual.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/reports/welfare.hpp"
#include "hat/world/config.hpp"

namespace hat::reports {

namespace {

std::string scenario_label(const std::string& s) {
  return s == "pe" ? "PE (W, R fixed)" : "GE";
}

}  // namespace

std::string welfare_readme(const world::World& w,
                           const std::vector<analysis::ExperimentResult>& results,
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
  for (const analysis::ExperimentResult& r : results)
    for (size_t c = 0; c < r.welfare.size(); ++c) {
      const analysis::CountryWelfare& cw = r.welfare[c];
      for (const analysis::ScenarioWelfare& sw : cw.scenarios)
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
void price_and_share_rows(const world::World& w, const analysis::ExperimentResult& r,
                          io::CsvWriter& prices, io::CsvWriter& shares) {
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
                         const analysis::CountryWelfare& cw, int Na) {
  for (const auto& g : analysis::welfare_groupings()) {
    io::BarChart bc;
    const int G = static_cast<int>(cw.scenarios[0].ev_groups.at(g).size());
    bc.title = fmt::format("{}: welfare of {} households by {} {}", en, cn, g, bin_name(G));
    bc.ylabel = "equivalent variation (% of period wealth)";
    for (int q = 1; q <= G; ++q)
      bc.categories.push_back(q == 1   ? "1 (poorest)"
                              : q == G ? fmt::format("{} (richest)", q)
                                       : std::to_string(q));
    for (const analysis::ScenarioWelfare& sw : cw.scenarios) {
      bc.group_labels.push_back(scenario_label(sw.scenario));
      std::vector<double> v;
      for (int q = 0; q < sw.ev_groups.at(g).size(); ++q)
        v.push_back(100.0 * sw.ev_groups.at(g)(q));
      bc.values.push_back(v);
    }
    out.add(fmt::format("welfare_{}_{}_{}.svg", en, cn, g), bc.render());
  }
  const analysis::ScenarioWelfare& ge = cw.scenarios.back();
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
                            const std::vector<analysis::ExperimentResult>& results,
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
                                const std::vector<analysis::ExperimentResult>& results,
                                const std::vector<int>& countries) {
  WelfareTables tables;
  io::CsvWriter prices({"experiment", "country", "variable", "old", "new"});
  io::CsvWriter shares({"experiment", "importer", "exporter", "share_old", "share_new"});
  io::CsvWriter shocks({"experiment", "shock_1", "specification", "source"});
  for (const analysis::ExperimentResult& r : results) {
    const std::string& en = r.experiment.name;
    for (size_t s = 0; s < r.experiment.shocks.size(); ++s)
      shocks.cell(en)
          .cell(static_cast<int>(s + 1))
          .cell(r.experiment.shocks[s].text)
          .cell(r.experiment.source)
          .end_row();
    price_and_share_rows(w, r, prices, shares);
    for (size_t c = 0; c < r.welfare.size(); ++c) {
      const analysis::CountryWelfare& cw = r.welfare[c];
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

nlohmann::json experiment_json(const world::World& w, const analysis::ExperimentResult& r,
                               int country) {
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
  for (const analysis::CountryWelfare& cw : r.welfare) {
    const nlohmann::json wj = country_welfare_json(cw);
    if (cw.country == country) j["welfare"] = wj;
    by_country[w.names[cw.country]] = wj;
  }
  if (r.welfare.size() > 1) j["welfare_by_country"] = by_country;
  return j;
}

nlohmann::json counterfactual_summary(const analysis::CounterfactualStudy& st) {
  const world::World& w = st.world;
  const int country = st.country;
  nlohmann::json summary;
  summary["status"] = to_string(st.status);
  summary["country"] = w.names[country];
  summary["baseline"] = {{"status", to_string(st.baseline_report.status)},
                         {"message", st.baseline_report.message},
                         {"residual", st.baseline_report.residual},
                         {"R", st.baseline.prices.R(country)},
                         {"beta", st.baseline.prices.beta}};
  nlohmann::json wages;
  for (int i = 0; i < w.size(); ++i) wages[w.names[i]] = st.baseline.prices.W(i);
  summary["baseline"]["wages"] = wages;
  summary["experiments"] = nlohmann::json::array();
  for (const auto& r : st.results) summary["experiments"].push_back(experiment_json(w, r, country));
  if (st.results.size() == 1)
    for (const char* k : {"R_new", "wages_new", "welfare"})
      summary[k] = summary["experiments"][0][k];
  summary["seconds"] = st.seconds;
  return summary;
}

nlohmann::json acr_elasticities_json(const analysis::CounterfactualStudy& st) {
  const world::World& w = st.world;
  nlohmann::json el;
  for (size_t c = 0; c < st.elasticities.size(); ++c) {
    nlohmann::json by;
    for (const auto& b : st.elasticities[c].partners) by[w.names[b.partner]] = b.theta;
    el[w.names[st.countries[c]]] = {{"theta_trade_weighted", st.theta_trade_weighted[c]},
                                    {"theta", by},
                                    {"solver", io::to_json(st.elasticities[c].report)}};
  }
  return el;
}

}  // namespace hat::reports
