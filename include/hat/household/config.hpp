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

// Limits on legal but unreasonable sizes, checked when a config is read: such a config fails
// at once with the limit and its reason instead of exhausting memory or running for hours.
struct Limits {
  static constexpr long assets = 20000;         // asset grid points
  static constexpr long varieties = 100;        // Euler-error check cost ~ varieties^2
  static constexpr long cells = 1000000;        // assets x income states x varieties
  static constexpr long income_states = 200;    // per component of the income chain
  static constexpr long howard_steps = 1000;    // per EGM iteration
  static constexpr long anderson_depth = 100;   // history kept by the Anderson mixer
  static constexpr long iterations = 10000000;  // EGM iteration cap
};

// Fails on `t`'s `key` when a household block of na grid points, nz income states and m
// varieties exceeds Limits::cells (memory and run time grow with the product).
void check_problem_size(const io::ConfigTable& t, const std::string& key, long na, long nz, long m);

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
