// The baseline world of the analyses (see baseline.hpp).
#include "hat/analysis/baseline.hpp"

#include <fmt/format.h>

#include "hat/core/error.hpp"
#include "hat/world/static_start.hpp"

namespace hat::analysis {

Baseline baseline_world(const world::WorldConfig& wc, bool solve,
                        const ProgressCallback& progress) {
  Baseline b;
  if (solve) {
    world::EquilibriumOptions opt = wc.options;
    if (progress && !opt.progress)
      opt.progress = with_message(
          progress, "world", [](const Progress& p) { return evaluation_line("equilibrium", p); });
    world::Equilibrium eq = world::solve_equilibrium(wc.world, world::cold_start(wc), opt);
    b.state = std::move(eq.state);
    b.report = eq.report;
    b.solved = true;
    b.evaluations = eq.evaluations;
    if (progress)
      report_stage(progress, "baseline",
                   fmt::format("baseline equilibrium: {} (residual {:.3e}, {:.2f}s)",
                               eq.report.message, eq.report.residual, eq.report.seconds));
  } else {
    world::Prices p = wc.start;
    if (!wc.world.has_tariffs()) p.tau.setZero();
    b.state = world::residuals_at(wc.world, p, wc.options);
    b.report.status = b.state.ok ? SolverStatus::Converged : SolverStatus::Failed;
    b.report.residual = b.state.residuals.size() ? b.state.residuals.lpNorm<Eigen::Infinity>() : 0;
    b.report.message =
        b.state.ok ? "evaluated at the config's prices (not solved)" : b.state.message;
  }
  if (!b.state.ok || b.state.countries.empty())
    throw NumericalError("baseline world: " +
                         (b.state.message.empty() ? b.report.message : b.state.message));
  return b;
}

}  // namespace hat::analysis
