// General equilibrium of the Eaton–Kortum (2002) model, §6 ("Counterfactuals"):
//   p_n = gamma [sum_i T_i (w_i^beta p_i^(1-beta) d_ni (1 + t_ni))^-theta]^(-1/theta)   (prices)
//   X_n = alpha Y_n + (1 - beta) Q_n,  Q_i = sum_n pi_ni X_n / (1 + t_ni)               (spending)
//   Y_n = labour income (+ outside income) + R_n,  R_n = sum_i t_ni/(1+t_ni) pi_ni X_n  (income)
// Mobile labour: w fixed, manufacturing employment beta Q_n / w_n adjusts.
// Immobile labour: w_n L_n = beta Q_n with L_n fixed; w solved by damped Newton.
//
// The price system is solved by Newton's method on log p with the exact Jacobian
// I - (1-beta) Pi (the map is a sup-norm contraction with modulus 1-beta, so plain iteration is
// the fallback); spending by one LU solve of the linear system above; wages by Newton with a
// forward-difference Jacobian and backtracking on the sup-norm of ln(beta Q / (w L)).
#include <chrono>
#include <cmath>
#include <limits>

#include "hat/core/enum_names.hpp"
#include "hat/core/error.hpp"
#include "hat/models/eaton_kortum.hpp"

namespace hat::models::ek {

namespace {
constexpr EnumNames<Labor, 2> kLaborNames{
    {{{Labor::Mobile, "mobile"}, {Labor::Immobile, "immobile"}}}};
}  // namespace

const char* to_string(Labor l) {
  return kLaborNames.name(l);
}

Labor parse_labor(const std::string& s) {
  return kLaborNames.parse(s, "--labor");
}

void Economy::validate(Labor labor) const {
  const long n = T.size();
  auto fail = [](const std::string& what) { throw InputError("EK economy: " + what); };
  if (n < 1) fail("no countries");
  if (static_cast<long>(countries.size()) != n) fail("country names do not match T");
  if (d.rows() != n || d.cols() != n) fail("d must be N x N");
  if (tariff.rows() != n || tariff.cols() != n) fail("tariff must be N x N");
  if (wage.size() != n) fail("wage must have N entries");
  if (!(theta > 0) || !std::isfinite(theta)) fail("theta must be positive");
  if (!(beta > 0 && beta <= 1)) fail("beta must lie in (0, 1]");
  if (!(alpha > 0 && alpha <= 1)) fail("alpha must lie in (0, 1]");
  if (!(gamma > 0)) fail("gamma must be positive");
  for (long i = 0; i < n; ++i) {
    if (!(T(i) > 0) || !std::isfinite(T(i))) fail("T[" + countries[i] + "] must be positive");
    if (!(wage(i) > 0) || !std::isfinite(wage(i)))
      fail("wage[" + countries[i] + "] must be positive");
    if (d(i, i) != 1.0) fail("d(n, n) must be 1 (" + countries[i] + ")");
    if (tariff(i, i) != 0.0) fail("own tariffs must be 0 (" + countries[i] + ")");
    for (long j = 0; j < n; ++j) {
      if (!(d(i, j) > 0) || std::isnan(d(i, j)))
        fail("d(" + countries[i] + "," + countries[j] + ") must be positive");
      if (!(tariff(i, j) >= 0) || !std::isfinite(tariff(i, j)))
        fail("tariff(" + countries[i] + "," + countries[j] + ") must be finite and >= 0");
    }
  }
  if (labor == Labor::Mobile) {
    if (labor_income.size() != n || !(labor_income.array() > 0).all() || !labor_income.allFinite())
      fail("labor_income must have N positive entries (mobile labour)");
  } else {
    if (manuf_labor.size() != n || !(manuf_labor.array() > 0).all() || !manuf_labor.allFinite())
      fail("manuf_labor must have N positive entries (immobile labour)");
    if (other_income.size() != n || !(other_income.array() >= 0).all() || !other_income.allFinite())
      fail("other_income must have N non-negative entries (immobile labour)");
  }
}

namespace {

struct PriceSolution {
  Eigen::VectorXd log_p;
  Eigen::MatrixXd pi;
  int iterations = 0;
  double residual = std::numeric_limits<double>::infinity();
  bool converged = false;
};

// G(x)_n = ln gamma - (1/theta) lse_i [ln T_i - theta (beta ln w_i + (1-beta) x_i + ln kappa_ni)]
// returns G(x) and the shares at x.
Eigen::VectorXd price_map(const Economy& e, const Eigen::MatrixXd& log_kappa,
                          const Eigen::VectorXd& log_w, const Eigen::VectorXd& x,
                          Eigen::MatrixXd* pi) {
  const long n = x.size();
  Eigen::VectorXd base(n);
  for (long i = 0; i < n; ++i)
    base(i) = std::log(e.T(i)) - e.theta * (e.beta * log_w(i) + (1 - e.beta) * x(i));
  Eigen::VectorXd g(n);
  pi->resize(n, n);
  for (long r = 0; r < n; ++r) {
    double m = -std::numeric_limits<double>::infinity();
    for (long i = 0; i < n; ++i) {
      const double v = base(i) - e.theta * log_kappa(r, i);
      (*pi)(r, i) = v;
      if (v > m) m = v;
    }
    double s = 0;
    for (long i = 0; i < n; ++i) s += std::exp((*pi)(r, i) - m);
    const double lse = m + std::log(s);
    for (long i = 0; i < n; ++i) (*pi)(r, i) = std::exp((*pi)(r, i) - lse);
    g(r) = std::log(e.gamma) - lse / e.theta;
  }
  return g;
}

PriceSolution solve_prices(const Economy& e, const Eigen::MatrixXd& log_kappa,
                           const Eigen::VectorXd& log_w, Eigen::VectorXd x, double tol) {
  const long n = x.size();
  PriceSolution s;
  Eigen::MatrixXd pi;
  Eigen::VectorXd g = price_map(e, log_kappa, log_w, x, &pi);
  double res = (g - x).cwiseAbs().maxCoeff();
  const int cap = 5000;
  for (int it = 0; it < cap && res > tol; ++it) {
    s.iterations = it + 1;
    // Newton step: (I - (1-beta) Pi) dx = G(x) - x
    Eigen::MatrixXd J = Eigen::MatrixXd::Identity(n, n) - (1 - e.beta) * pi;
    Eigen::VectorXd dx = J.partialPivLu().solve(g - x);
    Eigen::VectorXd xn = x + dx;
    Eigen::MatrixXd pin;
    Eigen::VectorXd gn = price_map(e, log_kappa, log_w, xn, &pin);
    double resn = (gn - xn).cwiseAbs().maxCoeff();
    if (!(resn < res) || !std::isfinite(resn)) {
      // fall back to the contraction step x <- G(x)
      xn = g;
      gn = price_map(e, log_kappa, log_w, xn, &pin);
      resn = (gn - xn).cwiseAbs().maxCoeff();
    }
    x = xn;
    g = gn;
    pi = pin;
    res = resn;
  }
  s.log_p = x;
  s.pi = pi;
  s.residual = res;
  s.converged = res <= tol && std::isfinite(res);
  return s;
}

// Spending, income and output given prices/shares and wages.
void fill_quantities(const Economy& e, Labor labor, const Eigen::VectorXd& w,
                     const PriceSolution& ps, Equilibrium* eq) {
  const long n = w.size();
  const Eigen::MatrixXd& pi = ps.pi;
  Eigen::VectorXd r(n);  // tariff revenue per unit of spending
  Eigen::MatrixXd B(n, n);
  for (long a = 0; a < n; ++a) {
    double s = 0;
    for (long i = 0; i < n; ++i) {
      const double t = e.tariff(a, i);
      s += t / (1 + t) * pi(a, i);
      B(a, i) = pi(a, i) / (1 + t);
    }
    r(a) = s;
  }
  Eigen::VectorXd base = labor == Labor::Mobile
                             ? Eigen::VectorXd(e.labor_income)
                             : Eigen::VectorXd(w.cwiseProduct(e.manuf_labor) + e.other_income);
  Eigen::MatrixXd M = Eigen::MatrixXd((Eigen::VectorXd::Ones(n) - e.alpha * r).asDiagonal());
  M -= (1 - e.beta) * B.transpose();
  Eigen::VectorXd X = M.partialPivLu().solve(e.alpha * base);
  eq->wage = w;
  eq->price = ps.log_p.array().exp();
  eq->input_cost = (e.beta * w.array().log() + (1 - e.beta) * ps.log_p.array()).exp();
  eq->shares = pi;
  eq->absorption = X;
  eq->flows = pi.array().colwise() * X.array();
  eq->output = B.transpose() * X;
  eq->tariff_revenue = r.cwiseProduct(X);
  eq->income = base + eq->tariff_revenue;
  eq->manuf_labor = e.beta * eq->output.cwiseQuotient(w);
  eq->welfare = (eq->income.array().log() - e.alpha * ps.log_p.array()).exp();
  double wt = 0;
  for (long a = 0; a < n; ++a)
    for (long i = 0; i < n; ++i)
      if (a != i) wt += eq->flows(a, i);
  eq->world_trade = wt;
}

}  // namespace

void EkSolverOptions::validate() const {
  check_option(positive_finite(tol), "EkSolverOptions.tol", "> 0");
  check_option(max_iter >= 1, "EkSolverOptions.max_iter", ">= 1");
}

Equilibrium solve_ek_equilibrium(const Economy& e, Labor labor, const EkSolverOptions& opt) {
  opt.validate();
  e.validate(labor);
  const auto t0 = std::chrono::steady_clock::now();
  const long n = e.size();
  Eigen::MatrixXd log_kappa = (e.d.array() * (1 + e.tariff.array())).log();
  Equilibrium eq;
  SolverReport& rep = eq.report;
  const double price_tol = std::min(opt.tol, 1e-12) * 1e-1;
  Eigen::VectorXd log_w = e.wage.array().log();
  Eigen::VectorXd x0 = Eigen::VectorXd::Zero(n);
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };

  if (labor == Labor::Mobile) {
    PriceSolution ps = solve_prices(e, log_kappa, log_w, x0, opt.tol);
    fill_quantities(e, labor, e.wage, ps, &eq);
    rep.iterations = ps.iterations;
    rep.residual = ps.residual;
    const bool finite = eq.absorption.allFinite() && (eq.absorption.array() > 0).all();
    rep.status = !finite        ? SolverStatus::Failed
                 : ps.converged ? SolverStatus::Converged
                                : SolverStatus::IterationLimit;
    rep.message = finite ? "price fixed point, sup-norm of log p - G(log p)"
                         : "non-finite or non-positive spending";
    rep.seconds = elapsed();
    return eq;
  }

  // Immobile labour: Newton on z = ln w for F(z) = ln(beta Q(z)) - ln(w L).
  Eigen::VectorXd x = x0;
  auto residual = [&](const Eigen::VectorXd& z, Eigen::VectorXd* xp, Equilibrium* out, bool* ok) {
    PriceSolution ps = solve_prices(e, log_kappa, z, *xp, price_tol);
    *ok = ps.converged;
    *xp = ps.log_p;
    Eigen::VectorXd w = z.array().exp();
    fill_quantities(e, labor, w, ps, out);
    Eigen::VectorXd F =
        (e.beta * out->output.array()).log() - (w.cwiseProduct(e.manuf_labor)).array().log();
    if (!F.allFinite()) *ok = false;
    return F;
  };
  bool ok = true;
  Eigen::VectorXd z = log_w;
  Eigen::VectorXd F = residual(z, &x, &eq, &ok);
  double res = ok ? F.cwiseAbs().maxCoeff() : std::numeric_limits<double>::infinity();
  int it = 0;
  for (; it < opt.max_iter && ok && res > opt.tol; ++it) {
    Eigen::MatrixXd J(n, n);
    const double h = 1e-7;
    for (long j = 0; j < n; ++j) {
      Eigen::VectorXd zj = z;
      zj(j) += h;
      Eigen::VectorXd xj = x;
      Equilibrium tmp;
      bool okj = true;
      J.col(j) = (residual(zj, &xj, &tmp, &okj) - F) / h;
      if (!okj) ok = false;
    }
    if (!ok) break;
    Eigen::VectorXd dz = -J.partialPivLu().solve(F);
    if (!dz.allFinite()) {
      ok = false;
      break;
    }
    // cap the step (log wages) and backtrack on the sup-norm
    const double big = dz.cwiseAbs().maxCoeff();
    if (big > 0.5) dz *= 0.5 / big;
    double step = 1.0;
    bool accepted = false;
    for (int bt = 0; bt < 30; ++bt, step *= 0.5) {
      Eigen::VectorXd zn = z + step * dz, xn = x;
      Equilibrium trial;
      bool okn = true;
      Eigen::VectorXd Fn = residual(zn, &xn, &trial, &okn);
      const double rn = okn ? Fn.cwiseAbs().maxCoeff() : std::numeric_limits<double>::infinity();
      if (rn < res) {
        z = zn, x = xn, F = Fn, res = rn, eq = trial;
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
  }
  rep.iterations = it;
  rep.residual = res;
  rep.status = !ok || !std::isfinite(res) ? SolverStatus::Failed
               : res <= opt.tol           ? SolverStatus::Converged
                                          : SolverStatus::IterationLimit;
  rep.message = "immobile labour: sup-norm of ln(beta Q / (w L)); prices solved to " +
                std::to_string(price_tol);
  if (rep.status != SolverStatus::Converged && ok && it < opt.max_iter)
    rep.message += " (line search could not reduce the residual)";
  eq.report = rep;
  eq.report.seconds = elapsed();
  return eq;
}

}  // namespace hat::models::ek
