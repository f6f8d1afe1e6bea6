// Counterfactual experiments in the HAT world: apply trade-cost / tariff / autarky shocks to a
// baseline equilibrium and measure welfare in partial equilibrium (new trade costs at the old
// W, R and transfers) and general equilibrium (the new equilibrium, solved warm from the
// baseline), per household state and aggregated (see welfare.hpp). Their outputs are in
// reports/counterfactual.hpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hat/analysis/elasticity.hpp"
#include "hat/analysis/shocks.hpp"
#include "hat/analysis/welfare.hpp"
#include "hat/core/progress.hpp"
#include "hat/world/world.hpp"

namespace hat::analysis {

struct CounterfactualOptions {
  std::vector<int> countries;  // households whose welfare is measured (country indices)
  WelfareOptions welfare;
  double theta = 0;  // ACR trade elasticity; 0: -1/sigma_i of each country
  // The model's trade-weighted average PE elasticity of each measured country (one per entry
  // of `countries`, from baseline_elasticities) for acr_trade_weighted; empty: not computed.
  std::vector<double> theta_trade_weighted;
  // Receives {"counterfactual", message} per stage (stderr in the CLI); kStop throws
  // hat::Interrupted (core/progress.hpp).
  ProgressCallback progress;
  // Shared across the experiments of a run: the first GE solve stores its Jacobian here and
  // later ones start from it instead of computing a fresh finite-difference Jacobian (the
  // solver still recomputes one if progress stalls). Null: every solve computes its own.
  Eigen::MatrixXd* jacobian_cache = nullptr;
  // Throws InputError naming the first invalid field ("CounterfactualOptions.field must be ...").
  void validate() const;
};

// The equilibrium options of a counterfactual: the discount factor is a preference parameter,
// so a baseline that solved for beta (unknown = "beta") is re-solved for R with beta fixed.
world::EquilibriumOptions counterfactual_equilibrium_options(const world::EquilibriumOptions& opt);

// Baseline household blocks of the given countries, re-solved to the welfare tolerances.
std::vector<HouseholdState> baseline_states(const world::Evaluation& baseline,
                                            const std::vector<int>& countries,
                                            const WelfareOptions& opt);

// The PE bilateral elasticities theta_ij of each baseline state (partners: every other
// variety) and their trade-weighted average sum_j M_ij theta_ij / sum_j M_ij (elasticity.hpp).
std::vector<CountryElasticities> baseline_elasticities(const std::vector<HouseholdState>& states,
                                                       const std::vector<int>& countries,
                                                       DistributionMode mode);

struct ExperimentResult {
  Experiment experiment;
  ShockedWorld shocked;
  world::Prices prices_old, prices_new;
  world::Equilibrium ge;        // the new equilibrium (ge.state = baseline when reused)
  bool ge_is_baseline = false;  // the shocks changed nothing: the baseline is the new equilibrium
  Eigen::MatrixXd shares_old, shares_new;  // trade shares M_ij / sum_k M_ik (GE)
  std::vector<CountryWelfare> welfare;     // one per CounterfactualOptions::countries
  SolverReport status;                     // worst of the GE solve and every welfare solve
  double seconds_ge = 0, seconds_welfare = 0;
};

// Runs one experiment against a baseline evaluation (`baseline_states` from baseline_states()).
ExperimentResult run_experiment(const world::World& w, const world::EquilibriumOptions& opt,
                                const world::Evaluation& baseline,
                                const std::vector<HouseholdState>& baseline_states,
                                const Experiment& e, const CounterfactualOptions& o);

}  // namespace hat::analysis
