// The elasticity study shared by the command line and the Python package (see
// elasticity_study.hpp).
#include "hat/analysis/elasticity_study.hpp"

#include <algorithm>

#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"

namespace hat::analysis {

void ElasticityStudyOptions::validate() const {
  parse_distribution_mode(distribution, "--distribution");
  if (!(step > 0 && step <= 0.1)) throw InputError("--step: expected 0 < step <= 0.1");
  if (!(tolerance > 0 && tolerance < 1e-6))
    throw InputError("--tolerance: expected 0 < tolerance < 1e-6");
}

ElasticityStudy run_elasticity_study(const world::WorldConfig& wc, const ElasticityStudyOptions& o,
                                     const ProgressCallback& progress) {
  Timer timer;
  ElasticityStudy st;
  st.world = wc.world;
  const world::World& w = st.world;
  const int i = st.country = world::country_index(w, o.country, "--country");
  if (!o.partner.empty()) {
    const int j = world::country_index(w, o.partner, "--partner");
    if (j == i) throw InputError("--partner: must differ from --country");
    st.partners.push_back(j);
  } else {
    for (int j = 0; j < w.size(); ++j)
      if (j != i) st.partners.push_back(j);
  }
  if (st.partners.empty()) throw InputError("--country: the world has no trading partners");
  o.validate();
  ElasticityOptions& opt = st.options;
  opt.distribution = parse_distribution_mode(o.distribution, "--distribution");
  opt.step = o.step;
  opt.household.tolerance = opt.household.value_tolerance = o.tolerance;
  opt.richardson = o.richardson;

  st.baseline = baseline_world(wc, o.solve, progress);
  st.seconds_baseline = timer.seconds();
  const world::CountryState& cs = st.baseline.state.countries[i];
  Timer et;
  st.result =
      country_elasticities(cs.problem, cs.solution, cs.distribution.mass, i, st.partners, opt);
  st.seconds_elasticities = et.seconds();
  st.expenditure_shares = expenditure_shares_by_state(cs.problem, cs.solution);
  st.status = worse_status(st.result.report.status, st.baseline.report.status);
  st.figure_partner = st.partners.front();
  if (o.partner.empty()) {
    double best = -1;
    for (const auto& b : st.result.partners)
      if (b.import_share > best) best = b.import_share, st.figure_partner = b.partner;
  }
  st.seconds = timer.seconds();
  return st;
}

}  // namespace hat::analysis
