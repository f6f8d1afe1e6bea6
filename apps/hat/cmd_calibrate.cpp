// `hat calibrate CONFIG.toml [--data DIR] --out DIR [--resume] [--init FILE] [--json]`:
// gravity as a guide on the EK data, with checkpoints after every evaluation (an adapter over
// calibration::run_study).
#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <cstdlib>

#include "commands.hpp"
#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/io/output.hpp"
#include "hat/reports/calibration.hpp"

namespace hat::cli {

namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) {
  g_interrupted.store(true);
}

struct CalibrateArgs {
  std::string config, data, out, init;
  bool resume = false, json = false, quiet = false, policies = false;
  int threads = -1, max_evaluations = -1;
};

void run_calibrate(const CalibrateArgs& args) {
  io::ConfigFile file = io::ConfigFile::load(args.config);
  int config_threads = 0;
  calibration::CalibrationSetup setup =
      calibration::read_calibration_setup(file, &config_threads, data_dir_arg(args.data));
  set_threads(args.threads >= 0 ? args.threads : config_threads);
  calibration::StudyOptions so;
  so.checkpoint_dir = args.out;
  so.resume = args.resume;
  so.init = args.init;
  if (args.max_evaluations > 0) so.max_evaluations = args.max_evaluations;
  const bool quiet = args.quiet;
  so.progress = [quiet](const Progress& p) {  // Ctrl-C: stop after the current evaluation
    if (!p.message.empty() && (!quiet || !p.message.starts_with("evaluation")))
      progress("{}", p.message);
    return g_interrupted.load() ? Control::kStop : Control::kContinue;
  };
  std::signal(SIGINT, on_sigint);
  calibration::Study study = calibration::run_study(file, std::move(setup), so);
  std::signal(SIGINT, SIG_DFL);
  const auto& res = study.result;
  if (res.interrupted) {
    warning("interrupted: the solver's state is in {}/checkpoint.json (continue with --resume)",
            args.out);
    exit_status() = 130;
    return;
  }
  if (!res.report.converged()) exit_status() = 3;
  progress(
      "{} ({} evaluations, {} Jacobians, max moment error {:.2e}, equilibrium residual "
      "{:.2e}, {:.1f}s)",
      res.report.message, res.evaluations, res.jacobians, res.max_moment_error,
      res.equilibrium_residual, study.seconds);
  if (res.x.size() == 0) throw NumericalError(res.report.message);
  io::OutputDir out(args.out);
  reports::add_calibration_outputs(out, file, study, args.policies);
  out.commit();
  if (args.json) {
    print_json(reports::calibration_summary(study));
  } else {
    fmt::print(
        "calibration: {} — max moment error {:.2e}, equilibrium residual {:.2e}, {} "
        "evaluations, {:.1f}s\n  beta = {:.8f} at R = {:.4f}\n",
        to_string(res.report.status), res.max_moment_error, res.equilibrium_residual,
        res.evaluations, study.seconds, res.state.prices.beta, res.state.prices.R(0));
    fmt::print("{}\n  outputs written to {}/\n", reports::table1_markdown(study), args.out);
  }
}

}  // namespace

void register_calibrate(CLI::App& app) {
  auto a = std::make_shared<CalibrateArgs>();
  CLI::App* sub = app.add_subcommand(
      "calibrate", "Calibrate TFPs and trade costs by gravity as a guide (EK 19-country data)");
  add_config_argument(sub, a->config, "TOML (see examples/ek19_baseline.toml)");
  sub->add_option("--data", a->data,
                  "data directory holding ek2002/ (default: $HAT_DATA_DIR or [data] dir)");
  sub->add_option("--out", a->out, "output directory (also holds checkpoint.json)")->required();
  sub->add_flag("--resume", a->resume, "continue from OUT/checkpoint.json");
  sub->add_option("--init", a->init, "start from a previous result.json or checkpoint.json");
  sub->add_flag("--json", a->json, "print a JSON summary on stdout");
  sub->add_flag("--quiet", a->quiet, "no progress lines on stderr");
  add_policies_flags(sub, a->policies);
  sub->add_option("--threads", a->threads, "OpenMP threads");
  sub->add_option("--max-evaluations", a->max_evaluations,
                  "stop after this many evaluations (checkpoint kept)");
  sub->callback(
      [a]() { marking_failure(a->out, "calibrate", a->config, [&] { run_calibrate(*a); }); });
}

}  // namespace hat::cli
