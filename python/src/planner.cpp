// hat._hat.planner: the efficient allocation (Propositions 4 and 5; as `hat planner`) and, for
// a reporting country, its decentralised and efficient imports by source: the --json object
// and the CSV tables of `hat planner`.
#include "hat/reports/planner.hpp"

#include "common.hpp"
#include "hat/analysis/planner_study.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/world/config.hpp"

namespace hat::python {

namespace {

struct PlRequest {
  std::string country, weights = "tfp";
  bool solve = true;
};

struct PlRun {
  nlohmann::json summary;
  io::OutputDir out{""};
};

void run_planner(const Source& src, const PlRequest& r, int threads, py::handle progress,
                 PlRun& run) {
  world::WorldConfig wc = estimation::read_world_config(src.load(), data_dir_arg());
  set_threads(threads > 0 ? threads : wc.threads);
  const analysis::PlannerStudyOptions so{
      .weights = r.weights, .country = r.country, .solve = r.solve};
  const analysis::PlannerStudy st = analysis::run_planner_study(wc, so, message_hook(progress));
  run.summary = reports::planner_summary(st);
  reports::add_planner_outputs(run.out, st);
}

py::dict planner(const Source& src, const PlRequest& r, int threads, py::object progress) {
  PlRun run;
  {
    py::gil_scoped_release nogil;
    run_planner(src, r, threads, progress, run);
  }
  py::dict d;
  d["summary"] = to_python(run.summary);
  d["tables"] = tables(run.out);
  return d;
}

}  // namespace

void register_planner(py::module_& m) {
  py::class_<PlRequest>(m, "PlannerRequest")
      .def(py::init<>())
      .def_readwrite("country", &PlRequest::country)
      .def_readwrite("weights", &PlRequest::weights)
      .def_readwrite("solve", &PlRequest::solve);
  m.def("planner", &planner, py::arg("source"), py::arg("request"), py::arg("threads") = 0,
        py::arg("progress") = py::none(), "The efficient allocation (as `hat planner`)");
}

}  // namespace hat::python
