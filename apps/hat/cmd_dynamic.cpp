// `hat dynamic gft|steady-state|transition CONFIG.toml --out DIR [--json]`: dynamic gains from
// trade (Boehm, Levchenko, Pandalai-Nayar and Toma 2024; docs/dynamic.md).
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "commands.hpp"
#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/config.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/models/dynamic.hpp"

namespace hat::cli {

namespace {

using nlohmann::json;
namespace dyn = hat::dynamic;

struct DynamicOptions {
  std::string config, out;
  bool json = false;
};

// Library errors name the config field ("[model] b: ..."); prefix the file.
template <typename F>
auto in_file(const std::string& path, F&& f) {
  try {
    return f();
  } catch (const InputError& e) {
    const std::string msg = e.what();
    if (!msg.empty() && msg[0] == '[') throw InputError(path + ": " + msg);
    throw;
  }
}

json vec(const Eigen::VectorXd& v) {
  json a = json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(v(i));
  return a;
}

json parameters_json(const dyn::Config& c) {
  const dyn::Parameters& p = c.params;
  json j = {{"variant", dyn::to_string(p.variant)},
            {"sigma", p.sigma},
            {"chi", p.chi},
            {"delta", p.delta},
            {"beta", p.beta},
            {"gamma", p.gamma}};
  if (p.variant == dyn::Variant::CustomerBase)
    j["zeta"] = p.zeta;
  else
    j["b"] = p.b;
  if (p.variant == dyn::Variant::MelitzPareto) {
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

struct Loaded {
  io::ConfigFile file;
  dyn::Config config;
};

Loaded load(const std::string& path) {
  Loaded l{io::ConfigFile::load(path), {}};
  l.config = dyn::load_config(l.file);
  return l;
}

json base_manifest(const std::string& command, const Loaded& l) {
  json m = io::manifest("dynamic " + command);
  io::manifest_add_input(m, l.file.path(), l.file.text());
  if (!l.config.calibration_file.empty()) {
    std::ifstream in(l.config.calibration_file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    io::manifest_add_input(m, l.config.calibration_file, text.str());
  }
  m["parameters"] = parameters_json(l.config);
  m["countries"] = l.config.names;
  return m;
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

void run_steady_state(const DynamicOptions& o) {
  Timer timer;
  Loaded l = load(o.config);
  const dyn::Config& c = l.config;
  progress("dynamic steady-state: {} countries, {} model", c.names.size(),
           dyn::to_string(c.params.variant));
  dyn::SteadyState ss =
      in_file(o.config, [&] { return dyn::solve_steady_state(c.params, c.economy); });
  const double check = dyn::structural_residual(c.params, c.economy, ss);

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
  if (c.params.variant == dyn::Variant::MelitzPareto)
    add_pair_rows(pairs, c.names, "productivity_cutoff", ss.cutoff);

  json m = base_manifest("steady-state", l);
  m["solver"] = io::to_json(ss.report);
  m["structural_residual"] = check;
  m["seconds"] = timer.seconds();
  io::OutputDir out(o.out);
  out.add("countries.csv", countries.str());
  out.add("bilateral.csv", pairs.str());
  out.add_json("manifest.json", m);
  out.commit();
  progress("wrote {} ({:.3f} s, residual {:.2e})", o.out, timer.seconds(), ss.report.residual);
  if (o.json)
    print_json({{"countries", c.names},
                {"wages", vec(ss.wages)},
                {"price_index", vec(ss.price_index)},
                {"consumption", vec(ss.consumption)},
                {"domestic_share", vec(ss.domestic_share)},
                {"solver", io::to_json(ss.report)}});
}

void run_gft(const DynamicOptions& o) {
  Timer timer;
  Loaded l = load(o.config);
  const dyn::Config& c = l.config;
  const dyn::Parameters& p = c.params;
  progress("dynamic gft: {} countries, sigma {:.6g}, chi {:.6g}", c.names.size(), p.sigma, p.chi);
  dyn::SteadyState ss = in_file(o.config, [&] { return dyn::solve_steady_state(p, c.economy); });
  dyn::SteadyState aut = in_file(o.config, [&] { return dyn::solve_autarky(p, c.economy); });
  const Eigen::VectorXd gains = ss.consumption.cwiseQuotient(aut.consumption);
  const Eigen::VectorXd formula = dyn::gains_formula(p, ss);
  const Eigen::VectorXd acr = dyn::static_acr_gains(p, ss);
  const dyn::Elasticities el = dyn::elasticities(p);
  const int J = static_cast<int>(c.names.size());
  Eigen::VectorXd rev(J);
  for (int j = 0; j < J; ++j) rev(j) = ss.tariff_revenue(j) / ss.expenditure(j);
  const double gap = (gains.array() / formula.array() - 1).abs().maxCoeff();

  io::CsvWriter g({"country", "measure", "value"});
  add_country_rows(g, c.names, "gains", gains);
  add_country_rows(g, c.names, "gains_formula", formula);
  add_country_rows(g, c.names, "gains_static_acr", acr);
  add_country_rows(g, c.names, "domestic_share", ss.domestic_share);
  add_country_rows(g, c.names, "tariff_revenue_share", rev);
  io::CsvWriter e({"measure", "value"});
  e.cell("sigma").cell(p.sigma).end_row();
  e.cell("chi").cell(p.chi).end_row();
  e.cell("short_run_iceberg").cell(el.short_run_iceberg).end_row();
  e.cell("long_run_iceberg").cell(el.long_run_iceberg).end_row();
  e.cell("short_run_tariff").cell(el.short_run_tariff).end_row();
  e.cell("long_run_tariff").cell(el.long_run_tariff).end_row();

  io::BarChart chart;
  chart.title = "Gains from trade (percent of autarky consumption)";
  chart.ylabel = "percent";
  chart.categories = c.names;
  chart.group_labels = {"static ACR (short-run elasticity)", "dynamic steady state"};
  chart.values.assign(2, std::vector<double>(J));
  for (int j = 0; j < J; ++j) {
    chart.values[0][j] = 100 * (acr(j) - 1);
    chart.values[1][j] = 100 * (gains(j) - 1);
  }

  json m = base_manifest("gft", l);
  m["solver"] = {{"steady_state", io::to_json(ss.report)}, {"autarky", io::to_json(aut.report)}};
  m["max_relative_gap_computed_vs_formula"] = gap;
  m["seconds"] = timer.seconds();
  io::OutputDir out(o.out);
  out.add("gains.csv", g.str());
  out.add("elasticities.csv", e.str());
  out.add("gains.svg", chart.render());
  out.add_json("manifest.json", m);
  out.commit();
  progress("wrote {} ({:.3f} s; computed vs formula gap {:.2e})", o.out, timer.seconds(), gap);
  if (o.json)
    print_json({{"countries", c.names},
                {"gains", vec(gains)},
                {"gains_formula", vec(formula)},
                {"gains_static_acr", vec(acr)},
                {"domestic_share", vec(ss.domestic_share)},
                {"long_run_elasticity", el.long_run_iceberg},
                {"short_run_elasticity", el.short_run_iceberg},
                {"long_run_tariff_elasticity", el.long_run_tariff},
                {"short_run_tariff_elasticity", el.short_run_tariff}});
}

void run_transition(const DynamicOptions& o) {
  Timer timer;
  Loaded l = load(o.config);
  const dyn::Config& c = l.config;
  const dyn::Parameters& p = c.params;
  const dyn::Economy before_e = c.economy, after_e = c.shocked();
  progress("dynamic transition: {} countries, T = {}, trade_cost_factor {:.6g}", c.names.size(),
           c.transition.periods, c.trade_cost_factor);
  dyn::SteadyState before = in_file(o.config, [&] { return dyn::solve_steady_state(p, before_e); });
  dyn::SteadyState after = in_file(o.config, [&] { return dyn::solve_steady_state(p, after_e); });
  dyn::TransitionPath tp = in_file(o.config, [&] {
    return dyn::solve_transition(p, before_e, after_e, before, after, c.transition);
  });
  if (!tp.report.converged())
    throw NumericalError("dynamic transition: " + tp.report.message + " after " +
                         std::to_string(tp.report.iterations) + " sweeps (residual " +
                         fmt::format("{:.3g}", tp.report.residual) +
                         "); raise [transition] max_sweeps or periods");
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

  io::BarChart chart;
  chart.title = "Welfare change from the shock (consumption equivalent, percent)";
  chart.ylabel = "percent";
  chart.categories = c.names;
  chart.group_labels = {"static ACR (short-run elasticity)", "dynamic steady state",
                        "with transition path"};
  chart.values.assign(3, std::vector<double>(J));
  for (int j = 0; j < J; ++j) {
    chart.values[0][j] = tp.welfare_static_acr(j);
    chart.values[1][j] = tp.welfare_steady_state(j);
    chart.values[2][j] = tp.welfare_transition(j);
  }
  io::Plot plot;
  plot.title = "Consumption relative to the initial steady state";
  plot.xlabel = "period";
  plot.ylabel = "C_t / C_old";
  for (int j = 0; j < J; ++j) {
    io::Series s;
    s.label = c.names[j];
    for (int t = 0; t < T; ++t) {
      s.x.push_back(t);
      s.y.push_back(tp.consumption(t, j) / before.consumption(j));
    }
    plot.series.push_back(std::move(s));
  }

  json m = base_manifest("transition", l);
  m["shock"] = {{"trade_cost_factor", c.trade_cost_factor}, {"tariffs_changed", c.shock_tariffs}};
  m["periods"] = T;
  m["solver"] = {{"steady_state_before", io::to_json(before.report)},
                 {"steady_state_after", io::to_json(after.report)},
                 {"transition", io::to_json(tp.report)}};
  m["max_period_residual"] = tp.max_period_residual;
  m["terminal_gap_log_mass"] = tp.terminal_gap;
  m["seconds"] = timer.seconds();
  io::OutputDir out(o.out);
  out.add("path.csv", path.str());
  out.add("welfare.csv", welfare.str());
  out.add("welfare.svg", chart.render());
  out.add("consumption.svg", plot.render());
  out.add_json("manifest.json", m);
  out.commit();
  progress("wrote {} ({:.3f} s, {} sweeps, terminal gap {:.2e})", o.out, timer.seconds(),
           tp.report.iterations, tp.terminal_gap);
  if (tp.terminal_gap > 1e-4)
    progress(
        "warning: n_T is {:.2e} (log) away from the new steady state; raise [transition] periods",
        tp.terminal_gap);
  if (o.json)
    print_json({{"countries", c.names},
                {"welfare_transition", vec(tp.welfare_transition)},
                {"welfare_steady_state", vec(tp.welfare_steady_state)},
                {"welfare_static_acr", vec(tp.welfare_static_acr)},
                {"terminal_gap", tp.terminal_gap},
                {"solver", io::to_json(tp.report)}});
}

void add(CLI::App& parent, const std::string& name, const std::string& help,
         void (*run)(const DynamicOptions&)) {
  auto opts = std::make_shared<DynamicOptions>();
  CLI::App* sub = parent.add_subcommand(name, help);
  sub->add_option("config", opts->config, "TOML configuration (docs/dynamic.md)")->required();
  sub->add_option("--out", opts->out, "output directory (written atomically)")->required();
  sub->add_flag("--json", opts->json, "print a JSON summary on stdout");
  sub->callback([opts, run, name] {
    marking_failure(opts->out, "dynamic " + name, opts->config, [&] { run(*opts); });
  });
}

}  // namespace

void register_dynamic(CLI::App& app) {
  CLI::App* dynamic = app.add_subcommand(
      "dynamic", "dynamic gains from trade (Boehm, Levchenko, Pandalai-Nayar and Toma)");
  dynamic->require_subcommand(1);
  add(*dynamic, "gft", "steady-state gains from trade vs autarky, formula and static ACR", run_gft);
  add(*dynamic, "steady-state", "steady state of the dynamic model", run_steady_state);
  add(*dynamic, "transition", "transition path after the [shock], welfare comparison",
      run_transition);
}

}  // namespace hat::cli
