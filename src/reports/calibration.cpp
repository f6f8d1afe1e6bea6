// The files of `hat calibrate`: parameter and fit tables, Table 1, the model-vs-data figure,
// the calibrated world's outputs and TOML, result.json and the manifest.
#include "hat/reports/calibration.hpp"

#include <fmt/format.h>

#include <cmath>

#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/reports/world.hpp"
#include "hat/world/config.hpp"
#include "pair_markers.hpp"

namespace hat::reports {

using calibration::Study;

nlohmann::json calibration_summary(const Study& s) {
  const auto& res = s.result;
  const auto& cp = res.parameters;
  const auto& names = s.setup.world.names;
  nlohmann::json params, ltfp, meff;
  for (int i = 0; i < s.setup.world.size(); ++i) {
    ltfp[names[i]] = cp.log_tfp(i);
    meff[names[i]] = cp.costs.m(i);
  }
  params["log_tfp"] = ltfp;
  params["importer_effect"] = meff;
  if (s.setup.data.has_bins())
    params["bins"] = std::vector<double>(cp.costs.bins.data(), cp.costs.bins.data() + 6);
  else
    params["constant"] = cp.costs.bins(0);
  for (size_t j = 0; j < s.setup.data.covariate_names.size(); ++j)
    params[s.setup.data.covariate_names[j]] = cp.costs.coef(static_cast<Eigen::Index>(j));
  return {{"status", to_string(res.report.status)},
          {"message", res.report.message},
          {"max_moment_error", res.max_moment_error},
          {"equilibrium_residual", res.equilibrium_residual},
          {"evaluations", res.evaluations},
          {"jacobians", res.jacobians},
          {"seconds", s.seconds},
          {"R", res.state.prices.R(0)},
          {"beta", res.state.prices.beta},
          {"parameters", params}};
}

nlohmann::json calibration_result_json(const io::ConfigFile& file, const Study& s) {
  const auto& res = s.result;
  const double norm = std::max(res.max_moment_error / s.setup.moment_tolerance,
                               res.equilibrium_residual / s.setup.equilibrium.tolerance);
  return {{"program", "hat calibrate"},
          {"config", file.path()},
          {"config_fingerprint", calibration::config_fingerprint(file.text())},
          {"evaluations", res.evaluations},
          {"scaled_residual_norm", norm},
          {"names", s.names},
          {"x", std::vector<double>(res.x.data(), res.x.data() + res.x.size())}};
}

// parameters.csv: value and, for trade-cost parameters, the cost factor exp(-x/theta).
std::string parameters_csv(const Study& s) {
  const auto& cp = s.result.parameters;
  const int N = s.setup.world.size();
  const double theta = s.setup.theta;
  io::CsvWriter pc({"name", "kind", "value", "cost_factor"});
  const Eigen::VectorXd xp = calibration::pack_parameters(cp);
  for (int k = 0; k < xp.size(); ++k) {
    const bool tfp = k < N - 1;
    pc.cell(s.names[k])
        .cell(tfp ? "log_tfp" : "trade_cost")
        .cell(xp(k))
        .cell(tfp ? NAN : std::exp(-xp(k) / theta));
    pc.end_row();
  }
  pc.cell("importer_effect_" + s.setup.world.names[N - 1])
      .cell("trade_cost")
      .cell(cp.costs.m(N - 1))
      .cell(std::exp(-cp.costs.m(N - 1) / theta));
  pc.end_row();
  return pc.str();
}

std::string fit_csv(const Study& s) {
  const auto& res = s.result;
  io::CsvWriter fit({"moment", "data", "model", "difference"});
  for (int k = 0; k < res.data_moments.size(); ++k) {
    fit.cell(res.moment_names[k])
        .cell(res.data_moments(k))
        .cell(res.model_moments(k))
        .cell(res.model_moments(k) - res.data_moments(k));
    fit.end_row();
  }
  return fit.str();
}

namespace {

// Row labels of the trade-cost parameters in table1.md: EK's words for EK's design.
std::vector<std::string> barrier_labels(const data::GravityData& d) {
  std::vector<std::string> out;
  if (d.has_bins())
    for (const char* b : {"[0, 375) miles", "[375, 750)", "[750, 1500)", "[1500, 3000)",
                          "[3000, 6000)", "[6000, max]"})
      out.push_back(std::string("distance ") + b);
  else
    out.push_back("constant");
  for (const auto& c : d.covariate_names) {
    if (c == "border")
      out.push_back("shared border");
    else if (c == "language")
      out.push_back("shared language");
    else if (c == "ec")
      out.push_back("European Community");
    else if (c == "efta")
      out.push_back("EFTA");
    else
      out.push_back(c);
  }
  return out;
}

}  // namespace

// A table in the style of the paper's Table 1.
std::string table1_markdown(const Study& s) {
  const auto& res = s.result;
  const auto& cp = res.parameters;
  const int N = s.setup.world.size();
  const Eigen::VectorXd xp = calibration::pack_parameters(cp);
  std::string md = "| barrier | data moment | model fit | parameter | cost factor exp(-x/" +
                   fmt::format("{}", s.setup.theta) + ") |\n|---|---:|---:|---:|---:|\n";
  const int b0 = 2 * (N - 1);
  const std::vector<std::string> labels = barrier_labels(s.setup.data);
  for (int k = 0; k < static_cast<int>(labels.size()); ++k) {
    const std::string& label = labels[k];
    md +=
        fmt::format("| {} | {:.4f} | {:.4f} | {:.4f} | {:.4f} |\n", label, res.data_moments(b0 + k),
                    res.model_moments(b0 + k), xp(b0 + k), std::exp(-xp(b0 + k) / s.setup.theta));
  }
  md +=
      "\n| country | S_i data | S_i model | log A_i | m_n data | m_n model | importer effect |\n"
      "|---|---:|---:|---:|---:|---:|---:|\n";
  estimation::GravityRegression reg(s.setup.data);
  estimation::GravityEstimates de = reg.estimates(res.data_moments),
                               me = reg.estimates(res.model_moments);
  for (int i = 0; i < N; ++i)
    md += fmt::format("| {} | {:.4f} | {:.4f} | {:.4f} | {:.4f} | {:.4f} | {:.4f} |\n",
                      s.setup.world.names[i], de.S(i), me.S(i), cp.log_tfp(i), de.m(i), me.m(i),
                      cp.costs.m(i));
  return md;
}

void add_calibration_outputs(io::OutputDir& out, const io::ConfigFile& file, const Study& s,
                             bool policies) {
  const auto& res = s.result;
  const auto& setup = s.setup;
  out.keep_existing("checkpoint.json");  // --resume continues from it
  out.keep_existing("checkpoint.state.0");
  out.keep_existing("checkpoint.state.1");
  out.add("parameters.csv", parameters_csv(s));
  out.add("fit.csv", fit_csv(s));
  out.add("table1.md", table1_markdown(s));
  // Model vs data normalised trade shares.
  estimation::GravityRegression reg(setup.data);
  io::Plot fig;
  fig.title =
      "Normalised trade shares: model vs data (" + std::to_string(setup.data.n_pairs()) + " pairs)";
  fig.xlabel = "data  log(X_ni / X_nn)";
  fig.ylabel = "model  log(M_ni / M_nn)";
  fig.diagonal = true;
  const Eigen::VectorXd ym = reg.log_normalised_flows(res.state.imports);
  fig.series.push_back(pair_markers(setup.data.y, ym));
  out.add("trade_shares_model_vs_data.svg", fig.render());
  io::CsvWriter pairs({"importer", "exporter", "data_log_share", "model_log_share"});
  for (long q = 0; q < setup.data.n_pairs(); ++q) {
    pairs.cell(setup.data.countries[setup.data.importer[q]])
        .cell(setup.data.countries[setup.data.exporter[q]])
        .cell(setup.data.y(q))
        .cell(ym(q));
    pairs.end_row();
  }
  out.add("pair_fit.csv", pairs.str());
  add_world_outputs(out, res.world, res.state, world::residual_names(res.world, setup.equilibrium),
                    s.euler, policies);
  out.add("calibrated_world.toml",
          world::world_to_toml(res.world, res.state.prices, setup.equilibrium));
  out.add_json("result.json", calibration_result_json(file, s));
  const nlohmann::json summary = calibration_summary(s);
  nlohmann::json man = io::manifest("calibrate");
  io::manifest_add_input(man, file.path(), file.text());
  for (const auto& f : setup.data.files) man["inputs"].push_back({{"path", f}});
  man["status"] = summary["status"];
  man["solvers"]["calibration"] = io::to_json(res.report);
  man["solvers"]["calibration"]["evaluations"] = res.evaluations;
  man["solvers"]["calibration"]["jacobians"] = res.jacobians;
  man["timings"] = {{"total_seconds", s.seconds}};
  io::add_summary_and_manifest(out, man, summary);
}

}  // namespace hat::reports
