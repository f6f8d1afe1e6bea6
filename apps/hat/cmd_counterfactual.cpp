// `hat counterfactual WORLD.toml --shock SPEC [--shock ...] [--shocks FILE ...] [--country C]
//  [--all-countries] [--out DIR] [--json]`: trade-cost / tariff / autarky experiments with
// welfare in partial and general equilibrium (docs/counterfactual-welfare.md).
#include <fmt/format.h>

#include <algorithm>

#include "commands.hpp"
#include "common.hpp"
#include "hat/analysis/counterfactual.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
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
  Timer timer;
  io::ConfigFile file = io::ConfigFile::load(args.config);
  // [counterfactual] is read before the world reader, which rejects tables it does not know.
  std::vector<analysis::Experiment> experiments;
  {
    io::ConfigTable cf = file.root().table("counterfactual");
    if (!cf.empty())
      experiments.push_back(analysis::read_experiment(cf, "config", "[counterfactual]"));
  }
  world::WorldConfig wc = world::read_world_config(file);
  const world::World& w = wc.world;
  set_threads(args.threads >= 0 ? args.threads : wc.threads);
  std::vector<io::ConfigFile> shock_files;
  for (const std::string& path : args.shock_files) {
    shock_files.push_back(io::ConfigFile::load(path));
    std::string stem = path.substr(path.find_last_of('/') + 1);
    stem = stem.substr(0, stem.find('.'));
    experiments.push_back(analysis::read_experiment(shock_files.back().root(), stem, path));
  }
  if (!args.shocks.empty()) {
    analysis::Experiment e;
    e.name = args.name;
    e.source = "--shock";
    for (const std::string& s : args.shocks) e.shocks.push_back(analysis::parse_shock_spec(s));
    experiments.push_back(e);
  }
  if (experiments.empty())
    throw InputError("no shocks: give --shock SPEC, --shocks FILE or a [counterfactual] table in " +
                     args.config);
  for (size_t a = 0; a < experiments.size(); ++a)
    for (size_t b = 0; b < a; ++b)
      if (experiments[a].name == experiments[b].name)
        throw InputError("two experiments are named '" + experiments[a].name + "' (" +
                         experiments[b].source + ", " + experiments[a].source + ")");
  // Validate every shock against the world before any solve.
  for (const auto& e : experiments) {
    analysis::apply_shocks(w, e.shocks);
    for (const auto& s : e.shocks)
      if (s.timed())
        throw InputError(e.source + ": shock '" + s.text +
                         "': start, phase_in and end describe a path; use `hat transition`");
  }

  // Reporting country: --country, else the experiments' `country`, else the importer of the
  // first shock, else USA if present, else the first country.
  int country = -1;
  if (!args.country.empty()) country = world::country_index(w, args.country, "--country");
  for (const auto& e : experiments)
    if (country < 0 && !e.country.empty())
      country = world::country_index(w, e.country, e.source + ": country");
  for (const auto& e : experiments)
    for (const auto& s : e.shocks)
      if (country < 0 && s.kind != analysis::ShockKind::Autarky && s.importer != "*")
        country = world::country_index(w, s.importer, "importer");
  if (country < 0) {
    auto it = std::find(w.names.begin(), w.names.end(), "USA");
    country = it != w.names.end() ? static_cast<int>(it - w.names.begin()) : 0;
  }
  analysis::CounterfactualOptions co;
  Eigen::MatrixXd shared_jacobian;  // the first GE solve's Jacobian starts the later ones
  co.jacobian_cache = &shared_jacobian;
  co.theta = args.theta;
  co.welfare.node_spacing = args.ev_step;
  co.welfare.lump_sum_polish = args.lump_sum_polish;
  if (args.bins != 5 && args.bins != 10 && args.bins != 20)
    throw InputError("--bins must be 5, 10 or 20");
  co.welfare.groups = args.bins;
  if (!(args.lump_sum_polish >= 0 && args.lump_sum_polish < 1e-3))
    throw InputError("--lump-sum-polish must be in [0, 1e-3)");
  if (!(args.ev_step > 0 && args.ev_step <= 0.1)) throw InputError("--ev-step must be in (0, 0.1]");
  if (!std::isfinite(args.theta)) throw InputError("--theta must be finite");
  const analysis::DistributionMode acr_mode =
      analysis::parse_distribution_mode(args.acr_distribution, "--acr-distribution");
  if (args.all_countries) {
    for (int i = 0; i < w.size(); ++i) co.countries.push_back(i);
  } else {
    co.countries.push_back(country);
  }
  if (!args.quiet) co.progress = [](const std::string& m) { progress("{}", m); };

  // Baseline.
  Timer t_base;
  world::Evaluation baseline;
  SolverReport base_report;
  std::vector<std::string> residual_names;
  if (args.no_solve) {
    world::Prices p = wc.start;
    if (!w.has_tariffs()) p.tau.setZero();
    baseline = world::evaluate(w, p, wc.options);
    if (!baseline.ok) throw NumericalError("baseline evaluation: " + baseline.message);
    base_report.status = SolverStatus::Converged;
    base_report.message = "baseline: the config's prices (not solved, --no-solve)";
    base_report.residual = baseline.residuals.cwiseAbs().maxCoeff();
  } else {
    if (!args.quiet) {
      progress("solving the baseline equilibrium");
      wc.options.progress = [](int it, double res, double sec) {
        progress("evaluation {:4d}  residual {:.3e}  elapsed {:.1f}s", it, res, sec);
      };
    }
    world::Equilibrium eq = world::solve_equilibrium(w, wc.start, wc.options);
    base_report = eq.report;
    if (eq.state.countries.empty()) throw NumericalError("baseline: " + eq.report.message);
    baseline = std::move(eq.state);
    if (!eq.report.converged()) exit_status() = 3;
  }
  const double base_seconds = t_base.seconds();
  // The counterfactuals hold beta at its baseline value.
  world::EquilibriumOptions opt = analysis::counterfactual_equilibrium_options(wc.options);

  Timer t_tight;
  std::vector<analysis::HouseholdState> old_states =
      analysis::baseline_states(baseline, co.countries, co.welfare);
  for (const auto& s : old_states)
    if (s.report.status == SolverStatus::Failed)
      throw NumericalError("baseline household re-solve failed: " + s.report.message);
  // The paper's ACR benchmark: the model's trade-weighted average PE elasticity.
  Timer t_elast;
  if (!args.quiet) progress("trade elasticities of the baseline (ACR benchmark)");
  const std::vector<analysis::CountryElasticities> elasticities =
      analysis::baseline_elasticities(old_states, co.countries, acr_mode);
  for (const auto& e : elasticities) {
    if (!e.report.converged()) exit_status() = 3;
    co.theta_trade_weighted.push_back(e.theta_trade_weighted);
  }
  const double elasticity_seconds = t_elast.seconds();
  const double tight_seconds = t_tight.seconds() - elasticity_seconds;

  std::vector<analysis::ExperimentResult> results;
  for (const auto& e : experiments) {
    results.push_back(analysis::run_experiment(w, opt, baseline, old_states, e, co));
    const auto& r = results.back();
    if (!r.status.converged()) exit_status() = 3;
    for (const auto& n : r.shocked.notes) progress("{}: note: {}", e.name, n);
    progress("{}: GE {} ({:.2f}s), welfare {:.2f}s", e.name, to_string(r.ge.report.status),
             r.seconds_ge, r.seconds_welfare);
  }
  const double seconds = timer.seconds();

  nlohmann::json summary;
  summary["status"] = exit_status() == 0 ? "converged" : "not_converged";
  summary["country"] = w.names[country];
  summary["baseline"] = {{"status", to_string(base_report.status)},
                         {"message", base_report.message},
                         {"residual", base_report.residual},
                         {"R", baseline.prices.R(country)},
                         {"beta", baseline.prices.beta}};
  nlohmann::json wages;
  for (int i = 0; i < w.size(); ++i) wages[w.names[i]] = baseline.prices.W(i);
  summary["baseline"]["wages"] = wages;
  summary["experiments"] = nlohmann::json::array();
  for (const auto& r : results)
    summary["experiments"].push_back(analysis::experiment_json(w, r, country));
  if (results.size() == 1)
    for (const char* k : {"R_new", "wages_new", "welfare"})
      summary[k] = summary["experiments"][0][k];
  summary["seconds"] = seconds;

  if (!args.out.empty()) {
    io::OutputDir out(args.out);
    analysis::add_counterfactual_outputs(out, w, opt, results, co.countries);
    nlohmann::json man = io::manifest("counterfactual");
    io::manifest_add_input(man, file.path(), file.text());
    for (const auto& f : shock_files) io::manifest_add_input(man, f.path(), f.text());
    man["shock_specs"] = args.shocks;
    man["status"] = summary["status"];
    man["baseline_solver"] = io::to_json(base_report);
    man["experiments"] = nlohmann::json::array();
    for (const auto& r : results)
      man["experiments"].push_back({{"name", r.experiment.name},
                                    {"status", io::to_json(r.status)},
                                    {"ge_solver", io::to_json(r.ge.report)},
                                    {"ge_evaluations", r.ge.evaluations},
                                    {"ge_seconds", r.seconds_ge},
                                    {"welfare_seconds", r.seconds_welfare}});
    man["welfare_options"] = {{"household_tolerance", co.welfare.household.tolerance},
                              {"household_value_tolerance", co.welfare.household.value_tolerance},
                              {"distribution_tolerance", co.welfare.distribution.tolerance},
                              {"ev_node_spacing", co.welfare.node_spacing},
                              {"lump_sum_node_spacing", co.welfare.lump_sum_spacing},
                              {"lump_sum_polish", co.welfare.lump_sum_polish},
                              {"theta", co.theta},
                              {"acr_distribution", args.acr_distribution},
                              {"bins", args.bins}};
    nlohmann::json el;
    for (size_t c = 0; c < elasticities.size(); ++c) {
      nlohmann::json by;
      for (const auto& b : elasticities[c].partners) by[w.names[b.partner]] = b.theta;
      el[w.names[co.countries[c]]] = {{"theta_trade_weighted", co.theta_trade_weighted[c]},
                                      {"theta", by},
                                      {"solver", io::to_json(elasticities[c].report)}};
    }
    man["acr_elasticities"] = el;
    man["timings"] = {{"total_seconds", seconds},
                      {"baseline_seconds", base_seconds},
                      {"baseline_tight_seconds", tight_seconds},
                      {"elasticity_seconds", elasticity_seconds}};
    man["summary"] = summary;
    man["files"] = out.names();
    out.add_json("summary.json", io::without_timings(summary));
    out.add_json("manifest.json", man);
    out.commit();
  }
  if (args.json) {
    print_json(summary);
    return;
  }
  fmt::print("baseline: {} (residual {:.2e}), R = {:.8f}\n", to_string(base_report.status),
             base_report.residual, baseline.prices.R(country));
  for (size_t c = 0; c < co.countries.size(); ++c)
    fmt::print(
        "ACR elasticities of {}: theta = {:.6f} (ACR); trade-weighted PE "
        "theta = {:.6f} (ACR(tw), distribution {})\n",
        w.names[co.countries[c]], results.empty() ? 0.0 : results[0].welfare[c].scenarios[0].theta,
        co.theta_trade_weighted[c], args.acr_distribution);
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
          analysis::bin_name(args.bins));
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
  sub->add_option("config", a->config, "world TOML (optionally with a [counterfactual] table)")
      ->required()
      ->check(CLI::ExistingFile);
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
                  "trade elasticity for the ACR benchmark (default -1/sigma_i)");
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
