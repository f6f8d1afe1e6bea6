// The world solve shared by the command line and the Python package (see study.hpp).
#include "hat/world/study.hpp"

#include <fmt/format.h>

#include <limits>

#include "hat/core/parallel.hpp"
#include "hat/core/timer.hpp"
#include "hat/world/static_start.hpp"

namespace hat::world {

WorldSolve run_world_solve(WorldConfig wc, const ProgressCallback& progress) {
  Timer timer;
  WorldSolve s;
  if (progress && !wc.options.progress)
    wc.options.progress =
        with_message(progress, "world", [](const Progress& p) { return evaluation_line("", p); });
  s.equilibrium = solve_equilibrium(wc.world, cold_start(wc), wc.options);
  s.seconds = timer.seconds();
  wc.options.progress = nullptr;  // it refers to `progress`, which the result does not own
  s.options = wc.options;
  s.world = std::move(wc.world);
  const Evaluation& state = s.equilibrium.state;
  for (size_t i = 0; i < state.countries.size(); ++i) {
    const double m = state.countries[i].distribution.mass_at_amax;
    if (m > 1e-3)
      s.warnings.push_back(
          fmt::format("{}: mass at a_max is {:.3g} (> 1e-3); raise asset_max or "
                      "use scaling = \"income\"",
                      s.world.names[i], m));
  }
  return s;
}

std::vector<household::EulerErrors> country_euler_errors(const Evaluation& ev,
                                                         household::EulerGrid grid) {
  const int M = static_cast<int>(ev.countries.size());
  std::vector<household::EulerErrors> ee(M);
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (int i = 0; i < M; ++i)
    errors.run(i, [&] {
      const auto& cs = ev.countries[i];
      const int refine = household::euler_error_refine(cs.problem, grid);
      ee[i].log10_mean = ee[i].log10_max = std::numeric_limits<double>::quiet_NaN();
      if (refine > 0) ee[i] = household::euler_errors(cs.problem, cs.solution, refine);
    });
  errors.rethrow();
  return ee;
}

}  // namespace hat::world
