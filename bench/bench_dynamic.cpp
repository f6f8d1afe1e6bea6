// Benchmarks of the dynamic gains-from-trade module: steady state and transition path for 4
// and 19 countries (dynamic Krugman, sigma 4, chi 1, delta 0.1, beta 0.96, gamma 2, tariffs,
// a 10% fall of all international iceberg costs). Prints wall time per solve and the work done
// (solver evaluations / value-path sweeps) as counters.
#include <benchmark/benchmark.h>

#include <cmath>

#include "bench_main.hpp"
#include "hat/models/dynamic.hpp"

using namespace hat::dynamic;

namespace {

Parameters params() {
  Parameters p;
  p.sigma = 4;
  p.chi = 1;
  p.delta = 0.1;
  p.beta = 0.96;
  p.gamma = 2;
  p.b = 0.001;
  return p;
}

// Deterministic asymmetric economy: sizes and trade costs from smooth functions of the index.
Economy economy(int J) {
  Economy e;
  e.labor.resize(J);
  e.kappa.resize(J, J);
  e.tariff.resize(J, J);
  for (int d = 0; d < J; ++d) {
    e.labor(d) = 0.5 + 0.15 * ((d * 7) % J);
    for (int o = 0; o < J; ++o) {
      e.kappa(d, o) = d == o ? 1.0 : 1.3 + 0.5 * std::abs(std::sin(1.0 + d * 1.7 + o * 0.9));
      e.tariff(d, o) = d == o ? 1.0 : 1.0 + 0.1 * std::abs(std::cos(d * 0.7 + o * 1.3));
    }
  }
  return e;
}

void BM_SteadyState(benchmark::State& state) {
  const int J = static_cast<int>(state.range(0));
  Parameters p = params();
  Economy e = economy(J);
  int evals = 0;
  for (auto _ : state) {
    SteadyState ss = solve_steady_state(p, e);
    evals = ss.report.iterations;
    benchmark::DoNotOptimize(ss.consumption.data());
  }
  state.counters["evaluations"] = evals;
}
BENCHMARK(BM_SteadyState)->Arg(4)->Arg(19)->Unit(benchmark::kMillisecond);

void BM_Transition(benchmark::State& state) {
  const int J = static_cast<int>(state.range(0)), T = static_cast<int>(state.range(1));
  Parameters p = params();
  Economy e0 = economy(J), e1 = scale_trade_costs(e0, 0.9);
  SteadyState s0 = solve_steady_state(p, e0), s1 = solve_steady_state(p, e1);
  PathOptions opt;
  opt.periods = T;
  int sweeps = 0;
  for (auto _ : state) {
    TransitionPath tp = solve_path(p, e0, e1, s0, s1, opt);
    sweeps = tp.report.iterations;
    benchmark::DoNotOptimize(tp.consumption.data());
  }
  state.counters["sweeps"] = sweeps;
}
BENCHMARK(BM_Transition)->Args({4, 200})->Args({19, 200})->Unit(benchmark::kMillisecond);

}  // namespace

HAT_BENCHMARK_MAIN()
