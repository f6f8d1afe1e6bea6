// hat._hat world functions: the general equilibrium (`hat solve`), residuals at given prices
// (`hat residuals`) and counterfactual experiments (`hat counterfactual`), each the same
// library calls as the command line, returning arrays, CSV tables and the --json object.
#include "hat/reports/world.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "common.hpp"
#include "hat/analysis/counterfactual_study.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/io/manifest.hpp"
#include "hat/reports/counterfactual.hpp"
#include "hat/world/config.hpp"
#include "hat/world/study.hpp"

namespace hat::python {

namespace {

py::dict evaluation_dict(const world::World& w, const world::EquilibriumOptions& opt,
                         const world::Evaluation& ev,
                         const std::vector<std::string>& residual_names) {
  py::dict d;
  d["names"] = w.names;
  d["financial"] = std::string(world::to_string(opt.financial));
  d["W"] = ev.prices.W;
  d["R"] = ev.prices.R;
  d["tau"] = ev.prices.tau;
  d["beta"] = ev.prices.beta;
  d["residuals"] = ev.residuals;
  d["residual_names"] = residual_names;
  if (ev.residuals.size()) {
    d["trade_shares"] = Eigen::MatrixXd(world::trade_shares(ev));
    d["imports"] = ev.imports;
    d["output"] = ev.output;
    d["net_assets"] = ev.net_assets;
  }
  return d;
}

py::dict world_solve(const Source& src, int threads, py::object progress) {
  std::optional<world::WorldSolve> ws;
  nlohmann::json summary;
  {
    py::gil_scoped_release nogil;
    world::WorldConfig wc = estimation::read_world_config(src.load(), data_dir_arg());
    set_threads(threads > 0 ? threads : wc.threads);
    wc.options.progress = evaluation_hook(progress, "equilibrium");
    ws = world::run_world_solve(std::move(wc));
    summary = reports::world_solve_summary(*ws);
  }
  const world::Equilibrium& eq = ws->equilibrium;
  py::dict d = evaluation_dict(ws->world, ws->options, eq.state, eq.residual_names);
  d["status"] = std::string(to_string(eq.report.status));
  d["residual"] = eq.report.residual;
  d["message"] = eq.report.message;
  d["evaluations"] = eq.evaluations;
  d["summary"] = to_python(summary);
  return d;
}

py::dict world_residuals(const Source& src, std::optional<Eigen::VectorXd> W,
                         std::optional<Eigen::VectorXd> R, std::optional<Eigen::VectorXd> tau,
                         std::optional<double> beta, int threads) {
  world::WorldConfig wc;
  world::Evaluation ev;
  std::vector<std::string> names;
  {
    py::gil_scoped_release nogil;
    wc = estimation::read_world_config(src.load(), data_dir_arg());
    set_threads(threads > 0 ? threads : wc.threads);
    world::Prices p = wc.start;
    if (!wc.world.has_tariffs()) p.tau.setZero();
    const int M = wc.world.size();
    auto take = [M](const char* what, const Eigen::VectorXd& v, Eigen::VectorXd& into) {
      if (v.size() != M)
        throw InputError(std::string("prices: ") + what + " has " + std::to_string(v.size()) +
                         " entries, the world " + std::to_string(M) + " countries");
      into = v;
    };
    if (W) take("W", *W, p.W);
    if (R) {
      if (R->size() == 1)
        p.R.setConstant(M, (*R)(0));
      else
        take("R", *R, p.R);
    }
    if (tau) take("tau", *tau, p.tau);
    if (beta) p.beta = *beta;
    ev = world::residuals_at(wc.world, p, wc.options);
    if (!ev.ok) throw NumericalError(ev.message);
    names = world::residual_names(wc.world, wc.options);
  }
  py::dict d = evaluation_dict(wc.world, wc.options, ev, names);
  d["goods_residual"] = ev.goods_residual;
  return d;
}

struct CfRequest {
  std::vector<std::string> shocks, shock_files;
  std::string name = "counterfactual", country, acr_distribution = "adjusts";
  bool all_countries = false, solve = true;
  double theta = 0, ev_step = 0.0025, lump_sum_polish = 0;
  int bins = 5;
};

struct CfRun {
  nlohmann::json summary;
  io::OutputDir out{""};
};

void run_counterfactual(const Source& src, const CfRequest& a, int threads, py::handle progress,
                        CfRun& run) {
  io::ConfigFile file = src.load();
  analysis::CounterfactualStudyOptions so{.experiments = analysis::config_experiments(file),
                                          .country = a.country,
                                          .all_countries = a.all_countries,
                                          .solve = a.solve,
                                          .theta = a.theta,
                                          .ev_step = a.ev_step,
                                          .lump_sum_polish = a.lump_sum_polish,
                                          .bins = a.bins,
                                          .acr_distribution = a.acr_distribution};
  world::WorldConfig wc = estimation::read_world_config(file, data_dir_arg());
  set_threads(threads > 0 ? threads : wc.threads);
  std::vector<io::ConfigFile> shock_files;
  for (const std::string& path : a.shock_files) shock_files.push_back(io::ConfigFile::load(path));
  analysis::append_experiments(so.experiments, shock_files, a.shocks, a.name, file.path());
  wc.options.progress = evaluation_hook(progress, "equilibrium");
  const analysis::CounterfactualStudy st =
      analysis::run_counterfactual_study(std::move(wc), so, message_hook(progress));
  run.summary = reports::counterfactual_summary(st);
  reports::add_counterfactual_outputs(run.out, st.world, st.options, st.results, st.countries);
}

py::dict counterfactual(const Source& src, const CfRequest& a, int threads, py::object progress) {
  CfRun run;
  {
    py::gil_scoped_release nogil;
    run_counterfactual(src, a, threads, progress, run);
  }
  py::dict d;
  d["summary"] = to_python(run.summary);
  d["tables"] = tables(run.out);
  return d;
}

}  // namespace

void register_world(py::module_& m) {
  m.def("world_solve", &world_solve, py::arg("source"), py::arg("threads") = 0,
        py::arg("progress") = py::none(),
        "Solve the world general equilibrium (the `hat solve` config)");
  m.def("world_residuals", &world_residuals, py::arg("source"), py::arg("W") = py::none(),
        py::arg("R") = py::none(), py::arg("tau") = py::none(), py::arg("beta") = py::none(),
        py::arg("threads") = 0, "Market-clearing residuals at given prices (no solve)");
  py::class_<CfRequest>(m, "CounterfactualRequest")
      .def(py::init<>())
      .def_readwrite("shocks", &CfRequest::shocks)
      .def_readwrite("shock_files", &CfRequest::shock_files)
      .def_readwrite("name", &CfRequest::name)
      .def_readwrite("country", &CfRequest::country)
      .def_readwrite("all_countries", &CfRequest::all_countries)
      .def_readwrite("theta", &CfRequest::theta)
      .def_readwrite("ev_step", &CfRequest::ev_step)
      .def_readwrite("lump_sum_polish", &CfRequest::lump_sum_polish)
      .def_readwrite("bins", &CfRequest::bins)
      .def_readwrite("acr_distribution", &CfRequest::acr_distribution)
      .def_readwrite("solve", &CfRequest::solve);
  m.def("counterfactual", &counterfactual, py::arg("source"), py::arg("request"),
        py::arg("threads") = 0, py::arg("progress") = py::none(),
        "Counterfactual experiments (as `hat counterfactual`): summary and CSV tables");
}

}  // namespace hat::python
