// `hat calibrate CONFIG.toml [--data DIR] --out DIR [--resume] [--init FILE] [--json]`:
// gravity as a guide on the EK data, with checkpoints after every evaluation.
#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "calibration_setup.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "hat/calibration/calibrate.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/world/config.hpp"
#include "hat/world/outputs.hpp"

namespace hat::cli {

namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) {
  g_interrupted.store(true);
}

struct CalibrateArgs {
  std::string config, data, out, init;
  bool resume = false, json = false, quiet = false, no_policies = false;
  int threads = -1, max_evaluations = -1;
};

Eigen::VectorXd read_x(const std::string& path, long expected) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw InputError(path + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!j.contains("x") || !j["x"].is_array())
    throw InputError(path + ": no array \"x\" (expected a checkpoint.json or result.json)");
  std::vector<double> v;
  for (const auto& e : j["x"]) {
    if (!e.is_number()) throw InputError(path + ": \"x\" has a non-numeric entry");
    v.push_back(e.get<double>());
  }
  if (static_cast<long>(v.size()) != expected)
    throw InputError(path + ": \"x\" has " + std::to_string(v.size()) +
                     " entries, this config needs " + std::to_string(expected));
  return Eigen::Map<Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

// FNV-1a (64 bit) of the config text: a checkpoint belongs to the config that wrote it.
std::string config_fingerprint(const std::string& text) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return fmt::format("{:016x}", h);
}

nlohmann::json checkpoint_json(const io::ConfigFile& config, const std::vector<std::string>& names,
                               const Eigen::VectorXd& x, int evaluations, double norm) {
  return {{"program", "hat calibrate"},
          {"config", config.path()},
          {"config_fingerprint", config_fingerprint(config.text())},
          {"evaluations", evaluations},
          {"scaled_residual_norm", norm},
          {"names", names},
          {"x", std::vector<double>(x.data(), x.data() + x.size())}};
}

// --resume refuses a checkpoint written for another config (its point would be resumed under
// different data or model settings without notice); --init is the way to start from it.
void check_checkpoint_config(const std::string& ckpt, const io::ConfigFile& file) {
  std::ifstream in(ckpt);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_object() && j.contains("config_fingerprint") &&
      j["config_fingerprint"] != config_fingerprint(file.text()))
    throw InputError(ckpt + ": written for another config (" + j.value("config", std::string("?")) +
                     ", not this text of " + file.path() +
                     "); run without --resume, or start from its point with --init " + ckpt);
}

void run_calibrate(const CalibrateArgs& args) {
  Timer timer;
  if (!args.data.empty()) ::setenv("HAT_DATA_DIR", args.data.c_str(), 1);
  io::ConfigFile file = io::ConfigFile::load(args.config);
  int config_threads = 0;
  calibration::CalibrationSetup setup = read_calibration_setup(file, config_threads);
  if (args.max_evaluations > 0) setup.max_evaluations = args.max_evaluations;
  set_threads(args.threads >= 0 ? args.threads : config_threads);
  setup.stop = &g_interrupted;
  const std::string ckpt = args.out + "/checkpoint.json";
  calibration::GravityRegression reg(setup.data);
  const long n_unknowns = reg.n_moments() + world::n_unknowns(setup.world, setup.equilibrium);
  Eigen::VectorXd x0;
  if (args.resume) {
    if (!std::filesystem::exists(ckpt)) throw InputError(ckpt + ": no checkpoint to resume from");
    check_checkpoint_config(ckpt, file);
    x0 = read_x(ckpt, n_unknowns);
    progress("resuming from {}", ckpt);
  } else if (!args.init.empty()) {
    x0 = read_x(args.init, n_unknowns);
    progress("starting from {}", args.init);
  }
  std::filesystem::create_directories(args.out);
  std::vector<std::string> names = calibration::parameter_names(setup.world.names);
  for (const auto& s : world::unknown_names(setup.world, setup.equilibrium)) names.push_back(s);
  double best = INFINITY;
  const bool quiet = args.quiet;
  std::vector<double> history;  // best scaled norm after each evaluation, for the ETA
  setup.progress = [&](int it, const Eigen::VectorXd& x, double mom, double eq, double nrm,
                       double sec) {
    if (nrm < best) {
      best = nrm;
      io::write_file_atomic(ckpt, checkpoint_json(file, names, x, it, nrm).dump(1) + "\n");
    }
    history.push_back(best);
    // ETA once the best norm falls geometrically: evaluations to reach 1 at the recent rate.
    std::string eta = "unknown";
    const size_t h = history.size();
    if (h >= 6 && history[h - 1] < history[h - 6] && history[h - 1] > 1.0) {
      const double rate = std::log(history[h - 6] / history[h - 1]) / 5.0;
      const double remaining = std::log(history[h - 1]) / rate;
      if (std::isfinite(remaining) && remaining < 1e4)
        eta = fmt::format("{:.0f}s", remaining * sec / it);
    }
    if (!quiet)
      progress(
          "evaluation {:4d}  max moment error {:.3e}  equilibrium residual {:.3e}  elapsed "
          "{:.1f}s  ETA {}",
          it, mom, eq, sec, eta);
  };
  std::signal(SIGINT, on_sigint);
  calibration::CalibrationResult res = calibration::calibrate(setup, x0);
  std::signal(SIGINT, SIG_DFL);
  const double seconds = timer.seconds();
  if (res.interrupted) {
    progress("interrupted: the best point so far is in {} (continue with --resume)", ckpt);
    exit_status() = 130;
    return;
  }
  if (!res.report.converged()) exit_status() = 3;
  progress(
      "{} ({} evaluations, {} Jacobians, max moment error {:.2e}, equilibrium residual "
      "{:.2e}, {:.1f}s)",
      res.report.message, res.evaluations, res.jacobians, res.max_moment_error,
      res.equilibrium_residual, seconds);
  if (res.x.size() == 0) throw NumericalError(res.report.message);

  const auto& cp = res.parameters;
  const int N = setup.world.size();
  nlohmann::json params, ltfp, meff;
  for (int i = 0; i < N; ++i) {
    ltfp[setup.world.names[i]] = cp.log_tfp(i);
    meff[setup.world.names[i]] = cp.costs.m(i);
  }
  params["log_tfp"] = ltfp;
  params["importer_effect"] = meff;
  params["bins"] = std::vector<double>(cp.costs.bins.data(), cp.costs.bins.data() + 6);
  params["border"] = cp.costs.border;
  params["language"] = cp.costs.language;
  params["ec"] = cp.costs.ec;
  params["efta"] = cp.costs.efta;
  nlohmann::json summary = {{"status", to_string(res.report.status)},
                            {"message", res.report.message},
                            {"max_moment_error", res.max_moment_error},
                            {"equilibrium_residual", res.equilibrium_residual},
                            {"evaluations", res.evaluations},
                            {"jacobians", res.jacobians},
                            {"seconds", seconds},
                            {"R", res.state.prices.R(0)},
                            {"beta", res.state.prices.beta},
                            {"parameters", params}};

  io::OutputDir out(args.out);
  out.keep_existing("checkpoint.json");  // --resume continues from it
  // parameters.csv: value and, for trade-cost parameters, the cost factor exp(-x/theta).
  io::CsvWriter pc({"name", "kind", "value", "cost_factor"});
  const Eigen::VectorXd xp = calibration::pack_parameters(cp);
  for (int k = 0; k < xp.size(); ++k) {
    const bool tfp = k < N - 1;
    pc.cell(names[k])
        .cell(tfp ? "log_tfp" : "trade_cost")
        .cell(xp(k))
        .cell(tfp ? NAN : std::exp(-xp(k) / setup.theta));
    pc.end_row();
  }
  pc.cell("importer_effect_" + setup.world.names[N - 1])
      .cell("trade_cost")
      .cell(cp.costs.m(N - 1))
      .cell(std::exp(-cp.costs.m(N - 1) / setup.theta));
  pc.end_row();
  out.add("parameters.csv", pc.str());
  io::CsvWriter fit({"moment", "data", "model", "difference"});
  for (int k = 0; k < res.data_moments.size(); ++k) {
    fit.cell(res.moment_names[k])
        .cell(res.data_moments(k))
        .cell(res.model_moments(k))
        .cell(res.model_moments(k) - res.data_moments(k));
    fit.end_row();
  }
  out.add("fit.csv", fit.str());
  // A table in the style of the paper's Table 1.
  std::string md = "| barrier | data moment | model fit | parameter | cost factor exp(-x/" +
                   fmt::format("{}", setup.theta) + ") |\n|---|---:|---:|---:|---:|\n";
  const char* bins[] = {"[0, 375) miles", "[375, 750)",   "[750, 1500)",
                        "[1500, 3000)",   "[3000, 6000)", "[6000, max]"};
  const int b0 = 2 * (N - 1);
  for (int k = 0; k < 10; ++k) {
    const std::string label = k < 6 ? std::string("distance ") + bins[k]
                                    : std::vector<std::string>{"shared border", "shared language",
                                                               "European Community", "EFTA"}[k - 6];
    md +=
        fmt::format("| {} | {:.4f} | {:.4f} | {:.4f} | {:.4f} |\n", label, res.data_moments(b0 + k),
                    res.model_moments(b0 + k), xp(b0 + k), std::exp(-xp(b0 + k) / setup.theta));
  }
  md +=
      "\n| country | S_i data | S_i model | log A_i | m_n data | m_n model | importer effect |\n"
      "|---|---:|---:|---:|---:|---:|---:|\n";
  calibration::GravityEstimates de = reg.estimates(res.data_moments),
                                me = reg.estimates(res.model_moments);
  for (int i = 0; i < N; ++i)
    md += fmt::format("| {} | {:.4f} | {:.4f} | {:.4f} | {:.4f} | {:.4f} | {:.4f} |\n",
                      setup.world.names[i], de.S(i), me.S(i), cp.log_tfp(i), de.m(i), me.m(i),
                      cp.costs.m(i));
  out.add("table1.md", md);
  // Model vs data normalised trade shares.
  io::Plot fig;
  fig.title =
      "Normalised trade shares: model vs data (" + std::to_string(setup.data.n_pairs()) + " pairs)";
  fig.xlabel = "data  log(X_ni / X_nn)";
  fig.ylabel = "model  log(M_ni / M_nn)";
  fig.diagonal = true;
  io::Series se;
  se.line = false;
  se.label = "country pairs";
  const Eigen::VectorXd ym = reg.log_normalised_flows(res.state.imports);
  for (long q = 0; q < setup.data.n_pairs(); ++q) {
    se.x.push_back(setup.data.y(q));
    se.y.push_back(ym(q));
  }
  fig.series.push_back(se);
  out.add("trade_shares_model_vs_data.svg", fig.render());
  io::CsvWriter pairs({"importer", "exporter", "data_log_share", "model_log_share"});
  for (long q = 0; q < setup.data.n_pairs(); ++q) {
    pairs.cell(setup.data.countries[setup.data.importer[q]])
        .cell(setup.data.countries[setup.data.exporter[q]])
        .cell(setup.data.y(q))
        .cell(ym(q));
    pairs.end_row();
  }
  out.add("pair_fit.csv", pairs.str());
  world::add_world_outputs(out, res.world, res.state,
                           world::residual_names(res.world, setup.equilibrium), !args.no_policies);
  out.add("calibrated_world.toml",
          world::world_to_toml(res.world, res.state.prices, setup.equilibrium));
  out.add_json("result.json",
               checkpoint_json(file, names, res.x, res.evaluations,
                               std::max(res.max_moment_error / setup.moment_tolerance,
                                        res.equilibrium_residual / setup.equilibrium.tolerance)));
  nlohmann::json man = io::manifest("calibrate");
  io::manifest_add_input(man, file.path(), file.text());
  for (const auto& f : setup.data.files) man["inputs"].push_back({{"path", f}});
  man["status"] = summary["status"];
  man["solver"] = io::to_json(res.report);
  man["solver"]["evaluations"] = res.evaluations;
  man["solver"]["jacobians"] = res.jacobians;
  man["timings"] = {{"total_seconds", seconds}};
  man["summary"] = summary;
  out.add_json("summary.json", io::without_timings(summary));
  out.add_json("manifest.json", man);
  out.commit();
  if (args.json) {
    print_json(summary);
  } else {
    fmt::print(
        "calibration: {} — max moment error {:.2e}, equilibrium residual {:.2e}, {} "
        "evaluations, {:.1f}s\n  beta = {:.8f} at R = {:.4f}\n",
        to_string(res.report.status), res.max_moment_error, res.equilibrium_residual,
        res.evaluations, seconds, res.state.prices.beta, res.state.prices.R(0));
    fmt::print("{}\n  outputs written to {}/\n", md, args.out);
  }
}

}  // namespace

void register_calibrate(CLI::App& app) {
  auto a = std::make_shared<CalibrateArgs>();
  CLI::App* sub = app.add_subcommand(
      "calibrate", "Calibrate TFPs and trade costs by gravity as a guide (EK 19-country data)");
  sub->add_option("config", a->config, "TOML (see examples/ek19_baseline.toml)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--data", a->data,
                  "data directory holding ek2002/ (default: $HAT_DATA_DIR or [data] dir)");
  sub->add_option("--out", a->out, "output directory (also holds checkpoint.json)")->required();
  sub->add_flag("--resume", a->resume, "continue from OUT/checkpoint.json");
  sub->add_option("--init", a->init, "start from a previous result.json or checkpoint.json");
  sub->add_flag("--json", a->json, "print a JSON summary on stdout");
  sub->add_flag("--quiet", a->quiet, "no progress lines on stderr");
  sub->add_flag("--no-policies", a->no_policies, "do not write the (large) policies.csv");
  sub->add_option("--threads", a->threads, "OpenMP threads");
  sub->add_option("--max-evaluations", a->max_evaluations,
                  "stop after this many evaluations (checkpoint kept)");
  sub->callback(
      [a]() { marking_failure(a->out, "calibrate", a->config, [&] { run_calibrate(*a); }); });
}

}  // namespace hat::cli
