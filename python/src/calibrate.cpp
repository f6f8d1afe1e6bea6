// hat._hat.calibrate: calibration by "gravity as a guide" (MODEL.md §2; as `hat calibrate`):
// TFPs and trade-cost parameters such that the gravity regression on model trade reproduces
// the data's, jointly with the equilibrium. Returns the --json object, parameters.csv, fit.csv,
// the calibrated world (TOML) and the solution vector (to start a later run from). An adapter
// over calibration::run_study.
#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/reports/calibration.hpp"
#include "hat/world/config.hpp"

namespace hat::python {

namespace {

struct CalRun {
  nlohmann::json summary;
  std::string parameters_csv, fit_csv, world_toml;
  Eigen::VectorXd x;
  std::vector<std::string> names;
};

void run_calibrate(const Source& src, const std::optional<Eigen::VectorXd>& init,
                   int max_evaluations, int threads, py::handle progress,
                   const std::string& checkpoint, bool resume, CalRun& run) {
  io::ConfigFile file = src.load();
  int config_threads = 0;
  calibration::CalibrationSetup setup =
      calibration::read_calibration_setup(file, &config_threads, data_dir_arg());
  set_threads(threads > 0 ? threads : config_threads);
  calibration::StudyOptions so;
  so.max_evaluations = max_evaluations;
  if (init) so.init_x = *init;
  if (init && init->size() == 0) throw InputError("init: 0 entries");
  so.checkpoint_dir = checkpoint;
  so.resume = resume;
  so.progress = message_hook(progress);
  calibration::Study study = calibration::run_study(file, std::move(setup), so);
  const auto& res = study.result;
  if (res.x.size() == 0) throw NumericalError(res.report.message);
  run.summary = reports::calibration_summary(study);
  run.x = res.x;
  run.names = study.names;
  run.parameters_csv = reports::parameters_csv(study);
  run.fit_csv = reports::fit_csv(study);
  run.world_toml = world::world_to_toml(res.world, res.state.prices, study.setup.equilibrium);
}

py::dict calibrate(const Source& src, std::optional<Eigen::VectorXd> init, int max_evaluations,
                   int threads, py::object progress, const std::string& checkpoint, bool resume) {
  CalRun run;
  {
    py::gil_scoped_release nogil;
    run_calibrate(src, init, max_evaluations, threads, progress, checkpoint, resume, run);
  }
  py::dict d;
  d["summary"] = to_python(run.summary);
  py::dict t;
  t["parameters.csv"] = run.parameters_csv;
  t["fit.csv"] = run.fit_csv;
  t["calibrated_world.toml"] = run.world_toml;
  d["tables"] = t;
  d["x"] = run.x;
  d["names"] = run.names;
  return d;
}

}  // namespace

void register_calibrate(py::module_& m) {
  m.def("calibrate", &calibrate, py::arg("source"), py::arg("init") = py::none(),
        py::arg("max_evaluations") = 0, py::arg("threads") = 0, py::arg("progress") = py::none(),
        py::arg("checkpoint") = std::string(), py::arg("resume") = false,
        "Calibration by gravity as a guide (as `hat calibrate`)");
}

}  // namespace hat::python
