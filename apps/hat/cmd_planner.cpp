// `hat planner WORLD.toml [--weights tfp|equal|population] [--country USA] [--no-solve]
//  [--out DIR] [--json]`: the efficient allocation (Propositions 4 and 5) and, for --country, a
// side-by-side of its decentralised and efficient imports by source.
#include <fmt/format.h>

#include <functional>

#include "commands.hpp"
#include "common.hpp"
#include "hat/analysis/planner_study.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/reports/baseline.hpp"
#include "hat/reports/planner.hpp"
#include "hat/world/config.hpp"

namespace hat::cli {

namespace {

struct PlannerArgs {
  std::string config, out, country, weights = "tfp";
  bool json = false, quiet = false, no_solve = false;
  int threads = -1;
};

void run_planner(const PlannerArgs& args) {
  io::ConfigFile file = io::ConfigFile::load(args.config);
  world::WorldConfig wc = estimation::read_world_config(file, data_dir_arg());
  set_threads(args.threads >= 0 ? args.threads : wc.threads);
  const analysis::PlannerStudyOptions so{
      .weights = args.weights, .country = args.country, .solve = !args.no_solve};
  ProgressCallback say;
  if (!args.quiet && !args.json)
    say = message_callback([](std::string_view m) { progress("{}", m); });
  const analysis::PlannerStudy st = analysis::run_planner_study(wc, so, say);
  if (st.status != SolverStatus::Converged) exit_status() = 3;
  const world::World& w = st.world;
  const analysis::PlannerAllocation& a = st.allocation;
  const int country = st.country;
  const nlohmann::json summary = reports::planner_summary(st);

  if (!args.out.empty()) {
    io::OutputDir out(args.out);
    reports::add_planner_outputs(out, st);
    nlohmann::json man = io::manifest("planner");
    io::manifest_add_input(man, file.path(), file.text());
    man["status"] = to_string(st.status);
    man["solvers"] = {{"planner", io::to_json(a.report)}};
    if (country >= 0) man["baseline"] = reports::baseline_json(st.baseline);
    man["options"] = {{"weights", analysis::to_string(st.weights)},
                      {"country", args.country},
                      {"solved", !args.no_solve}};
    man["timings"] = {{"total_seconds", st.seconds}, {"planner_seconds", st.seconds_planner}};
    io::add_summary_and_manifest(out, man, summary);
    out.commit();
  }
  if (args.json) {
    print_json(summary);
    return;
  }
  fmt::print(
      "efficient allocation ({} Pareto weights): {} in {} Newton steps, resource residual "
      "{:.2e}, FOC residual {:.2e}\n",
      analysis::to_string(st.weights), a.report.message, a.report.iterations,
      a.resource_residual.lpNorm<Eigen::Infinity>(), a.foc_residual);
  fmt::print("  {:<8} {:>10} {:>12} {:>10}\n", "country", "weight", "chi", "home shr");
  for (int i = 0; i < w.size(); ++i)
    fmt::print("  {:<8} {:>10.5f} {:>12.6e} {:>10.6f}\n", w.names[i], a.omega(i), a.chi(i),
               a.shares(i, i));
  if (country >= 0) {
    fmt::print("  {} expenditure shares by source (decentralised vs efficient):\n",
               w.names[country]);
    for (int j = 0; j < w.size(); ++j)
      fmt::print("    {:<8} {:>10.6f} {:>10.6f}\n", w.names[j], st.decentralised(country, j),
                 a.shares(country, j));
  }
  if (!args.out.empty()) fmt::print("  outputs written to {}/\n", args.out);
}

}  // namespace

void register_planner(CLI::App& app) {
  auto a = std::make_shared<PlannerArgs>();
  CLI::App* sub = app.add_subcommand(
      "planner", "The efficient (utilitarian planner) allocation under full insurance");
  add_config_argument(sub, a->config, "world TOML (see examples/two_country.toml)");
  sub->add_option("--weights", a->weights, "Pareto weights: tfp (default), equal or population");
  sub->add_option("--country", a->country,
                  "compare this country's decentralised and efficient imports by source");
  sub->add_flag("--no-solve", a->no_solve,
                "decentralised side at the config's [equilibrium] prices (no solve)");
  add_run_options(sub, a->out, a->json, a->quiet, a->threads);
  sub->callback([a]() { marking_failure(a->out, "planner", a->config, [&] { run_planner(*a); }); });
}

}  // namespace hat::cli
