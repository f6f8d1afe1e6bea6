// World equilibrium benchmark on the 19-country EK world (examples/ek19_gravity.toml, Na = 100,
// Nz = 10): the solve from a cold guess (all wages 1), and the re-solve after a 10% cut in one
// country's import costs, warm-started from the baseline (prices, household solutions and a
// Jacobian: hybrj's Broyden-updated one, or a finite-difference one at the solution).
// Threads: OMP_NUM_THREADS (default 2).
// Run: build/bench_world [path/to/ek19_gravity.toml]
#include <omp.h>

#include <cstdio>
#include <cstdlib>

#include "hat/core/error.hpp"
#include "hat/core/memory.hpp"
#include "hat/core/timer.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/io/config.hpp"
#include "hat/world/config.hpp"

using namespace hat;

int main(int argc, char** argv) {
  keep_freed_memory();
  const std::string cfg =
      argc > 1 ? argv[1] : std::string(HAT_SOURCE_DIR) + "/examples/ek19_gravity.toml";
  if (!std::getenv("OMP_NUM_THREADS")) omp_set_num_threads(2);
  try {
    io::ConfigFile f = io::ConfigFile::load(cfg);
    world::WorldConfig wc = estimation::read_world_config(f);
    std::printf("19-country world, Na = %d, threads = %d\n", wc.world.assets,
                omp_get_max_threads());
    Timer t;
    world::Equilibrium base = world::solve_equilibrium(wc.world, wc.start, wc.options);
    const double cold = t.seconds();
    std::printf("cold solve:   %7.2f s  status %s  evaluations %d  jacobians %d  residual %.2e\n",
                cold, to_string(base.report.status), base.evaluations, base.jacobians,
                base.report.residual);
    // The baseline's Jacobian for re-solves: hybrj's Broyden-updated one (free), or a
    // finite-difference one at the solution (one more Jacobian, jacobian_at_solution).
    world::EquilibriumOptions with_jac = wc.options;
    with_jac.jacobian_at_solution = true;
    t.reset();
    world::Equilibrium basej =
        world::solve_equilibrium(wc.world, base.state.prices, with_jac, &base.state);
    std::printf("Jacobian at the solution: %7.2f s  (%d evaluation(s), %d Jacobian)\n", t.seconds(),
                basej.evaluations, basej.jacobians);
    const int i = wc.world.size() - 1;  // the last country (USA in the EK order)
    world::World w2 = wc.world;
    for (int j = 0; j < w2.size(); ++j)
      if (j != i) w2.d(i, j) = std::max(1.0, 0.9 * w2.d(i, j));
    for (const auto* b : {&base, &basej}) {
      t.reset();
      world::Equilibrium cf =
          world::solve_equilibrium(w2, b->state.prices, wc.options, &b->state, &b->jacobian);
      std::printf(
          "re-solve after a 10%% cut in %s's import costs (%s): %7.2f s  status %s  "
          "evaluations %d  jacobians %d\n",
          wc.world.names[i].c_str(),
          b == &base ? "Broyden-updated Jacobian" : "Jacobian at the solution", t.seconds(),
          to_string(cf.report.status), cf.evaluations, cf.jacobians);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_world: %s\n", e.what());
    return 1;
  }
  return 0;
}
