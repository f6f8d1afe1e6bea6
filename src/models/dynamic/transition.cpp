// Perfect-foresight transition of the dynamic gains-from-trade models after an unexpected,
// permanent change of iceberg costs and/or tariffs at t = 0 (Boehm, Levchenko, Pandalai-Nayar
// and Toma 2024, section 4.4).
//
// Method: Fair-Taylor (1983) style iteration on the path of the value of a unit mass v_t.
//  * Forward sweep: given n_t (predetermined; n_0 from the old steady state) and v_t, each
//    period is a static equilibrium in wages with balanced trade: entry e_t = (scale v_t/w)^chi
//    uses labor E_t = chi/(1+chi) scale^chi (v_t/w)^(1+chi), the rest of labor earns the share
//    1 - mu of sales, w (L - E) = (1 - mu) S; solved by Powell's hybrid method
//    (period_equilibrium.cpp). Then n_{t+1} = (1 - delta) n_t + e_t.
//  * Backward sweep: v_t = beta (C_{t+1}/C_t)^-gamma (P_t/P_{t+1}) (mu x_{t+1} + (1-delta) v_{t+1})
//    with the owner country's nominal stochastic discount factor (Euler equation and the
//    definition of the real rate, paper section 2.1), and v_T = the new steady-state value.
//  * The new value path is mixed with the old one (damping, halved when the distance grows);
//    converged when the sup-norm of log changes is below the tolerance.
// Reference: Fair and Taylor (1983), "Solution and maximum likelihood estimation of dynamic
// nonlinear rational expectations models", Econometrica 51(4).
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

struct Period {
  Eigen::VectorXd w, P, Y, C;
  Eigen::MatrixXd x, X, lambda, entry;
  double residual = 0;
  bool ok = false;
};

// Static equilibrium of one period given masses n and values v.
Period solve_one(const Parameters& p, const ReducedForm& r, const Economy& e,
                 const Eigen::MatrixXd& n, const Eigen::MatrixXd& v, const Eigen::VectorXd& w0,
                 const DynamicSolverOptions& opt, Eigen::MatrixXd* jacobian) {
  const int J = e.size();
  const double chi = r.chi, eps = r.epsilon, omega = -(eps + r.a);
  Eigen::MatrixXd log_coef(J, J);
  for (int d = 0; d < J; ++d)
    for (int o = 0; o < J; ++o)
      log_coef(d, o) = std::log(n(d, o)) + std::log(r.k) + (1 - r.psi) * std::log(e.tariff(d, o)) -
                       eps * std::log(e.kappa(d, o));
  auto sales = [&](int o, double w) {
    double E = 0;
    for (int d = 0; d < J; ++d)
      E += chi / (1 + chi) * std::pow(r.scale, chi) * std::pow(v(d, o) / w, 1 + chi);
    return w * (e.labor(o) - E) / (1 - r.mu);
  };
  detail::PeriodSolution sol = detail::solve_period(log_coef, omega, e.tariff, sales, w0,
                                                    opt.tolerance, opt.max_evaluations, jacobian);
  Period out;
  out.residual = sol.report.residual;
  out.ok = sol.report.converged();
  if (!out.ok) return out;
  out.w = sol.wages;
  out.Y = sol.expenditure;
  out.lambda = sol.shares;
  out.P.resize(J);
  out.C.resize(J);
  out.x.resize(J, J);
  out.X.resize(J, J);
  out.entry.resize(J, J);
  for (int d = 0; d < J; ++d) {
    double mx = -std::numeric_limits<double>::infinity();
    Eigen::VectorXd z(J);
    for (int o = 0; o < J; ++o) {
      z(o) = log_coef(d, o) + omega * std::log(out.w(o));
      mx = std::max(mx, z(o));
    }
    double s = 0;
    for (int o = 0; o < J; ++o) s += std::exp(z(o) - mx);
    const double log_D = std::log(out.Y(d)) - (mx + std::log(s));  // Y_d = D_d Psi_d
    out.P(d) = std::exp((log_D - (1 + r.a) * std::log(out.Y(d))) / eps);
    out.C(d) = out.Y(d) / out.P(d);
    for (int o = 0; o < J; ++o) {
      out.x(d, o) = std::exp(std::log(r.k) - r.psi * std::log(e.tariff(d, o)) -
                             eps * std::log(e.kappa(d, o)) + omega * std::log(out.w(o)) + log_D);
      out.X(d, o) = n(d, o) * out.x(d, o);
      out.entry(d, o) = std::pow(r.scale * v(d, o) / out.w(o), chi);
    }
  }
  out.ok = out.P.allFinite() && out.x.allFinite();
  return out;
}

// Backward sweep: the value path v_new of a firm in every market from the period equilibria
// of the forward sweep (the stochastic discount factor of the destination's households, the
// terminal steady state beyond T). Returns the largest log change against v.
double backward_sweep(const Parameters& p, const ReducedForm& r, const SteadyState& after,
                      const std::vector<Period>& path, const std::vector<Eigen::MatrixXd>& v,
                      std::vector<Eigen::MatrixXd>& v_new) {
  const int T = static_cast<int>(path.size()), J = static_cast<int>(after.consumption.size());
  double dist = 0;
  for (int t = T - 1; t >= 0; --t) {
    const Eigen::VectorXd& C1 = t + 1 < T ? path[t + 1].C : after.consumption;
    const Eigen::VectorXd& P1 = t + 1 < T ? path[t + 1].P : after.price_index;
    const Eigen::MatrixXd& x1 = t + 1 < T ? path[t + 1].x : after.sales_per_firm;
    const Eigen::MatrixXd& v1 = t + 1 < T ? v_new[t + 1] : after.value;
    v_new[t].resize(J, J);
    for (int o = 0; o < J; ++o) {
      const double sdf = p.beta * std::pow(C1(o) / path[t].C(o), -p.gamma) * path[t].P(o) / P1(o);
      for (int d = 0; d < J; ++d) {
        v_new[t](d, o) = sdf * (r.mu * x1(d, o) + (1 - p.delta) * v1(d, o));
        dist = std::max(dist, std::abs(std::log(v_new[t](d, o) / v[t](d, o))));
      }
    }
  }
  return dist;
}

}  // namespace

double path_consumption_equivalent(double beta, double gamma, double c_old,
                                   const Eigen::VectorXd& c_path, double c_new) {
  const int T = static_cast<int>(c_path.size());
  const double beta_T = std::pow(beta, T);
  if (std::abs(gamma - 1) < 1e-12) {
    double u = 0;
    for (int t = 0; t < T; ++t) u += std::pow(beta, t) * std::log(c_path(t));
    const double log_ce = (1 - beta) * u + beta_T * std::log(c_new) - std::log(c_old);
    return std::expm1(log_ce);
  }
  double u = 0;
  for (int t = 0; t < T; ++t) u += std::pow(beta, t) * std::pow(c_path(t), 1 - gamma);
  const double ce =
      std::pow((1 - beta) * u + beta_T * std::pow(c_new, 1 - gamma), 1 / (1 - gamma)) / c_old;
  return ce - 1;
}

namespace {

// The converged path's tables, the terminal gap and the welfare measures.
void collect_path(const Parameters& p, const SteadyState& before, const SteadyState& after,
                  const std::vector<Period>& path, const std::vector<Eigen::MatrixXd>& n,
                  const std::vector<Eigen::MatrixXd>& v, TransitionPath& out) {
  const int T = static_cast<int>(path.size()), J = static_cast<int>(after.consumption.size());
  out.wages.resize(T, J);
  out.price_index.resize(T, J);
  out.expenditure.resize(T, J);
  out.consumption.resize(T, J);
  out.domestic_share.resize(T, J);
  out.mass = n;
  out.value = v;
  out.flows.resize(T);
  for (int t = 0; t < T; ++t) {
    out.wages.row(t) = path[t].w.transpose();
    out.price_index.row(t) = path[t].P.transpose();
    out.expenditure.row(t) = path[t].Y.transpose();
    out.consumption.row(t) = path[t].C.transpose();
    out.domestic_share.row(t) = path[t].lambda.diagonal().transpose();
    out.flows[t] = path[t].X;
    out.max_period_residual = std::max(out.max_period_residual, path[t].residual);
    if (p.variant != Variant::CustomerBase && (path[t].entry.array() >= 1).any())
      throw InputError("[model] b: " + num(p.b) +
                       " makes every potential entrant enter during the transition "
                       "(G(xi_bar) >= 1 in period " +
                       std::to_string(t) + "); lower b");
  }
  out.terminal_gap = (n[T].array().log() - after.mass.array().log()).abs().maxCoeff();

  out.welfare_transition.resize(J);
  out.welfare_steady_state.resize(J);
  for (int j = 0; j < J; ++j) {
    out.welfare_transition(j) = path_consumption_equivalent(
        p.beta, p.gamma, before.consumption(j), out.consumption.col(j), after.consumption(j));
    out.welfare_steady_state(j) = after.consumption(j) / before.consumption(j) - 1;
  }
  out.welfare_static_acr = static_acr_change(p, before, after).array() - 1;
  out.welfare_formula = gains_formula_change(p, before, after).array() - 1;
}

}  // namespace

TransitionPath solve_path(const Parameters& p, const Economy& from, const Economy& to,
                          const SteadyState& before, const SteadyState& after,
                          const PathOptions& opt) {
  Timer timer;
  opt.validate();
  validate(from);
  validate(to);
  if (from.size() != to.size())
    throw InputError("transition: the economies before and after differ in size");
  const ReducedForm r = reduced_form(p);
  const int J = to.size(), T = opt.periods;
  for (const SteadyState* s : {&before, &after})
    if (s->mass.rows() != J || s->value.rows() != J || s->consumption.size() != J)
      throw InputError("transition: steady states do not match the economies (" +
                       std::to_string(J) + " countries)");

  std::vector<Eigen::MatrixXd> v(T, after.value), v_new(T), v_prev;
  std::vector<Period> path(T);
  std::vector<Eigen::MatrixXd> jacobians(T);  // per-period Jacobian cache for chord steps
  std::vector<Eigen::MatrixXd> n(T + 1);
  double damping = opt.damping, prev_dist = std::numeric_limits<double>::infinity();
  TransitionPath out;
  out.report.status = SolverStatus::IterationLimit;
  int sweep = 0;
  double dist = std::numeric_limits<double>::infinity();
  for (sweep = 1; sweep <= opt.max_sweeps; ++sweep) {
    // Forward sweep.
    n[0] = before.mass;
    bool ok = true;
    for (int t = 0; t < T && ok; ++t) {
      const Eigen::VectorXd& w0 =
          (sweep > 1 && path[t].ok) ? path[t].w : (t > 0 ? path[t - 1].w : before.wages);
      Period per = solve_one(p, r, to, n[t], v[t], w0, opt.period_solver, &jacobians[t]);
      if (!per.ok) {
        ok = false;
        break;
      }
      path[t] = std::move(per);
      n[t + 1] = (1 - p.delta) * n[t] + path[t].entry;
    }
    if (!ok) {
      if (sweep == 1 || damping < 1e-3) {
        out.report.status = SolverStatus::Failed;
        out.report.message =
            "a period equilibrium could not be solved (entry labor exceeds "
            "the labor force or wages diverge)";
        break;
      }
      // Step back towards the last feasible path with a smaller step.
      damping *= 0.5;
      for (int t = 0; t < T; ++t) v[t] = (1 - damping) * v_prev[t] + damping * v_new[t];
      continue;
    }
    dist = backward_sweep(p, r, after, path, v, v_new);
    if (!std::isfinite(dist)) {
      out.report.status = SolverStatus::Failed;
      out.report.message = "non-finite values in the backward sweep";
      break;
    }
    if (dist <= opt.tolerance) {
      out.report.status = SolverStatus::Converged;
      out.report.message = "value path converged";
      break;
    }
    if (dist > prev_dist) damping = std::max(0.05, damping * 0.7);
    prev_dist = dist;
    v_prev = v;
    for (int t = 0; t < T; ++t) v[t] = (1 - damping) * v[t] + damping * v_new[t];
  }
  out.report.iterations = std::min(sweep, opt.max_sweeps);
  out.report.residual = dist;
  if (out.report.status == SolverStatus::IterationLimit)
    out.report.message = "sweep limit reached; value path still changing";
  if (out.report.status == SolverStatus::Failed)
    throw NumericalError("dynamic transition: " + out.report.message + " (sweep " +
                         std::to_string(sweep) + ")");

  collect_path(p, before, after, path, n, v, out);
  out.report.seconds = timer.seconds();
  return out;
}

}  // namespace hat::dynamic
