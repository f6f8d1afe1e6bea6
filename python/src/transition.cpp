// hat._hat.transition: the perfect-foresight transition after trade shocks (as `hat
// transition`): baseline, terminal steady state, the path, welfare including the transition and
// trade elasticities by horizon; returns the --json object and the CSV tables.
#include <algorithm>

#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/transition/report.hpp"
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

void validate(const TrRequest& a) {
  if (a.periods < 2 || a.periods > 5000) throw InputError("--periods must be in [2, 5000]");
  if (!(a.tolerance > 0 && a.tolerance < 1)) throw InputError("--tolerance must be in (0, 1)");
  if (a.max_iterations < 1 || a.max_iterations > 1000)
    throw InputError("--max-iterations must be in [1, 1000]");
  if (a.foreign_horizon < 0 || a.foreign_horizon > a.periods)
    throw InputError("--foreign-horizon must be in [0, periods]");
}

int find_country(const world::World& w, const std::string& name, const std::string& what) {
  auto it = std::find(w.names.begin(), w.names.end(), name);
  if (it == w.names.end()) {
    std::string known;
    for (size_t k = 0; k < w.names.size(); ++k) known += (k ? ", " : "") + w.names[k];
    throw InputError(what + ": '" + name + "' is not a country of this world (" + known + ")");
  }
  return static_cast<int>(it - w.names.begin());
}

int reporting_country(const world::World& w, const TrRequest& a,
                      const std::vector<analysis::Shock>& shocks) {
  if (!a.country.empty()) return find_country(w, a.country, "--country");
  for (const auto& s : shocks)
    if (s.kind != analysis::ShockKind::Autarky && s.importer != "*")
      return find_country(w, s.importer, "importer");
  auto it = std::find(w.names.begin(), w.names.end(), "USA");
  return it != w.names.end() ? static_cast<int>(it - w.names.begin()) : 0;
}

struct TrRun {
  nlohmann::json summary;
  io::OutputDir out{""};
};

void run_transition(const Source& src, const TrRequest& a, int threads, py::handle progress,
                    TrRun& out) {
  Timer timer;
  validate(a);
  world::WorldConfig wc = world::read_world_config(src.load());
  const world::World& w = wc.world;
  set_threads(threads > 0 ? threads : wc.threads);
  transition::TransitionRun run;
  for (const std::string& s : a.shocks) run.shocks.push_back(analysis::parse_shock_spec(s));
  if (run.shocks.empty()) throw InputError("no shocks: give --shock SPEC or --shocks FILE");
  analysis::apply_shocks(w, run.shocks);
  run.country = reporting_country(w, a, run.shocks);
  const auto say = message_hook(progress);
  wc.options.progress = evaluation_hook(progress, "baseline");
  world::Equilibrium base = world::solve_equilibrium(w, wc.start, wc.options);
  wc.options.progress = nullptr;
  if (!base.report.converged())
    throw NumericalError("baseline equilibrium: " + base.report.message);
  analysis::WelfareOptions wo;
  Timer t_ss;
  const transition::Economy e =
      transition::make_economy(w, wc.options, base.state, run.shocks, a.periods, wo, say);
  transition::TransitionOptions to;
  to.periods = a.periods;
  to.tolerance = a.tolerance;
  to.max_iterations = a.max_iterations;
  to.foreign_horizon = a.foreign_horizon;
  to.progress = say;
  run.result = transition::solve_transition(e, to);
  run.result.seconds_steady_state = t_ss.seconds() - run.result.report.seconds;
  if (run.result.path.ok && a.welfare) {
    Timer tw;
    run.welfare = transition::transition_welfare(e, run.result, run.country, wo);
    run.seconds_welfare = tw.seconds();
  }
  if (run.result.path.ok && a.elasticities) {
    Timer te;
    run.elasticities = transition::horizon_elasticities(e, run.result, run.country, to);
    run.seconds_elasticities = te.seconds();
  }
  run.seconds = timer.seconds();
  out.summary = transition::transition_json(e, run);
  transition::add_transition_outputs(out.out, e, run);
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
