// `hat counterfactual WORLD.toml --shock SPEC [--shock ...] [--shocks FILE ...] [--country C]
//  [--all-countries] [--out DIR] [--json]`: trade-cost / tariff / autarky experiments with
// welfare in partial and general equilibrium (docs/counterfactual-welfare.md).
#include <fmt/format.h>

#include <functional>

#include "commands.hpp"
#include "common.hpp"
#include "hat/analysis/counterfactual_study.hpp"
#include "hat/core/error.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/reports/counterfactual.hpp"
#include "hat/reports/welfare.hpp"
#include "hat/world/config.hpp"

namespace hat::cli {

namespace {

struct CfArgs {
  std::string config, out, country, name = "cli", acr_distribution = "adjusts";
  std::vector<std::string> shocks, shock_files;
  bool json = false, quiet = false, no_solve = false, all_countries = false;
  int threads = -1, bins = 5;
  double theta = 0, ev_step = 0.0025, lump_sum_polish = 0;
};

void run_counterfactual(const CfArgs& args) {
  io::ConfigFile file = io::ConfigFile::load(args.config);
  analysis::CounterfactualStudyOptions so{.experiments = analysis::config_experiments(file),
                                          .country = args.country,
                                          .all_countries = args.all_countries,
                                          .solve = !args.no_solve,
                                          .theta = args.theta,
                                          .ev_step = args.ev_step,
                                          .lump_sum_polish = args.lump_sum_polish,
                                          .bins = args.bins,
                                          .acr_distribution = args.acr_distribution};
  world::WorldConfig wc = estimation::read_world_config(file, data_dir_arg());
  set_threads(args.threads >= 0 ? args.threads : wc.threads);
  std::vector<io::ConfigFile> shock_files;
  for (const std::string& path : args.shock_files)
    shock_files.push_back(io::ConfigFile::load(path));
  analysis::append_experiments(so.experiments, shock_files, args.shocks, args.name, args.config);
  ProgressCallback say;
  if (!args.quiet) say = message_callback([](std::string_view m) { progress("{}", m); });
  const analysis::CounterfactualStudy st =
      analysis::run_counterfactual_study(std::move(wc), so, say);
  if (!st.converged) exit_status() = 3;
  const world::World& w = st.world;
  const int country = st.country;
  const std::vector<analysis::ExperimentResult>& results = st.results;
  const SolverReport& base_report = st.baseline_report;
  const world::Evaluation& baseline = st.baseline;
  const nlohmann::json summary = reports::counterfactual_summary(st);

  if (!args.out.empty()) {
    io::OutputDir out(args.out);
    reports::add_counterfactual_outputs(out, w, st.options, results, st.countries);
    nlohmann::json man = io::manifest("counterfactual");
    io::manifest_add_input(man, file.path(), file.text());
    for (const auto& f : shock_files) io::manifest_add_input(man, f.path(), f.text());
    man["shock_specs"] = args.shocks;
    man["status"] = summary["status"];
    man["baseline_solver"] = io::to_json(base_report);
    man["solvers"] = {{"baseline", io::to_json(base_report)}};
    for (const auto& r : results) man["solvers"][r.experiment.name] = io::to_json(r.status);
    man["experiments"] = nlohmann::json::array();
    for (const auto& r : results)
      man["experiments"].push_back({{"name", r.experiment.name},
                                    {"status", io::to_json(r.status)},
                                    {"ge_solver", io::to_json(r.ge.report)},
                                    {"ge_evaluations", r.ge.evaluations},
                                    {"ge_seconds", r.seconds_ge},
                                    {"welfare_seconds", r.seconds_welfare}});
    const analysis::WelfareOptions& wo = st.welfare;
    man["welfare_options"] = {{"household_tolerance", wo.household.tolerance},
                              {"household_value_tolerance", wo.household.value_tolerance},
                              {"distribution_tolerance", wo.distribution.tolerance},
                              {"ev_node_spacing", wo.node_spacing},
                              {"lump_sum_node_spacing", wo.lump_sum_spacing},
                              {"lump_sum_polish", wo.lump_sum_polish},
                              {"theta", st.theta},
                              {"acr_distribution", args.acr_distribution},
                              {"bins", args.bins}};
    man["acr_elasticities"] = reports::acr_elasticities_json(st);
    man["timings"] = {{"total_seconds", st.seconds},
                      {"baseline_seconds", st.seconds_baseline},
                      {"baseline_tight_seconds", st.seconds_baseline_tight},
                      {"elasticity_seconds", st.seconds_elasticities}};
    io::add_summary_and_manifest(out, man, summary);
    out.commit();
  }
  if (args.json) {
    print_json(summary);
    return;
  }
  fmt::print("baseline: {} (residual {:.2e}), R = {:.8f}\n", to_string(base_report.status),
             base_report.residual, baseline.prices.R(country));
  for (size_t c = 0; c < st.countries.size(); ++c)
    fmt::print(
        "ACR elasticities of {}: theta = {:.6f} (ACR); trade-weighted PE "
        "theta = {:.6f} (ACR(tw), distribution {})\n",
        w.names[st.countries[c]], results.empty() ? 0.0 : results[0].welfare[c].scenarios[0].theta,
        st.theta_trade_weighted[c], args.acr_distribution);
  fmt::print(
      "lump-sum EV: % of mean labour income W E[z]; ACR(tw) = (1/theta_tw) log(pi_ii'/pi_ii)\n");
  for (const auto& r : results) {
    fmt::print("\n{} — {} shock(s); GE {} (residual {:.2e}), R_new = {:.8f}\n", r.experiment.name,
               r.experiment.shocks.size(), to_string(r.ge.report.status), r.ge.report.residual,
               r.prices_new.R(country));
    for (size_t c = 0; c < r.welfare.size(); ++c) {
      const auto& cw = r.welfare[c];
      fmt::print(
          "  {} welfare (%):      {:>9} {:>9} {:>9} {:>9} {:>9}   lump-sum EV by expenditure "
          "{} (paper's bins, poorest first)\n",
          w.names[cw.country], "mean EV", "lump-sum", "mean CE", "ACR", "ACR(tw)",
          reports::bin_name(args.bins));
      for (const auto& sw : cw.scenarios) {
        fmt::print("    {:<18} {:>9.4f} {:>9.4f} {:>9.4f} {:>9.4f} {:>9.4f}  ",
                   sw.scenario == "pe" ? "PE (W, R fixed)" : "GE", 100 * sw.mean_ev,
                   100 * sw.mean_ev_lump_sum, 100 * sw.mean_ce, 100 * sw.acr,
                   100 * sw.acr_trade_weighted);
        const Eigen::VectorXd& bins = sw.ev_lump_sum_groups.at("expenditure_choice");
        for (int q = 0; q < bins.size(); ++q) fmt::print(" {:>7.4f}", 100 * bins(q));
        fmt::print("\n");
      }
    }
  }
  if (!args.out.empty()) fmt::print("\noutputs written to {}/\n", args.out);
}

}  // namespace

void register_counterfactual(CLI::App& app) {
  auto a = std::make_shared<CfArgs>();
  CLI::App* sub = app.add_subcommand(
      "counterfactual", "Trade-cost, tariff or autarky experiments: welfare in PE and GE");
  add_config_argument(sub, a->config, "world TOML (optionally with a [counterfactual] table)");
  sub->add_option(
      "--shock", a->shocks,
      "shock, e.g. importer=USA,exporter=JPN,factor=0.9 (repeatable; together one experiment)");
  sub->add_option("--shocks", a->shock_files,
                  "TOML file with [[shock]] tables (repeatable; one experiment each)")
      ->check(CLI::ExistingFile);
  sub->add_option("--name", a->name, "name of the --shock experiment (default: cli)");
  sub->add_option("--country", a->country, "country whose households' welfare is reported");
  sub->add_flag("--all-countries", a->all_countries,
                "measure the welfare of every country's households");
  sub->add_option("--theta", a->theta,
                  "trade elasticity for the ACR benchmark, < 0 (default -1/sigma_i)");
  sub->add_option("--ev-step", a->ev_step,
                  "spacing of the lambda nodes of the equivalent variation (default 0.0025)");
  sub->add_option("--lump-sum-polish", a->lump_sum_polish,
                  "refine every lump-sum EV root by direct solves to this value tolerance "
                  "(default 0: interpolated roots)");
  sub->add_option("--bins", a->bins,
                  "quantile groups of every grouping: 5 (quintiles, default), 10 or 20");
  sub->add_option("--acr-distribution", a->acr_distribution,
                  "elasticity of the trade-weighted ACR benchmark with the distribution "
                  "\"adjusts\" (default, steady state to steady state) or held \"fixed\"");
  sub->add_flag("--no-solve", a->no_solve, "take the config's prices as the baseline equilibrium");
  add_run_options(sub, a->out, a->json, a->quiet, a->threads);
  sub->callback([a]() {
    if (a->name.empty()) throw InputError("--name must not be empty");
    marking_failure(a->out, "counterfactual", a->config, [&] { run_counterfactual(*a); });
  });
}

}  // namespace hat::cli
