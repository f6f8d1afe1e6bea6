// `hat planner WORLD.toml [--weights tfp|equal|population] [--country USA] [--no-solve]
//  [--out DIR] [--json]`: the efficient allocation (Propositions 4 and 5) and, for --country, a
// side-by-side of its decentralised and efficient imports by source.
#include <fmt/format.h>

#include "baseline.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "hat/analysis/planner.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/output.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/world/outputs.hpp"

namespace hat::cli {

namespace {

struct PlannerArgs {
  std::string config, out, country, weights = "tfp";
  bool json = false, quiet = false, no_solve = false;
  int threads = -1;
};

void add_outputs(io::OutputDir& out, const world::World& w, const analysis::PlannerAllocation& a,
                 const Eigen::MatrixXd* decentralised, int country) {
  const int M = w.size();
  io::CsvWriter al({"importer", "exporter", "consumption", "choice_probability", "quantity",
                    "value", "expenditure_share", "theta_efficient", "welfare_gain"});
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j) {
      al.cell(w.names[i]).cell(w.names[j]).cell(a.c(i, j)).cell(a.pi(i, j)).cell(a.quantity(i, j));
      al.cell(a.value(i, j)).cell(a.shares(i, j)).cell(a.theta(i, j)).cell(a.welfare_gain(i, j));
      al.end_row();
    }
  out.add("planner_allocation.csv", al.str());

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
  out.add("planner_countries.csv", co.str());

  io::CsvWriter st({"importer", "income_state", "z", "exporter", "choice_probability"});
  for (int i = 0; i < M; ++i)
    for (int s = 0; s < a.pi_state[i].rows(); ++s)
      for (int j = 0; j < M; ++j) {
        st.cell(w.names[i]).cell(s).cell(w.income.z(s)).cell(w.names[j]).cell(a.pi_state[i](s, j));
        st.end_row();
      }
  out.add("planner_choice_by_state.csv", st.str());

  io::BarChart hs;
  hs.title =
      "Home expenditure shares: efficient" + std::string(decentralised ? " vs decentralised" : "");
  hs.ylabel = "home share";
  hs.group_labels = {"efficient"};
  hs.values.assign(1, {});
  if (decentralised) {
    hs.group_labels.insert(hs.group_labels.begin(), "decentralised");
    hs.values.assign(2, {});
  }
  for (int i = 0; i < M; ++i) {
    hs.categories.push_back(w.names[i]);
    if (decentralised) hs.values[0].push_back((*decentralised)(i, i));
    hs.values.back().push_back(a.shares(i, i));
  }
  out.add("home_shares_efficient.svg", hs.render());

  if (decentralised && country >= 0) {
    const int i = country;
    io::CsvWriter cmp(
        {"importer", "exporter", "allocation", "expenditure_share", "share_of_imports"});
    const double dimp = 1.0 - (*decentralised)(i, i), eimp = 1.0 - a.shares(i, i);
    io::BarChart bar;
    bar.title = fmt::format("{} imports by source: decentralised vs efficient", w.names[i]);
    bar.ylabel = "expenditure share (percent)";
    bar.group_labels = {"decentralised", "efficient"};
    bar.values.assign(2, {});
    for (int j = 0; j < M; ++j) {
      const double ds = (*decentralised)(i, j), es = a.shares(i, j);
      cmp.cell(w.names[i]).cell(w.names[j]).cell("decentralised").cell(ds);
      cmp.cell(j == i ? 0.0 : ds / dimp);
      cmp.end_row();
      cmp.cell(w.names[i]).cell(w.names[j]).cell("efficient").cell(es);
      cmp.cell(j == i ? 0.0 : es / eimp);
      cmp.end_row();
      if (j == i) continue;
      bar.categories.push_back(w.names[j]);
      bar.values[0].push_back(100 * ds);
      bar.values[1].push_back(100 * es);
    }
    out.add("imports_comparison.csv", cmp.str());
    out.add("imports_comparison.svg", bar.render());
  }
}

void run_planner(const PlannerArgs& args) {
  Timer timer;
  io::ConfigFile file = io::ConfigFile::load(args.config);
  world::WorldConfig wc = world::read_world_config(file);
  set_threads(args.threads >= 0 ? args.threads : wc.threads);
  world::World w = wc.world;
  const analysis::ParetoWeights kind = analysis::parse_pareto_weights(args.weights, "--weights");
  const int country =
      args.country.empty() ? -1 : world::country_index(w, args.country, "--country");

  // The decentralised baseline is needed only for the comparison.
  Baseline base;
  Eigen::MatrixXd dec;
  if (country >= 0) {
    base = baseline_world(wc, !args.no_solve, args.quiet || args.json);
    if (!base.report.converged()) exit_status() = 3;
    dec = world::trade_shares(base.state);
    w.beta = base.state.prices.beta;  // the discount factor of the baseline (if solved for)
  }
  Timer pt;
  const Eigen::VectorXd omega = analysis::pareto_weights(w, kind);
  analysis::PlannerAllocation a = analysis::solve_planner(w, omega);
  const double planner_seconds = pt.seconds();
  if (!a.report.converged()) exit_status() = 3;
  const SolverStatus status =
      country >= 0 ? worse_status(a.report.status, base.report.status) : a.report.status;

  nlohmann::json summary;
  summary["weights"] = analysis::to_string(kind);
  summary["status"] = to_string(status);
  summary["message"] = a.report.message;
  summary["iterations"] = a.report.iterations;
  summary["resource_residual"] = a.resource_residual.lpNorm<Eigen::Infinity>();
  summary["foc_residual"] = a.foc_residual;
  summary["social_welfare"] = a.social_welfare;
  nlohmann::json chi, omj, home;
  for (int i = 0; i < w.size(); ++i) {
    chi[w.names[i]] = a.chi(i);
    omj[w.names[i]] = a.omega(i);
    home[w.names[i]] = a.shares(i, i);
  }
  summary["chi"] = chi;
  summary["pareto_weights"] = omj;
  summary["home_shares"] = home;
  if (country >= 0) {
    summary["country"] = w.names[country];
    summary["baseline"] = baseline_json(base);
    nlohmann::json imp, th, wg;
    for (int j = 0; j < w.size(); ++j) {
      imp[w.names[j]] = {{"decentralised", dec(country, j)}, {"efficient", a.shares(country, j)}};
      if (j != country) {
        th[w.names[j]] = a.theta(country, j);
        wg[w.names[j]] = a.welfare_gain(country, j);
      }
    }
    summary["imports"] = imp;
    summary["theta_efficient"] = th;
    summary["welfare_gain"] = wg;
  }
  summary["planner_seconds"] = planner_seconds;
  summary["seconds"] = timer.seconds();

  if (!args.out.empty()) {
    io::OutputDir out(args.out);
    add_outputs(out, w, a, country >= 0 ? &dec : nullptr, country);
    nlohmann::json man = io::manifest("planner");
    io::manifest_add_input(man, file.path(), file.text());
    man["status"] = to_string(status);
    man["solver"] = io::to_json(a.report);
    if (country >= 0) man["baseline"] = baseline_json(base);
    man["options"] = {{"weights", analysis::to_string(kind)},
                      {"country", args.country},
                      {"solved", !args.no_solve}};
    man["timings"] = {{"total_seconds", timer.seconds()}, {"planner_seconds", planner_seconds}};
    man["summary"] = summary;
    out.add_json("summary.json", io::without_timings(summary));
    man["files"] = out.names();
    out.add_json("manifest.json", man);
    out.commit();
  }
  if (args.json) {
    print_json(summary);
    return;
  }
  fmt::print(
      "efficient allocation ({} Pareto weights): {} in {} Newton steps, resource residual "
      "{:.2e}, FOC residual {:.2e}\n",
      analysis::to_string(kind), a.report.message, a.report.iterations,
      a.resource_residual.lpNorm<Eigen::Infinity>(), a.foc_residual);
  fmt::print("  {:<8} {:>10} {:>12} {:>10}\n", "country", "weight", "chi", "home shr");
  for (int i = 0; i < w.size(); ++i)
    fmt::print("  {:<8} {:>10.5f} {:>12.6e} {:>10.6f}\n", w.names[i], a.omega(i), a.chi(i),
               a.shares(i, i));
  if (country >= 0) {
    fmt::print("  {} expenditure shares by source (decentralised vs efficient):\n",
               w.names[country]);
    for (int j = 0; j < w.size(); ++j)
      fmt::print("    {:<8} {:>10.6f} {:>10.6f}\n", w.names[j], dec(country, j),
                 a.shares(country, j));
  }
  if (!args.out.empty()) fmt::print("  outputs written to {}/\n", args.out);
}

}  // namespace

void register_planner(CLI::App& app) {
  auto a = std::make_shared<PlannerArgs>();
  CLI::App* sub = app.add_subcommand(
      "planner", "The efficient (utilitarian planner) allocation under full insurance");
  sub->add_option("config", a->config, "world TOML (see examples/two_country.toml)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--weights", a->weights, "Pareto weights: tfp (default), equal or population");
  sub->add_option("--country", a->country,
                  "compare this country's decentralised and efficient imports by source");
  sub->add_flag("--no-solve", a->no_solve,
                "decentralised side at the config's [equilibrium] prices (no solve)");
  sub->add_option("--out", a->out, "write CSV tables, SVG figures and manifest.json here");
  sub->add_flag("--json", a->json, "print a JSON summary on stdout");
  sub->add_flag("--quiet", a->quiet, "no progress lines on stderr");
  sub->add_option("--threads", a->threads, "OpenMP threads (default: [solver] threads)");
  sub->callback([a]() { marking_failure(a->out, "planner", a->config, [&] { run_planner(*a); }); });
}

}  // namespace hat::cli
