// hat._hat world functions: the general equilibrium (`hat solve`), residuals at given prices
// (`hat residuals`) and counterfactual experiments (`hat counterfactual`), each the same
// library calls as the command line, returning arrays, CSV tables and the --json object.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "common.hpp"
#include "hat/analysis/counterfactual.hpp"
#include "hat/analysis/elasticity.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/manifest.hpp"
#include "hat/world/config.hpp"
#include "hat/world/outputs.hpp"

namespace hat::python {

namespace {

py::dict evaluation_dict(const world::WorldConfig& wc, const world::Evaluation& ev,
                         const std::vector<std::string>& residual_names) {
  py::dict d;
  d["names"] = wc.world.names;
  d["financial"] = std::string(world::to_string(wc.options.financial));
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
  world::WorldConfig wc;
  world::Equilibrium eq;
  nlohmann::json summary;
  {
    py::gil_scoped_release nogil;
    Timer timer;
    wc = world::read_world_config(src.load());
    set_threads(threads > 0 ? threads : wc.threads);
    wc.options.progress = evaluation_hook(progress, "equilibrium");
    eq = world::solve_equilibrium(wc.world, wc.start, wc.options);
    const double seconds = timer.seconds();
    if (eq.state.residuals.size())
      summary = world::world_summary(wc.world, eq.state, wc.options.financial);
    summary["status"] = to_string(eq.report.status);
    summary["message"] = eq.report.message;
    summary["seconds"] = seconds;
    summary["evaluations"] = eq.evaluations;
    summary["jacobians"] = eq.jacobians;
    summary["residual_names"] = eq.residual_names;
    std::vector<std::string> warnings;
    for (size_t i = 0; i < eq.state.countries.size(); ++i) {
      const double m = eq.state.countries[i].distribution.mass_at_amax;
      if (m > 1e-3)
        warnings.push_back(fmt::format(
            "{}: mass at a_max is {:.3g} (> 1e-3); raise asset_max or use scaling = \"income\"",
            wc.world.names[i], m));
    }
    summary["warnings"] = warnings;
  }
  py::dict d = evaluation_dict(wc, eq.state, eq.residual_names);
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
    wc = world::read_world_config(src.load());
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
  py::dict d = evaluation_dict(wc, ev, names);
  d["goods_residual"] = ev.goods_residual;
  return d;
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

struct CfRequest {
  std::vector<std::string> shocks, shock_files;
  std::string name = "counterfactual", country;
  bool all_countries = false;
  double theta = 0, ev_step = 0.0025;
};

// The experiments of a run, in the command line's order: the config's [counterfactual] table,
// the shock files, then the shocks given directly (one experiment).
std::vector<analysis::Experiment> read_experiments(const io::ConfigFile& file, const CfRequest& a,
                                                   const std::string& config_name) {
  std::vector<analysis::Experiment> experiments;
  io::ConfigTable cf = file.root().table("counterfactual");
  if (!cf.empty())
    experiments.push_back(analysis::read_experiment(cf, "config", "[counterfactual]"));
  for (const std::string& path : a.shock_files) {
    io::ConfigFile f = io::ConfigFile::load(path);
    std::string stem = path.substr(path.find_last_of('/') + 1);
    stem = stem.substr(0, stem.find('.'));
    experiments.push_back(analysis::read_experiment(f.root(), stem, path));
  }
  if (!a.shocks.empty()) {
    analysis::Experiment e;
    e.name = a.name;
    e.source = "--shock";
    for (const std::string& s : a.shocks) e.shocks.push_back(analysis::parse_shock_spec(s));
    experiments.push_back(e);
  }
  if (experiments.empty())
    throw InputError("no shocks: give --shock SPEC, --shocks FILE or a [counterfactual] table in " +
                     config_name);
  for (size_t i = 0; i < experiments.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (experiments[i].name == experiments[j].name)
        throw InputError("two experiments are named '" + experiments[i].name + "' (" +
                         experiments[j].source + ", " + experiments[i].source + ")");
  return experiments;
}

// Reporting country: `country`, else the experiments' `country`, else the importer of the
// first shock, else USA if present, else the first country (as `hat counterfactual`).
int reporting_country(const world::World& w, const CfRequest& a,
                      const std::vector<analysis::Experiment>& experiments) {
  if (!a.country.empty()) return find_country(w, a.country, "--country");
  for (const auto& e : experiments)
    if (!e.country.empty()) return find_country(w, e.country, e.source + ": country");
  for (const auto& e : experiments)
    for (const auto& s : e.shocks)
      if (s.kind != analysis::ShockKind::Autarky && s.importer != "*")
        return find_country(w, s.importer, "importer");
  auto it = std::find(w.names.begin(), w.names.end(), "USA");
  return it != w.names.end() ? static_cast<int>(it - w.names.begin()) : 0;
}

struct CfRun {
  nlohmann::json summary;
  io::OutputDir out{""};
};

void run_counterfactual(const Source& src, const CfRequest& a, int threads, py::handle progress,
                        CfRun& run) {
  io::ConfigFile file = src.load();
  std::vector<analysis::Experiment> experiments =
      read_experiments(file, a, src.is_path ? src.text_or_path : src.name);
  world::WorldConfig wc = world::read_world_config(file);
  const world::World& w = wc.world;
  set_threads(threads > 0 ? threads : wc.threads);
  for (const auto& e : experiments) {
    analysis::apply_shocks(w, e.shocks);
    for (const auto& s : e.shocks)
      if (s.timed())
        throw InputError(e.source + ": shock '" + s.text +
                         "': start, phase_in and end describe a path; use `hat transition`");
  }
  const int country = reporting_country(w, a, experiments);
  analysis::CounterfactualOptions co;
  Eigen::MatrixXd shared_jacobian;
  co.jacobian_cache = &shared_jacobian;
  co.theta = a.theta;
  co.welfare.node_spacing = a.ev_step;
  if (!(a.ev_step > 0 && a.ev_step <= 0.1)) throw InputError("--ev-step must be in (0, 0.1]");
  if (!std::isfinite(a.theta)) throw InputError("--theta must be finite");
  co.progress = message_hook(progress);
  wc.options.progress = evaluation_hook(progress, "equilibrium");
  if (a.all_countries)
    for (int i = 0; i < w.size(); ++i) co.countries.push_back(i);
  else
    co.countries.push_back(country);

  world::Equilibrium eq = world::solve_equilibrium(w, wc.start, wc.options);
  if (eq.state.countries.empty()) throw NumericalError("baseline: " + eq.report.message);
  bool ok = eq.report.converged();
  const world::Evaluation baseline = std::move(eq.state);
  world::EquilibriumOptions opt = analysis::counterfactual_equilibrium_options(wc.options);
  std::vector<analysis::HouseholdState> old_states =
      analysis::baseline_states(baseline, co.countries, co.welfare);
  for (const auto& s : old_states)
    if (s.report.status == SolverStatus::Failed)
      throw NumericalError("baseline household re-solve failed: " + s.report.message);
  // The paper's ACR benchmark, as `hat counterfactual` (default --acr-distribution adjusts).
  for (const auto& el : analysis::baseline_elasticities(old_states, co.countries,
                                                        analysis::DistributionMode::Adjusts)) {
    if (!el.report.converged()) ok = false;
    co.theta_trade_weighted.push_back(el.theta_trade_weighted);
  }
  std::vector<analysis::ExperimentResult> results;
  for (const auto& e : experiments) {
    results.push_back(analysis::run_experiment(w, opt, baseline, old_states, e, co));
    if (!results.back().status.converged()) ok = false;
  }
  nlohmann::json& s = run.summary;
  s["status"] = ok ? "converged" : "not_converged";
  s["country"] = w.names[country];
  s["baseline"] = {{"status", to_string(eq.report.status)},
                   {"message", eq.report.message},
                   {"residual", eq.report.residual},
                   {"R", baseline.prices.R(country)},
                   {"beta", baseline.prices.beta}};
  nlohmann::json wages;
  for (int i = 0; i < w.size(); ++i) wages[w.names[i]] = baseline.prices.W(i);
  s["baseline"]["wages"] = wages;
  s["experiments"] = nlohmann::json::array();
  for (const auto& r : results)
    s["experiments"].push_back(analysis::experiment_json(w, r, country));
  if (results.size() == 1)
    for (const char* k : {"R_new", "wages_new", "welfare"}) s[k] = s["experiments"][0][k];
  analysis::add_counterfactual_outputs(run.out, w, opt, results, co.countries);
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
      .def_readwrite("ev_step", &CfRequest::ev_step);
  m.def("counterfactual", &counterfactual, py::arg("source"), py::arg("request"),
        py::arg("threads") = 0, py::arg("progress") = py::none(),
        "Counterfactual experiments (as `hat counterfactual`): summary and CSV tables");
}

}  // namespace hat::python
