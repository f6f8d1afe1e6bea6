// A counterfactual study as `hat counterfactual` and `hat.counterfactual` run it: the
// experiments, the reporting country, the baseline equilibrium (solved, or the config's prices),
// the baseline households re-solved to the welfare tolerances with their ACR elasticities, then
// every experiment's PE and GE welfare. The command line and the Python package are adapters;
// the outputs are in reports/counterfactual.hpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hat/analysis/counterfactual.hpp"
#include "hat/core/progress.hpp"
#include "hat/io/config.hpp"
#include "hat/world/config.hpp"

namespace hat::analysis {

// The experiment of the config's [counterfactual] table (none without one). Read before the
// world config, whose reader rejects tables it does not know.
std::vector<Experiment> config_experiments(const io::ConfigFile& config);

// Appends the experiments of a run after the config's, in the command line's order: one per
// shock file (named by the file's stem), then the `shocks` specs together as one experiment
// named `name`. InputError when there are none (naming `config_name`) or two share a name.
void append_experiments(std::vector<Experiment>& experiments,
                        const std::vector<io::ConfigFile>& shock_files,
                        const std::vector<std::string>& shocks, const std::string& name,
                        const std::string& config_name);

struct CounterfactualStudyOptions {
  std::vector<Experiment> experiments{};
  // Reporting country; empty: the experiments' `country`, else the importer of the first
  // shock, else USA if present, else the first country.
  std::string country{};
  bool all_countries = false;  // measure every country's households, not only the reporting one
  bool solve = true;           // false: the config's prices are the baseline (--no-solve)
  double theta = 0;            // ACR trade elasticity; 0: -1/sigma_i of each country
  double ev_step = 0.0025;     // spacing of the lambda nodes of the equivalent variation
  double lump_sum_polish = 0;  // value tolerance of direct lump-sum EV solves; 0: interpolated
  int bins = 5;                // quantile groups of every grouping: 5, 10 or 20
  // Distribution of the ACR(tw) elasticity: "adjusts" (steady state to steady state) or "fixed".
  std::string acr_distribution = "adjusts";
  // InputError naming the option (--bins, --lump-sum-polish, --ev-step, --theta,
  // --acr-distribution).
  void validate() const;
};

struct CounterfactualStudy {
  world::World world;
  int country = 0;             // reporting country
  std::vector<int> countries;  // countries whose welfare is measured
  world::Evaluation baseline;
  SolverReport baseline_report;
  world::EquilibriumOptions options;  // of the counterfactual solves (beta held fixed)
  WelfareOptions welfare;
  double theta = 0;
  std::vector<CountryElasticities> elasticities;  // ACR benchmark, one per `countries`
  std::vector<double> theta_trade_weighted;
  std::vector<ExperimentResult> results;
  bool converged = true;  // the baseline, every elasticity and every experiment converged
  SolverStatus status = SolverStatus::Converged;  // the worst of those solves' statuses
  double seconds = 0, seconds_baseline = 0, seconds_baseline_tight = 0, seconds_elasticities = 0;
};

// Checks the experiments against the world (InputError for an unknown country or a timed
// shock) before any solve, then runs the study. `progress` receives one message per stage and,
// unless wc.options.progress is set, the equilibrium solves' reports with one line each.
// NumericalError when the baseline cannot be evaluated or a baseline household fails.
CounterfactualStudy run_counterfactual_study(world::WorldConfig wc,
                                             const CounterfactualStudyOptions& o,
                                             const ProgressCallback& progress = {});

}  // namespace hat::analysis
