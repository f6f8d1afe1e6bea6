// Cold world solves with finite-difference, logit-impact and analytic equilibrium Jacobians,
// alternated in one run (so that the shared machine's load affects them alike). The world is the
// 19-country EK one (examples/ek19_gravity.toml) or, with a country count, a synthetic world with
// its household settings: random labour and TFP, countries at random points of the unit square,
// iceberg costs 1 + 1.5 x distance.
// Run: build/bench_jacobian [countries (0 = EK19)] [seed] [repetitions]
//                           [methods, comma-separated: fd,impact,analytic; default fd,impact]
//                           [GMRES tolerance of the analytic Jacobian's linear systems]
// Threads: OMP_NUM_THREADS (default 2).
#include <fmt/format.h>
#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>

#include "hat/core/memory.hpp"
#include "hat/core/timer.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/io/config.hpp"
#include "hat/world/config.hpp"

using namespace hat;

namespace {

void synthetic(world::WorldConfig& wc, int N, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  world::World& w = wc.world;
  w.names.clear();
  w.L.resize(N);
  w.A.resize(N);
  Eigen::MatrixXd pos(N, 2);
  for (int i = 0; i < N; ++i) {
    w.names.push_back(fmt::format("C{}", i + 1));
    w.L(i) = std::exp(2.0 * u(rng) - 1.0);
    w.A(i) = std::exp(u(rng) - 0.5);
    pos(i, 0) = u(rng);
    pos(i, 1) = u(rng);
  }
  w.d.resize(N, N);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j)
      w.d(i, j) = i == j ? 1.0 : 1.0 + 1.5 * (pos.row(i) - pos.row(j)).norm();
  w.tariff.resize(0, 0);
  wc.start.W = Eigen::VectorXd::Ones(N);
  wc.start.R = Eigen::VectorXd::Constant(N, wc.start.R(0));
  wc.start.tau = Eigen::VectorXd::Zero(N);
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  const int N = argc > 1 ? std::atoi(argv[1]) : 0;
  const unsigned seed = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 1;
  const int reps = argc > 3 ? std::atoi(argv[3]) : 1;
  const std::string methods = std::string(",") + (argc > 4 ? argv[4] : "fd,impact") + ",";
  const double gmres_tol = argc > 5 ? std::atof(argv[5]) : 0.0;
  if (!std::getenv("OMP_NUM_THREADS")) omp_set_num_threads(2);
  try {
    io::ConfigFile f =
        io::ConfigFile::load(std::string(HAT_SOURCE_DIR) + "/examples/ek19_gravity.toml");
    world::WorldConfig wc = estimation::read_world_config(f);
    if (N > 0) synthetic(wc, N, seed);
    std::printf("%d countries%s, Na = %d, Nz = %d, threads = %d\n", wc.world.size(),
                N > 0 ? " (synthetic)" : " (EK)", wc.world.assets,
                static_cast<int>(wc.world.income.z.size()), omp_get_max_threads());
    for (int r = 0; r < reps; ++r)
      for (auto [m, key] : {std::pair{world::JacobianMethod::FiniteDifference, ",fd,"},
                            std::pair{world::JacobianMethod::LogitImpact, ",impact,"},
                            std::pair{world::JacobianMethod::Analytic, ",analytic,"}}) {
        if (methods.find(key) == std::string::npos) continue;
        world::EquilibriumOptions opt = wc.options;
        opt.jacobian = m;
        if (gmres_tol > 0) opt.derivative.tolerance = gmres_tol;
        Timer t;
        world::Equilibrium eq = world::solve_equilibrium(wc.world, wc.start, opt);
        std::printf(
            "%-17s cold solve %8.2f s  status %s  evaluations %d  jacobians %d  "
            "residual %.2e\n",
            world::to_string(m), t.seconds(), to_string(eq.report.status), eq.evaluations,
            eq.jacobians, eq.report.residual);
        std::fflush(stdout);
      }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_jacobian: %s\n", e.what());
    return 1;
  }
  return 0;
}
