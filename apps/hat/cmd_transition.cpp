// `hat transition WORLD.toml (--shock SPEC | --shocks FILE)... [--periods T] [--country C]
//  [--out DIR] [--json] [--threads N] [--quiet]`: the perfect-foresight path of the HAT world
// after trade shocks announced at t = 0, welfare including the transition and trade
// elasticities by horizon (docs/transition.md).
#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/reports/transition.hpp"
#include "hat/reports/world.hpp"
#include "hat/transition/study.hpp"
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
  return shocks;
}

void print_text(const transition::PathEconomy& e, const transition::TransitionRun& run) {
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

// A baseline that did not converge: its tables (baseline_*.csv, no Euler errors) and a manifest
// with its status; no path. Exit 3.
void write_unsolved_baseline(const TrArgs& args, const io::ConfigFile& file,
                             const std::vector<io::ConfigFile>& shock_files,
                             const transition::Study& st) {
  const world::Equilibrium& base = st.baseline;
  exit_status() = 3;
  warning("warning: baseline did not converge ({}; {}); no transition path, exit 3",
          to_string(base.report.status), base.report.message);
  if (args.json)
    print_json({{"status", to_string(base.report.status)},
                {"message", "baseline " + base.report.message},
                {"baseline", io::without_timings(io::to_json(base.report))}});
  if (args.out.empty()) return;
  io::OutputDir out(args.out);
  if (base.state.residuals.size() > 0)
    reports::add_world_outputs(out, st.economy.initial, base.state, base.residual_names, {}, false,
                               "baseline_");
  nlohmann::json man = io::manifest("transition");
  io::manifest_add_input(man, file.path(), file.text());
  for (const auto& f : shock_files) io::manifest_add_input(man, f.path(), f.text());
  man["argv_shocks"] = args.shocks;
  man["status"] = to_string(base.report.status);
  man["message"] = "baseline " + base.report.message;
  man["solvers"] = {{"baseline", io::to_json(base.report)}};
  man["timings"] = {{"total_seconds", st.run.seconds}};
  out.add_json("manifest.json", man);
  out.commit();
}

void run_transition(const TrArgs& args) {
  io::ConfigFile file = io::ConfigFile::load(args.config);
  world::WorldConfig wc = estimation::read_world_config(file, data_dir_arg());
  set_threads(args.threads >= 0 ? args.threads : wc.threads);
  std::vector<io::ConfigFile> shock_files;
  transition::StudyRequest req;
  req.shocks = read_shocks(args, shock_files, req.suggested);
  req.country = args.country;
  req.periods = args.periods;
  req.tolerance = args.tolerance;
  req.max_iterations = args.max_iterations;
  req.foreign_horizon = args.foreign_horizon;
  req.welfare = !args.no_welfare;
  req.elasticities = !args.no_elasticities;
  const transition::Study st =
      transition::run_study(std::move(wc), req, message_callback([&](std::string_view m) {
                              if (!args.quiet) progress("{}", m);
                            }));
  if (!st.baseline.report.converged()) return write_unsolved_baseline(args, file, shock_files, st);
  const transition::PathEconomy& e = st.economy;
  const transition::TransitionRun& run = st.run;
  const world::Equilibrium& base = st.baseline;
  if (!run.result.report.converged()) exit_status() = 3;
  nlohmann::json summary = reports::transition_json(e, run);

  if (!args.out.empty()) {
    io::OutputDir out(args.out);
    reports::add_transition_outputs(out, e, run);
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
                      {"jacobian_step", transition::TransitionOptions{}.jacobian_step}};
    man["timings"] = summary["timings"];
    man["timings"]["total_seconds"] = run.seconds;
    io::add_summary_and_manifest(out, man, summary);
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
  add_config_argument(sub, a->config, "world TOML");
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
