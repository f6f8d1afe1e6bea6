// The Eaton–Kortum studies shared by the command line and the Python package (see study.hpp).
#include "hat/models/eaton_kortum/study.hpp"

#include <fmt/format.h>

#include "hat/core/enum_names.hpp"
#include "hat/core/error.hpp"

namespace hat::models::ek {

EkData load_data(const data::DataDirArg& data_dir) {
  EkData d;
  d.dir = data::resolve_data_dir(data_dir.dir, data_dir.source);
  d.raw = data::read_ek_raw(d.dir);
  return d;
}

// ------------------------------------------------------------------------ estimates -----

EstimateStudy run_estimate_study(const EkData& data) {
  const data::EkRawData& raw = data.raw;
  EstimateStudy s;
  s.data_dir = data.dir;
  s.countries = raw.countries;
  s.theta = estimate_theta(raw);
  estimation::GravityRegression reg(raw.gravity);
  s.ols = reg.fit(raw.gravity.y);
  s.gls = reg.fit_gls(raw.gravity.y);
  s.source_effects = estimate_source_effects(raw, s.gls.estimates.S);
  s.thetas = raw.thetas;
  if (s.thetas.empty()) s.thetas = {kThetaBaseline};
  for (double t : s.thetas) s.technology.push_back(relative_technology(raw, s.ols.estimates.S, t));
  s.technology_baseline = relative_technology(raw, s.ols.estimates.S, kThetaBaseline);
  s.pairs = price_trade_pairs(raw);
  return s;
}

// ------------------------------------------------------------------ counterfactuals -----

namespace {
constexpr EnumNames<Baseline, 2> kBaselineNames{{{{Baseline::Data, "data"}, {Baseline::Ek, "ek"}}}};
// The request's labour choice: one of the two markets, or both (so that a bad value lists all
// three).
enum class LaborChoice { Mobile, Immobile, Both };
constexpr EnumNames<LaborChoice, 3> kLaborChoiceNames{{{{LaborChoice::Mobile, "mobile"},
                                                        {LaborChoice::Immobile, "immobile"},
                                                        {LaborChoice::Both, "both"}}}};
}  // namespace

const char* to_string(Baseline b) {
  return kBaselineNames.name(b);
}

Baseline parse_baseline(const std::string& s) {
  return kBaselineNames.parse(s, "--baseline");
}

void CounterfactualRequest::validate() const {
  scenarios();
  labors();
  parse_baseline(baseline);
  if (!(theta > 0) || !std::isfinite(theta)) throw InputError("--theta must be positive");
  if (!(alpha > 0 && alpha <= 1)) throw InputError("--alpha must lie in (0, 1]");
  if (!(tol > 0)) throw InputError("--tolerance must be positive");
  if (max_iter < 1 || max_iter > 100000)
    throw InputError("--max-iterations must be in [1, 100000]");
}

std::vector<Scenario> CounterfactualRequest::scenarios() const {
  return scenario == "all" ? all_scenarios() : std::vector<Scenario>{parse_scenario(scenario)};
}

std::vector<Labor> CounterfactualRequest::labors() const {
  switch (kLaborChoiceNames.parse(labor, "--labor")) {
    case LaborChoice::Mobile:
      return {Labor::Mobile};
    case LaborChoice::Immobile:
      return {Labor::Immobile};
    case LaborChoice::Both:
      break;
  }
  return {Labor::Mobile, Labor::Immobile};
}

bool ScenarioStudy::converged() const {
  for (const auto& r : results)
    if (!r.counterfactual.report.converged()) return false;
  return true;
}

SolverStatus ScenarioStudy::status() const {
  SolverStatus worst = SolverStatus::Converged;
  for (const auto& r : results)
    worst =
        worse_status(worst, worse_status(r.baseline.report.status, r.counterfactual.report.status));
  return worst;
}

ScenarioStudy run_scenario_study(const CounterfactualRequest& r, const EkData& data,
                                 const ProgressCallback& progress) {
  r.validate();
  ScenarioStudy st;
  st.request = r;
  st.baseline = parse_baseline(r.baseline);
  estimation::GravityRegression reg(data.raw.gravity);
  const estimation::GravityFit fit = reg.fit(data.raw.gravity.y);
  st.calibration = st.baseline == Baseline::Ek
                       ? calibrate_economy_ek(data.raw, fit.estimates, r.theta, r.alpha)
                       : calibrate_economy(data.raw, fit.estimates.S, r.theta, r.alpha);
  EkSolverOptions opt;
  opt.tol = r.tol;
  opt.max_iter = r.max_iter;
  for (Scenario s : r.scenarios())
    for (Labor l : r.labors()) {
      if (progress)
        report_stage(progress, "ek",
                     fmt::format("scenario {} ({} labour)", to_string(s), to_string(l)));
      st.results.push_back(run_counterfactual(st.calibration, s, l, opt));
    }
  return st;
}

}  // namespace hat::models::ek
