// hat._hat.dynamic_run / dynamic_gft: the dynamic model (Boehm, Levchenko, Pandalai-Nayar and
// Toma 2024; as `hat dynamic gft|steady-state|transition`): the --json object and the CSV
// tables of each study.
#include "hat/reports/dynamic.hpp"

#include "common.hpp"
#include "hat/models/dynamic_study.hpp"

namespace hat::python {

namespace {

namespace dyn = hat::dynamic;

struct DynRun {
  nlohmann::json summary;
  io::OutputDir out{""};
};

void run_gft(const Source& src, DynRun& run) {
  const io::ConfigFile file = src.load();
  const dyn::GftStudy st = dyn::run_gft_study(dyn::load_config(file), file.path());
  run.summary = reports::dynamic_gft_json(st);
  reports::add_gft_outputs(run.out, st);
}

void run_steady_state(const Source& src, DynRun& run) {
  const io::ConfigFile file = src.load();
  const dyn::SteadyStateStudy st = dyn::run_steady_state_study(dyn::load_config(file), file.path());
  run.summary = reports::dynamic_steady_state_json(st);
  reports::add_dynamic_steady_state_outputs(run.out, st);
}

// A path that does not converge is returned with its solver status (the command line writes
// it marked and exits 3).
void run_transition(const Source& src, DynRun& run) {
  const io::ConfigFile file = src.load();
  const dyn::TransitionStudy st = dyn::run_transition_study(dyn::load_config(file), file.path());
  run.summary = reports::dynamic_path_json(st);
  reports::add_dynamic_path_outputs(run.out, st);
}

// `command`: gft, steady-state or transition; the --json object and the CSV tables.
py::dict dynamic_run(const Source& src, const std::string& command) {
  DynRun run;
  {
    py::gil_scoped_release nogil;
    if (command == "gft")
      run_gft(src, run);
    else if (command == "steady-state")
      run_steady_state(src, run);
    else
      run_transition(src, run);
  }
  py::dict d;
  d["summary"] = to_python(run.summary);
  d["tables"] = tables(run.out);
  return d;
}

py::dict dynamic_gft(const Source& src) {
  return dynamic_run(src, "gft");
}

}  // namespace

void register_dynamic(py::module_& m) {
  m.def("dynamic_run", &dynamic_run, py::arg("source"), py::arg("command"),
        "`hat dynamic steady-state` or `hat dynamic transition`");
  m.def("dynamic_gft", &dynamic_gft, py::arg("source"),
        "Dynamic gains from trade (as `hat dynamic gft`)");
}

}  // namespace hat::python
