// A check shared by the Jacobian tests: a cold solve with opt's Jacobian method gives the same
// bits for 1 and 2 threads and the finite-difference solve's equilibrium (to 1e-8).
#pragma once

#include <gtest/gtest.h>
#include <omp.h>

#include "hat/world/world.hpp"
#include "world_fixtures.hpp"

namespace hat::test {

inline void expect_thread_invariant_and_fd_equilibrium(const world::World& w,
                                                       world::EquilibriumOptions opt) {
  const int M = w.size();
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const world::Equilibrium e1 = world::solve_equilibrium(w, start_prices(M, 1.01), opt);
  omp_set_num_threads(2);
  const world::Equilibrium e2 = world::solve_equilibrium(w, start_prices(M, 1.01), opt);
  opt.jacobian = world::JacobianMethod::FiniteDifference;
  const world::Equilibrium ef = world::solve_equilibrium(w, start_prices(M, 1.01), opt);
  omp_set_num_threads(threads);
  ASSERT_TRUE(e1.report.converged()) << e1.report.message;
  ASSERT_TRUE(ef.report.converged()) << ef.report.message;
  EXPECT_EQ(e1.evaluations, e2.evaluations);
  for (int i = 0; i < M; ++i) {
    EXPECT_EQ(e1.state.prices.W(i), e2.state.prices.W(i));
    EXPECT_EQ(e1.state.prices.R(i), e2.state.prices.R(i));
    EXPECT_EQ(e1.state.prices.tau(i), e2.state.prices.tau(i));
    EXPECT_NEAR(e1.state.prices.W(i), ef.state.prices.W(i), 1e-8);
    EXPECT_NEAR(e1.state.prices.R(i), ef.state.prices.R(i), 1e-8);
  }
}

}  // namespace hat::test
