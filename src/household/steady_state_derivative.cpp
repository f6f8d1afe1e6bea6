// Implicit derivatives of a household block's stationary aggregates; see
// steady_state_derivative.hpp. Method: the implicit function theorem on the two fixed points
// (policy continuation and distribution), each linear system solved matrix-free by GMRES
// (Saad & Schultz 1986) with products by central directional differences of the one-period
// map (the Jacobian-free Newton-Krylov product of Knoll & Keyes 2004, J. Comput. Phys.); the
// distribution's system is the lottery's (Young 2010) linearisation, as in the steady-state
// limit of the fake-news algorithm (Auclert, Bardoczy, Rognlie & Straub 2021).
#include "hat/household/steady_state_derivative.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "hat/core/error.hpp"
#include "hat/household/backward_step.hpp"
#include "hat/numerics/gmres.hpp"

namespace hat::household {

namespace {

// Per-state outputs: spending p_j c_j pi_j on each variety j, then savings sum_j pi_j a'_j.
Eigen::MatrixXd state_outputs(const HouseholdProblem& hp, const HouseholdSolution& s) {
  const int M = hp.M();
  Eigen::MatrixXd y(s.c.rows(), M + 1);
  for (int j = 0; j < M; ++j) y.col(j) = s.pi.col(j).cwiseProduct(s.c.col(j)) * hp.prices(j);
  y.col(M) = s.pi.cwiseProduct(s.a_next).rowwise().sum();
  return y;
}

// One backward step from the stacked continuation x = (mu, V); false if the step fails.
bool step(const HouseholdProblem& hp, const Eigen::VectorXd& x, HouseholdSolution& out,
          Eigen::VectorXd& mu, Eigen::VectorXd& V) {
  const Eigen::Index N = x.size() / 2;
  mu = x.head(N);
  V = x.tail(N);
  backward_step(hp, Continuation{&mu, &V, hp.R}, out);
  return out.report.status != SolverStatus::Failed && out.mu.allFinite() && out.V.allFinite();
}

// The mass moved one period forward by the policies of `s`: lottery, then the income chain.
Eigen::VectorXd forward(const HouseholdProblem& hp, const HouseholdSolution& s,
                        const Eigen::VectorXd& mass) {
  numerics::LotteryOperator lot;
  lot.build(hp.grid, s.a_next, s.pi);
  Eigen::MatrixXd moved;
  lot.apply_forward(mass, moved);
  return (moved * hp.P).reshaped();
}

// (p - m) / (2e) from values p, b, m at x + e v, x, x - e v, limited where the one-sided
// differences disagree: a kink or jump of the one-period map (a borrowing limit starting to
// bind, an upper-envelope segment switch) within e of x would otherwise add an error of order
// jump / e. There the smaller one-sided difference is taken (the side without the jump).
template <class A, class B, class C>
Eigen::MatrixXd limited_difference(const A& p, const B& b, const C& m, double e) {
  Eigen::MatrixXd f = (p - b) / e, g = (b - m) / e;
  Eigen::MatrixXd out = 0.5 * (f + g);
  const double scale = out.cwiseAbs().maxCoeff();
  for (Eigen::Index k = 0; k < out.size(); ++k) {
    const double fk = f.data()[k], gk = g.data()[k];
    if (std::abs(fk - gk) > 1e-3 * (std::abs(fk) + std::abs(gk)) + 1e-6 * scale)
      out.data()[k] = std::abs(fk) < std::abs(gk) ? fk : gk;
  }
  return out;
}

}  // namespace

SteadyStateDerivative::SteadyStateDerivative(const HouseholdProblem& hp,
                                             const HouseholdSolution& sol,
                                             const Eigen::VectorXd& mass,
                                             const DerivativeOptions& opt)
    : hp_(hp), mass_(mass), opt_(opt) {
  opt.validate();
  N_ = hp.Na() * hp.Nz();
  x_.resize(2 * N_);
  x_ << sol.mu, sol.V;
  y_ = state_outputs(hp, sol);
  Eigen::VectorXd mu, V;
  if (!step(hp, x_, base_, mu, V)) base_.report.status = SolverStatus::Failed;
  g0_.resize(2 * N_);
  g0_ << base_.mu, base_.V;
  y0_ = state_outputs(hp, base_);
  f0_ = forward(hp, base_, mass);
  numerics::LotteryOperator lot;
  lot.build(hp.grid, sol.a_next, sol.pi);
  lt_ = lot.transpose();
}

bool SteadyStateDerivative::derivative(const HouseholdProblem& hp_plus,
                                       const HouseholdProblem& hp_minus, double h, Aggregates& out,
                                       std::string& message) const {
  const int Na = hp_.Na(), Nz = hp_.Nz(), M = hp_.M(), N = N_;
  HouseholdSolution sp, sm;
  Eigen::VectorXd mu, V, gp(2 * N), gm(2 * N);
  // G_theta dtheta at the stationary continuation.
  if (base_.report.status == SolverStatus::Failed || !step(hp_plus, x_, sp, mu, V) ||
      !step(hp_minus, x_, sm, mu, V)) {
    message = "backward step failed at a perturbed problem";
    return false;
  }
  gp << sp.mu, sp.V;
  gm << sm.mu, sm.V;
  const Eigen::VectorXd b = limited_difference(gp, g0_, gm, h);
  // (I - G_x) dx = b, products by central differences along the direction.
  const double xscale = std::max(1.0, x_.cwiseAbs().maxCoeff());
  bool ok = true;
  Eigen::VectorXd xp, xm;
  auto policy_op = [&](const auto& v, Eigen::VectorXd& r) {
    const double vn = v.cwiseAbs().maxCoeff();
    r = v;
    if (!(vn > 0)) return;
    const double e = opt_.state_step * xscale / vn;
    xp = x_ + e * v;
    xm = x_ - e * v;
    if (!step(hp_, xp, sp, mu, V) || !step(hp_, xm, sm, mu, V)) {
      ok = false;
      return;
    }
    gp << sp.mu, sp.V;
    gm << sm.mu, sm.V;
    r -= limited_difference(gp, g0_, gm, e);
  };
  thread_local numerics::Gmres gmres;
  Eigen::VectorXd dx;
  numerics::GmresResult g = gmres.solve(policy_op, b, dx, opt_.tolerance, opt_.max_products);
  if (!ok || !g.converged) {
    message =
        fmt::format("policy derivative: GMRES {} ({} products, relative residual {:.3g})",
                    ok ? "did not converge" : "step failed", g.iterations, g.relative_residual);
    return false;
  }
  // The policies at theta +- h dtheta, continuation x +- h dx: their outputs and the mass they
  // move give dy and (dLambda') D.
  if (!step(hp_plus, x_ + h * dx, sp, mu, V) || !step(hp_minus, x_ - h * dx, sm, mu, V)) {
    message = "backward step failed along the policy derivative";
    return false;
  }
  const Eigen::MatrixXd dy =
      limited_difference(state_outputs(hp_plus, sp), y0_, state_outputs(hp_minus, sm), h);
  Eigen::VectorXd rhs =
      limited_difference(forward(hp_plus, sp, mass_), f0_, forward(hp_minus, sm, mass_), h);
  rhs -= rhs.sum() * mass_;  // conserves mass also where the difference was limited
  // (I - Lambda') dD = rhs; rhs and every Krylov vector sum to zero, and so does dD.
  Eigen::VectorXd moved;
  auto dist_op = [&](const auto& v, Eigen::VectorXd& r) {
    const Eigen::Map<const Eigen::MatrixXd> vm(v.data(), Na, Nz);
    lt_.apply_backward(vm, moved);
    const Eigen::Map<const Eigen::MatrixXd> mm(moved.data(), Na, Nz);
    r = v - (mm * hp_.P).reshaped();
  };
  Eigen::VectorXd dD;
  g = gmres.solve(dist_op, rhs, dD, opt_.tolerance, opt_.max_products);
  if (!g.converged) {
    message = fmt::format(
        "distribution derivative: GMRES did not converge ({} products, relative residual {:.3g})",
        g.iterations, g.relative_residual);
    return false;
  }
  const Eigen::RowVectorXd dY = mass_.transpose() * dy + dD.transpose() * y_;
  out = Aggregates{};
  out.expenditure = dY.head(M).transpose();
  out.assets = dY(M);
  double de = 0;
  for (int s = 0; s < Nz; ++s)
    de += dD.segment(static_cast<Eigen::Index>(s) * Na, Na).sum() * hp_.z(s);
  out.efficiency_units = de;
  return true;
}

}  // namespace hat::household

namespace hat::household {

void DerivativeOptions::validate() const {
  check_option(std::isfinite(tolerance) && tolerance > 0, "DerivativeOptions.tolerance", "> 0");
  check_option(max_products >= 1, "DerivativeOptions.max_products", ">= 1");
  check_option(std::isfinite(state_step) && state_step > 0, "DerivativeOptions.state_step", "> 0");
}

}  // namespace hat::household
