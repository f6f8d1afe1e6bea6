// The reports of the Eaton–Kortum studies: the printed text, the --json objects, the CSV tables,
// the figures and the manifest entries of `hat ek estimate` and `hat ek counterfactual`.
#include "hat/reports/ek.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/reports/gravity.hpp"
#include "pair_markers.hpp"

namespace hat::reports {

using namespace models::ek;

namespace {

nlohmann::json by_country(const std::vector<std::string>& c, const Eigen::VectorXd& v) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t i = 0; i < c.size(); ++i) j[c[i]] = v(static_cast<long>(i));
  return j;
}

// Log change, a fraction (0.01 = 1%).
double log_change(double now, double before) {
  return std::log(now / before);
}

// Fractions are printed in percent.
constexpr double kPercent = 100;

}  // namespace

nlohmann::json ek_estimate_json(const EstimateStudy& s) {
  nlohmann::json j;
  j["theta_mom"] = s.theta.mom;
  j["theta_ols_origin"] = s.theta.ols_origin;
  j["theta_ols_dummies"] = s.theta.ols_dummies;
  j["theta_2sls"] = s.theta.tsls;
  j["theta_table5_ols"] = s.source_effects.theta_ols;
  j["theta_table5_2sls"] = s.source_effects.theta_tsls;
  j["technology"] = by_country(s.countries, s.technology_baseline);
  j["gravity"] = gravity_estimates_json(s.ols.estimates);
  return j;
}

nlohmann::json ek_estimate_results(const EstimateStudy& s) {
  return {{"theta_mom", s.theta.mom},
          {"theta_ols_origin", s.theta.ols_origin},
          {"theta_ols_dummies", s.theta.ols_dummies},
          {"theta_2sls", s.theta.tsls},
          {"theta_table5_ols", s.source_effects.theta_ols},
          {"theta_table5_2sls", s.source_effects.theta_tsls}};
}

std::string ek_estimate_text(const EstimateStudy& s) {
  const ThetaEstimates& th = s.theta;
  const SourceEffectsFit& t5 = s.source_effects;
  const estimation::GravityFit& gls = s.gls;
  std::string o;
  auto out = std::back_inserter(o);
  fmt::format_to(out, "Eaton-Kortum (2002) estimates from the raw 1990 data ({})\n\n", s.data_dir);
  fmt::format_to(out,
                 "theta from trade and prices (EK section 5)     estimate      s.e.  published\n");
  fmt::format_to(out, "  method of moments                         {:>10.5f}  {:>8}  8.28\n",
                 th.mom, "");
  fmt::format_to(out, "  OLS through the origin                    {:>10.5f}  {:>8.4f}  8.03\n",
                 th.ols_origin, th.se_ols_origin);
  fmt::format_to(out, "  OLS, source and destination dummies       {:>10.5f}  {:>8.4f}  2.44\n",
                 th.ols_dummies, th.se_ols_dummies);
  fmt::format_to(out, "  2SLS, geography as instruments            {:>10.5f}  {:>8.4f}  12.86\n",
                 th.tsls, th.se_tsls);
  fmt::format_to(out,
                 "\nTable V: S_i (GLS) = a0 + aR ln R_i - aH / H_i - theta ln w~_i, w~ = w "
                 "exp(-0.06 H) (19 countries)\n");
  fmt::format_to(out, "  {:<14}{:>12}{:>10}{:>12}{:>10}\n", "", "OLS", "s.e.", "2SLS", "s.e.");
  const char* names[] = {"constant", "ln R&D", "1/schooling", "-theta (ln w~)"};
  for (int k = 0; k < 4; ++k)
    fmt::format_to(out, "  {:<14}{:>12.5f}{:>10.5f}{:>12.5f}{:>10.5f}\n", names[k], t5.ols.coef(k),
                   t5.ols.se(k), t5.tsls.coef(k), t5.tsls.se(k));
  fmt::format_to(out, "  theta: OLS {:.5f} (published 2.84), 2SLS {:.5f} (published 3.60)\n",
                 t5.theta_ols, t5.theta_tsls);
  fmt::format_to(out, "\nTable VI: states of technology T_i / T_USA\n  {:<8}", "country");
  for (double t : s.thetas) fmt::format_to(out, "{:>14}", fmt::format("theta={:.2f}", t));
  fmt::format_to(out, "\n");
  for (size_t i = 0; i < s.countries.size(); ++i) {
    fmt::format_to(out, "  {:<8}", s.countries[i]);
    for (const auto& v : s.technology) fmt::format_to(out, "{:>14.3f}", v(static_cast<long>(i)));
    fmt::format_to(out, "\n");
  }
  fmt::format_to(out, "\nTable III, GLS (sigma1^2 = {:.4f}, sigma2^2 = {:.4f}):", gls.sigma1_sq,
                 gls.sigma2_sq);
  for (int b = 0; b < 6; ++b) fmt::format_to(out, " {:.5f}", gls.estimates.bins(b));
  fmt::format_to(out, "\n  border {:.5f}, language {:.5f}, EC {:.5f}, EFTA {:.5f}\n",
                 gls.estimates.border, gls.estimates.language, gls.estimates.ec,
                 gls.estimates.efta);
  fmt::format_to(out,
                 "\nTable VII: effect on cost of the GLS coefficients, percent (100 (exp(-b/theta) "
                 "- 1))\n  {:<14}",
                 "");
  for (double t : s.thetas) fmt::format_to(out, "{:>14}", fmt::format("theta={:.2f}", t));
  fmt::format_to(out, "\n");
  auto row = [&](const std::string& name, double b) {
    fmt::format_to(out, "  {:<14}", name);
    for (double t : s.thetas) fmt::format_to(out, "{:>14.2f}", kPercent * cost_effect(b, t));
    fmt::format_to(out, "\n");
  };
  for (int b = 0; b < 6; ++b) row("dist_" + std::to_string(b + 1), gls.estimates.bins(b));
  row("border", gls.estimates.border);
  row("language", gls.estimates.language);
  row("EC", gls.estimates.ec);
  row("EFTA", gls.estimates.efta);
  return o;
}

namespace {

std::string theta_csv(const EstimateStudy& s) {
  const ThetaEstimates& th = s.theta;
  const SourceEffectsFit& t5 = s.source_effects;
  io::CsvWriter w({"method", "theta", "std_error", "published"});
  w.cell("method_of_moments").cell(th.mom).cell("").cell(8.28).end_row();
  w.cell("ols_origin").cell(th.ols_origin).cell(th.se_ols_origin).cell(8.03).end_row();
  w.cell("ols_dummies").cell(th.ols_dummies).cell(th.se_ols_dummies).cell(2.44).end_row();
  w.cell("2sls_geography").cell(th.tsls).cell(th.se_tsls).cell(12.86).end_row();
  w.cell("table5_ols").cell(t5.theta_ols).cell(t5.ols.se(3)).cell(2.84).end_row();
  w.cell("table5_2sls").cell(t5.theta_tsls).cell(t5.tsls.se(3)).cell(3.60).end_row();
  return w.str();
}

std::string source_effects_csv(const SourceEffectsFit& t5) {
  io::CsvWriter w({"method", "variable", "estimate", "std_error"});
  const char* vars[] = {"constant", "ln_research", "inv_schooling", "ln_wage_adjusted"};
  for (int k = 0; k < 4; ++k)
    w.cell("ols").cell(vars[k]).cell(t5.ols.coef(k)).cell(t5.ols.se(k)).end_row();
  for (int k = 0; k < 4; ++k)
    w.cell("2sls").cell(vars[k]).cell(t5.tsls.coef(k)).cell(t5.tsls.se(k)).end_row();
  return w.str();
}

std::string cost_effects_csv(const EstimateStudy& s) {
  io::CsvWriter w({"estimator", "parameter", "theta", "coefficient", "cost_effect"});
  for (const auto* fit : {&s.gls, &s.ols}) {
    const auto& e = fit->estimates;
    const char* est = fit->gls ? "gls" : "ols";
    auto add = [&](const std::string& name, double b) {
      for (double t : s.thetas)
        w.cell(est).cell(name).cell(t).cell(b).cell(cost_effect(b, t)).end_row();
    };
    for (int b = 0; b < 6; ++b) add("dist_" + std::to_string(b + 1), e.bins(b));
    add("border", e.border);
    add("language", e.language);
    add("ec", e.ec);
    add("efta", e.efta);
  }
  return w.str();
}

}  // namespace

std::vector<NamedText> ek_estimate_tables(const EstimateStudy& s) {
  std::vector<NamedText> t;
  t.emplace_back("theta.csv", theta_csv(s));
  t.emplace_back("source_effects.csv", source_effects_csv(s.source_effects));
  io::CsvWriter tech({"country", "theta", "technology_relative_to_usa"});
  for (size_t k = 0; k < s.thetas.size(); ++k)
    for (size_t i = 0; i < s.countries.size(); ++i)
      tech.cell(s.countries[i])
          .cell(s.thetas[k])
          .cell(s.technology[k](static_cast<long>(i)))
          .end_row();
  t.emplace_back("technology.csv", tech.str());
  t.emplace_back("cost_effects.csv", cost_effects_csv(s));
  t.emplace_back("gravity.csv", gravity_estimates_csv(s.ols));
  t.emplace_back("gravity_gls.csv", gravity_estimates_csv(s.gls));
  const PriceTradePairs& pt = s.pairs;
  io::CsvWriter w({"importer", "exporter", "log_normalised_share", "price_measure"});
  for (size_t k = 0; k < pt.importer.size(); ++k)
    w.cell(s.countries[pt.importer[k]])
        .cell(s.countries[pt.exporter[k]])
        .cell(pt.log_share(static_cast<long>(k)))
        .cell(pt.price_measure(static_cast<long>(k)))
        .end_row();
  t.emplace_back("price_trade.csv", w.str());
  return t;
}

std::string ek_estimate_figure(const EstimateStudy& s) {
  const PriceTradePairs& pt = s.pairs;
  io::Plot p;
  p.title = "Trade and prices (EK 2002, Figure 2)";
  p.xlabel = "ln price measure D_ni";
  p.ylabel = "ln normalised import share";
  p.series.push_back(pair_markers(pt.price_measure, pt.log_share));
  io::Series fit;
  fit.label = fmt::format("slope -theta, theta = {:.2f} (OLS through origin)", s.theta.ols_origin);
  const double xmax = pt.price_measure.maxCoeff();
  fit.x = {0.0, xmax};
  fit.y = {0.0, -s.theta.ols_origin * xmax};
  p.series.push_back(fit);
  return p.render();
}

namespace {

nlohmann::json result_json(const CounterfactualResult& r, Baseline b) {
  nlohmann::json j;
  j["scenario"] = to_string(r.scenario);
  j["labor"] = to_string(r.labor);
  j["welfare_change"] = by_country(r.countries, r.welfare_change);
  j["price_change"] = by_country(r.countries, r.price_change);
  j["world_trade_ratio"] = r.world_trade_ratio;
  if (r.scenario == Scenario::DoubleTrade) j["trade_cost_factor"] = r.trade_cost_factor;
  // Keys that the default (data baseline, converged) object does not carry.
  if (b != Baseline::Data) j["baseline"] = to_string(b);
  if (!r.counterfactual.report.converged())
    j["solver_status"] = hat::to_string(r.counterfactual.report.status);
  return j;
}

}  // namespace

nlohmann::json ek_counterfactual_json(const ScenarioStudy& s) {
  if (s.results.size() == 1) return result_json(s.results[0], s.baseline);
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : s.results) arr.push_back(result_json(r, s.baseline));
  return {{"results", arr}};
}

std::string ek_counterfactual_text(const ScenarioStudy& s) {
  const auto& c = s.calibration.economy.countries;
  const std::string base =
      s.baseline == Baseline::Ek ? ", EK's gravity baseline (--baseline ek)" : "";
  std::string o;
  auto out = std::back_inserter(o);
  for (const auto& r : s.results) {
    fmt::format_to(
        out, "\nScenario {} ({} labour), theta = {:.4g}{}: percentage changes (100 log new/old)\n",
        to_string(r.scenario), to_string(r.labor), s.request.theta, base);
    fmt::format_to(out, "  {:<8}{:>10}{:>10}{:>10}{:>12}{:>12}\n", "country", "welfare", "price",
                   "wage", "manuf.empl", "home share");
    const auto& b = r.baseline;
    const auto& f = r.counterfactual;
    for (size_t i = 0; i < c.size(); ++i) {
      const long k = static_cast<long>(i);
      fmt::format_to(out, "  {:<8}{:>10.2f}{:>10.2f}{:>10.2f}{:>12.2f}{:>12.2f}\n", c[i],
                     kPercent * r.welfare_change(k), kPercent * r.price_change(k),
                     kPercent * log_change(f.wage(k), b.wage(k)),
                     kPercent * log_change(f.manuf_labor(k), b.manuf_labor(k)),
                     kPercent * log_change(f.shares(k, k), b.shares(k, k)));
    }
    fmt::format_to(out, "  world trade ratio {:.4f}", r.world_trade_ratio);
    if (r.scenario == Scenario::DoubleTrade)
      fmt::format_to(out, ", trade cost factor on d - 1: {:.6f}", r.trade_cost_factor);
    fmt::format_to(out, "\n");
    if (!f.report.converged())
      fmt::format_to(out, "  NOT CONVERGED: {} (residual {:.3e}, {})\n",
                     hat::to_string(f.report.status), f.report.residual, f.report.message);
  }
  return o;
}

std::vector<NamedText> ek_counterfactual_tables(const ScenarioStudy& s) {
  const auto& c = s.calibration.economy.countries;
  io::CsvWriter sum({"scenario", "labor", "country", "welfare_change", "price_change",
                     "wage_change", "manuf_labor_change", "home_share_baseline",
                     "home_share_counterfactual"});
  io::CsvWriter trade({"scenario", "labor", "importer", "exporter", "flow_baseline",
                       "flow_counterfactual", "share_baseline", "share_counterfactual"});
  io::CsvWriter scen({"scenario", "labor", "world_trade_ratio", "trade_cost_factor",
                      "solver_status", "iterations", "residual"});
  for (const auto& r : s.results) {
    const std::string sn = to_string(r.scenario), ln = to_string(r.labor);
    const auto& b = r.baseline;
    const auto& f = r.counterfactual;
    for (size_t i = 0; i < c.size(); ++i) {
      const long k = static_cast<long>(i);
      sum.cell(sn)
          .cell(ln)
          .cell(c[i])
          .cell(r.welfare_change(k))
          .cell(r.price_change(k))
          .cell(log_change(f.wage(k), b.wage(k)))
          .cell(log_change(f.manuf_labor(k), b.manuf_labor(k)))
          .cell(b.shares(k, k))
          .cell(f.shares(k, k))
          .end_row();
      for (size_t j = 0; j < c.size(); ++j) {
        const long q = static_cast<long>(j);
        trade.cell(sn)
            .cell(ln)
            .cell(c[i])
            .cell(c[j])
            .cell(b.flows(k, q))
            .cell(f.flows(k, q))
            .cell(b.shares(k, q))
            .cell(f.shares(k, q))
            .end_row();
      }
    }
    scen.cell(sn)
        .cell(ln)
        .cell(r.world_trade_ratio)
        .cell(r.trade_cost_factor)
        .cell(hat::to_string(f.report.status))
        .cell(f.report.iterations)
        .cell(f.report.residual)
        .end_row();
  }
  return {{"summary.csv", sum.str()}, {"trade.csv", trade.str()}, {"scenarios.csv", scen.str()}};
}

std::string ek_counterfactual_figure(const ScenarioStudy& s) {
  io::BarChart chart;
  chart.title = "Welfare change, % (100 log W'/W)";
  chart.ylabel = "percent";
  chart.categories = s.calibration.economy.countries;
  for (const auto& r : s.results) {
    chart.group_labels.push_back(std::string(to_string(r.scenario)) + " (" + to_string(r.labor) +
                                 ")");
    std::vector<double> percent(r.welfare_change.size());
    for (size_t i = 0; i < percent.size(); ++i)
      percent[i] = kPercent * r.welfare_change(static_cast<long>(i));
    chart.values.push_back(std::move(percent));
  }
  return chart.render();
}

void add_ek_counterfactual_manifest(nlohmann::json& m, const ScenarioStudy& s, double beta) {
  const CounterfactualRequest& r = s.request;
  m["parameters"] = {{"theta", r.theta},       {"alpha", r.alpha},
                     {"beta", beta},           {"tol", r.tol},
                     {"max_iter", r.max_iter}, {"baseline", to_string(s.baseline)}};
  // One report per solve, named <scenario>_<labor>_<baseline|counterfactual>.
  m["status"] = hat::to_string(s.status());
  m["solvers"] = nlohmann::json::object();
  for (const auto& res : s.results) {
    const std::string name = std::string(to_string(res.scenario)) + "_" + to_string(res.labor);
    m["solvers"][name + "_baseline"] = io::to_json(res.baseline.report);
    m["solvers"][name + "_counterfactual"] = io::to_json(res.counterfactual.report);
  }
}

}  // namespace hat::reports
