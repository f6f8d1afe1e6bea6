// `hat household CONFIG.toml [--out DIR] [--json] [--quiet]`: one household block at given
// prices. Long runs (big grids) report their stages and the solver's progress on stderr;
// Ctrl-C ends them (exit 130) before anything is written, or while writing (the output
// directory is replaced as a whole, see io::OutputDir).
#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "hat/analysis/household_study.hpp"
#include "hat/core/timer.hpp"
#include "hat/household/config.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/reports/household.hpp"

namespace hat::cli {

namespace {

struct HouseholdArgs {
  std::string config;
  std::string out;
  std::string euler_grid = "solution";
  bool json = false, quiet = false;
  int threads = 0;
};

// Progress of a long run: the stages of a big problem (>= 100000 cells) or of any run past two
// seconds (small problems stay silent) and, every two seconds, the solver's iteration.
class LongRun {
 public:
  LongRun(bool quiet, bool big) : quiet_(quiet), big_(big) {}
  void stage(const std::string& what) {
    if (!quiet_ && (big_ || timer_.seconds() > 2.0))
      progress("{} (elapsed {:.1f}s)", what, timer_.seconds());
  }
  void iteration(int it, double dc) {
    if (quiet_ || timer_.seconds() < next_) return;
    next_ = timer_.seconds() + 2.0;
    progress("household iteration {:6d}  sup |dc| {:.3e}  elapsed {:.1f}s", it, dc,
             timer_.seconds());
  }

 private:
  bool quiet_, big_;
  Timer timer_;
  double next_ = 2.0;
};

void run_household(const HouseholdArgs& args) {
  set_threads(args.threads);
  io::ConfigFile file = io::ConfigFile::load(args.config);
  household::HouseholdConfig hc = household::read_household_config(file);
  const auto& p = hc.problem;
  const long cells = static_cast<long>(p.Na()) * p.Nz() * p.M();
  LongRun run(args.quiet, cells >= 100000);
  run.stage(fmt::format("solving the household problem ({} x {} x {} = {} cells)", p.Na(), p.Nz(),
                        p.M(), cells));
  hc.solve.progress = [&run](const Progress& p) {
    run.iteration(p.iteration, p.residual);
    return Control::kContinue;
  };
  const analysis::HouseholdStudy st = analysis::run_household_study(
      std::move(hc), household::parse_euler_grid(args.euler_grid, "--euler-grid"),
      message_callback([&run](std::string_view what) { run.stage(std::string(what)); }));
  const auto& hp = st.config.problem;
  const household::HouseholdSolution& sol = st.solution;
  const household::StationaryDistribution& dist = st.distribution;
  const household::Aggregates& ag = st.aggregates;
  for (const auto& w : st.warnings) warning("warning: {}", w);
  const nlohmann::json summary = reports::household_summary(st);
  if (!st.converged()) exit_status() = 3;

  if (!args.out.empty()) {
    run.stage("writing " + args.out);
    io::OutputDir out(args.out);
    // A failed solve has no policies to write: the run leaves its summary and manifest only.
    reports::add_household_outputs(out, st);
    nlohmann::json man = io::manifest("household");
    io::manifest_add_input(man, file.path(), file.text());
    man["timings"] = {{"total_seconds", st.seconds},
                      {"household_seconds", sol.report.seconds},
                      {"distribution_seconds", dist.report.seconds}};
    man["status"] = summary["status"];
    man["solvers"] = {{"household", io::to_json(sol.report)},
                      {"distribution", io::to_json(dist.report)}};
    io::add_summary_and_manifest(out, man, summary);
    out.commit();
  }
  if (args.json) {
    print_json(summary);
  } else {
    fmt::print("household: {} in {} iterations ({:.1f} ms)\n", st.status(), sol.report.iterations,
               1e3 * sol.report.seconds);
    fmt::print("  distribution: {} in {} iterations, mass at a_max {:.2e}\n",
               to_string(dist.report.status), dist.report.iterations, dist.mass_at_amax);
    fmt::print("  aggregate assets {:.10f}, efficiency units {:.6f}\n", ag.assets,
               ag.efficiency_units);
    fmt::print("  Euler errors: log10 mean {:.2f}, log10 max {:.2f}\n", st.euler.log10_mean,
               st.euler.log10_max);
    const bool solved = st.solved();
    if (solved) fmt::print("  variety  price   choice prob  expenditure share\n");
    for (int j = 0; solved && j < hp.M(); ++j)
      fmt::print("  {:>7} {:7.4f} {:12.6f} {:18.6f}\n", j + 1, hp.prices(j),
                 ag.choice_probability(j), ag.expenditure_share(j));
    if (!args.out.empty()) fmt::print("  outputs written to {}/\n", args.out);
  }
}

}  // namespace

void register_household(CLI::App& app) {
  auto args = std::make_shared<HouseholdArgs>();
  CLI::App* sub = app.add_subcommand(
      "household", "Solve one household block at given prices (EGM + stationary distribution)");
  add_config_argument(sub, args->config, "TOML config (see examples/household.toml)");
  sub->add_option("--out", args->out, "write policies, distribution, figures and manifest here");
  sub->add_flag("--json", args->json, "print a JSON summary on stdout");
  sub->add_flag("--quiet", args->quiet, "no progress lines on stderr (long runs print them)");
  sub->add_option("--threads", args->threads, "OpenMP threads (default: OMP_NUM_THREADS)");
  sub->add_option("--euler-grid", args->euler_grid,
                  "Euler errors on the solution grid or a 10x finer one (default: solution)")
      ->check(CLI::IsMember({"solution", "fine"}));
  sub->callback([args]() { run_household(*args); });
}

}  // namespace hat::cli
