// What a transition path means for households: welfare including the transition (the value at
// t = 0 on the path against the old steady state, analysis/welfare.hpp's measures) and trade
// elasticities by horizon (partial equilibrium from the household block's sequence-space
// Jacobian, Auclert et al. 2021; general equilibrium along the solved path).
#include <cmath>
#include <limits>

#include "hat/analysis/elasticity.hpp"
#include "hat/transition/fake_news.hpp"
#include "hat/transition/transition.hpp"

namespace hat::transition {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double share_of(double transition, double steady) {
  return (std::isfinite(transition) && std::isfinite(steady) && steady != 0.0)
             ? (transition - steady) / std::abs(steady)
             : kNaN;
}
}  // namespace

TransitionWelfare transition_welfare(const PathEconomy& e, const TransitionResult& r, int country,
                                     const analysis::WelfareOptions& opt) {
  const analysis::HouseholdState& old_state = e.old_states[country];
  // The path at t = 0 as a "new state" on the old grid: its values, the old distribution (the
  // households of t = 0), and the terminal steady state's aggregates (for ACR).
  analysis::HouseholdState path_state = e.new_states[country];
  path_state.problem = old_state.problem;
  path_state.solution.V = r.path.countries[country].V0;
  path_state.mass = old_state.mass;
  TransitionWelfare tw;
  tw.country = country;
  tw.welfare = analysis::measure_welfare(
      old_state, {{"transition", &path_state}, {"steady_state", &e.new_states[country]}}, country,
      0.0, opt);
  const auto& tr = tw.welfare.scenarios[0];
  const auto& ss = tw.welfare.scenarios[1];
  tw.transition_share_ce = share_of(tr.mean_ce, ss.mean_ce);
  tw.transition_share_ev = share_of(tr.mean_ev, ss.mean_ev);
  tw.transition_share_ev_lump_sum = share_of(tr.mean_ev_lump_sum, ss.mean_ev_lump_sum);
  return tw;
}

HorizonElasticities horizon_elasticities(const PathEconomy& e, const TransitionResult& r,
                                         int country, const TransitionOptions& opt) {
  const int T = e.periods, N = e.initial.size(), c = country;
  HorizonElasticities he;
  he.country = c;
  for (int j = 0; j < N; ++j)
    if (j != c) he.partners.push_back(j);
  const int P = static_cast<int>(he.partners.size());
  const analysis::HouseholdState& old = e.old_states[c];
  const Eigen::VectorXd& M_old = old.aggregates.expenditure;
  he.import_share = Eigen::VectorXd(P);
  for (int p = 0; p < P; ++p) he.import_share(p) = M_old(he.partners[p]) / M_old.sum();

  // Partial equilibrium: a permanent change of log p_ij from h = 0 moves spending on variety o
  // at h by sum_s J[o](h, s). The Jacobian runs Tj > T periods: its own last periods see the
  // price return to the old level after Tj (households anticipate it), which must not reach
  // the reported horizons.
  const int Tj = T + std::max(50, T / 2);
  std::vector<BlockInput> inputs;
  for (int j : he.partners)
    inputs.push_back(
        {"log_d_" + e.initial.names[j],
         [j](household::HouseholdProblem& hp, double&, double h) { hp.prices(j) *= std::exp(h); },
         0});
  std::vector<std::string> names(N + 1, "");
  FakeNewsOptions fo;
  fo.periods = Tj;
  fo.step = 1e-5;  // central differences: the elasticities are results, not a Newton matrix
  fo.central = true;
  fo.decay = 1e-8;  // responses below 1e-8 no longer move the reported elasticities
  const BlockJacobian bj = fake_news_jacobian(old.problem, old.solution, e.old_prices.R(c),
                                              old.mass, inputs, names, spending_and_savings, fo);
  he.pe.resize(T, P);
  for (int p = 0; p < P; ++p) {
    const int j = he.partners[p];
    for (int t = 0; t < T; ++t) {
      double dj = 0, dc = 0;
      for (int s = 0; s < Tj; ++s) {
        dj += bj.J_at(j, p, t, s);
        dc += bj.J_at(c, p, t, s);
      }
      he.pe(t, p) = dj / M_old(j) - dc / M_old(c);
    }
  }
  analysis::ElasticityOptions eo;
  eo.distribution = analysis::DistributionMode::Adjusts;
  eo.micro = false;
  const analysis::CountryElasticities ce =
      analysis::country_elasticities(old.problem, old.solution, old.mass, c, he.partners, eo);
  he.steady_state_pe.resize(P);
  for (int p = 0; p < P; ++p) he.steady_state_pe(p) = ce.partners[p].theta;

  // Along the general-equilibrium path (arc elasticities against the old steady state).
  auto arc = [&](const Eigen::VectorXd& M, double d_new, int j) {
    const double dd = std::log(d_new / e.initial.d(c, j));
    if (!(std::abs(dd) > 1e-12)) return kNaN;
    return (std::log(M(j) / M(c)) - std::log(M_old(j) / M_old(c))) / dd;
  };
  he.path.resize(T, P);
  he.steady_state_path.resize(P);
  for (int p = 0; p < P; ++p) {
    const int j = he.partners[p];
    for (int t = 0; t < T; ++t)
      he.path(t, p) = r.path.ok ? arc(r.path.countries[c].expenditure.row(t).transpose(),
                                      e.worlds[t].d(c, j), j)
                                : kNaN;
    he.steady_state_path(p) = arc(e.new_states[c].aggregates.expenditure, e.terminal.d(c, j), j);
  }
  return he;
}

}  // namespace hat::transition
