// Household block benchmark: EGM solve + stationary distribution of the reference problem
// (hat/household/reference.hpp: Nz = 10, gamma = 1.45), one thread, for (Na, M) = (100, 2),
// (100, 19), (500, 19); cold start, and warm start after raising one price by 1%. And the
// block's linearisation at its solution (household/linearisation.hpp), which the equilibrium
// Jacobians use instead of warm re-solves: building it, one forward response to a price move,
// and the adjoint gradient of asset demand in all prices.
// Run: build/bench_household (or `make bench`).
#include <benchmark/benchmark.h>
#include <omp.h>

#include "bench_main.hpp"
#include "hat/household/household.hpp"
#include "hat/household/linearisation.hpp"
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
// What the linearisation does: 0 = build it, 1 = build + one forward response to the last
// price (compare BM_HouseholdWarm at 1%), 2 = build + the asset gradient in all prices.
void BM_Linearisation(benchmark::State& st) {
  omp_set_num_threads(1);
  HouseholdProblem hp =
      reference_problem(static_cast<int>(st.range(0)), static_cast<int>(st.range(1)));
  HouseholdSolution sol = solve_household(hp);
  StationaryDistribution d = stationary_distribution(hp, sol);
  ParameterMove move;
  move.log_prices = Eigen::VectorXd::Zero(hp.M());
  move.log_prices(hp.M() - 1) = 0.01;
  Aggregates out;
  Eigen::VectorXd gradient;
  std::string message;
  for (auto _ : st) {
    StationaryLinearisation lin(hp, sol, d.mass);
    if (st.range(2) == 1 && !lin.response(move, out, message, 1e-8)) st.SkipWithError("response");
    if (st.range(2) == 2 && !lin.asset_gradient(gradient, message, 1e-8))
      st.SkipWithError("gradient");
    benchmark::DoNotOptimize(out.assets);
  }
}
}  // namespace

BENCHMARK(BM_Linearisation)
    ->ArgNames({"Na", "M", "what"})
    ->Args({100, 19, 0})
    ->Args({100, 19, 1})
    ->Args({100, 19, 2})
    ->Unit(benchmark::kMillisecond);
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
