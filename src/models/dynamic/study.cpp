// The studies of the dynamic model shared by the command line and the Python package (see
// dynamic_study.hpp).
#include <vector>

#include "hat/core/error.hpp"
#include "hat/models/dynamic_study.hpp"

namespace hat::dynamic {

namespace {

template <typename F>
auto in_file(const std::string& path, F&& f) {
  try {
    return f();
  } catch (const InputError& e) {
    const std::string msg = e.what();
    if (!msg.empty() && msg[0] == '[') throw InputError(path + ": " + msg);
    throw;
  }
}

}  // namespace

// ---- gains from trade ----------------------------------------------------------------------

GftStudy run_gft_study(const Config& c, const std::string& config_name) {
  GftStudy st;
  st.config = c;
  const Parameters& p = c.params;
  st.steady_state =
      in_file(config_name, [&] { return solve_steady_state(p, c.economy, c.steady_state); });
  st.autarky = in_file(config_name, [&] { return solve_autarky(p, c.economy, c.steady_state); });
  const SteadyState& ss = st.steady_state;
  st.gains = ss.consumption.cwiseQuotient(st.autarky.consumption);
  st.formula = gains_formula(p, ss);
  st.acr = static_acr_gains(p, ss);
  st.elasticities = elasticities(p);
  st.tariff_revenue_share = ss.tariff_revenue.cwiseQuotient(ss.expenditure);
  st.gap = (st.gains.array() / st.formula.array() - 1).abs().maxCoeff();
  return st;
}

// ---- steady state --------------------------------------------------------------------------

SteadyStateStudy run_steady_state_study(const Config& c, const std::string& config_name) {
  SteadyStateStudy st;
  st.config = c;
  st.steady_state =
      in_file(config_name, [&] { return solve_steady_state(c.params, c.economy, c.steady_state); });
  st.structural_residual = structural_residual(c.params, c.economy, st.steady_state);
  return st;
}

// ---- transition ----------------------------------------------------------------------------

TransitionStudy run_transition_study(const Config& c, const std::string& config_name) {
  TransitionStudy st;
  st.config = c;
  const Parameters& p = c.params;
  const Economy before_e = c.economy, after_e = c.shocked();
  st.before = in_file(config_name, [&] { return solve_steady_state(p, before_e, c.steady_state); });
  st.after = in_file(config_name, [&] { return solve_steady_state(p, after_e, c.steady_state); });
  st.path = in_file(config_name, [&] {
    return solve_path(p, before_e, after_e, st.before, st.after, c.transition);
  });
  return st;
}

}  // namespace hat::dynamic
