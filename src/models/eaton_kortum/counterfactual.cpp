// Calibration of the Eaton–Kortum (2002) baseline and the counterfactuals of their §6
// (autarky, zero gravity, doubling of world trade, removal of a 5% tariff, 20% technology
// gains in the US or Germany), each under mobile or immobile labour.
//
// Calibration: T_i from Table VI (source effects + schooling-adjusted wages), wages w_i
// (US$), and d chosen by exact inversion of the gravity equation so that the model reproduces
// the observed 1990 shares X_ni / X_n. Given T and w, the observed shares pin down the prices
// through pi_ii = T_i (gamma c_i / p_i)^-theta, c_i = w_i^beta p_i^(1-beta), and then
// d_ni = (T_i / pi_ni)^(1/theta) p_n / (gamma c_i). EK's own baseline (calibrate_economy_ek)
// instead takes d from the fitted gravity equation and reproduces the fitted, not the
// observed, shares.
#include <cmath>
#include <limits>

#include "hat/core/enum_names.hpp"
#include "hat/core/error.hpp"
#include "hat/estimation/trade_costs.hpp"
#include "hat/models/eaton_kortum.hpp"

namespace hat::models::ek {

Eigen::MatrixXd implied_trade_costs(const Eigen::MatrixXd& shares, const Eigen::VectorXd& T,
                                    const Eigen::VectorXd& wage, double theta, double beta,
                                    double gamma) {
  const long n = T.size();
  if (shares.rows() != n || shares.cols() != n || wage.size() != n)
    throw InputError("implied trade costs: size mismatch");
  if (!(shares.array() > 0).all() || !shares.allFinite())
    throw InputError("implied trade costs: shares must be positive");
  Eigen::VectorXd lp(n), lc(n);
  for (long i = 0; i < n; ++i) {
    lp(i) = (std::log(shares(i, i)) - std::log(T(i)) + theta * std::log(gamma) +
             beta * theta * std::log(wage(i))) /
            (beta * theta);
    lc(i) = beta * std::log(wage(i)) + (1 - beta) * lp(i);
  }
  Eigen::MatrixXd d(n, n);
  for (long a = 0; a < n; ++a)
    for (long i = 0; i < n; ++i)
      d(a, i) = a == i ? 1.0
                       : std::exp((std::log(T(i)) - std::log(shares(a, i))) / theta + lp(a) -
                                  std::log(gamma) - lc(i));
  return d;
}

namespace {

// What both baselines share: the observed shares, T from Table VI, parameters, final income
// = GDP in US$, no tariffs; the wage and d are the caller's.
Calibration calibration_common(const data::EkRawData& raw, const Eigen::VectorXd& S, double theta,
                               double alpha, double schooling_return) {
  const long n = raw.trade.rows();
  if (!(theta > 0)) throw InputError("calibration: theta must be positive");
  if (S.size() != n) throw InputError("calibration: source effects do not match the data");
  Calibration cal;
  cal.S = S;
  Eigen::MatrixXd flows = raw.trade;  // shares are currency-free
  cal.data_shares = flows.array().colwise() / flows.rowwise().sum().array();
  Economy& e = cal.economy;
  e.countries = raw.countries;
  e.theta = theta;
  e.beta = raw.beta;
  e.alpha = alpha;
  e.gamma = 1.0;
  e.T = relative_technology(raw, S, theta, schooling_return);
  e.tariff = Eigen::MatrixXd::Zero(n, n);
  e.labor_income = raw.gdp.cwiseQuotient(raw.exchange_rate);  // US$ millions
  return cal;
}

// Baseline under mobile labour, then the immobile closure's fixed quantities from it (so the
// baseline is an equilibrium under both closures).
void close_with_mobile_baseline(Economy& e) {
  Equilibrium base = solve_ek_equilibrium(e, Labor::Mobile);
  if (!base.report.converged())
    throw NumericalError("calibration: baseline prices did not converge (" + base.report.message +
                         ")");
  e.manuf_labor = base.manuf_labor;
  e.other_income = e.labor_income - e.wage.cwiseProduct(e.manuf_labor);
  if (!(e.other_income.array() >= 0).all())
    throw NumericalError("calibration: manufacturing wage bill exceeds GDP for some country");
}

}  // namespace

Calibration calibrate_economy(const data::EkRawData& raw, const Eigen::VectorXd& S, double theta,
                              double alpha, double schooling_return) {
  Calibration cal = calibration_common(raw, S, theta, alpha, schooling_return);
  Economy& e = cal.economy;
  e.wage = raw.wage;
  e.d = implied_trade_costs(cal.data_shares, e.T, e.wage, theta, e.beta, e.gamma);
  close_with_mobile_baseline(e);
  return cal;
}

namespace {

// Immobile baseline of EK's programs: labour fixed at `labor`, income fixed at `income`, wages
// clear the labour market. Solved as the immobile equilibrium with outside income
// income - w L, iterated on w (each pass moves income back towards `income`).
Economy immobile_baseline(const Economy& mobile, const Eigen::VectorXd& labor,
                          const Eigen::VectorXd& income, double tol) {
  Economy e = mobile;
  e.manuf_labor = labor;
  EkSolverOptions opt;
  opt.tol = tol;
  for (int pass = 0; pass < 200; ++pass) {
    e.other_income = income - e.wage.cwiseProduct(labor);
    if (!(e.other_income.array() >= 0).all())
      throw NumericalError("EK baseline: manufacturing wage bill exceeds GDP for some country");
    Equilibrium eq = solve_ek_equilibrium(e, Labor::Immobile, opt);
    if (!eq.report.converged())
      throw NumericalError("EK baseline: immobile-labour wages did not converge (" +
                           eq.report.message + ")");
    const double step = (eq.wage.array().log() - e.wage.array().log()).abs().maxCoeff();
    e.wage = eq.wage;
    if (step <= tol) {
      e.other_income = income - e.wage.cwiseProduct(labor);
      return e;
    }
  }
  throw NumericalError("EK baseline: immobile-labour wages did not settle in 200 passes");
}

}  // namespace

Calibration calibrate_economy_ek(const data::EkRawData& raw, const estimation::GravityEstimates& g,
                                 double theta, double alpha, double schooling_return) {
  Calibration cal = calibration_common(raw, g.S, theta, alpha, schooling_return);
  Economy& e = cal.economy;
  const long n = e.size();
  const Eigen::VectorXd school = (schooling_return * raw.edu_years).array().exp();
  e.wage = raw.wage.cwiseQuotient(school);  // schooling-adjusted, as in T
  const Eigen::VectorXd log_d =
      estimation::log_trade_cost_unfloored(raw.gravity, estimation::trade_cost_params(g), theta);
  e.d = Eigen::MatrixXd::Ones(n, n);
  for (long q = 0; q < raw.gravity.n_pairs(); ++q)
    e.d(raw.gravity.importer[q], raw.gravity.exporter[q]) = std::exp(log_d(q));
  close_with_mobile_baseline(e);
  // Immobile closure: the data's manufacturing employment in efficiency units; the wage
  // bill in US$ millions like GDP (the data's wage is in US$ per worker).
  const Eigen::VectorXd labor = raw.manuf_labor.cwiseProduct(school) * 1e-6;
  cal.immobile = immobile_baseline(e, labor, e.labor_income, 1e-12);
  cal.separate_immobile = true;
  return cal;
}

namespace {
constexpr EnumNames<Scenario, 7> kScenarioNames{{{{Scenario::Autarky, "autarky"},
                                                  {Scenario::ZeroGravity, "zero_gravity"},
                                                  {Scenario::DoubleTrade, "double_trade"},
                                                  {Scenario::TariffRemoval, "tariff_removal"},
                                                  {Scenario::TariffRemovalUs, "tariff_removal_us"},
                                                  {Scenario::TechnologyUs, "technology_us"},
                                                  {Scenario::TechnologyDeu, "technology_deu"}}}};
}  // namespace

const char* to_string(Scenario s) {
  return kScenarioNames.name(s);
}

std::vector<Scenario> all_scenarios() {
  std::vector<Scenario> all;
  for (const auto& e : kScenarioNames.entries) all.push_back(e.first);
  return all;
}

Scenario parse_scenario(const std::string& s) {
  return kScenarioNames.parse(s, "--scenario");
}

namespace {

long country_index(const Economy& e, const std::string& code) {
  for (size_t i = 0; i < e.countries.size(); ++i)
    if (e.countries[i] == code) return static_cast<long>(i);
  throw InputError("counterfactual: country " + code + " is not in the data");
}

Equilibrium solved(const Economy& e, Labor labor, const EkSolverOptions& opt, const char* what) {
  Equilibrium eq = solve_ek_equilibrium(e, labor, opt);
  if (!eq.report.converged())
    throw NumericalError(std::string("counterfactual ") + what + ": equilibrium not found (" +
                         to_string(eq.report.status) + ", residual " +
                         std::to_string(eq.report.residual) + ")");
  return eq;
}

Economy with_iceberg_factor(const Economy& base, double factor) {
  Economy e = base;
  for (long a = 0; a < e.size(); ++a)
    for (long i = 0; i < e.size(); ++i)
      if (a != i) e.d(a, i) = 1.0 + factor * (base.d(a, i) - 1.0);
  return e;
}

}  // namespace

CounterfactualResult run_counterfactual(const Calibration& cal, Scenario s, Labor labor,
                                        const EkSolverOptions& opt) {
  opt.validate();
  CounterfactualResult out;
  out.scenario = s;
  out.labor = labor;
  out.countries = cal.economy.countries;
  Economy base = cal.base(labor);
  const long n = base.size();
  const double tariff = 0.05;
  if (s == Scenario::TariffRemoval || s == Scenario::TariffRemovalUs) {
    // the calibrated d contains a 5% tariff: split it out so that revenue is rebated
    for (long a = 0; a < n; ++a)
      for (long i = 0; i < n; ++i)
        if (a != i) base.d(a, i) /= 1 + tariff, base.tariff(a, i) = tariff;
  }
  out.baseline = solved(base, labor, opt, "baseline");
  Economy cf = base;
  switch (s) {
    case Scenario::Autarky:
      for (long a = 0; a < n; ++a)
        for (long i = 0; i < n; ++i)
          if (a != i) cf.d(a, i) = std::numeric_limits<double>::infinity();
      break;
    case Scenario::ZeroGravity:
      cf.d.setOnes();
      break;
    case Scenario::DoubleTrade: {
      // bisection on the factor applied to d - 1: world trade is decreasing in it
      double lo = 0.0, hi = 1.0;
      Equilibrium at0 = solved(with_iceberg_factor(base, 0.0), labor, opt, "double_trade");
      if (at0.world_trade < 2 * out.baseline.world_trade)
        throw NumericalError("double_trade: even zero gravity does not double world trade");
      for (int it = 0; it < 80 && hi - lo > 1e-12; ++it) {
        const double mid = 0.5 * (lo + hi);
        Equilibrium eq = solved(with_iceberg_factor(base, mid), labor, opt, "double_trade");
        (eq.world_trade > 2 * out.baseline.world_trade ? lo : hi) = mid;
      }
      out.trade_cost_factor = 0.5 * (lo + hi);
      cf = with_iceberg_factor(base, out.trade_cost_factor);
      break;
    }
    case Scenario::TariffRemoval:
      cf.d = base.d;
      cf.tariff.setZero();
      break;
    case Scenario::TariffRemovalUs: {
      const long us = country_index(base, "USA");
      cf.tariff.row(us).setZero();
      break;
    }
    case Scenario::TechnologyUs:
      cf.T(country_index(base, "USA")) *= 1.2;
      break;
    case Scenario::TechnologyDeu:
      cf.T(country_index(base, "DEU")) *= 1.2;
      break;
  }
  // Not `solved`: a counterfactual that does not converge is reported, with its status.
  out.counterfactual = solve_ek_equilibrium(cf, labor, opt);
  out.welfare_change =
      out.counterfactual.welfare.array().log() - out.baseline.welfare.array().log();
  out.price_change = out.counterfactual.price.array().log() - out.baseline.price.array().log();
  out.world_trade_ratio = out.counterfactual.world_trade / out.baseline.world_trade;
  return out;
}

}  // namespace hat::models::ek
