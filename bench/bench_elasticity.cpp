// Benchmarks of the trade elasticities and the planner on a 19-country world (Na = 100,
// Nz = 10, M = 19): all 18 bilateral elasticities of one country (distribution held fixed and
// adjusting) and the efficient allocation. The world is examples/ek19_gravity.toml when it
// exists (evaluated at its [equilibrium] prices), otherwise a synthetic 19-country world with
// the paper's baseline parameters (gamma 1.45, sigma 0.33, quality slope 0.725); the cost of
// the elasticities depends on the grid sizes, not on the particular numbers.
// Run with OMP_NUM_THREADS=2 for the "2 cores" figure.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "bench_main.hpp"
#include "hat/analysis/elasticity.hpp"
#include "hat/analysis/planner.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/world/config.hpp"

namespace {

struct Setup {
  hat::world::World w;
  hat::world::Evaluation ev;
  std::string source;
  int home = 0;
  Setup() {
    const std::string cfg = std::string(HAT_SOURCE_DIR) + "/examples/ek19_gravity.toml";
    hat::world::Prices p;
    hat::world::EquilibriumOptions opt;
    if (std::filesystem::exists(cfg)) {
      hat::world::WorldConfig wc =
          hat::estimation::read_world_config(hat::io::ConfigFile::load(cfg));
      w = wc.world;
      p = wc.start;
      if (!w.has_tariffs()) p.tau = Eigen::VectorXd::Zero(w.size());
      opt = wc.options;
      source = "examples/ek19_gravity.toml";
    } else {
      const int M = 19;
      for (int i = 0; i < M; ++i) w.names.push_back(std::string("C").append(std::to_string(i)));
      w.L.resize(M);
      w.A.resize(M);
      w.d.resize(M, M);
      for (int i = 0; i < M; ++i) {
        w.A(i) = 0.6 + 0.4 * std::fmod(0.37 * i, 1.0);
        w.L(i) = 0.5 + std::fmod(0.61 * i, 1.0);
        for (int j = 0; j < M; ++j)
          w.d(i, j) = i == j ? 1.0 : 1.6 + 2.0 * std::fmod(0.113 * (i + 1) * (j + 2), 1.0);
      }
      w.A(M - 1) = 1.0;
      w.gamma = 1.45;
      w.beta = 0.9294;
      w.sigma = 0.33;
      w.quality_slope = 0.725;
      w.assets = 100;
      w.income = hat::numerics::make_income_process(hat::numerics::IncomeSpec{});
      p.W = Eigen::VectorXd::Ones(M);
      p.R = Eigen::VectorXd::Constant(M, 1.01);
      p.tau = Eigen::VectorXd::Zero(M);
      p.beta = w.beta;
      source = "synthetic 19-country world";
    }
    home = w.size() - 1;  // USA is the last country in the EK order
    ev = hat::world::evaluate(w, p, opt);
  }
};

const Setup& setup() {
  static Setup s;
  return s;
}

std::vector<int> partners() {
  std::vector<int> v;
  for (int j = 0; j < setup().w.size(); ++j)
    if (j != setup().home) v.push_back(j);
  return v;
}

void run(benchmark::State& st, hat::analysis::DistributionMode mode) {
  const auto& cs = setup().ev.countries[setup().home];
  hat::analysis::ElasticityOptions opt;
  opt.distribution = mode;
  if (!setup().ev.ok) {
    st.SkipWithError(("baseline evaluation failed: " + setup().ev.message).c_str());
    return;
  }
  hat::analysis::CountryElasticities ce;
  for (auto _ : st) {
    ce = hat::analysis::country_elasticities(cs.problem, cs.solution, cs.distribution.mass,
                                             setup().home, partners(), opt);
    benchmark::ClobberMemory();
  }
  if (!ce.report.converged()) st.SkipWithError(ce.report.message.c_str());
  char label[160];
  std::snprintf(label, sizeof label, "%s; theta_trade_weighted %.7f; max EGM iterations %d",
                setup().source.c_str(), ce.theta_trade_weighted, ce.report.iterations);
  st.SetLabel(label);
}

void BM_ElasticitiesAllPartnersFixed(benchmark::State& st) {
  run(st, hat::analysis::DistributionMode::Fixed);
}
BENCHMARK(BM_ElasticitiesAllPartnersFixed)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

void BM_ElasticitiesAllPartnersAdjusts(benchmark::State& st) {
  run(st, hat::analysis::DistributionMode::Adjusts);
}
BENCHMARK(BM_ElasticitiesAllPartnersAdjusts)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

void BM_Planner19(benchmark::State& st) {
  const auto& w = setup().w;
  const Eigen::VectorXd om = hat::analysis::pareto_weights(w, hat::analysis::ParetoWeights::Tfp);
  for (auto _ : st) benchmark::DoNotOptimize(hat::analysis::solve_planner(w, om).chi.data());
}
BENCHMARK(BM_Planner19)->Unit(benchmark::kMillisecond);

}  // namespace

HAT_BENCHMARK_MAIN()
