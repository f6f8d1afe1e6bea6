// Reading household blocks and income processes from TOML (the `hat household` config, and the
// shared [income] / [grid] tables of world configs).
#pragma once

#include <string>

#include "hat/household/household.hpp"
#include "hat/io/config.hpp"
#include "hat/numerics/markov.hpp"

namespace hat::household {

// [income]: either the parametric product chain
//   persistent_states, persistent_rho, persistent_variance (innovation variance),
//   transitory_states, transitory_variance, method = "rouwenhorst" | "tauchen"
// (defaults: the reference chain of MODEL.md), or an explicit chain
//   z = [...], transition = [[...]] (rows sum to 1; z rescaled to E[z] = 1 unless
//   normalize = false), with optional log_persistent = [...] for the quality shifter.
numerics::IncomeProcess read_income(const io::ConfigTable& t);

struct HouseholdConfig {
  HouseholdProblem problem;
  SolveOptions solve;
  DistributionOptions distribution;
  numerics::IncomeProcess income;
  std::string grid_spacing = "uniform";
};

// The `hat household` config (top-level keys gamma, beta, sigma_eps, R, W, prices, ...).
HouseholdConfig read_household_config(const io::ConfigFile& f);

}  // namespace hat::household
