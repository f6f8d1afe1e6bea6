// The reports of the dynamic model's studies (models/dynamic_study.hpp): the --json objects,
// the tidy tables and the figures.
#include "hat/reports/dynamic.hpp"

#include <vector>

#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/svg_plot.hpp"

namespace hat::reports {

using namespace dynamic;
using nlohmann::json;

namespace {

json vec(const Eigen::VectorXd& v) {
  json a = json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(v(i));
  return a;
}

void add_country_rows(io::CsvWriter& w, const std::vector<std::string>& names,
                      const std::string& variable, const Eigen::VectorXd& v) {
  for (size_t j = 0; j < names.size(); ++j)
    w.cell(names[j]).cell(variable).cell(v(static_cast<Eigen::Index>(j))).end_row();
}

void add_pair_rows(io::CsvWriter& w, const std::vector<std::string>& names,
                   const std::string& variable, const Eigen::MatrixXd& m) {
  for (size_t d = 0; d < names.size(); ++d)
    for (size_t o = 0; o < names.size(); ++o)
      w.cell(names[d])
          .cell(names[o])
          .cell(variable)
          .cell(m(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(o)))
          .end_row();
}

}  // namespace

json dynamic_parameters_json(const Config& c) {
  const Parameters& p = c.params;
  json j = {{"variant", to_string(p.variant)},
            {"sigma", p.sigma},
            {"chi", p.chi},
            {"delta", p.delta},
            {"beta", p.beta},
            {"gamma", p.gamma}};
  if (p.variant == Variant::CustomerBase)
    j["zeta"] = p.zeta;
  else
    j["b"] = p.b;
  if (p.variant == Variant::MelitzPareto) {
    j["theta"] = p.theta;
    j["fixed_cost"] = p.fixed_cost;
  }
  j["sigma_chi_from_elasticities"] = c.from_elasticities;
  if (c.from_elasticities) {
    j["short_run_input"] = c.short_run;
    j["long_run_input"] = c.long_run;
  }
  return j;
}

json dynamic_gft_json(const GftStudy& st) {
  const Elasticities& el = st.elasticities;
  return {{"status", to_string(st.status())},
          {"countries", st.config.names},
          {"gains", vec(st.gains)},
          {"gains_formula", vec(st.formula)},
          {"gains_static_acr", vec(st.acr)},
          {"domestic_share", vec(st.steady_state.domestic_share)},
          {"long_run_elasticity", el.long_run_iceberg},
          {"short_run_elasticity", el.short_run_iceberg},
          {"long_run_tariff_elasticity", el.long_run_tariff},
          {"short_run_tariff_elasticity", el.short_run_tariff}};
}

void add_gft_outputs(io::OutputDir& out, const GftStudy& st) {
  const Config& c = st.config;
  const Parameters& p = c.params;
  const Elasticities& el = st.elasticities;
  io::CsvWriter g({"country", "measure", "value"});
  add_country_rows(g, c.names, "gains", st.gains);
  add_country_rows(g, c.names, "gains_formula", st.formula);
  add_country_rows(g, c.names, "gains_static_acr", st.acr);
  add_country_rows(g, c.names, "domestic_share", st.steady_state.domestic_share);
  add_country_rows(g, c.names, "tariff_revenue_share", st.tariff_revenue_share);
  io::CsvWriter e({"measure", "value"});
  e.cell("sigma").cell(p.sigma).end_row();
  e.cell("chi").cell(p.chi).end_row();
  e.cell("short_run_iceberg").cell(el.short_run_iceberg).end_row();
  e.cell("long_run_iceberg").cell(el.long_run_iceberg).end_row();
  e.cell("short_run_tariff").cell(el.short_run_tariff).end_row();
  e.cell("long_run_tariff").cell(el.long_run_tariff).end_row();
  const int J = static_cast<int>(c.names.size());
  io::BarChart chart;
  chart.title = "Gains from trade (percent of autarky consumption)";
  chart.ylabel = "percent";
  chart.categories = c.names;
  chart.group_labels = {"static ACR (short-run elasticity)", "dynamic steady state"};
  chart.values.assign(2, std::vector<double>(J));
  for (int j = 0; j < J; ++j) {
    chart.values[0][j] = 100 * (st.acr(j) - 1);
    chart.values[1][j] = 100 * (st.gains(j) - 1);
  }
  out.add("gains.csv", g.str());
  out.add("dynamic_elasticities.csv", e.str());
  out.add("gains.svg", chart.render());
}

json dynamic_steady_state_json(const SteadyStateStudy& st) {
  const SteadyState& ss = st.steady_state;
  return {{"status", to_string(st.status())},
          {"countries", st.config.names},
          {"wages", vec(ss.wages)},
          {"price_index", vec(ss.price_index)},
          {"consumption", vec(ss.consumption)},
          {"domestic_share", vec(ss.domestic_share)},
          {"solver", io::to_json(ss.report)}};
}

void add_dynamic_steady_state_outputs(io::OutputDir& out, const SteadyStateStudy& st) {
  const Config& c = st.config;
  const SteadyState& ss = st.steady_state;
  io::CsvWriter countries({"country", "variable", "value"});
  add_country_rows(countries, c.names, "wage", ss.wages);
  add_country_rows(countries, c.names, "price_index", ss.price_index);
  add_country_rows(countries, c.names, "expenditure", ss.expenditure);
  add_country_rows(countries, c.names, "consumption", ss.consumption);
  add_country_rows(countries, c.names, "profits", ss.profits);
  add_country_rows(countries, c.names, "tariff_revenue", ss.tariff_revenue);
  add_country_rows(countries, c.names, "entry_labor", ss.entry_labor);
  add_country_rows(countries, c.names, "domestic_share", ss.domestic_share);
  io::CsvWriter pairs({"importer", "exporter", "variable", "value"});
  add_pair_rows(pairs, c.names, "trade_cost", c.economy.kappa);
  add_pair_rows(pairs, c.names, "tariff", c.economy.tariff);
  add_pair_rows(pairs, c.names, "mass", ss.mass);
  add_pair_rows(pairs, c.names, "sales_per_firm", ss.sales_per_firm);
  add_pair_rows(pairs, c.names, "flows", ss.flows);
  add_pair_rows(pairs, c.names, "expenditure_share", ss.shares);
  add_pair_rows(pairs, c.names, "value", ss.value);
  add_pair_rows(pairs, c.names, "entry_rate", ss.entry_rate);
  if (c.params.variant == Variant::MelitzPareto)
    add_pair_rows(pairs, c.names, "productivity_cutoff", ss.cutoff);
  out.add("dynamic_countries.csv", countries.str());
  out.add("bilateral.csv", pairs.str());
}

json dynamic_path_json(const TransitionStudy& st) {
  const TransitionPath& tp = st.path;
  return {{"status", to_string(st.status())},
          {"countries", st.config.names},
          {"welfare_transition", vec(tp.welfare_transition)},
          {"welfare_steady_state", vec(tp.welfare_steady_state)},
          {"welfare_static_acr", vec(tp.welfare_static_acr)},
          {"terminal_gap", tp.terminal_gap},
          {"solver", io::to_json(tp.report)}};
}

namespace {

io::BarChart welfare_chart(const TransitionStudy& st) {
  const TransitionPath& tp = st.path;
  const int J = static_cast<int>(st.config.names.size());
  io::BarChart chart;
  chart.title = "Welfare change from the shock (consumption equivalent, percent)";
  chart.ylabel = "percent";
  chart.categories = st.config.names;
  chart.group_labels = {"static ACR (short-run elasticity)", "dynamic steady state",
                        "with transition path"};
  chart.values.assign(3, std::vector<double>(J));
  for (int j = 0; j < J; ++j) {
    chart.values[0][j] = 100 * tp.welfare_static_acr(j);
    chart.values[1][j] = 100 * tp.welfare_steady_state(j);
    chart.values[2][j] = 100 * tp.welfare_transition(j);
  }
  return chart;
}

io::Plot consumption_plot(const TransitionStudy& st) {
  const Config& c = st.config;
  const int J = static_cast<int>(c.names.size()), T = c.transition.periods;
  io::Plot plot;
  plot.title = "Consumption relative to the initial steady state";
  plot.xlabel = "period";
  plot.ylabel = "C_t / C_old";
  for (int j = 0; j < J; ++j) {
    io::Series s;
    s.label = c.names[j];
    for (int t = 0; t < T; ++t) {
      s.x.push_back(t);
      s.y.push_back(st.path.consumption(t, j) / st.before.consumption(j));
    }
    plot.series.push_back(std::move(s));
  }
  return plot;
}

}  // namespace

void add_dynamic_path_outputs(io::OutputDir& out, const TransitionStudy& st) {
  const Config& c = st.config;
  const TransitionPath& tp = st.path;
  const int J = static_cast<int>(c.names.size()), T = c.transition.periods;
  io::CsvWriter path({"period", "country", "variable", "value"});
  auto add_path = [&](const std::string& var, const Eigen::MatrixXd& m) {
    for (int t = 0; t < T; ++t)
      for (int j = 0; j < J; ++j) path.cell(t).cell(c.names[j]).cell(var).cell(m(t, j)).end_row();
  };
  add_path("wage", tp.wages);
  add_path("price_index", tp.price_index);
  add_path("expenditure", tp.expenditure);
  add_path("consumption", tp.consumption);
  add_path("domestic_share", tp.domestic_share);
  io::CsvWriter welfare({"country", "measure", "value"});
  add_country_rows(welfare, c.names, "welfare_transition", tp.welfare_transition);
  add_country_rows(welfare, c.names, "welfare_steady_state", tp.welfare_steady_state);
  add_country_rows(welfare, c.names, "welfare_steady_state_formula", tp.welfare_formula);
  add_country_rows(welfare, c.names, "welfare_static_acr", tp.welfare_static_acr);
  out.add("path.csv", path.str());
  out.add("welfare.csv", welfare.str());
  out.add("welfare.svg", welfare_chart(st).render());
  out.add("consumption.svg", consumption_plot(st).render());
}

}  // namespace hat::reports
