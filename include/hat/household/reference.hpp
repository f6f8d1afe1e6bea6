// The reference household problem: the one problem the household tests check against
// independently computed numbers (tests/household) and the household benchmark times
// (bench/bench_household.cpp, docs/performance.md "Household block").
//
// It lives here, header-only, because both the test and the benchmark programs link only the
// library and see only include/: a header in tests/ or bench/ would make one of them depend on
// the other. Users may start from it too (it is a complete, valid problem).
//
// gamma 1.45, beta 0.92, sigma 0.25, R 1.01, W 1; prices p_1 = 1 and p_2..p_M evenly spaced
// over [1.2, 2.0] (M = 2: p_2 = 1.5); assets on a uniform grid over [-0.5, 8]; income: the
// product chain of MODEL.md §1 (5 persistent x 2 transitory Rouwenhorst states) with
// persistence 0.97, persistent innovation variance 0.0384/1.44 and transitory variance
// 0.0522/1.44 (the reference case of the foundation issue; MODEL.md's reference chain has
// persistence 0.90 and variances 0.039 and 0.0522).
#pragma once

#include "hat/household/household.hpp"
#include "hat/numerics/grid.hpp"
#include "hat/numerics/markov.hpp"

namespace hat::household {

// The income chain of the reference problem (10 states).
inline numerics::IncomeSpec reference_income_spec() {
  numerics::IncomeSpec spec;
  spec.persistent_rho = 0.97;
  spec.persistent_variance = 0.0384 / 1.44;
  spec.transitory_variance = 0.0522 / 1.44;
  return spec;
}

// The reference problem with `na` asset points and `varieties` varieties (>= 1).
inline HouseholdProblem reference_problem(int na = 100, int varieties = 19) {
  HouseholdProblem hp;
  hp.gamma = 1.45;
  hp.beta = 0.92;
  hp.sigma = 0.25;
  hp.R = 1.01;
  hp.W = 1.0;
  hp.prices.resize(varieties);
  hp.prices(0) = 1.0;
  for (int j = 1; j < varieties; ++j)
    hp.prices(j) = varieties > 2 ? 1.2 + 0.8 * (j - 1) / (varieties - 2.0) : 1.5;
  hp.grid = numerics::make_grid(-0.5, 8.0, na);
  const numerics::IncomeProcess ip = numerics::make_income_process(reference_income_spec());
  hp.z = ip.z;
  hp.P = ip.P;
  return hp;
}

}  // namespace hat::household
