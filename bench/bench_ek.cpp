// Benchmarks of the Eaton–Kortum module on EK's 19-country data: the gravity regression (full
// OLS fit and the precomputed moment map used inside the calibration), the equilibrium solver
// under both labour closures, and the trade-doubling counterfactual (a bisection over
// equilibria). Data: $HAT_DATA_DIR, else ../shared/data beside the source tree.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench_main.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/estimation/gravity.hpp"
#include "hat/models/eaton_kortum.hpp"

namespace {

std::string data_dir() {
  if (const char* e = std::getenv("HAT_DATA_DIR"); e && *e) return e;
  return (std::filesystem::path(HAT_SOURCE_DIR) / ".." / "shared" / "data").string();
}

struct Setup {
  hat::data::EkRawData raw;
  hat::data::GravityData grav;
  Eigen::VectorXd S;
  hat::models::ek::Calibration cal;
  Setup() {
    raw = hat::data::read_ek_raw(data_dir());
    grav = hat::data::read_ek_gravity(data_dir());
    hat::estimation::GravityRegression reg(raw.gravity);
    S = reg.fit(raw.gravity.y).estimates.S;
    cal = hat::models::ek::calibrate_economy(raw, S, 8.28);
  }
};

const Setup& setup() {
  static Setup s;
  return s;
}

void BM_GravityBuildDesign(benchmark::State& st) {
  for (auto _ : st) {
    hat::estimation::GravityRegression reg(setup().grav);
    benchmark::DoNotOptimize(reg.moment_map().data());
  }
}
BENCHMARK(BM_GravityBuildDesign)->Unit(benchmark::kMicrosecond);

void BM_GravityOlsFit(benchmark::State& st) {
  hat::estimation::GravityRegression reg(setup().grav);
  for (auto _ : st) benchmark::DoNotOptimize(reg.fit(setup().grav.y).rss);
}
BENCHMARK(BM_GravityOlsFit)->Unit(benchmark::kMicrosecond);

void BM_GravityMomentMap(benchmark::State& st) {
  hat::estimation::GravityRegression reg(setup().grav);
  for (auto _ : st) benchmark::DoNotOptimize(reg.moments(setup().grav.y).data());
}
BENCHMARK(BM_GravityMomentMap)->Unit(benchmark::kMicrosecond);

void BM_EkEquilibrium(benchmark::State& st) {
  namespace ek = hat::models::ek;
  const ek::Labor lab = st.range(0) == 0 ? ek::Labor::Mobile : ek::Labor::Immobile;
  ek::Economy e = setup().cal.economy;
  e.T(18) *= 1.2;  // start away from the solution
  for (auto _ : st) {
    ek::Equilibrium eq = ek::solve_ek_equilibrium(e, lab);
    if (!eq.report.converged()) st.SkipWithError("no convergence");
    benchmark::DoNotOptimize(eq.price.data());
  }
  st.SetLabel(lab == ek::Labor::Mobile ? "mobile" : "immobile");
}
BENCHMARK(BM_EkEquilibrium)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_EkDoubleTrade(benchmark::State& st) {
  namespace ek = hat::models::ek;
  const ek::Labor lab = st.range(0) == 0 ? ek::Labor::Mobile : ek::Labor::Immobile;
  for (auto _ : st)
    benchmark::DoNotOptimize(
        ek::run_counterfactual(setup().cal, ek::Scenario::DoubleTrade, lab).trade_cost_factor);
  st.SetLabel(lab == ek::Labor::Mobile ? "mobile" : "immobile");
}
BENCHMARK(BM_EkDoubleTrade)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

HAT_BENCHMARK_MAIN()
