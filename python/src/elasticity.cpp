// hat._hat.elasticity: partial-equilibrium trade elasticities of one country at the world's
// equilibrium prices (Proposition 1; as `hat elasticity`): the --json object and the table
// elasticities.csv.
#include "hat/analysis/elasticity.hpp"

#include "baseline.hpp"
#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"
#include "hat/world/config.hpp"

namespace hat::python {

namespace {

struct ElRequest {
  std::string country, partner, distribution = "fixed";
  bool solve = true, richardson = false;
  double step = 1e-5, tolerance = 1e-13;
};

struct ElRun {
  nlohmann::json summary;
  std::string csv;
};

void run_elasticity(const Source& src, const ElRequest& a, int threads, py::handle progress,
                    ElRun& run) {
  Timer timer;
  world::WorldConfig wc = world::read_world_config(src.load());
  set_threads(threads > 0 ? threads : wc.threads);
  const world::World& w = wc.world;
  const int i = world::country_index(w, a.country, "--country");
  std::vector<int> partners;
  if (!a.partner.empty()) {
    const int j = world::country_index(w, a.partner, "--partner");
    if (j == i) throw InputError("--partner: must differ from --country");
    partners.push_back(j);
  } else {
    for (int j = 0; j < w.size(); ++j)
      if (j != i) partners.push_back(j);
  }
  if (partners.empty()) throw InputError("--country: the world has no trading partners");
  analysis::ElasticityOptions opt;
  opt.distribution = analysis::parse_distribution_mode(a.distribution, "--distribution");
  if (!(a.step > 0 && a.step <= 0.1)) throw InputError("--step: expected 0 < step <= 0.1");
  opt.step = a.step;
  if (!(a.tolerance > 0 && a.tolerance < 1e-6))
    throw InputError("--tolerance: expected 0 < tolerance < 1e-6");
  opt.household.tolerance = opt.household.value_tolerance = a.tolerance;
  opt.richardson = a.richardson;
  wc.options.progress = evaluation_hook(progress, "equilibrium");
  Baseline base = baseline_world(wc, a.solve);
  const world::CountryState& cs = base.state.countries[i];
  Timer et;
  analysis::CountryElasticities ce = analysis::country_elasticities(
      cs.problem, cs.solution, cs.distribution.mass, i, partners, opt);
  const double elasticity_seconds = et.seconds();

  nlohmann::json& s = run.summary;
  s["country"] = w.names[i];
  s["distribution"] = analysis::to_string(opt.distribution);
  s["baseline"] = baseline_json(base);
  nlohmann::json theta, dec, shares;
  for (const auto& b : ce.partners) {
    theta[w.names[b.partner]] = b.theta;
    dec[w.names[b.partner]] = {{"intensive", b.intensive},
                               {"extensive", b.extensive},
                               {"distribution", b.distribution},
                               {"residual", b.decomposition_residual}};
    shares[w.names[b.partner]] = b.import_share;
  }
  s["theta"] = theta;
  s["theta_trade_weighted"] = ce.theta_trade_weighted;
  s["decomposition"] = dec;
  s["import_shares"] = shares;
  s["status"] = to_string(ce.report.status);
  s["message"] = ce.report.message;
  s["step"] = opt.step;
  s["richardson"] = opt.richardson;
  s["elasticity_seconds"] = elasticity_seconds;
  s["seconds"] = timer.seconds();

  // elasticities.csv of `hat elasticity`.
  io::CsvWriter el(
      {"importer", "exporter", "distribution", "import_share", "margin", "elasticity"});
  for (const auto& b : ce.partners) {
    const std::pair<const char*, double> rows[] = {
        {"total", b.theta},
        {"intensive", b.intensive},
        {"extensive", b.extensive},
        {"distribution", b.distribution},
        {"decomposition_residual", b.decomposition_residual}};
    for (const auto& [m, v] : rows) {
      el.cell(w.names[i]).cell(w.names[b.partner]).cell(analysis::to_string(opt.distribution));
      el.cell(b.import_share).cell(m).cell(v).end_row();
    }
  }
  run.csv = el.str();
}

py::dict elasticity(const Source& src, const ElRequest& a, int threads, py::object progress) {
  ElRun run;
  {
    py::gil_scoped_release nogil;
    run_elasticity(src, a, threads, progress, run);
  }
  py::dict d;
  d["summary"] = to_python(run.summary);
  py::dict t;
  t["elasticities.csv"] = run.csv;
  d["tables"] = t;
  return d;
}

}  // namespace

void register_elasticity(py::module_& m) {
  py::class_<ElRequest>(m, "ElasticityRequest")
      .def(py::init<>())
      .def_readwrite("country", &ElRequest::country)
      .def_readwrite("partner", &ElRequest::partner)
      .def_readwrite("distribution", &ElRequest::distribution)
      .def_readwrite("solve", &ElRequest::solve)
      .def_readwrite("richardson", &ElRequest::richardson)
      .def_readwrite("step", &ElRequest::step)
      .def_readwrite("tolerance", &ElRequest::tolerance);
  m.def("elasticity", &elasticity, py::arg("source"), py::arg("request"), py::arg("threads") = 0,
        py::arg("progress") = py::none(),
        "Partial-equilibrium trade elasticities of one country (as `hat elasticity`)");
}

}  // namespace hat::python
