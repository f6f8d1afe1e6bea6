// hat._hat.ek_estimate: the Eaton-Kortum (2002) estimates from EK's raw 1990 data (as `hat ek
// estimate`): theta by every method, Table V's source effects, Table VI's technology and the
// gravity regressions (OLS and GLS). Input errors of the data raise hat.DataError.
#include <fmt/format.h>

#include <cmath>

#include "common.hpp"
#include "hat/calibration/gravity.hpp"
#include "hat/calibration/gravity_report.hpp"
#include "hat/core/error.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/io/csv.hpp"
#include "hat/models/eaton_kortum.hpp"

namespace hat::python {

namespace {

constexpr double kThetaBaseline = 8.28;  // EK's preferred theta (method of moments, rounded)

nlohmann::json by_country(const std::vector<std::string>& c, const Eigen::VectorXd& v) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t i = 0; i < c.size(); ++i) j[c[i]] = v(static_cast<long>(i));
  return j;
}

struct EkRun {
  nlohmann::json summary;
  std::vector<std::pair<std::string, std::string>> tables;
  std::string data_dir;
};

void run_estimate(const std::string& data_opt, EkRun& r) {
  r.data_dir = data::resolve_data_dir(data_opt);
  const data::EkRawData raw = data::read_ek_raw(r.data_dir);
  namespace ek = models::ek;
  const ek::ThetaEstimates th = ek::estimate_theta(raw);
  calibration::GravityRegression reg(raw.gravity);
  const calibration::GravityFit grav = reg.fit(raw.gravity.y);
  const calibration::GravityFit gls = reg.fit_gls(raw.gravity.y);  // Tables V and VII use GLS
  const Eigen::VectorXd& S = grav.estimates.S;
  const ek::SourceEffectsFit t5 = ek::estimate_source_effects(raw, gls.estimates.S);
  std::vector<double> thetas = raw.thetas;
  if (thetas.empty()) thetas = {kThetaBaseline};
  const Eigen::VectorXd tech = ek::relative_technology(raw, S, kThetaBaseline);

  nlohmann::json& j = r.summary;
  j["theta_mom"] = th.mom;
  j["theta_ols_origin"] = th.ols_origin;
  j["theta_ols_dummies"] = th.ols_dummies;
  j["theta_2sls"] = th.tsls;
  j["theta_table5_ols"] = t5.theta_ols;
  j["theta_table5_2sls"] = t5.theta_tsls;
  j["technology"] = by_country(raw.countries, tech);
  j["gravity"] = calibration::gravity_estimates_json(grav.estimates);

  // theta.csv and technology.csv of `hat ek estimate --out`.
  io::CsvWriter w({"method", "theta", "std_error", "published"});
  w.cell("method_of_moments").cell(th.mom).cell("").cell(8.28).end_row();
  w.cell("ols_origin").cell(th.ols_origin).cell(th.se_ols_origin).cell(8.03).end_row();
  w.cell("ols_dummies").cell(th.ols_dummies).cell(th.se_ols_dummies).cell(2.44).end_row();
  w.cell("2sls_geography").cell(th.tsls).cell(th.se_tsls).cell(12.86).end_row();
  w.cell("table5_ols").cell(t5.theta_ols).cell(t5.ols.se(3)).cell(2.84).end_row();
  w.cell("table5_2sls").cell(t5.theta_tsls).cell(t5.tsls.se(3)).cell(3.60).end_row();
  r.tables.emplace_back("theta.csv", w.str());
  io::CsvWriter t({"country", "theta", "technology_relative_to_usa"});
  for (double theta : thetas) {
    const Eigen::VectorXd v = ek::relative_technology(raw, S, theta);
    for (size_t i = 0; i < raw.countries.size(); ++i)
      t.cell(raw.countries[i]).cell(theta).cell(v(static_cast<long>(i))).end_row();
  }
  r.tables.emplace_back("technology.csv", t.str());
  r.tables.emplace_back("gravity.csv", calibration::gravity_estimates_csv(grav));
  r.tables.emplace_back("gravity_gls.csv", calibration::gravity_estimates_csv(gls));
}

py::dict ek_estimate(const std::string& data_dir) {
  EkRun r;
  try {
    py::gil_scoped_release nogil;
    run_estimate(data_dir, r);
  } catch (const InputError& e) {
    PyErr_SetString(data_error().ptr(), e.what());
    throw py::error_already_set();
  }
  py::dict d;
  d["summary"] = to_python(r.summary);
  py::dict t;
  for (const auto& [name, text] : r.tables) t[py::str(name)] = text;
  d["tables"] = t;
  d["data_dir"] = r.data_dir;
  return d;
}

struct EkCfRun {
  nlohmann::json summary;
};

nlohmann::json result_json(const models::ek::CounterfactualResult& r) {
  nlohmann::json j;
  j["scenario"] = models::ek::to_string(r.scenario);
  j["labor"] = models::ek::to_string(r.labor);
  j["welfare_change"] = by_country(r.countries, r.welfare_change);
  j["price_change"] = by_country(r.countries, r.price_change);
  j["world_trade_ratio"] = r.world_trade_ratio;
  if (r.scenario == models::ek::Scenario::DoubleTrade) j["trade_cost_factor"] = r.trade_cost_factor;
  return j;
}

// `hat ek counterfactual`: option errors raise ConfigError, data errors DataError.
void run_counterfactual(const std::string& data_opt, const std::string& scenario,
                        const std::string& labor, double theta, double alpha, double tol,
                        py::handle progress, EkCfRun& run) {
  namespace ek = models::ek;
  using ek::Labor;
  using ek::Scenario;
  std::vector<Scenario> scenarios =
      scenario == "all" ? ek::all_scenarios() : std::vector<Scenario>{ek::parse_scenario(scenario)};
  std::vector<Labor> labors = labor == "both" ? std::vector<Labor>{Labor::Mobile, Labor::Immobile}
                                              : std::vector<Labor>{ek::parse_labor(labor)};
  if (!(theta > 0) || !std::isfinite(theta)) throw InputError("--theta must be positive");
  if (!(alpha > 0 && alpha <= 1)) throw InputError("--alpha must lie in (0, 1]");
  if (!(tol > 0)) throw InputError("--tol must be positive");
  data::EkRawData raw;
  try {
    raw = data::read_ek_raw(data::resolve_data_dir(data_opt));
  } catch (const InputError& e) {
    py::gil_scoped_acquire gil;
    PyErr_SetString(data_error().ptr(), e.what());
    throw py::error_already_set();
  }
  calibration::GravityRegression reg(raw.gravity);
  const Eigen::VectorXd S = reg.fit(raw.gravity.y).estimates.S;
  const ek::Calibration cal = ek::calibrate_economy(raw, S, theta, alpha);
  ek::SolverOptions opt;
  opt.tol = tol;
  const auto say = message_hook(progress);
  std::vector<ek::CounterfactualResult> results;
  for (Scenario s : scenarios)
    for (Labor l : labors) {
      say(fmt::format("scenario {} ({} labour)", ek::to_string(s), ek::to_string(l)));
      results.push_back(ek::run_counterfactual(cal, s, l, opt));
    }
  if (results.size() == 1) {
    run.summary = result_json(results[0]);
  } else {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : results) arr.push_back(result_json(r));
    run.summary = {{"results", arr}};
  }
}

py::dict ek_counterfactual(const std::string& data_dir, const std::string& scenario,
                           const std::string& labor, double theta, double alpha, double tol,
                           py::object progress) {
  EkCfRun run;
  {
    py::gil_scoped_release nogil;
    run_counterfactual(data_dir, scenario, labor, theta, alpha, tol, progress, run);
  }
  py::dict d;
  d["summary"] = to_python(run.summary);
  return d;
}

}  // namespace

void register_ek(py::module_& m) {
  m.def("ek_counterfactual", &ek_counterfactual, py::arg("data_dir"), py::arg("scenario"),
        py::arg("labor"), py::arg("theta"), py::arg("alpha"), py::arg("tol"),
        py::arg("progress") = py::none(),
        "Eaton-Kortum (2002) section 6 counterfactuals (as `hat ek counterfactual`)");
  m.def("ek_estimate", &ek_estimate, py::arg("data_dir") = "",
        "Eaton-Kortum (2002) estimates from EK's raw data (as `hat ek estimate`)");
}

}  // namespace hat::python
