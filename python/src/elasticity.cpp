// hat._hat.elasticity: partial-equilibrium trade elasticities of one country at the world's
// equilibrium prices (Proposition 1; as `hat elasticity`): the --json object and the CSV tables
// (elasticities.csv, micro_elasticities.csv, expenditure_shares_by_state.csv).
#include "hat/reports/elasticity.hpp"

#include "common.hpp"
#include "hat/analysis/elasticity_study.hpp"
#include "hat/estimation/world_from_data.hpp"
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
  io::OutputDir out{""};
};

void run_elasticity(const Source& src, const ElRequest& a, int threads, py::handle progress,
                    ElRun& run) {
  world::WorldConfig wc = estimation::read_world_config(src.load(), data_dir_arg());
  set_threads(threads > 0 ? threads : wc.threads);
  const analysis::ElasticityStudyOptions so{.country = a.country,
                                            .partner = a.partner,
                                            .distribution = a.distribution,
                                            .solve = a.solve,
                                            .richardson = a.richardson,
                                            .step = a.step,
                                            .tolerance = a.tolerance};
  const analysis::ElasticityStudy st =
      analysis::run_elasticity_study(wc, so, message_hook(progress));
  run.summary = reports::elasticity_summary(st);
  reports::add_elasticity_outputs(run.out, st);
}

py::dict elasticity(const Source& src, const ElRequest& a, int threads, py::object progress) {
  ElRun run;
  {
    py::gil_scoped_release nogil;
    run_elasticity(src, a, threads, progress, run);
  }
  py::dict d;
  d["summary"] = to_python(run.summary);
  d["tables"] = tables(run.out);
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
