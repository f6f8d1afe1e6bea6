// `hat ek estimate` and `hat ek counterfactual`: the Eaton–Kortum (2002) model on EK's own
// 1990 data (MODEL.md §3): estimates of theta and of Tables III, V, VI, VII, and the
// counterfactuals of their §6 under mobile or immobile labour.
#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "ek_output.hpp"
#include "hat/calibration/gravity.hpp"
#include "hat/calibration/gravity_report.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/models/eaton_kortum.hpp"

namespace hat::cli {
namespace {

using models::ek::Labor;
using models::ek::Scenario;

nlohmann::json by_country(const std::vector<std::string>& c, const Eigen::VectorXd& v) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t i = 0; i < c.size(); ++i) j[c[i]] = v(i);
  return j;
}

constexpr double kThetaBaseline = 8.28;  // EK's preferred theta (method of moments, rounded)

void run_estimate(const std::string& data_opt, const std::string& out_dir, bool json) {
  Timer timer;
  const std::string dir = data::resolve_data_dir(data_opt);
  const data::EkRawData raw = data::read_ek_raw(dir);
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

  if (json) {
    nlohmann::json j;
    j["theta_mom"] = th.mom;
    j["theta_ols_origin"] = th.ols_origin;
    j["theta_ols_dummies"] = th.ols_dummies;
    j["theta_2sls"] = th.tsls;
    j["theta_table5_ols"] = t5.theta_ols;
    j["theta_table5_2sls"] = t5.theta_tsls;
    j["technology"] = by_country(raw.countries, tech);
    j["gravity"] = calibration::gravity_estimates_json(grav.estimates);
    print_json(j);
  } else {
    fmt::print("Eaton-Kortum (2002) estimates from the raw 1990 data ({})\n\n", dir);
    fmt::print("theta from trade and prices (EK section 5)     estimate      s.e.  published\n");
    fmt::print("  method of moments                         {:>10.5f}  {:>8}  8.28\n", th.mom, "");
    fmt::print("  OLS through the origin                    {:>10.5f}  {:>8.4f}  8.03\n",
               th.ols_origin, th.se_ols_origin);
    fmt::print("  OLS, source and destination dummies       {:>10.5f}  {:>8.4f}  2.44\n",
               th.ols_dummies, th.se_ols_dummies);
    fmt::print("  2SLS, geography as instruments            {:>10.5f}  {:>8.4f}  12.86\n", th.tsls,
               th.se_tsls);
    fmt::print(
        "\nTable V: S_i (GLS) = a0 + aR ln R_i - aH / H_i - theta ln w~_i, w~ = w exp(-0.06 H) "
        "(19 countries)\n");
    fmt::print("  {:<14}{:>12}{:>10}{:>12}{:>10}\n", "", "OLS", "s.e.", "2SLS", "s.e.");
    const char* names[] = {"constant", "ln R&D", "1/schooling", "-theta (ln w~)"};
    for (int k = 0; k < 4; ++k)
      fmt::print("  {:<14}{:>12.5f}{:>10.5f}{:>12.5f}{:>10.5f}\n", names[k], t5.ols.coef(k),
                 t5.ols.se(k), t5.tsls.coef(k), t5.tsls.se(k));
    fmt::print("  theta: OLS {:.5f} (published 2.84), 2SLS {:.5f} (published 3.60)\n", t5.theta_ols,
               t5.theta_tsls);
    fmt::print("\nTable VI: states of technology T_i / T_USA\n  {:<8}", "country");
    for (double t : thetas) fmt::print("{:>14}", fmt::format("theta={:.2f}", t));
    fmt::print("\n");
    std::vector<Eigen::VectorXd> techs;
    for (double t : thetas) techs.push_back(ek::relative_technology(raw, S, t));
    for (size_t i = 0; i < raw.countries.size(); ++i) {
      fmt::print("  {:<8}", raw.countries[i]);
      for (const auto& v : techs) fmt::print("{:>14.3f}", v(static_cast<long>(i)));
      fmt::print("\n");
    }
    fmt::print("\nTable III, GLS (sigma1^2 = {:.4f}, sigma2^2 = {:.4f}):", gls.sigma1_sq,
               gls.sigma2_sq);
    for (int b = 0; b < 6; ++b) fmt::print(" {:.5f}", gls.estimates.bins(b));
    fmt::print("\n  border {:.5f}, language {:.5f}, EC {:.5f}, EFTA {:.5f}\n", gls.estimates.border,
               gls.estimates.language, gls.estimates.ec, gls.estimates.efta);
    fmt::print(
        "\nTable VII: effect on cost of the GLS coefficients, % (100 (exp(-b/theta) - 1))\n  "
        "{:<14}",
        "");
    for (double t : thetas) fmt::print("{:>14}", fmt::format("theta={:.2f}", t));
    fmt::print("\n");
    auto row = [&](const std::string& name, double b) {
      fmt::print("  {:<14}", name);
      for (double t : thetas) fmt::print("{:>14.2f}", ek::cost_effect(b, t));
      fmt::print("\n");
    };
    for (int b = 0; b < 6; ++b) row("dist_" + std::to_string(b + 1), gls.estimates.bins(b));
    row("border", gls.estimates.border);
    row("language", gls.estimates.language);
    row("EC", gls.estimates.ec);
    row("EFTA", gls.estimates.efta);
  }

  if (out_dir.empty()) return;
  io::OutputDir out(out_dir);
  {
    io::CsvWriter w({"method", "theta", "std_error", "published"});
    w.cell("method_of_moments").cell(th.mom).cell("").cell(8.28).end_row();
    w.cell("ols_origin").cell(th.ols_origin).cell(th.se_ols_origin).cell(8.03).end_row();
    w.cell("ols_dummies").cell(th.ols_dummies).cell(th.se_ols_dummies).cell(2.44).end_row();
    w.cell("2sls_geography").cell(th.tsls).cell(th.se_tsls).cell(12.86).end_row();
    w.cell("table5_ols").cell(t5.theta_ols).cell(t5.ols.se(3)).cell(2.84).end_row();
    w.cell("table5_2sls").cell(t5.theta_tsls).cell(t5.tsls.se(3)).cell(3.60).end_row();
    out.add("theta.csv", w.str());
  }
  {
    io::CsvWriter w({"method", "variable", "estimate", "std_error"});
    const char* vars[] = {"constant", "ln_research", "inv_schooling", "ln_wage_adjusted"};
    for (int k = 0; k < 4; ++k)
      w.cell("ols").cell(vars[k]).cell(t5.ols.coef(k)).cell(t5.ols.se(k)).end_row();
    for (int k = 0; k < 4; ++k)
      w.cell("2sls").cell(vars[k]).cell(t5.tsls.coef(k)).cell(t5.tsls.se(k)).end_row();
    out.add("source_effects.csv", w.str());
  }
  {
    io::CsvWriter w({"country", "theta", "technology_relative_to_usa"});
    for (double t : thetas) {
      const Eigen::VectorXd v = ek::relative_technology(raw, S, t);
      for (size_t i = 0; i < raw.countries.size(); ++i)
        w.cell(raw.countries[i]).cell(t).cell(v(static_cast<long>(i))).end_row();
    }
    out.add("technology.csv", w.str());
  }
  {
    io::CsvWriter w({"estimator", "parameter", "theta", "coefficient", "cost_effect_percent"});
    for (const auto* fit : {&gls, &grav}) {
      const auto& e = fit->estimates;
      const char* est = fit->gls ? "gls" : "ols";
      auto add = [&](const std::string& name, double b) {
        for (double t : thetas)
          w.cell(est).cell(name).cell(t).cell(b).cell(ek::cost_effect(b, t)).end_row();
      };
      for (int b = 0; b < 6; ++b) add("dist_" + std::to_string(b + 1), e.bins(b));
      add("border", e.border);
      add("language", e.language);
      add("ec", e.ec);
      add("efta", e.efta);
    }
    out.add("cost_effects.csv", w.str());
  }
  out.add("gravity.csv", calibration::gravity_estimates_csv(grav));
  out.add("gravity_gls.csv", calibration::gravity_estimates_csv(gls));
  const ek::PriceTradePairs pt = ek::price_trade_pairs(raw);
  {
    io::CsvWriter w({"importer", "exporter", "log_normalised_share", "price_measure"});
    for (size_t k = 0; k < pt.importer.size(); ++k)
      w.cell(raw.countries[pt.importer[k]])
          .cell(raw.countries[pt.exporter[k]])
          .cell(pt.log_share(static_cast<long>(k)))
          .cell(pt.price_measure(static_cast<long>(k)))
          .end_row();
    out.add("price_trade.csv", w.str());
    io::Plot p;
    p.title = "Trade and prices (EK 2002, Figure 2)";
    p.xlabel = "ln price measure D_ni";
    p.ylabel = "ln normalised import share";
    io::Series s;
    s.label = "country pairs";
    s.line = false;
    s.x.assign(pt.price_measure.data(), pt.price_measure.data() + pt.price_measure.size());
    s.y.assign(pt.log_share.data(), pt.log_share.data() + pt.log_share.size());
    p.series.push_back(s);
    io::Series fit;
    fit.label = fmt::format("slope -theta, theta = {:.2f} (OLS through origin)", th.ols_origin);
    const double xmax = pt.price_measure.maxCoeff();
    fit.x = {0.0, xmax};
    fit.y = {0.0, -th.ols_origin * xmax};
    p.series.push_back(fit);
    out.add("trade_prices.svg", p.render());
  }
  nlohmann::json m = io::manifest("ek estimate");
  for (const auto& f : raw.files) manifest_add_file(m, f);
  m["results"] = {{"theta_mom", th.mom},
                  {"theta_ols_origin", th.ols_origin},
                  {"theta_ols_dummies", th.ols_dummies},
                  {"theta_2sls", th.tsls},
                  {"theta_table5_ols", t5.theta_ols},
                  {"theta_table5_2sls", t5.theta_tsls}};
  m["seconds"] = timer.seconds();
  out.add_json("manifest.json", m);
  out.commit();
  progress("wrote {}", out_dir);
}

nlohmann::json result_json(const models::ek::CounterfactualResult& r) {
  nlohmann::json j;
  j["scenario"] = models::ek::to_string(r.scenario);
  j["labor"] = models::ek::to_string(r.labor);
  j["welfare_change"] = by_country(r.countries, r.welfare_change);
  j["price_change"] = by_country(r.countries, r.price_change);
  j["world_trade_ratio"] = r.world_trade_ratio;
  if (r.scenario == Scenario::DoubleTrade) j["trade_cost_factor"] = r.trade_cost_factor;
  return j;
}

void run_counterfactual(const std::string& data_opt, const std::string& scenario,
                        const std::string& labor, double theta, double alpha, double tol,
                        const std::string& out_dir, bool json) {
  Timer timer;
  namespace ek = models::ek;
  std::vector<Scenario> scenarios =
      scenario == "all" ? ek::all_scenarios() : std::vector<Scenario>{ek::parse_scenario(scenario)};
  std::vector<Labor> labors = labor == "both" ? std::vector<Labor>{Labor::Mobile, Labor::Immobile}
                                              : std::vector<Labor>{ek::parse_labor(labor)};
  if (!(theta > 0) || !std::isfinite(theta)) throw InputError("--theta must be positive");
  if (!(alpha > 0 && alpha <= 1)) throw InputError("--alpha must lie in (0, 1]");
  if (!(tol > 0)) throw InputError("--tol must be positive");
  const std::string dir = data::resolve_data_dir(data_opt);
  const data::EkRawData raw = data::read_ek_raw(dir);
  calibration::GravityRegression reg(raw.gravity);
  const Eigen::VectorXd S = reg.fit(raw.gravity.y).estimates.S;
  const ek::Calibration cal = ek::calibrate_economy(raw, S, theta, alpha);
  ek::SolverOptions opt;
  opt.tol = tol;
  std::vector<ek::CounterfactualResult> results;
  for (Scenario s : scenarios)
    for (Labor l : labors) {
      progress("scenario {} ({} labour)", ek::to_string(s), ek::to_string(l));
      results.push_back(ek::run_counterfactual(cal, s, l, opt));
    }

  const auto& c = cal.economy.countries;
  if (json) {
    if (results.size() == 1) {
      print_json(result_json(results[0]));
    } else {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& r : results) arr.push_back(result_json(r));
      print_json({{"results", arr}});
    }
  } else {
    for (const auto& r : results) {
      fmt::print(
          "\nScenario {} ({} labour), theta = {:.4g}: percentage changes (100 log new/old)\n",
          ek::to_string(r.scenario), ek::to_string(r.labor), theta);
      fmt::print("  {:<8}{:>10}{:>10}{:>10}{:>12}{:>12}\n", "country", "welfare", "price", "wage",
                 "manuf.empl", "home share");
      for (size_t i = 0; i < c.size(); ++i) {
        const long k = static_cast<long>(i);
        const auto& b = r.baseline;
        const auto& f = r.counterfactual;
        fmt::print("  {:<8}{:>10.2f}{:>10.2f}{:>10.2f}{:>12.2f}{:>12.2f}\n", c[i],
                   r.welfare_change(k), r.price_change(k), 100 * std::log(f.wage(k) / b.wage(k)),
                   100 * std::log(f.manuf_labor(k) / b.manuf_labor(k)),
                   100 * std::log(f.shares(k, k) / b.shares(k, k)));
      }
      fmt::print("  world trade ratio {:.4f}", r.world_trade_ratio);
      if (r.scenario == Scenario::DoubleTrade)
        fmt::print(", trade cost factor on d - 1: {:.6f}", r.trade_cost_factor);
      fmt::print("\n");
    }
  }

  if (out_dir.empty()) return;
  io::OutputDir out(out_dir);
  io::CsvWriter sum({"scenario", "labor", "country", "welfare_change", "price_change",
                     "wage_change", "manuf_labor_change", "home_share_baseline",
                     "home_share_counterfactual"});
  io::CsvWriter trade({"scenario", "labor", "importer", "exporter", "flow_baseline",
                       "flow_counterfactual", "share_baseline", "share_counterfactual"});
  io::CsvWriter scen({"scenario", "labor", "world_trade_ratio", "trade_cost_factor",
                      "solver_status", "iterations", "residual"});
  nlohmann::json m = io::manifest("ek counterfactual");
  for (const auto& f : raw.files) manifest_add_file(m, f);
  m["parameters"] = {{"theta", theta}, {"alpha", alpha}, {"beta", raw.beta}, {"tol", tol}};
  m["solver"] = nlohmann::json::array();
  io::BarChart chart;
  chart.title = "Welfare change, % (100 log W'/W)";
  chart.ylabel = "percent";
  chart.categories = c;
  for (const auto& r : results) {
    const std::string sn = ek::to_string(r.scenario), ln = ek::to_string(r.labor);
    for (size_t i = 0; i < c.size(); ++i) {
      const long k = static_cast<long>(i);
      sum.cell(sn)
          .cell(ln)
          .cell(c[i])
          .cell(r.welfare_change(k))
          .cell(r.price_change(k))
          .cell(100 * std::log(r.counterfactual.wage(k) / r.baseline.wage(k)))
          .cell(100 * std::log(r.counterfactual.manuf_labor(k) / r.baseline.manuf_labor(k)))
          .cell(r.baseline.shares(k, k))
          .cell(r.counterfactual.shares(k, k))
          .end_row();
      for (size_t j = 0; j < c.size(); ++j) {
        const long q = static_cast<long>(j);
        trade.cell(sn)
            .cell(ln)
            .cell(c[i])
            .cell(c[j])
            .cell(r.baseline.flows(k, q))
            .cell(r.counterfactual.flows(k, q))
            .cell(r.baseline.shares(k, q))
            .cell(r.counterfactual.shares(k, q))
            .end_row();
      }
    }
    scen.cell(sn)
        .cell(ln)
        .cell(r.world_trade_ratio)
        .cell(r.trade_cost_factor)
        .cell(to_string(r.counterfactual.report.status))
        .cell(r.counterfactual.report.iterations)
        .cell(r.counterfactual.report.residual)
        .end_row();
    m["solver"].push_back({{"scenario", sn},
                           {"labor", ln},
                           {"baseline", io::to_json(r.baseline.report)},
                           {"counterfactual", io::to_json(r.counterfactual.report)}});
    chart.group_labels.push_back(sn + " (" + ln + ")");
    chart.values.emplace_back(r.welfare_change.data(),
                              r.welfare_change.data() + r.welfare_change.size());
  }
  out.add("summary.csv", sum.str());
  out.add("trade.csv", trade.str());
  out.add("scenarios.csv", scen.str());
  out.add("welfare.svg", chart.render());
  m["seconds"] = timer.seconds();
  out.add_json("manifest.json", m);
  out.commit();
  progress("wrote {}", out_dir);
}

}  // namespace

void register_ek(CLI::App& app) {
  auto* ek = app.add_subcommand("ek", "Eaton-Kortum (2002): estimation and counterfactuals");
  ek->require_subcommand(1);
  struct Opts {
    std::string data, out, scenario, labor = "mobile";
    double theta = kThetaBaseline, alpha = 0.13481359, tol = 1e-11;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* est = ek->add_subcommand("estimate", "theta and Tables III, V, VI, VII from EK's raw data");
  est->add_option(
      "--data", o->data,
      "data directory holding ek2002-raw/ (default: $HAT_DATA_DIR, else ../shared/data)");
  est->add_option("--out", o->out, "output directory (CSV, figure, manifest)");
  est->add_flag("--json", o->json, "print one JSON object on stdout");
  est->callback([o] { run_estimate(o->data, o->out, o->json); });

  auto* cf = ek->add_subcommand("counterfactual", "EK section 6 counterfactuals");
  cf->add_option(
      "--data", o->data,
      "data directory holding ek2002-raw/ (default: $HAT_DATA_DIR, else ../shared/data)");
  cf->add_option("--scenario", o->scenario,
                 "autarky | zero_gravity | double_trade | tariff_removal | tariff_removal_us | "
                 "technology_us | technology_deu | all")
      ->required();
  cf->add_option("--labor", o->labor, "mobile | immobile | both (default mobile)");
  cf->add_option("--theta", o->theta, "trade elasticity (default 8.28)");
  cf->add_option("--alpha", o->alpha, "manufacturing share of final spending (default 0.13481359)");
  cf->add_option("--tol", o->tol, "solver tolerance, sup-norm of log residuals (default 1e-11)");
  cf->add_option("--out", o->out, "output directory (CSV, figure, manifest)");
  cf->add_flag("--json", o->json, "print one JSON object on stdout");
  cf->callback([o] {
    run_counterfactual(o->data, o->scenario, o->labor, o->theta, o->alpha, o->tol, o->out, o->json);
  });
}

}  // namespace hat::cli
