// Benchmark of the welfare step of a counterfactual on the 19-country world: for one experiment
// (a 10% cut in US import costs from Japan), the welfare of every US household state — the
// equivalent variation (lambda nodes, bracketing, cubic roots) and the consumption equivalent,
// in PE and GE — after the GE solve. Includes the tight re-solves of the old, PE and GE household
// blocks. World: $HAT_BENCH_WORLD, else examples/ek19_gravity.toml, else a synthetic 19-country
// world with the paper's household parameters (gamma 1.45, sigma 0.33, quality slope 0.725,
// Na = 100). Run with OMP_NUM_THREADS=2 for the 2-core figure.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench_main.hpp"
#include "hat/analysis/counterfactual.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/io/config.hpp"
#include "hat/world/config.hpp"

namespace {

using namespace hat;

world::WorldConfig synthetic_world() {
  world::WorldConfig wc;
  world::World& w = wc.world;
  w.names = {"AUS", "AUT", "BEL", "CAN", "DNK", "FIN", "FRA", "DEU", "GRC", "ITA",
             "JPN", "NLD", "NZL", "NOR", "PRT", "ESP", "SWE", "GBR", "USA"};
  const int M = 19;
  w.L.resize(M);
  w.A.resize(M);
  w.d.resize(M, M);
  for (int i = 0; i < M; ++i) {
    w.L(i) = 0.3 + 0.1 * ((7 * i) % 19);
    w.A(i) = i == M - 1 ? 1.0 : 0.65 + 0.025 * ((5 * i) % 19);
    for (int j = 0; j < M; ++j)
      w.d(i, j) =
          i == j ? 1.0 : 1.6 + 0.12 * std::pow(std::abs(i - j), 0.7) + 0.015 * ((3 * i + j) % 11);
  }
  w.gamma = 1.45;
  w.beta = 0.93;
  w.sigma = 0.33;
  w.quality_slope = 0.725;
  w.assets = 100;
  w.income = numerics::make_income_process(numerics::IncomeSpec{});
  wc.start.W = Eigen::VectorXd::Ones(M);
  wc.start.R = Eigen::VectorXd::Constant(M, 1.0);
  wc.start.tau = Eigen::VectorXd::Zero(M);
  wc.start.beta = w.beta;
  return wc;
}

struct Setup {
  world::WorldConfig wc;
  world::Evaluation base, ge;
  analysis::ShockedWorld shocked;
  int usa = 0;
  std::string source;
  Setup() {
    std::string path;
    if (const char* e = std::getenv("HAT_BENCH_WORLD"); e && *e)
      path = e;
    else
      path = std::string(HAT_SOURCE_DIR) + "/examples/ek19_gravity.toml";
    if (std::filesystem::exists(path)) {
      wc = estimation::read_world_config(io::ConfigFile::load(path));
      source = path;
    } else {
      wc = synthetic_world();
      source = "synthetic 19-country world";
    }
    std::fprintf(stderr, "bench_welfare: %s; solving the baseline and the new equilibrium...\n",
                 source.c_str());
    world::Equilibrium eq = world::solve_equilibrium(wc.world, wc.start, wc.options);
    base = eq.state;
    for (int i = 0; i < wc.world.size(); ++i)
      if (wc.world.names[i] == "USA") usa = i;
    shocked = analysis::apply_shocks(
        wc.world, {analysis::parse_shock_spec("importer=USA,exporter=JPN,factor=0.9")});
    ge = world::solve_equilibrium(shocked.world, base.prices,
                                  analysis::counterfactual_equilibrium_options(wc.options), &base)
             .state;
  }
};

const Setup& setup() {
  static Setup s;
  return s;
}

void BM_WelfareOneExperimentAllStates(benchmark::State& st) {
  const Setup& s = setup();
  analysis::WelfareOptions opt;
  double nodes = 0, check = 0, mean_ev = 0;
  for (auto _ : st) {
    const auto& bc = s.base.countries[s.usa];
    analysis::HouseholdState old =
        analysis::solve_tight(bc.problem, opt, &bc.solution, &bc.distribution.mass);
    analysis::HouseholdState pe =
        analysis::solve_tight(world::country_problem(s.shocked.world, s.usa, s.base.prices), opt,
                              &old.solution, &old.mass);
    const auto& gc = s.ge.countries[s.usa];
    analysis::HouseholdState ge =
        analysis::solve_tight(gc.problem, opt, &gc.solution, &gc.distribution.mass);
    analysis::CountryWelfare cw =
        analysis::measure_welfare(old, {{"pe", &pe}, {"ge", &ge}}, s.usa, 0, opt);
    nodes = cw.ev_report.nodes;
    check = cw.ev_report.check_error_lambda;
    mean_ev = cw.scenarios[1].mean_ev;
    benchmark::DoNotOptimize(cw.scenarios.data());
  }
  st.counters["lambda_nodes"] = nodes;
  st.counters["ev_check_error"] = check;
  st.counters["ge_mean_ev"] = mean_ev;
  st.counters["states"] = static_cast<double>(s.base.countries[s.usa].solution.V.size());
}
BENCHMARK(BM_WelfareOneExperimentAllStates)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

}  // namespace

HAT_BENCHMARK_MAIN()
