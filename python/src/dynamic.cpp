// hat._hat.dynamic_gft: dynamic gains from trade (Boehm, Levchenko, Pandalai-Nayar and Toma
// 2024; as `hat dynamic gft`): the steady state against autarky, the closed-form gains, the
// static ACR benchmark and the elasticities; the --json object, gains.csv and elasticities.csv.
#include "hat/models/dynamic.hpp"

#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/io/csv.hpp"

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

}  // namespace

void register_dynamic(py::module_& m) {
  m.def("dynamic_gft", &dynamic_gft, py::arg("source"),
        "Dynamic gains from trade (as `hat dynamic gft`)");
}

}  // namespace hat::python
