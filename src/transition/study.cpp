// The transition study shared by the command line and the Python package (see study.hpp).
#include "hat/transition/study.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/world/static_start.hpp"

namespace hat::transition {

void StudyRequest::validate() const {
  if (periods < 2 || periods > 5000) throw InputError("--periods must be in [2, 5000]");
  if (!(tolerance > 0 && tolerance < 1)) throw InputError("--tolerance must be in (0, 1)");
  if (max_iterations < 1 || max_iterations > 1000)
    throw InputError("--max-iterations must be in [1, 1000]");
  if (foreign_horizon < 0 || foreign_horizon > periods)
    throw InputError("--foreign-horizon must be in [0, periods]");
  if (shocks.empty()) throw InputError("no shocks: give --shock SPEC or --shocks FILE");
}

int reporting_country(const world::World& w, const StudyRequest& r) {
  if (!r.country.empty()) return world::country_index(w, r.country, "--country");
  if (!r.suggested.empty()) return world::country_index(w, r.suggested, "shock file: country");
  for (const auto& s : r.shocks)
    if (s.kind != analysis::ShockKind::Autarky && s.importer != "*")
      return world::country_index(w, s.importer, "importer");
  auto it = std::find(w.names.begin(), w.names.end(), "USA");
  return it != w.names.end() ? static_cast<int>(it - w.names.begin()) : 0;
}

Study run_study(world::WorldConfig wc, const StudyRequest& r, const ProgressCallback& progress) {
  Timer timer;
  r.validate();
  const world::World& w = wc.world;
  analysis::apply_shocks(w, r.shocks);  // every shock valid for this world before any solve
  auto say = [&](const std::string& m) { report_stage(progress, "transition", m); };
  Study st;
  st.run.shocks = r.shocks;
  st.run.country = reporting_country(w, r);
  say("solving the baseline equilibrium");
  if (progress)
    wc.options.progress = with_message(
        progress, "world", [](const Progress& p) { return evaluation_line("baseline", p); });
  st.baseline = world::solve_equilibrium(w, world::cold_start(wc), wc.options);
  wc.options.progress = nullptr;
  if (!st.baseline.report.converged()) {
    say("the baseline did not converge (" + st.baseline.report.message + ")");
    st.economy.initial = w;  // the world of the baseline's tables
    st.run.seconds = timer.seconds();
    return st;  // no path from an unsolved baseline; the caller writes what there is, marked
  }
  analysis::WelfareOptions wo;
  Timer t_ss;
  st.economy =
      make_path_economy(w, wc.options, st.baseline.state, r.shocks, r.periods, wo, progress);
  TransitionOptions to;
  to.periods = r.periods;
  to.tolerance = r.tolerance;
  to.max_iterations = r.max_iterations;
  to.foreign_horizon = r.foreign_horizon;
  to.progress = progress;
  TransitionRun& run = st.run;
  run.result = solve_transition(st.economy, to);
  run.result.seconds_steady_state = t_ss.seconds() - run.result.report.seconds;
  if (!run.result.settled)
    say(
        fmt::format("warning: the path has not settled by T = {} (distance {:.2e} from the "
                    "terminal steady state over the last 10%); raise --periods",
                    r.periods, run.result.settle_distance));
  if (run.result.path.ok && r.welfare) {
    say("welfare including the transition");
    Timer tw;
    run.welfare = transition_welfare(st.economy, run.result, run.country, wo);
    run.seconds_welfare = tw.seconds();
  }
  if (run.result.path.ok && r.elasticities) {
    say("trade elasticities by horizon");
    Timer te;
    run.elasticities = horizon_elasticities(st.economy, run.result, run.country, to);
    run.seconds_elasticities = te.seconds();
  }
  run.seconds = timer.seconds();
  return st;
}

}  // namespace hat::transition
