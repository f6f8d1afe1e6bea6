// The Eaton–Kortum (2002) studies as `hat ek estimate`, `hat ek counterfactual` and hat.ek run
// them: the estimates of EK §5 (Tables III, V, VI, VII) and the counterfactuals of EK §6 on a
// chosen baseline. Their reports (text, the --json object, CSV tables, figures) are in
// reports/ek.hpp. The command line and the Python package are adapters over this.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "hat/core/progress.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/estimation/gravity.hpp"
#include "hat/models/eaton_kortum.hpp"

namespace hat::models::ek {

constexpr double kThetaBaseline = 8.28;  // EK's preferred theta (method of moments, rounded)
constexpr double kAlphaBaseline = 0.13481359;

// A named output file: {file name, contents}.
using NamedText = std::pair<std::string, std::string>;

// EK's raw 1990 data from the chosen data directory (none chosen: ../shared/data; see
// data::resolve_data_dir). InputError naming the file on missing or malformed data.
struct EkData {
  std::string dir;
  data::EkRawData raw;
};
EkData load_data(const data::DataDirArg& data_dir);

// ------------------------------------------------------------------- hat ek estimate -----
struct EstimateStudy {
  std::string data_dir;
  std::vector<std::string> countries;
  ThetaEstimates theta;
  estimation::GravityFit ols, gls;          // Table III; Tables V and VII use GLS
  SourceEffectsFit source_effects;          // Table V
  std::vector<double> thetas;               // EK's theta values for Tables VI and VII
  std::vector<Eigen::VectorXd> technology;  // Table VI, one per theta (OLS source effects)
  Eigen::VectorXd technology_baseline;      // Table VI at theta = 8.28
  PriceTradePairs pairs;                    // Figure 2
};
EstimateStudy run_estimate_study(const EkData& data);

// ------------------------------------------------------------- hat ek counterfactual -----
// Baseline of the counterfactuals: `data` reproduces the observed 1990 shares exactly
// (calibrate_economy); `ek` is the baseline of EK's programs, trade costs from the fitted
// gravity equation (calibrate_economy_ek).
enum class Baseline { Data, Ek };
const char* to_string(Baseline b);
Baseline parse_baseline(const std::string& s);  // "data" | "ek"; InputError naming --baseline

struct CounterfactualRequest {
  std::string scenario;           // a scenario name or "all"
  std::string labor = "mobile";   // mobile | immobile | both
  std::string baseline = "data";  // data | ek
  double theta = kThetaBaseline, alpha = kAlphaBaseline, tol = 1e-11;
  int max_iter = 200;  // Newton iterations of the immobile-labour wage solver
  // InputError naming the option (--scenario, --labor, --baseline, --theta, ...).
  void validate() const;
  std::vector<Scenario> scenarios() const;
  std::vector<Labor> labors() const;
};

struct ScenarioStudy {
  CounterfactualRequest request;
  Baseline baseline = Baseline::Data;
  Calibration calibration;
  std::vector<CounterfactualResult> results;  // scenario-major, then closure
  // Every counterfactual equilibrium converged (the baselines always have: a baseline that
  // does not converge throws NumericalError).
  bool converged() const;
  // The worst status of the solves (baselines and counterfactuals): what the manifest records.
  SolverStatus status() const;
};

// Calibrates the baseline and runs every requested scenario under every requested closure.
// InputError for an invalid request; NumericalError if a baseline (or a step of the
// double_trade bisection) cannot be solved. A counterfactual equilibrium that does not
// converge is kept, with its solver report, and makes converged() false.
// `progress` receives one message per scenario (kStop: hat::Interrupted, core/progress.hpp).
ScenarioStudy run_scenario_study(const CounterfactualRequest& r, const EkData& data,
                                 const ProgressCallback& progress = {});

}  // namespace hat::models::ek
