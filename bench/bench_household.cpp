// Household block benchmark: EGM solve + stationary distribution of the reference problem
// (hat/household/reference.hpp: Nz = 10, gamma = 1.45), one thread, for (Na, M) = (100, 2),
// (100, 19), (500, 19); cold start, and warm start after raising one price by 1%.
// Run: build/bench_household (or `make bench`).
#include <benchmark/benchmark.h>
#include <omp.h>

#include "bench_main.hpp"
#include "hat/household/household.hpp"
#include "hat/household/reference.hpp"

using namespace hat::household;

namespace {
void BM_HouseholdCold(benchmark::State& st) {
  omp_set_num_threads(1);
  HouseholdProblem hp =
      reference_problem(static_cast<int>(st.range(0)), static_cast<int>(st.range(1)));
  int iters = 0;
  for (auto _ : st) {
    HouseholdSolution sol = solve_household(hp);
    StationaryDistribution d = stationary_distribution(hp, sol);
    iters = sol.report.iterations;
    benchmark::DoNotOptimize(d.mass.data());
  }
  st.counters["egm_iterations"] = iters;
}

void BM_HouseholdWarm(benchmark::State& st) {
  omp_set_num_threads(1);
  HouseholdProblem hp =
      reference_problem(static_cast<int>(st.range(0)), static_cast<int>(st.range(1)));
  HouseholdSolution base = solve_household(hp);
  StationaryDistribution dbase = stationary_distribution(hp, base);
  HouseholdProblem hp2 = hp;
  hp2.prices(hp2.M() - 1) *= 1.01;
  int iters = 0;
  for (auto _ : st) {
    HouseholdSolution sol = solve_household(hp2, {}, &base);
    StationaryDistribution d = stationary_distribution(hp2, sol, {}, &dbase.mass);
    iters = sol.report.iterations;
    benchmark::DoNotOptimize(d.mass.data());
  }
  st.counters["egm_iterations"] = iters;
}
}  // namespace

BENCHMARK(BM_HouseholdCold)
    ->Args({100, 2})
    ->Args({100, 19})
    ->Args({500, 19})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HouseholdWarm)
    ->Args({100, 2})
    ->Args({100, 19})
    ->Args({500, 19})
    ->Unit(benchmark::kMillisecond);
HAT_BENCHMARK_MAIN()
