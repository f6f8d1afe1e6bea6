// The baseline world of the analysis commands (`hat elasticity`, `hat planner`): the config's
// equilibrium solved from its [equilibrium] start, or evaluated at those prices as they are.
#pragma once

#include <string>
#include <vector>

#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/io/manifest.hpp"
#include "hat/world/config.hpp"

namespace hat::cli {

struct Baseline {
  world::Evaluation state;
  SolverReport report;
  bool solved = false;
  int evaluations = 0;
};

inline Baseline baseline_world(world::WorldConfig& wc, bool solve, bool quiet) {
  Baseline b;
  if (solve) {
    if (!quiet)
      wc.options.progress = [](int it, double res, double sec) {
        progress("equilibrium evaluation {:4d}  residual {:.3e}  elapsed {:.1f}s", it, res, sec);
      };
    world::Equilibrium eq = world::solve_equilibrium(wc.world, wc.start, wc.options);
    b.state = std::move(eq.state);
    b.report = eq.report;
    b.solved = true;
    b.evaluations = eq.evaluations;
    if (!quiet)
      progress("baseline equilibrium: {} (residual {:.3e}, {:.2f}s)", eq.report.message,
               eq.report.residual, eq.report.seconds);
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

// The worse of two solver outcomes: a result computed on an unconverged baseline is not
// converged either, whatever its own solver reports.
inline SolverStatus worse_status(SolverStatus a, SolverStatus b) {
  auto rank = [](SolverStatus s) {
    return s == SolverStatus::Converged ? 0 : (s == SolverStatus::IterationLimit ? 1 : 2);
  };
  return rank(a) >= rank(b) ? a : b;
}

inline nlohmann::json baseline_json(const Baseline& b) {
  nlohmann::json j = io::to_json(b.report);
  j["solved"] = b.solved;
  j["evaluations"] = b.evaluations;
  std::vector<double> W(b.state.prices.W.data(), b.state.prices.W.data() + b.state.prices.W.size());
  std::vector<double> R(b.state.prices.R.data(), b.state.prices.R.data() + b.state.prices.R.size());
  j["W"] = W;
  j["R"] = R;
  j["beta"] = b.state.prices.beta;
  return j;
}

}  // namespace hat::cli
