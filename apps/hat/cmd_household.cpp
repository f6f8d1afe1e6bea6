// `hat household CONFIG.toml [--out DIR] [--json] [--quiet]`: one household block at given
// prices. Long runs (big grids) report their stages and the solver's progress on stderr;
// Ctrl-C ends them (exit 130) before anything is written, or while writing (the output
// directory is replaced as a whole, see io::OutputDir).
#include <fmt/format.h>

#include <cmath>

#include "commands.hpp"
#include "common.hpp"
#include "hat/core/timer.hpp"
#include "hat/household/config.hpp"
#include "hat/household/household.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/io/svg_plot.hpp"

namespace hat::cli {

namespace {

struct HouseholdArgs {
  std::string config;
  std::string out;
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

std::vector<double> to_vec(const Eigen::VectorXd& v) {
  return {v.data(), v.data() + v.size()};
}

// policies.csv, distribution.csv, aggregates.csv and the figures of a solved block.
void add_solution_files(io::OutputDir& out, const household::HouseholdProblem& hp,
                        const household::HouseholdSolution& sol,
                        const household::StationaryDistribution& dist,
                        const household::Aggregates& ag) {
  const int Na = hp.Na(), Nz = hp.Nz(), M = hp.M();
  io::CsvWriter pol(
      {"income_state", "z", "asset_index", "a", "variety", "price", "c", "a_next", "v", "pi"});
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i)
      for (int j = 0; j < M; ++j) {
        const int k = s * Na + i;
        pol.cell(s + 1)
            .cell(hp.z(s))
            .cell(i + 1)
            .cell(hp.grid(i))
            .cell(j + 1)
            .cell(hp.prices(j))
            .cell(sol.c(k, j))
            .cell(sol.a_next(k, j))
            .cell(sol.v(k, j))
            .cell(sol.pi(k, j));
        pol.end_row();
      }
  out.add("policies.csv", pol.str());
  io::CsvWriter dcsv({"income_state", "z", "asset_index", "a", "mass", "value"});
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i) {
      const int k = s * Na + i;
      dcsv.cell(s + 1)
          .cell(hp.z(s))
          .cell(i + 1)
          .cell(hp.grid(i))
          .cell(dist.mass.size() ? dist.mass(k) : NAN)
          .cell(sol.V(k));
      dcsv.end_row();
    }
  out.add("distribution.csv", dcsv.str());
  io::CsvWriter acsv(
      {"variety", "price", "choice_probability", "expenditure", "expenditure_share"});
  for (int j = 0; j < M; ++j) {
    acsv.cell(j + 1)
        .cell(hp.prices(j))
        .cell(ag.choice_probability(j))
        .cell(ag.expenditure(j))
        .cell(ag.expenditure_share(j));
    acsv.end_row();
  }
  out.add("aggregates.csv", acsv.str());
  // Figures: savings policy of variety 1 and the marginal asset distribution.
  io::Plot pp;
  pp.title = "Savings policy a'(a, s), variety 1";
  pp.xlabel = "assets a";
  pp.ylabel = "a'";
  for (int s = 0; s < Nz; s += std::max(1, Nz / 5)) {
    io::Series se;
    se.label = fmt::format("z = {:.3g}", hp.z(s));
    for (int i = 0; i < Na; ++i) {
      se.x.push_back(hp.grid(i));
      se.y.push_back(sol.a_next(s * Na + i, 0));
    }
    pp.series.push_back(se);
  }
  out.add("policy.svg", pp.render());
  if (dist.mass.size()) {
    io::Plot dp;
    dp.title = "Stationary distribution of assets";
    dp.xlabel = "assets a";
    dp.ylabel = "mass";
    io::Series se;
    se.label = "all income states";
    for (int i = 0; i < Na; ++i) {
      double m = 0;
      for (int s = 0; s < Nz; ++s) m += dist.mass(s * Na + i);
      se.x.push_back(hp.grid(i));
      se.y.push_back(m);
    }
    dp.series.push_back(se);
    out.add("distribution.svg", dp.render());
  }
}

void run_household(const HouseholdArgs& args) {
  set_threads(args.threads);
  Timer timer;
  io::ConfigFile file = io::ConfigFile::load(args.config);
  household::HouseholdConfig hc = household::read_household_config(file);
  const auto& hp = hc.problem;

  const long cells = static_cast<long>(hp.Na()) * hp.Nz() * hp.M();
  LongRun run(args.quiet, cells >= 100000);
  run.stage(fmt::format("solving the household problem ({} x {} x {} = {} cells)", hp.Na(), hp.Nz(),
                        hp.M(), cells));
  hc.solve.on_iteration = [&run](int it, double dc) { run.iteration(it, dc); };
  household::HouseholdSolution sol = household::solve_household(hp, hc.solve);
  household::StationaryDistribution dist;
  household::Aggregates ag;
  household::EulerErrors ee;
  int euler_refine = 0;
  if (sol.report.status != SolverStatus::Failed) {
    run.stage(fmt::format("household solved in {} iterations; stationary distribution",
                          sol.report.iterations));
    dist = household::stationary_distribution(hp, sol, hc.distribution);
    ag = household::aggregate(hp, sol, dist.mass);
    euler_refine = household::euler_error_refine(hp);
    ee.log10_mean = ee.log10_max = NAN;  // skipped (too costly): missing values
    run.stage(fmt::format("Euler errors (refinement {})", euler_refine));
    if (euler_refine > 0) ee = household::euler_errors(hp, sol, euler_refine);
  }
  const double seconds = timer.seconds();
  std::vector<std::string> warnings;
  if (!sol.report.converged()) warnings.push_back(sol.report.message);
  if (sol.report.status != SolverStatus::Failed && euler_refine < 10)
    warnings.push_back(euler_refine == 0
                           ? "Euler errors not computed (too costly for this problem size)"
                           : fmt::format("Euler errors with refinement {} instead of 10: the "
                                         "check's cost grows with income states and varieties "
                                         "squared",
                                         euler_refine));
  if (sol.report.status != SolverStatus::Failed && !dist.report.converged())
    warnings.push_back(dist.report.message);
  if (dist.mass_at_amax > 1e-3)
    warnings.push_back(
        fmt::format("mass at a_max is {:.3g} (> 1e-3): raise asset_max", dist.mass_at_amax));
  for (const auto& w : warnings) progress("warning: {}", w);

  const bool ok = sol.report.converged() && dist.report.converged();
  nlohmann::json summary = {
      {"status", ok ? "converged"
                    : to_string(sol.report.converged() ? dist.report.status : sol.report.status)},
      {"iterations", sol.report.iterations},
      {"seconds", seconds},
      {"household", io::to_json(sol.report)},
      {"distribution", io::to_json(dist.report)},
      {"sup_dc", sol.sup_dc},
      {"sup_dv", sol.sup_dv},
      {"aggregate_assets", ag.assets},
      {"efficiency_units", ag.efficiency_units},
      {"choice_probabilities", to_vec(ag.choice_probability)},
      {"expenditure_shares", to_vec(ag.expenditure_share)},
      {"total_expenditure", ag.total_expenditure},
      {"euler_error_log10_mean", ee.log10_mean},
      {"euler_error_log10_max", ee.log10_max},
      {"euler_error_refine", euler_refine},
      {"mass_at_amax", dist.mass_at_amax},
      {"warnings", warnings}};
  if (!ok) exit_status() = 3;

  const bool solved =
      sol.report.status != SolverStatus::Failed && dist.report.status != SolverStatus::Failed;
  if (!args.out.empty()) {
    run.stage("writing " + args.out);
    io::OutputDir out(args.out);
    // A failed solve has no policies to write: the run leaves its summary and manifest only.
    if (solved) add_solution_files(out, hp, sol, dist, ag);
    nlohmann::json man = io::manifest("household");
    io::manifest_add_input(man, file.path(), file.text());
    man["timings"] = {{"total_seconds", seconds},
                      {"household_seconds", sol.report.seconds},
                      {"distribution_seconds", dist.report.seconds}};
    man["status"] = summary["status"];
    man["solvers"] = {{"household", io::to_json(sol.report)},
                      {"distribution", io::to_json(dist.report)}};
    man["summary"] = summary;
    man["files"] = out.names();
    out.add_json("summary.json", io::without_timings(summary));
    out.add_json("manifest.json", man);
    out.commit();
  }
  if (args.json) {
    print_json(summary);
  } else {
    fmt::print("household: {} in {} iterations ({:.1f} ms)\n", summary["status"].get<std::string>(),
               sol.report.iterations, 1e3 * sol.report.seconds);
    fmt::print("  distribution: {} in {} iterations, mass at a_max {:.2e}\n",
               to_string(dist.report.status), dist.report.iterations, dist.mass_at_amax);
    fmt::print("  aggregate assets {:.10f}, efficiency units {:.6f}\n", ag.assets,
               ag.efficiency_units);
    fmt::print("  Euler errors: log10 mean {:.2f}, log10 max {:.2f}\n", ee.log10_mean,
               ee.log10_max);
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
  sub->add_option("config", args->config, "TOML config (see examples/household.toml)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--out", args->out, "write policies, distribution, figures and manifest here");
  sub->add_flag("--json", args->json, "print a JSON summary on stdout");
  sub->add_flag("--quiet", args->quiet, "no progress lines on stderr (long runs print them)");
  sub->add_option("--threads", args->threads, "OpenMP threads (default: OMP_NUM_THREADS)");
  sub->callback([args]() { run_household(*args); });
}

}  // namespace hat::cli
