// hat._hat.planner: the efficient allocation (Propositions 4 and 5; as `hat planner`) and, for
// a reporting country, its decentralised and efficient imports by source: the --json object
// and the tables planner_allocation.csv and planner_countries.csv.
#include "hat/analysis/planner.hpp"

#include "baseline.hpp"
#include "common.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/csv.hpp"
#include "hat/world/outputs.hpp"

namespace hat::python {

namespace {

struct PlRequest {
  std::string country, weights = "tfp";
  bool solve = true;
};

struct PlRun {
  nlohmann::json summary;
  std::string allocation, countries;
};

void add_tables(PlRun& run, const world::World& w, const analysis::PlannerAllocation& a,
                const Eigen::MatrixXd* decentralised) {
  const int M = w.size();
  io::CsvWriter al({"importer", "exporter", "consumption", "choice_probability", "quantity",
                    "value", "expenditure_share", "theta_efficient", "welfare_gain"});
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j) {
      al.cell(w.names[i]).cell(w.names[j]).cell(a.c(i, j)).cell(a.pi(i, j)).cell(a.quantity(i, j));
      al.cell(a.value(i, j)).cell(a.shares(i, j)).cell(a.theta(i, j)).cell(a.welfare_gain(i, j));
      al.end_row();
    }
  run.allocation = al.str();
  io::CsvWriter co({"country", "pareto_weight", "chi", "sigma", "welfare", "supply",
                    "resource_residual", "home_share_efficient", "home_share_decentralised"});
  for (int i = 0; i < M; ++i) {
    co.cell(w.names[i]).cell(a.omega(i)).cell(a.chi(i)).cell(a.sigma(i)).cell(a.welfare(i));
    co.cell(a.supply(i)).cell(a.resource_residual(i)).cell(a.shares(i, i));
    if (decentralised)
      co.cell((*decentralised)(i, i));
    else
      co.cell("");
    co.end_row();
  }
  run.countries = co.str();
}

void run_planner(const Source& src, const PlRequest& r, int threads, py::handle progress,
                 PlRun& run) {
  Timer timer;
  world::WorldConfig wc = world::read_world_config(src.load());
  set_threads(threads > 0 ? threads : wc.threads);
  world::World w = wc.world;
  const analysis::ParetoWeights kind = analysis::parse_pareto_weights(r.weights, "--weights");
  const int country = r.country.empty() ? -1 : world::country_index(w, r.country, "--country");
  Baseline base;
  Eigen::MatrixXd dec;
  if (country >= 0) {  // the decentralised baseline is needed only for the comparison
    wc.options.progress = evaluation_hook(progress, "equilibrium");
    base = baseline_world(wc, r.solve);
    dec = world::trade_shares(base.state);
    w.beta = base.state.prices.beta;  // the discount factor of the baseline (if solved for)
  }
  Timer pt;
  const Eigen::VectorXd omega = analysis::pareto_weights(w, kind);
  analysis::PlannerAllocation a = analysis::solve_planner(w, omega);
  const double planner_seconds = pt.seconds();

  nlohmann::json& s = run.summary;
  s["weights"] = analysis::to_string(kind);
  s["status"] = to_string(a.report.status);
  s["message"] = a.report.message;
  s["iterations"] = a.report.iterations;
  s["resource_residual"] = a.resource_residual.lpNorm<Eigen::Infinity>();
  s["foc_residual"] = a.foc_residual;
  s["social_welfare"] = a.social_welfare;
  nlohmann::json chi, omj, home;
  for (int i = 0; i < w.size(); ++i) {
    chi[w.names[i]] = a.chi(i);
    omj[w.names[i]] = a.omega(i);
    home[w.names[i]] = a.shares(i, i);
  }
  s["chi"] = chi;
  s["pareto_weights"] = omj;
  s["home_shares"] = home;
  if (country >= 0) {
    s["country"] = w.names[country];
    s["baseline"] = baseline_json(base);
    nlohmann::json imp, th, wg;
    for (int j = 0; j < w.size(); ++j) {
      imp[w.names[j]] = {{"decentralised", dec(country, j)}, {"efficient", a.shares(country, j)}};
      if (j != country) {
        th[w.names[j]] = a.theta(country, j);
        wg[w.names[j]] = a.welfare_gain(country, j);
      }
    }
    s["imports"] = imp;
    s["theta_efficient"] = th;
    s["welfare_gain"] = wg;
  }
  s["planner_seconds"] = planner_seconds;
  s["seconds"] = timer.seconds();
  add_tables(run, w, a, country >= 0 ? &dec : nullptr);
}

py::dict planner(const Source& src, const PlRequest& r, int threads, py::object progress) {
  PlRun run;
  {
    py::gil_scoped_release nogil;
    run_planner(src, r, threads, progress, run);
  }
  py::dict d;
  d["summary"] = to_python(run.summary);
  py::dict t;
  t["planner_allocation.csv"] = run.allocation;
  t["planner_countries.csv"] = run.countries;
  d["tables"] = t;
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
