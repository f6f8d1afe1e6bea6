// Steady state of the dynamic Krugman / customer-base / Melitz-Pareto models with sunk entry
// costs and balanced trade (Boehm, Levchenko, Pandalai-Nayar and Toma 2024, sections 2-3).
// Method: the entry condition n = (scale v / w)^chi / delta with v = A mu x makes bilateral
// tariff-inclusive shares a gravity equation in wages alone,
//   lambda_do ∝ k^(1+chi) tau^(1 - psi (1+chi)) kappa^(-eps (1+chi)) w_o^(-chi - (eps+a)(1+chi)),
// and labor-market clearing gives sales S_o = w_o L_o / (1 - s); the J-1 relative wages are
// found by Powell's hybrid method (period_equilibrium.cpp). Price indices then follow from
// Y_d = sum_o tau_do n_do x_do. Derivations: docs/dynamic.md.
#include <cmath>
#include <limits>
#include <string>

#include "format.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/models/dynamic.hpp"
#include "period_equilibrium.hpp"

namespace hat::dynamic {

namespace {

double logsumexp_row(const Eigen::MatrixXd& z, int d) {
  double mx = z.row(d).maxCoeff(), s = 0;
  for (int o = 0; o < z.cols(); ++o) s += std::exp(z(d, o) - mx);
  return mx + std::log(s);
}

// Checks the assumptions under which the steady-state formulas hold.
void check_admissible(const Parameters& p, const SteadyState& ss) {
  const int J = static_cast<int>(ss.wages.size());
  for (int d = 0; d < J; ++d)
    for (int o = 0; o < J; ++o) {
      if (ss.mass(d, o) == 0) continue;  // autarky: pair not served
      if (p.variant != Variant::CustomerBase && ss.entry_rate(d, o) >= 1)
        throw InputError(
            "[model] b: " + num(p.b) + " makes every potential entrant enter (G(xi_bar) = " +
            num(ss.entry_rate(d, o)) + " >= 1 for exporter " + std::to_string(o + 1) +
            ", importer " + std::to_string(d + 1) + "); the model assumes b xi_bar < 1: lower b");
      if (p.variant == Variant::MelitzPareto && ss.cutoff(d, o) <= 1)
        throw InputError("[model] fixed_cost: " + num(p.fixed_cost) +
                         " puts the productivity cutoff " + num(ss.cutoff(d, o)) +
                         " below the Pareto floor 1 for exporter " + std::to_string(o + 1) +
                         ", importer " + std::to_string(d + 1) +
                         " (every entrant would sell); raise fixed_cost");
    }
}

}  // namespace

SteadyState solve_steady_state(const Parameters& p, const Economy& e,
                               const DynamicSolverOptions& opt) {
  Timer timer;
  opt.validate();
  validate(e);
  const ReducedForm r = reduced_form(p);
  const int J = e.size();
  const double chi = r.chi, eps = r.epsilon;
  const double omega = -chi - (eps + r.a) * (1 + chi);
  Eigen::MatrixXd log_coef(J, J);
  for (int d = 0; d < J; ++d)
    for (int o = 0; o < J; ++o)
      log_coef(d, o) = (1 + chi) * std::log(r.k) +
                       (1 - r.psi * (1 + chi)) * std::log(e.tariff(d, o)) -
                       eps * (1 + chi) * std::log(e.kappa(d, o));
  auto sales = [&](int o, double w) { return w * e.labor(o) / (1 - r.s); };
  detail::PeriodSolution sol =
      detail::solve_period(log_coef, omega, e.tariff, sales, Eigen::VectorXd::Ones(J),
                           opt.tolerance, opt.max_evaluations);
  SteadyState ss;
  ss.report = sol.report;
  ss.report.message = "steady state: " + sol.report.message;
  // Not converged but finite: the caller gets the last iterate with its status (outputs are
  // written marked); non-finite wages or sales leave nothing to report.
  if (!sol.report.converged() &&
      (!sol.wages.allFinite() || !sol.sales.allFinite() || !sol.expenditure.allFinite()))
    throw NumericalError("dynamic steady state failed (" +
                         std::string(to_string(sol.report.status)) + ", residual " +
                         num(sol.report.residual) + ")");
  const Eigen::VectorXd& w = sol.wages;
  ss.wages = w;
  ss.expenditure = sol.expenditure;
  ss.shares = sol.shares;

  // h: n x = h w^-chi x^(1+chi), from n = (scale A mu x / w)^chi / delta.
  const double log_h = -std::log(p.delta) + chi * std::log(r.scale * r.annuity * r.mu);
  Eigen::MatrixXd z(J, J);
  for (int d = 0; d < J; ++d)
    for (int o = 0; o < J; ++o) z(d, o) = log_coef(d, o) + omega * std::log(w(o));
  ss.price_index.resize(J);
  ss.consumption.resize(J);
  ss.tariff_revenue.resize(J);
  ss.profits.resize(J);
  ss.entry_labor = Eigen::VectorXd::Zero(J);
  ss.domestic_share.resize(J);
  ss.mass.resize(J, J);
  ss.sales_per_firm.resize(J, J);
  ss.flows.resize(J, J);
  ss.value.resize(J, J);
  ss.entry_rate.resize(J, J);
  ss.cutoff = Eigen::MatrixXd::Zero(J, J);
  const double sigma = p.sigma, m = sigma / (sigma - 1);
  for (int d = 0; d < J; ++d) {
    const double Y = ss.expenditure(d);
    // D_d = P_d^eps Y_d^(1+a) from Y_d = h Phi_d D_d^(1+chi).
    const double log_D = (std::log(Y) - log_h - logsumexp_row(z, d)) / (1 + chi);
    ss.price_index(d) = std::exp((log_D - (1 + r.a) * std::log(Y)) / eps);
    ss.consumption(d) = Y / ss.price_index(d);
    for (int o = 0; o < J; ++o) {
      const double x =
          std::exp(std::log(r.k) - r.psi * std::log(e.tariff(d, o)) -
                   eps * std::log(e.kappa(d, o)) - (eps + r.a) * std::log(w(o)) + log_D);
      const double v = r.annuity * r.mu * x;
      const double rate = std::pow(r.scale * v / w(o), chi);
      ss.sales_per_firm(d, o) = x;
      ss.value(d, o) = v;
      ss.entry_rate(d, o) = rate;
      ss.mass(d, o) = rate / p.delta;
      ss.flows(d, o) = ss.mass(d, o) * x;
      ss.entry_labor(o) += chi / (1 + chi) * rate * v / w(o);
      if (p.variant == Variant::MelitzPareto) {
        const double B = std::pow(e.tariff(d, o), -sigma) *
                         std::pow(m * e.kappa(d, o) * w(o), 1 - sigma) *
                         std::pow(ss.price_index(d), sigma - 1) * Y;
        ss.cutoff(d, o) = std::pow(sigma * w(o) * p.fixed_cost / B, 1 / (sigma - 1));
      }
    }
  }
  for (int d = 0; d < J; ++d) {
    double R = 0;
    for (int o = 0; o < J; ++o) R += (e.tariff(d, o) - 1) * ss.flows(d, o);
    ss.tariff_revenue(d) = R;
    ss.profits(d) = r.s * sol.sales(d);
    ss.domestic_share(d) = ss.shares(d, d);
  }
  if (ss.report.converged()) check_admissible(p, ss);  // the assumptions concern the solution
  ss.report.seconds = timer.seconds();
  return ss;
}

SteadyState solve_autarky(const Parameters& p, const Economy& e, const DynamicSolverOptions& opt) {
  opt.validate();
  validate(e);
  const int J = e.size();
  SteadyState out;
  out.wages = out.price_index = out.expenditure = out.consumption = out.profits =
      out.tariff_revenue = out.entry_labor = out.domestic_share = Eigen::VectorXd::Zero(J);
  out.mass = out.sales_per_firm = out.flows = out.shares = out.value = out.entry_rate = out.cutoff =
      Eigen::MatrixXd::Zero(J, J);
  out.report.status = SolverStatus::Converged;
  out.report.message = "autarky: closed economies";
  for (int j = 0; j < J; ++j) {
    Economy one{Eigen::VectorXd::Constant(1, e.labor(j)),
                Eigen::MatrixXd::Constant(1, 1, e.kappa(j, j)), Eigen::MatrixXd::Ones(1, 1)};
    SteadyState s = solve_steady_state(p, one, opt);
    out.wages(j) = s.wages(0);
    out.price_index(j) = s.price_index(0);
    out.expenditure(j) = s.expenditure(0);
    out.consumption(j) = s.consumption(0);
    out.profits(j) = s.profits(0);
    out.tariff_revenue(j) = s.tariff_revenue(0);
    out.entry_labor(j) = s.entry_labor(0);
    out.domestic_share(j) = s.domestic_share(0);
    out.mass(j, j) = s.mass(0, 0);
    out.sales_per_firm(j, j) = s.sales_per_firm(0, 0);
    out.flows(j, j) = s.flows(0, 0);
    out.shares(j, j) = s.shares(0, 0);
    out.value(j, j) = s.value(0, 0);
    out.entry_rate(j, j) = s.entry_rate(0, 0);
    out.cutoff(j, j) = s.cutoff(0, 0);
    out.report.residual = std::max(out.report.residual, s.report.residual);
    out.report.iterations += s.report.iterations;
    out.report.seconds += s.report.seconds;
    if (!s.report.converged()) {  // the worst country's status and message
      out.report.status = worse_status(out.report.status, s.report.status);
      out.report.message = "autarky of " + std::to_string(j + 1) + ": " + s.report.message;
    }
  }
  return out;
}

double structural_residual(const Parameters& p, const Economy& e, const SteadyState& ss) {
  const int J = e.size();
  const double sigma = p.sigma, m = sigma / (sigma - 1), chi = p.chi;
  const bool melitz = p.variant == Variant::MelitzPareto;
  const bool customers = p.variant == Variant::CustomerBase;
  double worst = 0;
  auto rel = [&](double a, double b) {
    const double d = std::abs(a - b) / std::max(std::abs(b), 1e-300);
    worst = std::max(worst, std::isfinite(d) ? d : std::numeric_limits<double>::infinity());
  };
  Eigen::VectorXd labor_demand = Eigen::VectorXd::Zero(J), profit = Eigen::VectorXd::Zero(J);
  for (int d = 0; d < J; ++d) {
    const double P = ss.price_index(d), Y = ss.expenditure(d);
    double p_sum = 0, spend = 0;
    for (int o = 0; o < J; ++o) {
      const double n = ss.mass(d, o);
      if (n == 0) continue;  // autarky: no varieties from o
      const double w = ss.wages(o), tau = e.tariff(d, o), kap = e.kappa(d, o);
      const double px = m * kap * w;  // producer price (of a phi = 1 firm in Melitz)
      // Sales of a firm with productivity phi: tau^-sigma (px/phi)^(1-sigma) P^(sigma-1) Y.
      const double B = std::pow(tau, -sigma) * std::pow(px, 1 - sigma) * std::pow(P, sigma - 1) * Y;
      double x, flow_profit, fixed_labor = 0;
      if (melitz) {
        // Cutoff: B phi*^(sigma-1) / sigma = w f.
        const double phi = std::pow(sigma * w * p.fixed_cost / B, 1 / (sigma - 1));
        rel(phi, ss.cutoff(d, o));
        const double th = p.theta, tail = th / (th - sigma + 1) * std::pow(phi, sigma - 1 - th);
        p_sum += n * std::pow(tau * px, 1 - sigma) * tail;  // int (tau px/phi)^(1-sigma) dF
        x = B * tail;
        const double survive = std::pow(phi, -th);
        flow_profit = x / sigma - w * p.fixed_cost * survive;
        fixed_labor = n * p.fixed_cost * survive;
      } else {
        p_sum += n * std::pow(tau * px, 1 - sigma);
        x = B;
        flow_profit = x / sigma;
      }
      rel(x, ss.sales_per_firm(d, o));
      // Value of a unit mass in steady state: v = beta (pi + (1 - delta) v).
      const double v = ss.value(d, o);
      rel(v, p.beta * (flow_profit + (1 - p.delta) * v));
      double entrants, entry_cost_labor;
      if (customers) {
        // FOC w f'(a) = v with f(a) = chi/((1+chi) zeta) a^(1/chi+1); n = a / delta.
        entrants = p.delta * n;
        rel(w / p.zeta * std::pow(entrants, 1 / chi), v);
        entry_cost_labor = chi / ((1 + chi) * p.zeta) * std::pow(entrants, 1 / chi + 1);
      } else {
        // Entry: G(xi_bar) = (b xi_bar)^chi with w xi_bar = v; n = G / delta.
        const double xi = v / w;
        entrants = std::pow(p.b * xi, chi);
        rel(p.delta * n, entrants);
        // int_0^xi_bar s dG(s) = chi/(1+chi) b^chi xi_bar^(1+chi)
        entry_cost_labor = chi / (1 + chi) * std::pow(p.b, chi) * std::pow(xi, 1 + chi);
      }
      const double X = n * x;
      rel(X, ss.flows(d, o));
      spend += tau * X;
      // Production labor: kappa q / phi summed = X / (m w); plus fixed and entry labor.
      labor_demand(o) += X / (m * w) + fixed_labor + entry_cost_labor;
      profit(o) += n * flow_profit - w * entry_cost_labor;
    }
    rel(std::pow(p_sum, 1 / (1 - sigma)), P);  // CES price index
    rel(spend, Y);                             // expenditure = tariff-inclusive purchases
  }
  for (int j = 0; j < J; ++j) {
    rel(labor_demand(j), e.labor(j));  // labor-market clearing
    rel(profit(j), ss.profits(j));
    double R = 0;
    for (int o = 0; o < J; ++o) R += (e.tariff(j, o) - 1) * ss.flows(j, o);
    // Budget (2.1) with B = 0 and balanced trade (2.8): Y = w L + Pi + R.
    rel(ss.wages(j) * e.labor(j) + profit(j) + R, ss.expenditure(j));
    rel(ss.expenditure(j) / ss.price_index(j), ss.consumption(j));
  }
  return worst;
}

Eigen::VectorXd gains_formula(const Parameters& p, const SteadyState& ss) {
  const ReducedForm r = reduced_form(p);
  const int J = static_cast<int>(ss.wages.size());
  Eigen::VectorXd g(J);
  for (int j = 0; j < J; ++j) {
    const double rev_share = ss.tariff_revenue(j) / ss.expenditure(j);
    g(j) = std::pow(ss.domestic_share(j), -1 / ((1 + r.chi) * r.epsilon)) *
           std::pow(1 - rev_share, -r.eta);
  }
  return g;
}

Eigen::VectorXd static_acr_gains(const Parameters& p, const SteadyState& ss) {
  const ReducedForm r = reduced_form(p);
  const double eta0 = p.sigma / (p.sigma - 1) - 1 / r.epsilon;  // eta at chi = 0
  const int J = static_cast<int>(ss.wages.size());
  Eigen::VectorXd g(J);
  for (int j = 0; j < J; ++j) {
    const double rev_share = ss.tariff_revenue(j) / ss.expenditure(j);
    g(j) = std::pow(ss.domestic_share(j), -1 / r.epsilon) * std::pow(1 - rev_share, -eta0);
  }
  return g;
}

Eigen::VectorXd gains_formula_change(const Parameters& p, const SteadyState& from,
                                     const SteadyState& to) {
  return gains_formula(p, to).cwiseQuotient(gains_formula(p, from));
}

Eigen::VectorXd static_acr_change(const Parameters& p, const SteadyState& from,
                                  const SteadyState& to) {
  return static_acr_gains(p, to).cwiseQuotient(static_acr_gains(p, from));
}

}  // namespace hat::dynamic
