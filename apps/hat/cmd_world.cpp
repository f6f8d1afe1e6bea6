// `hat solve WORLD.toml [--out DIR] [--json]` and `hat residuals WORLD.toml [--json]`.
#include <fmt/format.h>

#include <functional>

#include "commands.hpp"
#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/reports/world.hpp"
#include "hat/world/config.hpp"
#include "hat/world/study.hpp"

namespace hat::cli {

namespace {

struct WorldArgs {
  std::string config, out, euler_grid = "solution";
  bool json = false, quiet = false, policies = false;
  int threads = -1;
};

void print_table(const world::World& w, const world::Evaluation& ev) {
  const Eigen::MatrixXd sh = world::trade_shares(ev);
  fmt::print("  {:<8} {:>10} {:>10} {:>10} {:>11} {:>10}\n", "country", "wage", "R", "home shr",
             "NFA/output", "a_max mass");
  for (int i = 0; i < w.size(); ++i)
    fmt::print("  {:<8} {:>10.6f} {:>10.6f} {:>10.6f} {:>11.5f} {:>10.2e}\n", w.names[i],
               ev.prices.W(i), ev.prices.R(i), sh(i, i), ev.net_assets(i) / ev.output(i),
               ev.countries[i].distribution.mass_at_amax);
}

household::EulerGrid euler_grid(const WorldArgs& args) {
  return household::parse_euler_grid(args.euler_grid, "--euler-grid");
}

void run_solve(const WorldArgs& args) {
  io::ConfigFile file = io::ConfigFile::load(args.config);
  world::WorldConfig wc = estimation::read_world_config(file, data_dir_arg());
  set_threads(args.threads >= 0 ? args.threads : wc.threads);
  ProgressCallback say;
  if (!args.quiet) say = message_callback([](std::string_view m) { progress("{}", m); });
  const world::WorldSolve ws = world::run_world_solve(std::move(wc), say);
  const world::Equilibrium& eq = ws.equilibrium;
  const world::World& w = ws.world;
  const double seconds = ws.seconds;
  if (!eq.report.converged()) exit_status() = 3;
  progress("{} ({} evaluations, {} Jacobians, residual {:.3e}, {:.2f}s)", eq.report.message,
           eq.evaluations, eq.jacobians, eq.report.residual, seconds);
  for (const auto& m : ws.warnings) warning("warning: {}", m);
  const nlohmann::json summary = reports::world_solve_summary(ws);
  if (!args.out.empty()) {
    // A solve that failed before any evaluation leaves its summary and manifest only.
    const bool have_state = eq.state.residuals.size() > 0;
    const Timer euler_timer;
    const auto euler = have_state ? world::country_euler_errors(eq.state, euler_grid(args))
                                  : std::vector<household::EulerErrors>{};
    const double euler_seconds = euler_timer.seconds();
    const Timer outputs_timer;
    io::OutputDir out(args.out);
    if (have_state)
      reports::add_world_outputs(out, w, eq.state, eq.residual_names, euler, args.policies);
    nlohmann::json man = io::manifest("solve");
    io::manifest_add_input(man, file.path(), file.text());
    man["status"] = to_string(eq.report.status);
    man["residual_norm"] = eq.report.residual;
    man["solvers"]["equilibrium"] = io::to_json(eq.report);
    man["solvers"]["equilibrium"]["evaluations"] = eq.evaluations;
    man["solvers"]["equilibrium"]["jacobians"] = eq.jacobians;
    man["timings"] = {{"total_seconds", seconds},
                      {"solve_seconds", eq.report.seconds},
                      {"euler_seconds", euler_seconds},
                      {"outputs_seconds", outputs_timer.seconds()}};
    man["euler_grid"] = args.euler_grid;
    io::add_summary_and_manifest(out, man, summary);
    if (have_state)
      out.add("world_solved.toml", world::world_to_toml(w, eq.state.prices, ws.options));
    out.commit();
  }
  if (args.json) {
    print_json(summary);
  } else {
    fmt::print("equilibrium: {} — residual sup-norm {:.3e}, {} evaluations, {:.2f}s\n",
               to_string(eq.report.status), eq.report.residual, eq.evaluations, seconds);
    if (eq.state.residuals.size()) {
      if (ws.options.financial == world::Financial::Globalization)
        fmt::print("  R = {:.10f}, beta = {:.10f}\n", eq.state.prices.R(0), eq.state.prices.beta);
      print_table(w, eq.state);
    }
    if (!args.out.empty()) fmt::print("  outputs written to {}/\n", args.out);
  }
}

void run_residuals(const WorldArgs& args) {
  Timer timer;
  io::ConfigFile file = io::ConfigFile::load(args.config);
  world::WorldConfig wc = estimation::read_world_config(file, data_dir_arg());
  set_threads(args.threads >= 0 ? args.threads : wc.threads);
  world::Prices p = wc.start;
  if (!wc.world.has_tariffs()) p.tau.setZero();
  world::Evaluation ev = world::residuals_at(wc.world, p, wc.options);
  if (!ev.ok) throw NumericalError(ev.message);  // the manifest says "failed"
  const std::vector<std::string> names = world::residual_names(wc.world, wc.options);
  const double seconds = timer.seconds();
  nlohmann::json summary = reports::world_summary(wc.world, ev, wc.options.financial);
  summary["status"] = "ok";  // an evaluation, no iterative solve
  summary["seconds"] = seconds;
  summary["residual_names"] = names;
  nlohmann::json goods;
  for (int j = 0; j < wc.world.size(); ++j) goods[wc.world.names[j]] = ev.goods_residual(j);
  summary["goods_market_residuals"] = goods;
  if (!args.out.empty()) {
    io::OutputDir out(args.out);
    reports::add_world_outputs(out, wc.world, ev, names,
                               world::country_euler_errors(ev, euler_grid(args)), args.policies);
    nlohmann::json man = io::manifest("residuals");
    io::manifest_add_input(man, file.path(), file.text());
    man["status"] = "ok";
    man["residual_norm"] = summary["residual_norm"];
    man["timings"] = {{"total_seconds", seconds}};
    man["euler_grid"] = args.euler_grid;
    man["summary"] = summary;
    out.add_json("manifest.json", man);
    out.commit();
  }
  if (args.json) {
    print_json(summary);
  } else {
    fmt::print("residuals at the config's prices ({:.2f}s): sup-norm {:.3e}\n", seconds,
               summary["residual_norm"].get<double>());
    for (size_t k = 0; k < names.size(); ++k)
      fmt::print("  {:<16} {: .6e}\n", names[k], ev.residuals(static_cast<int>(k)));
    print_table(wc.world, ev);
  }
}

void add_common(CLI::App* sub, WorldArgs& a) {
  add_config_argument(sub, a.config, "world TOML (see examples/two_country.toml)");
  sub->add_option("--out", a.out, "write CSV tables, figures and manifest.json here");
  sub->add_flag("--json", a.json, "print a JSON summary on stdout");
  sub->add_option("--threads", a.threads,
                  "OpenMP threads (default: [solver] threads or OMP_NUM_THREADS)");
  add_policies_flags(sub, a.policies);
  sub->add_option("--euler-grid", a.euler_grid,
                  "Euler errors of countries.csv on the solution grid or a 10x finer one "
                  "(default: solution)")
      ->check(CLI::IsMember({"solution", "fine"}));
}

}  // namespace

void register_world(CLI::App& app) {
  auto sargs = std::make_shared<WorldArgs>();
  CLI::App* solve = app.add_subcommand("solve", "Solve the world general equilibrium");
  add_common(solve, *sargs);
  solve->add_flag("--quiet", sargs->quiet, "no progress lines on stderr");
  solve->callback([sargs]() {
    marking_failure(sargs->out, "solve", sargs->config, [&] { run_solve(*sargs); });
  });
  auto rargs = std::make_shared<WorldArgs>();
  CLI::App* res = app.add_subcommand(
      "residuals", "Evaluate the market-clearing residuals at the config's prices (no solve)");
  add_common(res, *rargs);
  res->callback([rargs]() {
    marking_failure(rargs->out, "residuals", rargs->config, [&] { run_residuals(*rargs); });
  });
}

}  // namespace hat::cli
