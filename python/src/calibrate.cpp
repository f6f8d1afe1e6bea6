// hat._hat.calibrate: calibration by "gravity as a guide" (MODEL.md §2; as `hat calibrate`):
// TFPs and trade-cost parameters such that the gravity regression on model trade reproduces
// the data's, jointly with the equilibrium. Returns the --json object, parameters.csv, fit.csv,
// the calibrated world (TOML) and the solution vector (to start a later run from).
#include "hat/calibration/calibrate.hpp"

#include <fmt/format.h>

#include <cmath>

#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/csv.hpp"
#include "hat/world/config.hpp"

namespace hat::python {

namespace {

struct CalRun {
  nlohmann::json summary;
  std::string parameters_csv, fit_csv, world_toml;
  Eigen::VectorXd x;
  std::vector<std::string> names;
};

calibration::CalibrationSetup read_setup(const io::ConfigFile& file, int max_evaluations,
                                         world::WorldConfig& wc) {
  io::ConfigTable ct = file.root().table("calibration");
  calibration::CalibrationSetup setup;
  setup.moment_tolerance = ct.number("moment_tolerance", 1e-6);
  if (!(setup.moment_tolerance > 0)) ct.fail("moment_tolerance", "must be > 0");
  setup.max_evaluations = static_cast<int>(ct.integer("max_evaluations", 500));
  if (setup.max_evaluations < 1) ct.fail("max_evaluations", "must be >= 1");
  setup.fd_step = ct.number("fd_step", 1e-6);
  if (!(setup.fd_step > 0)) ct.fail("fd_step", "must be > 0");
  ct.reject_unknown();
  if (max_evaluations > 0) setup.max_evaluations = max_evaluations;
  if (!file.root().has("data"))
    throw InputError(file.path() + ": calibration needs a [data] table (the data set)");
  wc = world::read_world_config(file);
  setup.world = wc.world;
  setup.start = wc.start;
  setup.equilibrium = wc.options;
  world::DataTable dtab = world::read_data_table(file);
  setup.data = std::move(dtab.gravity);
  setup.theta = dtab.theta;
  return setup;
}

void add_tables(const calibration::CalibrationSetup& setup,
                const calibration::CalibrationResult& res, CalRun& run) {
  const auto& cp = res.parameters;
  const int N = setup.world.size();
  io::CsvWriter pc({"name", "kind", "value", "cost_factor"});
  const Eigen::VectorXd xp = calibration::pack_parameters(cp);
  for (int k = 0; k < xp.size(); ++k) {
    const bool tfp = k < N - 1;
    pc.cell(run.names[k])
        .cell(tfp ? "log_tfp" : "trade_cost")
        .cell(xp(k))
        .cell(tfp ? NAN : std::exp(-xp(k) / setup.theta));
    pc.end_row();
  }
  pc.cell("importer_effect_" + setup.world.names[N - 1])
      .cell("trade_cost")
      .cell(cp.costs.m(N - 1))
      .cell(std::exp(-cp.costs.m(N - 1) / setup.theta));
  pc.end_row();
  run.parameters_csv = pc.str();
  io::CsvWriter fit({"moment", "data", "model", "difference"});
  for (int k = 0; k < res.data_moments.size(); ++k)
    fit.cell(res.moment_names[k])
        .cell(res.data_moments(k))
        .cell(res.model_moments(k))
        .cell(res.model_moments(k) - res.data_moments(k))
        .end_row();
  run.fit_csv = fit.str();
}

nlohmann::json summary_json(const calibration::CalibrationSetup& setup,
                            const calibration::CalibrationResult& res, double seconds) {
  const auto& cp = res.parameters;
  nlohmann::json params, ltfp, meff;
  for (int i = 0; i < setup.world.size(); ++i) {
    ltfp[setup.world.names[i]] = cp.log_tfp(i);
    meff[setup.world.names[i]] = cp.costs.m(i);
  }
  params["log_tfp"] = ltfp;
  params["importer_effect"] = meff;
  params["bins"] = std::vector<double>(cp.costs.bins.data(), cp.costs.bins.data() + 6);
  params["border"] = cp.costs.border;
  params["language"] = cp.costs.language;
  params["ec"] = cp.costs.ec;
  params["efta"] = cp.costs.efta;
  return {{"status", to_string(res.report.status)},
          {"message", res.report.message},
          {"max_moment_error", res.max_moment_error},
          {"equilibrium_residual", res.equilibrium_residual},
          {"evaluations", res.evaluations},
          {"jacobians", res.jacobians},
          {"seconds", seconds},
          {"R", res.state.prices.R(0)},
          {"beta", res.state.prices.beta},
          {"parameters", params}};
}

void run_calibrate(const Source& src, const std::optional<Eigen::VectorXd>& init,
                   int max_evaluations, int threads, py::handle progress, CalRun& run) {
  Timer timer;
  io::ConfigFile file = src.load();
  world::WorldConfig wc;
  calibration::CalibrationSetup setup = read_setup(file, max_evaluations, wc);
  set_threads(threads > 0 ? threads : wc.threads);
  calibration::GravityRegression reg(setup.data);
  const long n = reg.n_moments() + world::n_unknowns(setup.world, setup.equilibrium);
  Eigen::VectorXd x0;
  if (init) {
    if (init->size() != n)
      throw InputError("init: " + std::to_string(init->size()) + " entries, this config needs " +
                       std::to_string(n));
    x0 = *init;
  }
  run.names = calibration::parameter_names(setup.world.names);
  for (const auto& s : world::unknown_names(setup.world, setup.equilibrium)) run.names.push_back(s);
  const auto say = message_hook(progress);
  setup.progress = [&say](int it, const Eigen::VectorXd&, double mom, double eq, double,
                          double sec) {
    say(fmt::format(
        "evaluation {:4d}  max moment error {:.3e}  equilibrium residual {:.3e}  elapsed {:.1f}s",
        it, mom, eq, sec));
  };
  calibration::CalibrationResult res = calibration::calibrate(setup, x0);
  if (res.x.size() == 0) throw NumericalError(res.report.message);
  run.summary = summary_json(setup, res, timer.seconds());
  run.x = res.x;
  add_tables(setup, res, run);
  run.world_toml = world::world_to_toml(res.world, res.state.prices, setup.equilibrium);
}

py::dict calibrate(const Source& src, std::optional<Eigen::VectorXd> init, int max_evaluations,
                   int threads, py::object progress) {
  CalRun run;
  {
    py::gil_scoped_release nogil;
    run_calibrate(src, init, max_evaluations, threads, progress, run);
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
        "Calibration by gravity as a guide (as `hat calibrate`)");
}

}  // namespace hat::python
