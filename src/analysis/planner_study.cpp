// The planner study shared by the command line and the Python package (see planner_study.hpp).
#include "hat/analysis/planner_study.hpp"

#include "hat/core/timer.hpp"
#include "hat/world/world.hpp"

namespace hat::analysis {

void PlannerStudyOptions::validate() const {
  parse_pareto_weights(weights, "--weights");
}

PlannerStudy run_planner_study(const world::WorldConfig& wc, const PlannerStudyOptions& o,
                               const ProgressCallback& progress) {
  Timer timer;
  o.validate();
  PlannerStudy st;
  st.world = wc.world;
  world::World& w = st.world;
  st.weights = parse_pareto_weights(o.weights, "--weights");
  st.country = o.country.empty() ? -1 : world::country_index(w, o.country, "--country");
  // The decentralised baseline is needed only for the comparison.
  if (st.country >= 0) {
    st.baseline = baseline_world(wc, o.solve, progress);
    st.decentralised = world::trade_shares(st.baseline.state);
    w.beta = st.baseline.state.prices.beta;  // the discount factor of the baseline (if solved for)
  }
  Timer pt;
  st.allocation = solve_planner(w, pareto_weights(w, st.weights));
  st.seconds_planner = pt.seconds();
  st.status = st.country >= 0 ? worse_status(st.allocation.report.status, st.baseline.report.status)
                              : st.allocation.report.status;
  st.seconds = timer.seconds();
  return st;
}

}  // namespace hat::analysis
