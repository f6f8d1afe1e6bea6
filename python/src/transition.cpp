// hat._hat.transition: the perfect-foresight transition after trade shocks (as `hat
// transition`): baseline, terminal steady state, the path, welfare including the transition and
// trade elasticities by horizon; returns the --json object and the CSV tables.
#include "hat/reports/transition.hpp"

#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/transition/study.hpp"
#include "hat/world/config.hpp"

namespace hat::python {

namespace {

struct TrRequest {
  std::vector<std::string> shocks;
  std::string country;
  int periods = 300, max_iterations = 40, foreign_horizon = 1;
  double tolerance = 1e-9;
  bool welfare = true, elasticities = true;
};

struct TrRun {
  nlohmann::json summary;
  io::OutputDir out{""};
};

void run_transition(const Source& src, const TrRequest& a, int threads, py::handle progress,
                    TrRun& out) {
  world::WorldConfig wc = estimation::read_world_config(src.load(), data_dir_arg());
  set_threads(threads > 0 ? threads : wc.threads);
  transition::StudyRequest req;
  for (const std::string& s : a.shocks) req.shocks.push_back(analysis::parse_shock_spec(s));
  req.country = a.country;
  req.periods = a.periods;
  req.tolerance = a.tolerance;
  req.max_iterations = a.max_iterations;
  req.foreign_horizon = a.foreign_horizon;
  req.welfare = a.welfare;
  req.elasticities = a.elasticities;
  const transition::Study st = transition::run_study(std::move(wc), req, message_hook(progress));
  if (!st.baseline.report.converged())
    throw NumericalError("baseline equilibrium: " + st.baseline.report.message);
  out.summary = reports::transition_json(st.economy, st.run);
  reports::add_transition_outputs(out.out, st.economy, st.run);
}

py::dict transition(const Source& src, const TrRequest& a, int threads, py::object progress) {
  TrRun run;
  {
    py::gil_scoped_release nogil;
    run_transition(src, a, threads, progress, run);
  }
  py::dict d;
  d["summary"] = to_python(run.summary);
  d["tables"] = tables(run.out);
  return d;
}

}  // namespace

void register_transition(py::module_& m) {
  py::class_<TrRequest>(m, "TransitionRequest")
      .def(py::init<>())
      .def_readwrite("shocks", &TrRequest::shocks)
      .def_readwrite("country", &TrRequest::country)
      .def_readwrite("periods", &TrRequest::periods)
      .def_readwrite("max_iterations", &TrRequest::max_iterations)
      .def_readwrite("foreign_horizon", &TrRequest::foreign_horizon)
      .def_readwrite("tolerance", &TrRequest::tolerance)
      .def_readwrite("welfare", &TrRequest::welfare)
      .def_readwrite("elasticities", &TrRequest::elasticities);
  m.def("transition", &transition, py::arg("source"), py::arg("request"), py::arg("threads") = 0,
        py::arg("progress") = py::none(),
        "Transition path after trade shocks (as `hat transition`): summary and CSV tables");
}

}  // namespace hat::python
