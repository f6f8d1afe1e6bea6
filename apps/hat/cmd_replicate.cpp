// `hat replicate waugh [--out DIR] [--data DIR] [--examples DIR] [--bins N] [--json]`: the HAT
// paper's welfare results in one run. Calibrates the baseline and the log-utility model on the
// EK data (examples/ek19_baseline.toml, examples/ek19_log.toml), runs the paper's four
// experiments (examples/shock_*.toml) on both, and writes one report (markdown + SVG figures)
// with the two models side by side, plus each model's counterfactual outputs
// (docs/counterfactual-welfare.md, "Reproducing the paper").
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "commands.hpp"
#include "common.hpp"
#include "hat/analysis/counterfactual.hpp"
#include "hat/calibration/study.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/reports/counterfactual.hpp"
#include "hat/reports/welfare.hpp"
#include "hat/world/config.hpp"

namespace hat::cli {

namespace {

struct ReplicateArgs {
  std::string study, out = "replicate-waugh", data, examples = "examples";
  int bins = 5, threads = -1;
  bool json = false, quiet = false;
};

struct ModelRun {
  std::string key, label, config;
  calibration::CalibrationResult calib;
  world::EquilibriumOptions opt;
  double theta_trade_weighted = 0;
  std::vector<analysis::ExperimentResult> results;
  double calib_seconds = 0, cf_seconds = 0;
  SolverStatus status = SolverStatus::Converged;  // the worst of the run's solves
  // Not converged: the run's outputs are still written, marked, and the command exits 3.
  void note(const SolverReport& r) {
    status = worse_status(status, r.status);
    if (!r.converged()) exit_status() = 3;
  }
};

const char* const kExperiments[] = {"shock_us_japan", "shock_us_france", "shock_us_all",
                                    "shock_global"};

// Calibrates one model and runs the experiments for US households.
ModelRun run_model(const std::string& key, const std::string& label, const ReplicateArgs& args,
                   const std::vector<analysis::Experiment>& experiments) {
  ModelRun run;
  run.key = key;
  run.label = label;
  run.config = args.examples + "/ek19_" + key + ".toml";
  io::ConfigFile file = io::ConfigFile::load(run.config);
  int config_threads = 0;
  calibration::CalibrationSetup setup =
      calibration::read_calibration_setup(file, &config_threads, data_dir_arg(args.data));
  set_threads(args.threads >= 0 ? args.threads : config_threads);
  if (!args.quiet) {
    progress("{}: calibrating ({})", label, run.config);
    setup.progress = [&](const Progress& p) {
      if (p.iteration % 10 == 0)
        progress("{}: evaluation {}, moment error {:.2e}, residual {:.2e}", label, p.iteration,
                 p.moment_error, p.equilibrium_residual);
      return Control::kContinue;
    };
  }
  Timer timer;
  run.calib = calibration::calibrate(setup);
  run.calib_seconds = timer.seconds();
  if (run.calib.x.size() == 0 || run.calib.state.countries.empty())
    throw NumericalError(label + " calibration: " + run.calib.report.message);
  run.note(run.calib.report);
  const world::World& w = run.calib.world;
  auto it = std::find(w.names.begin(), w.names.end(), "USA");
  if (it == w.names.end()) throw InputError(run.config + ": the data have no country USA");

  timer.reset();
  analysis::CounterfactualOptions co;
  co.countries = {static_cast<int>(it - w.names.begin())};
  co.welfare.groups = args.bins;
  Eigen::MatrixXd jacobian;
  co.jacobian_cache = &jacobian;
  if (!args.quiet)
    co.progress = message_callback([&](std::string_view m) { progress("{}: {}", label, m); });
  run.opt = analysis::counterfactual_equilibrium_options(setup.equilibrium);
  const std::vector<analysis::HouseholdState> old =
      analysis::baseline_states(run.calib.state, co.countries, co.welfare);
  for (const auto& s : old)
    if (s.report.status == SolverStatus::Failed)
      throw NumericalError(label + ": baseline household re-solve failed: " + s.report.message);
  const auto el =
      analysis::baseline_elasticities(old, co.countries, analysis::DistributionMode::Adjusts);
  run.note(el[0].report);
  run.theta_trade_weighted = el[0].theta_trade_weighted;
  co.theta_trade_weighted = {run.theta_trade_weighted};
  for (const auto& e : experiments) {
    run.results.push_back(analysis::run_experiment(w, run.opt, run.calib.state, old, e, co));
    run.note(run.results.back().status);
  }
  run.cf_seconds = timer.seconds();
  return run;
}

std::string pct(double x, int digits = 3) {
  return std::isfinite(x) ? fmt::format("{:.{}f}", 100 * x, digits) : "—";
}

std::string bins_text(const Eigen::VectorXd& v) {
  std::string s;
  for (int q = 0; q < v.size(); ++q) s += (q ? " / " : "") + pct(v(q), 2);
  return s;
}

// The report: calibration, headline measures side by side, bins, how to read them.
std::string report_markdown(const std::vector<ModelRun>& runs, const ReplicateArgs& args,
                            double seconds) {
  std::string r =
      "# HAT paper replication: US welfare from 10% trade-cost cuts, baseline and log model\n\n"
      "Produced by `hat replicate waugh`. Welfare in % (the paper's units). Each model was\n"
      "calibrated by gravity as a guide on the EK (2002) data, then the paper's experiments were\n"
      "run in partial equilibrium (PE: W, R fixed) and general equilibrium (GE). How every\n"
      "number maps to the paper's, and why some differ: docs/counterfactual-welfare.md,\n"
      "\"Reproducing the paper\". Per-state results: `<model>/welfare_states.csv`; which measure\n"
      "is robust where: `<model>/README.txt`.\n\n## Calibration\n\n"
      "| model | config | status | evaluations | max moment error | beta (R = 1.01) | theta_tw "
      "(US) "
      "| seconds |\n|---|---|---|---|---|---|---|---|\n";
  for (const ModelRun& m : runs)
    r += fmt::format("| {} | `{}` | {} | {} | {:.1e} | {:.6f} | {:.4f} | {:.1f} |\n", m.label,
                     m.config, to_string(m.calib.report.status), m.calib.evaluations,
                     m.calib.max_moment_error, m.calib.state.prices.beta, m.theta_trade_weighted,
                     m.calib_seconds);
  r += "\n## Headline numbers (US households, %)\n\n"
       "mean EV: the paper's equivalent variation on period wealth, all states; well posed: over\n"
       "the states where it has one root and R a + W z > 0; lump-sum EV: transfer / mean labour\n"
       "income; CE: consumption equivalent; ACR(tw): 100 (1/theta_tw) log(pi_ii'/pi_ii), the\n"
       "paper's benchmark with the model's trade-weighted elasticity.\n\n"
       "| experiment | scenario | model | mean EV | mean EV (well posed) | lump-sum EV | CE | "
       "ACR(tw) |\n|---|---|---|---|---|---|---|---|\n";
  const size_t E = runs[0].results.size();
  for (size_t e = 0; e < E; ++e)
    for (size_t s = 0; s < 2; ++s)
      for (const ModelRun& m : runs) {
        const auto& sw = m.results[e].welfare[0].scenarios[s];
        r +=
            fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", m.results[e].experiment.name,
                        s == 0 ? "PE" : "GE", m.label, pct(sw.mean_ev), pct(sw.mean_ev_well_posed),
                        pct(sw.mean_ev_lump_sum), pct(sw.mean_ce), pct(sw.acr_trade_weighted));
      }
  const std::string bn = reports::bin_name(args.bins);
  r += fmt::format(
      "\n## By expenditure {} (GE, poorest first, %)\n\n"
      "Lump-sum EV by the paper's bins (households binned by the expenditure on the variety\n"
      "they choose, exact) and the EV on period wealth by the published code's bins (expected\n"
      "expenditure of the state).\n\n"
      "| experiment | model | lump-sum EV by chosen-variety expenditure | EV by expected "
      "expenditure |\n|---|---|---|---|\n",
      bn);
  for (size_t e = 0; e < E; ++e)
    for (const ModelRun& m : runs) {
      const auto& sw = m.results[e].welfare[0].scenarios[1];
      r += fmt::format("| {} | {} | {} | {} |\n", m.results[e].experiment.name, m.label,
                       bins_text(sw.ev_lump_sum_groups.at("expenditure_choice")),
                       bins_text(sw.ev_groups.at("expenditure")));
    }
  r += "\n## Ill-posed EV states\n\n| model | mass with R a + W z <= 0 | experiment | GE mass "
       "with several EV roots |\n|---|---|---|---|\n";
  for (const ModelRun& m : runs)
    for (const auto& res : m.results)
      r += fmt::format("| {} | {:.4f} | {} | {:.4f} |\n", m.label,
                       res.welfare[0].nonpositive_wealth_mass, res.experiment.name,
                       res.welfare[0].scenarios[1].multiple_roots_mass);
  r += "\nFigures: `fig_measures.svg` (GE means by experiment), `fig_bins_<experiment>.svg`\n"
       "(lump-sum EV by the paper's bins, both models, PE and GE).\n";
  r += fmt::format("\nTotal run time {:.1f} s.\n", seconds);
  return r;
}

void add_figures(io::OutputDir& out, const std::vector<ModelRun>& runs, int bins) {
  io::BarChart m;
  m.title = "US welfare by experiment (GE, utilitarian mean)";
  m.ylabel = "%";
  for (const auto& res : runs[0].results) m.categories.push_back(res.experiment.name);
  for (const ModelRun& run : runs)
    for (const char* what : {"lump-sum EV", "CE", "ACR(tw)"}) {
      m.group_labels.push_back(run.label + " " + what);
      std::vector<double> v;
      for (const auto& res : run.results) {
        const auto& sw = res.welfare[0].scenarios[1];
        const std::string w(what);
        v.push_back(100 * (w == "CE"
                               ? sw.mean_ce
                               : (w == "ACR(tw)" ? sw.acr_trade_weighted : sw.mean_ev_lump_sum)));
      }
      m.values.push_back(v);
    }
  out.add("fig_measures.svg", m.render());
  for (size_t e = 0; e < runs[0].results.size(); ++e) {
    io::BarChart b;
    b.title = fmt::format("{}: US lump-sum EV by expenditure {} (paper's bins)",
                          runs[0].results[e].experiment.name, reports::bin_name(bins));
    b.ylabel = "% of mean labour income";
    for (int q = 1; q <= bins; ++q)
      b.categories.push_back(
          q == 1 ? "1 (poorest)"
                 : (q == bins ? fmt::format("{} (richest)", q) : std::to_string(q)));
    for (const ModelRun& run : runs)
      for (const auto& sw : run.results[e].welfare[0].scenarios) {
        b.group_labels.push_back(run.label + (sw.scenario == "pe" ? " PE" : " GE"));
        const Eigen::VectorXd& g = sw.ev_lump_sum_groups.at("expenditure_choice");
        b.values.push_back(std::vector<double>());
        for (int q = 0; q < g.size(); ++q) b.values.back().push_back(100 * g(q));
      }
    out.add(fmt::format("fig_bins_{}.svg", runs[0].results[e].experiment.name), b.render());
  }
}

void run_replicate(const ReplicateArgs& args) {
  if (args.study != "waugh")
    throw InputError("replicate: unknown study '" + args.study + "' (available: waugh)");
  if (args.bins != 5 && args.bins != 10 && args.bins != 20)
    throw InputError("--bins must be 5, 10 or 20");
  Timer timer;
  std::vector<analysis::Experiment> experiments;
  std::vector<io::ConfigFile> shock_files;
  for (const char* name : kExperiments) {
    shock_files.push_back(io::ConfigFile::load(args.examples + "/" + name + ".toml"));
    experiments.push_back(analysis::read_experiment(
        shock_files.back().root(), std::string(name).substr(6), shock_files.back().path()));
  }
  std::vector<ModelRun> runs;
  runs.push_back(run_model("baseline", "baseline", args, experiments));
  runs.push_back(run_model("log", "log", args, experiments));
  const double seconds = timer.seconds();

  nlohmann::json summary;
  SolverStatus worst = SolverStatus::Converged;
  for (const ModelRun& m : runs) worst = worse_status(worst, m.status);
  summary["status"] = to_string(worst);
  for (const ModelRun& m : runs) {
    nlohmann::json j;
    j["config"] = m.config;
    j["calibration"] = {{"status", to_string(m.calib.report.status)},
                        {"evaluations", m.calib.evaluations},
                        {"max_moment_error", m.calib.max_moment_error},
                        {"equilibrium_residual", m.calib.equilibrium_residual},
                        {"beta", m.calib.state.prices.beta},
                        {"seconds", m.calib_seconds}};
    j["theta_trade_weighted"] = m.theta_trade_weighted;
    j["experiments"] = nlohmann::json::array();
    for (const auto& r : m.results)
      j["experiments"].push_back(reports::experiment_json(m.calib.world, r, r.welfare[0].country));
    j["counterfactual_seconds"] = m.cf_seconds;
    summary[m.key] = j;
  }
  summary["seconds"] = seconds;

  io::OutputDir out(args.out);
  for (const ModelRun& m : runs) {
    io::OutputDir sub(args.out + "/" + m.key);
    reports::add_counterfactual_outputs(sub, m.calib.world, m.opt, m.results,
                                        {m.results[0].welfare[0].country});
    sub.add("calibrated_world.toml",
            world::world_to_toml(m.calib.world, m.calib.state.prices, m.opt));
    out.merge(std::move(sub), m.key + "/");
  }
  out.add("report.md", report_markdown(runs, args, seconds));
  add_figures(out, runs, args.bins);
  nlohmann::json man = io::manifest("replicate");
  for (const ModelRun& m : runs) {
    io::ConfigFile f = io::ConfigFile::load(m.config);
    io::manifest_add_input(man, f.path(), f.text());
  }
  for (const auto& f : shock_files) io::manifest_add_input(man, f.path(), f.text());
  man["status"] = summary["status"];
  man["solvers"] = nlohmann::json::object();
  for (const ModelRun& m : runs) {
    man["solvers"][m.key + "_calibration"] = io::to_json(m.calib.report);
    for (const auto& r : m.results)
      man["solvers"][m.key + "_" + r.experiment.name] = io::to_json(r.status);
  }
  man["timings"] = {{"total_seconds", seconds}};
  man["summary"] = summary;
  out.add_json("summary.json", summary);
  out.add_json("manifest.json", man);
  out.commit();
  if (args.json) {
    print_json(summary);
    return;
  }
  fmt::print("{}", report_markdown(runs, args, seconds));
  fmt::print("\nreport and outputs written to {}/\n", args.out);
}

}  // namespace

void register_replicate(CLI::App& app) {
  auto a = std::make_shared<ReplicateArgs>();
  CLI::App* sub = app.add_subcommand(
      "replicate", "Replicate a paper's results end to end (waugh: the HAT paper's welfare)");
  sub->add_option("study", a->study, "the study to replicate: waugh")->required();
  sub->add_option("--out", a->out, "output directory (default replicate-waugh)");
  sub->add_option("--data", a->data, "directory holding ek2002/ (over $HAT_DATA_DIR)");
  sub->add_option("--examples", a->examples,
                  "directory of ek19_baseline.toml, ek19_log.toml and shock_*.toml "
                  "(default examples)");
  sub->add_option("--bins", a->bins, "expenditure bins: 5 (default), 10 or 20");
  sub->add_flag("--json", a->json, "print a JSON summary on stdout");
  sub->add_flag("--quiet", a->quiet, "no progress lines on stderr");
  sub->add_option("--threads", a->threads, "OpenMP threads");
  sub->callback([a]() { run_replicate(*a); });
}

}  // namespace hat::cli
