// hat._hat.dynamic_gft: dynamic gains from trade (Boehm, Levchenko, Pandalai-Nayar and Toma
// 2024; as `hat dynamic gft`): the steady state against autarky, the closed-form gains, the
// static ACR benchmark and the elasticities; the --json object, gains.csv and elasticities.csv.
#include "hat/models/dynamic.hpp"

#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"

namespace hat::python {

namespace {

namespace dyn = hat::dynamic;

// Library errors name the config field ("[model] b: ..."); prefix the file (as the CLI).
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

nlohmann::json vec(const Eigen::VectorXd& v) {
  nlohmann::json a = nlohmann::json::array();
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

struct GftRun {
  nlohmann::json summary;
  std::string gains, elasticities;
};

void run_gft(const Source& src, GftRun& run) {
  const io::ConfigFile file = src.load();
  const std::string path = src.is_path ? src.text_or_path : src.name;
  const dyn::Config c = dyn::load_config(file);
  const dyn::Parameters& p = c.params;
  dyn::SteadyState ss = in_file(path, [&] { return dyn::solve_steady_state(p, c.economy); });
  dyn::SteadyState aut = in_file(path, [&] { return dyn::solve_autarky(p, c.economy); });
  const Eigen::VectorXd gains = ss.consumption.cwiseQuotient(aut.consumption);
  const Eigen::VectorXd formula = dyn::gains_formula(p, ss);
  const Eigen::VectorXd acr = dyn::static_acr_gains(p, ss);
  const dyn::Elasticities el = dyn::elasticities(p);
  const int J = static_cast<int>(c.names.size());
  Eigen::VectorXd rev(J);
  for (int j = 0; j < J; ++j) rev(j) = ss.tariff_revenue(j) / ss.expenditure(j);
  io::CsvWriter g({"country", "measure", "value"});
  add_country_rows(g, c.names, "gains", gains);
  add_country_rows(g, c.names, "gains_formula", formula);
  add_country_rows(g, c.names, "gains_static_acr", acr);
  add_country_rows(g, c.names, "domestic_share", ss.domestic_share);
  add_country_rows(g, c.names, "tariff_revenue_share", rev);
  run.gains = g.str();
  io::CsvWriter e({"measure", "value"});
  e.cell("sigma").cell(p.sigma).end_row();
  e.cell("chi").cell(p.chi).end_row();
  e.cell("short_run_iceberg").cell(el.short_run_iceberg).end_row();
  e.cell("long_run_iceberg").cell(el.long_run_iceberg).end_row();
  e.cell("short_run_tariff").cell(el.short_run_tariff).end_row();
  e.cell("long_run_tariff").cell(el.long_run_tariff).end_row();
  run.elasticities = e.str();
  run.summary = {{"countries", c.names},
                 {"gains", vec(gains)},
                 {"gains_formula", vec(formula)},
                 {"gains_static_acr", vec(acr)},
                 {"domestic_share", vec(ss.domestic_share)},
                 {"long_run_elasticity", el.long_run_iceberg},
                 {"short_run_elasticity", el.short_run_iceberg},
                 {"long_run_tariff_elasticity", el.long_run_tariff},
                 {"short_run_tariff_elasticity", el.short_run_tariff}};
}

py::dict dynamic_gft(const Source& src) {
  GftRun run;
  {
    py::gil_scoped_release nogil;
    run_gft(src, run);
  }
  py::dict d;
  d["summary"] = to_python(run.summary);
  py::dict t;
  t["gains.csv"] = run.gains;
  t["elasticities.csv"] = run.elasticities;
  d["tables"] = t;
  return d;
}

// `hat dynamic steady-state`: countries.csv, bilateral.csv and the --json object.
void run_steady_state(const Source& src, GftRun& run) {
  const io::ConfigFile file = src.load();
  const std::string path = src.is_path ? src.text_or_path : src.name;
  const dyn::Config c = dyn::load_config(file);
  dyn::SteadyState ss = in_file(path, [&] { return dyn::solve_steady_state(c.params, c.economy); });
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
  run.gains = countries.str();
  run.elasticities = pairs.str();
  run.summary = {{"countries", c.names},
                 {"wages", vec(ss.wages)},
                 {"price_index", vec(ss.price_index)},
                 {"consumption", vec(ss.consumption)},
                 {"domestic_share", vec(ss.domestic_share)},
                 {"solver", io::to_json(ss.report)}};
}

// `hat dynamic transition`: path.csv, welfare.csv and the --json object. A path that does not
// converge is returned with its solver status (the command line exits with an error instead).
void run_transition(const Source& src, GftRun& run) {
  const io::ConfigFile file = src.load();
  const std::string path = src.is_path ? src.text_or_path : src.name;
  const dyn::Config c = dyn::load_config(file);
  const dyn::Parameters& p = c.params;
  const dyn::Economy before_e = c.economy, after_e = c.shocked();
  dyn::SteadyState before = in_file(path, [&] { return dyn::solve_steady_state(p, before_e); });
  dyn::SteadyState after = in_file(path, [&] { return dyn::solve_steady_state(p, after_e); });
  dyn::TransitionPath tp = in_file(path, [&] {
    return dyn::solve_transition(p, before_e, after_e, before, after, c.transition);
  });
  const int J = static_cast<int>(c.names.size()), T = c.transition.periods;
  io::CsvWriter pc({"period", "country", "variable", "value"});
  auto add_path = [&](const std::string& var, const Eigen::MatrixXd& m) {
    for (int t = 0; t < T; ++t)
      for (int j = 0; j < J; ++j) pc.cell(t).cell(c.names[j]).cell(var).cell(m(t, j)).end_row();
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
  run.gains = pc.str();
  run.elasticities = welfare.str();
  run.summary = {{"countries", c.names},
                 {"welfare_transition", vec(tp.welfare_transition)},
                 {"welfare_steady_state", vec(tp.welfare_steady_state)},
                 {"welfare_static_acr", vec(tp.welfare_static_acr)},
                 {"terminal_gap", tp.terminal_gap},
                 {"solver", io::to_json(tp.report)}};
}

py::dict dynamic_run(const Source& src, const std::string& command) {
  GftRun run;
  {
    py::gil_scoped_release nogil;
    if (command == "steady-state")
      run_steady_state(src, run);
    else
      run_transition(src, run);
  }
  py::dict d;
  d["summary"] = to_python(run.summary);
  py::dict t;
  const bool ss = command == "steady-state";
  t[ss ? "countries.csv" : "path.csv"] = run.gains;
  t[ss ? "bilateral.csv" : "welfare.csv"] = run.elasticities;
  d["tables"] = t;
  return d;
}

}  // namespace

void register_dynamic(py::module_& m) {
  m.def("dynamic_run", &dynamic_run, py::arg("source"), py::arg("command"),
        "`hat dynamic steady-state` or `hat dynamic transition`");
  m.def("dynamic_gft", &dynamic_gft, py::arg("source"),
        "Dynamic gains from trade (as `hat dynamic gft`)");
}

}  // namespace hat::python
