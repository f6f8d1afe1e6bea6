// `hat transition WORLD.toml (--shock SPEC | --shocks FILE)... [--periods T] [--country C]
//  [--out DIR] [--json] [--threads N] [--quiet]`: the perfect-foresight path of the HAT world
// after trade shocks announced at t = 0, welfare including the transition and trade
// elasticities by horizon (docs/transition.md).
#include <fmt/format.h>

#include <algorithm>

#include "commands.hpp"
#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/transition/report.hpp"
#include "hat/world/config.hpp"

namespace hat::cli {

namespace {

struct TrArgs {
  std::string config, out, country;
  std::vector<std::string> shocks, shock_files;
  bool json = false, quiet = false, no_welfare = false, no_elasticities = false;
  int threads = -1, periods = 300, max_iterations = 40, foreign_horizon = 1;
  double tolerance = 1e-9;
};

// Every shock of the run (all apply together, each with its own timing), and the reporting
// country the shock files suggest.
std::vector<analysis::Shock> read_shocks(const TrArgs& args, std::vector<io::ConfigFile>& files,
                                         std::string& suggested_country) {
  std::vector<analysis::Shock> shocks;
  for (const std::string& path : args.shock_files) {
    files.push_back(io::ConfigFile::load(path));
    const analysis::Experiment e = analysis::read_experiment(files.back().root(), "shocks", path);
    if (suggested_country.empty()) suggested_country = e.country;
    shocks.insert(shocks.end(), e.shocks.begin(), e.shocks.end());
  }
  for (const std::string& s : args.shocks) shocks.push_back(analysis::parse_shock_spec(s));
  if (shocks.empty()) throw InputError("no shocks: give --shock SPEC or --shocks FILE");
  return shocks;
}

int reporting_country(const world::World& w, const TrArgs& args, const std::string& suggested,
                      const std::vector<analysis::Shock>& shocks) {
  if (!args.country.empty()) return world::country_index(w, args.country, "--country");
  if (!suggested.empty()) return world::country_index(w, suggested, "shock file: country");
  for (const auto& s : shocks)
    if (s.kind != analysis::ShockKind::Autarky && s.importer != "*")
      return world::country_index(w, s.importer, "importer");
  auto it = std::find(w.names.begin(), w.names.end(), "USA");
  return it != w.names.end() ? static_cast<int>(it - w.names.begin()) : 0;
}

void validate(const TrArgs& a) {
  if (a.periods < 2 || a.periods > 5000) throw InputError("--periods must be in [2, 5000]");
  if (!(a.tolerance > 0 && a.tolerance < 1)) throw InputError("--tolerance must be in (0, 1)");
  if (a.max_iterations < 1 || a.max_iterations > 1000)
    throw InputError("--max-iterations must be in [1, 1000]");
  if (a.foreign_horizon < 0 || a.foreign_horizon > a.periods)
    throw InputError("--foreign-horizon must be in [0, periods]");
}

void print_text(const transition::Economy& e, const transition::TransitionRun& run) {
  const auto& r = run.result;
  const int c = run.country, T = e.periods;
  fmt::print("transition: {} after {} iteration(s), max residual {:.2e}, T = {}{}\n",
             to_string(r.report.status), r.iterations, r.report.residual, T,
             r.settled ? "" : " (NOT settled: raise --periods)");
  fmt::print("{}: R  old {:.8f}  t=0 {:.8f}  t=1 {:.8f}  t=T-1 {:.8f}  new {:.8f}\n",
             e.initial.names[c], e.old_prices.R(c), r.prices.R(0, c), r.prices.R(1, c),
             r.prices.R(T - 1, c), e.new_prices.R(c));
  if (run.welfare) {
    fmt::print("{} welfare (%):        {:>9} {:>9} {:>9}   CE by expenditure quintile (Q1..Q5)\n",
               e.initial.names[c], "mean EV", "mean CE", "lump-sum");
    for (const auto& sw : run.welfare->welfare.scenarios) {
      fmt::print("  {:<20} {:>9.4f} {:>9.4f} {:>9.4f}  ", sw.scenario, 100 * sw.mean_ev,
                 100 * sw.mean_ce, 100 * sw.mean_ev_lump_sum);
      for (int q = 0; q < sw.ce_groups.at("expenditure").size(); ++q)
        fmt::print(" {:>8.4f}", 100 * sw.ce_groups.at("expenditure")(q));
      fmt::print("\n");
    }
    fmt::print("  the transition changes the steady-state gain by {:+.1f}% (CE)\n",
               100 * run.welfare->transition_share_ce);
  }
}

void run_transition(const TrArgs& args) {
  Timer timer;
  validate(args);
  io::ConfigFile file = io::ConfigFile::load(args.config);
  world::WorldConfig wc = world::read_world_config(file);
  const world::World& w = wc.world;
  set_threads(args.threads >= 0 ? args.threads : wc.threads);
  std::vector<io::ConfigFile> shock_files;
  std::string suggested;
  transition::TransitionRun run;
  run.shocks = read_shocks(args, shock_files, suggested);
  analysis::apply_shocks(w, run.shocks);  // every shock valid for this world before any solve
  run.country = reporting_country(w, args, suggested, run.shocks);
  auto say = [&](const std::string& m) {
    if (!args.quiet) progress("{}", m);
  };
  if (!args.quiet)
    wc.options.progress = [](int it, double res, double sec) {
      progress("baseline evaluation {:4d}  residual {:.3e}  elapsed {:.1f}s", it, res, sec);
    };
  say("solving the baseline equilibrium");
  world::Equilibrium base = world::solve_equilibrium(w, wc.start, wc.options);
  if (!base.report.converged())
    throw NumericalError("baseline equilibrium: " + base.report.message);
  wc.options.progress = nullptr;
  analysis::WelfareOptions wo;
  Timer t_ss;
  const transition::Economy e =
      transition::make_economy(w, wc.options, base.state, run.shocks, args.periods, wo, say);
  transition::TransitionOptions to;
  to.periods = args.periods;
  to.tolerance = args.tolerance;
  to.max_iterations = args.max_iterations;
  to.foreign_horizon = args.foreign_horizon;
  to.progress = say;
  run.result = transition::solve_transition(e, to);
  run.result.seconds_steady_state = t_ss.seconds() - run.result.report.seconds;
  if (!run.result.report.converged()) exit_status() = 3;
  if (!run.result.settled)
    say(
        fmt::format("warning: the path has not settled by T = {} (distance {:.2e} from the "
                    "terminal steady state over the last 10%); raise --periods",
                    args.periods, run.result.settle_distance));
  if (run.result.path.ok && !args.no_welfare) {
    say("welfare including the transition");
    Timer tw;
    run.welfare = transition::transition_welfare(e, run.result, run.country, wo);
    run.seconds_welfare = tw.seconds();
  }
  if (run.result.path.ok && !args.no_elasticities) {
    say("trade elasticities by horizon");
    Timer te;
    run.elasticities = transition::horizon_elasticities(e, run.result, run.country, to);
    run.seconds_elasticities = te.seconds();
  }
  run.seconds = timer.seconds();
  nlohmann::json summary = transition::transition_json(e, run);

  if (!args.out.empty()) {
    io::OutputDir out(args.out);
    transition::add_transition_outputs(out, e, run);
    nlohmann::json man = io::manifest("transition");
    io::manifest_add_input(man, file.path(), file.text());
    for (const auto& f : shock_files) io::manifest_add_input(man, f.path(), f.text());
    man["argv_shocks"] = args.shocks;
    man["status"] = summary["status"];
    man["solvers"] = {{"baseline", io::to_json(base.report)},
                      {"terminal_steady_state", io::to_json(e.terminal_report)},
                      {"transition", io::to_json(run.result.report)}};
    man["options"] = {{"periods", args.periods},
                      {"tolerance", args.tolerance},
                      {"max_iterations", args.max_iterations},
                      {"foreign_horizon", args.foreign_horizon},
                      {"jacobian_step", to.jacobian_step}};
    man["timings"] = summary["timings"];
    man["timings"]["total"] = run.seconds;
    man["summary"] = summary;
    man["files"] = out.names();
    nlohmann::json file_summary = io::without_timings(summary);  // timings: manifest only
    file_summary.erase("timings");
    out.add_json("summary.json", file_summary);
    out.add_json("manifest.json", man);
    out.commit();
  }
  if (args.json) {
    print_json(summary);
    return;
  }
  print_text(e, run);
  if (!args.out.empty()) fmt::print("outputs written to {}/\n", args.out);
}

}  // namespace

void register_transition(CLI::App& app) {
  auto a = std::make_shared<TrArgs>();
  CLI::App* sub = app.add_subcommand(
      "transition", "Transition path after trade shocks: prices, welfare, elasticities by horizon");
  sub->add_option("config", a->config, "world TOML")->required()->check(CLI::ExistingFile);
  sub->add_option("--shock", a->shocks,
                  "shock, e.g. importer=USA,exporter=*,factor=0.9[,start=K][,phase_in=K][,end=K] "
                  "(repeatable; all shocks apply together)");
  sub->add_option("--shocks", a->shock_files, "TOML file with [[shock]] tables (repeatable)")
      ->check(CLI::ExistingFile);
  sub->add_option("--periods", a->periods, "path length T (default 300)");
  sub->add_option("--country", a->country, "country whose welfare and elasticities are reported");
  sub->add_option("--tolerance", a->tolerance,
                  "sup-norm of the stacked market-clearing residuals (default 1e-9)");
  sub->add_option("--max-iterations", a->max_iterations, "quasi-Newton iterations (default 40)");
  sub->add_option("--foreign-horizon", a->foreign_horizon,
                  "anticipation horizon of the Jacobian's responses to foreign wages (default 1; "
                  "0: all periods)");
  sub->add_flag("--no-welfare", a->no_welfare, "skip the welfare measures");
  sub->add_flag("--no-elasticities", a->no_elasticities, "skip the elasticities by horizon");
  add_run_options(sub, a->out, a->json, a->quiet, a->threads);
  sub->callback(
      [a]() { marking_failure(a->out, "transition", a->config, [&] { run_transition(*a); }); });
}

}  // namespace hat::cli
