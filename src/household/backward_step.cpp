// One backward step of the HAT household problem by the endogenous grid method (Carroll 2006)
// with a logit variety choice; folded endogenous grids by the upper envelope of Iskhakov,
// Jorgensen, Rust & Schjerning (2017, QE) and Druedahl & Jorgensen (2017, JEDC).
//
// The step is the household block of a sequence-space model in the sense of Auclert,
// Bardoczy, Rognlie & Straub (2021, Econometrica): next period's (mu', V') and this period's
// prices in, this period's policies and (mu, V) out. Its fixed point at constant prices is the
// stationary problem that solve_household (egm.cpp) solves with accelerated sweeps; the step
// is written for clarity, as a plain (Jacobi) EGM sweep, and the test suite checks that the
// two agree.
//
// Per income state s and variety j, on the grid of a':
//   E(a', s)    = beta R' sum_s' P(s, s') mu'(a', s')            (generalised Euler equation)
//   c~_j(a')    = (p_j E)^(-1/gamma)
//   a~_j(a')    = (p_j c~_j + a' - lambda W z_s - tau) / (lambda R)   (budget, current assets)
// a'_j(a) interpolates (a~_j, a') back onto the grid; below a~_j(a_min) the borrowing limit
// binds; beyond the last endogenous point savings are capped at a_max. Then
// v_j = u(c_j) + beta E_s' V'(a'_j), V = sigma log sum_j exp((v_j + psi_j) / sigma),
// pi = softmax, mu = sum_j pi_j u'(c_j) / p_j.
#include "hat/household/backward_step.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "egm_kernel.hpp"

namespace hat::household {

namespace {

// Savings a'(a_i) of one (state, variety) pair from its endogenous grid `atil`, with the
// brackets (lo, t) of a' on the grid. Returns false if the endogenous grid is not monotone.
bool egm_savings(const Eigen::VectorXd& g, const std::vector<double>& atil, double* ap, int* lo,
                 double* t) {
  const int Na = static_cast<int>(g.size());
  for (int q = 1; q < Na; ++q)
    if (!(atil[q] > atil[q - 1])) return false;
  int q = 0;
  for (int i = 0; i < Na; ++i) {
    const double a = g(i);
    if (a <= atil[0]) {  // the borrowing limit binds
      ap[i] = g(0);
      lo[i] = 0;
      t[i] = 0.0;
      continue;
    }
    while (q < Na - 2 && atil[q + 1] <= a) ++q;
    const double w = (a - atil[q]) / (atil[q + 1] - atil[q]);
    if (w <= 1.0) {  // on EGM segment q: a' lies in [g_q, g_q+1] with weight w
      ap[i] = g(q) + w * (g(q + 1) - g(q));
      lo[i] = q;
      t[i] = w;
    } else {  // beyond the last endogenous point: savings capped at a_max
      ap[i] = g(Na - 1);
      lo[i] = Na - 2;
      t[i] = 1.0;
    }
  }
  return true;
}

}  // namespace

void backward_step(const HouseholdProblem& hp, const Continuation& next, HouseholdSolution& out) {
  const int Na = hp.Na(), Nz = hp.Nz(), M = hp.M(), N = Na * Nz;
  const Eigen::VectorXd& g = hp.grid;
  const double inv_gamma = 1.0 / hp.gamma;
  out.Na = Na;
  out.Nz = Nz;
  out.M = M;
  out.c.resize(N, M);
  out.a_next.resize(N, M);
  out.v.resize(N, M);
  out.pi.resize(N, M);

  // Expectations over s' on the a' grid: beta R' E mu' (and its -1/gamma power) and E V'.
  Eigen::Map<const Eigen::MatrixXd> mu_next(next.mu->data(), Na, Nz),
      V_next(next.V->data(), Na, Nz);
  const Eigen::MatrixXd Emu = (hp.beta * next.R) * (mu_next * hp.P.transpose());
  const Eigen::MatrixXd EV = V_next * hp.P.transpose();
  const Eigen::MatrixXd Einv = (Emu.array().log() * -inv_gamma).exp().matrix();

  Eigen::MatrixXd EVa(N, M);  // E V'(a'_j) at the chosen savings
  std::vector<double> atil(Na), ap(Na), t(Na), cash(Na);
  std::vector<int> lo(Na);
  bool feasible = Emu.allFinite() && (Emu.array() > 0).all();
  for (int s = 0; s < Nz && feasible; ++s) {
    const double base = hp.lambda * hp.W * hp.z(s) + hp.tau;
    for (int i = 0; i < Na; ++i) cash[i] = hp.lambda * hp.R * g(i) + base;
    for (int j = 0; j < M; ++j) {
      const double pj = hp.prices(j), xfac = std::pow(pj, 1.0 - inv_gamma);
      for (int q = 0; q < Na; ++q) atil[q] = (xfac * Einv(q, s) + g(q) - base) / (hp.lambda * hp.R);
      if (!egm_savings(g, atil, ap.data(), lo.data(), t.data())) {
        detail::fold_savings(hp, pj, std::span<const double>(atil.data(), Na),
                             std::span<const double>(EV.col(s).data(), Na),
                             std::span<const double>(cash.data(), Na),
                             std::span<double>(ap.data(), Na));
        for (int i = 0; i < Na; ++i) detail::locate(g.data(), Na, ap[i], lo[i], t[i]);
      }
      for (int i = 0; i < Na; ++i) {
        const int k = s * Na + i;
        out.a_next(k, j) = ap[i];
        out.c(k, j) = (cash[i] - ap[i]) / pj;
        EVa(k, j) = EV(lo[i], s) + t[i] * (EV(lo[i] + 1, s) - EV(lo[i], s));
      }
    }
  }
  feasible = feasible && out.c.allFinite() && (out.c.array() > 0).all();
  if (!feasible) {
    out.report.status = SolverStatus::Failed;
    out.report.message = "backward step: non-positive or non-finite consumption";
    return;
  }

  // u, u' (vectorised), values, the logit step (max-shifted: never NaN) and mu.
  const Eigen::ArrayXXd logc = out.c.array().log();
  Eigen::ArrayXXd U, MU;
  if (hp.gamma == 1.0) {
    U = logc;
    MU = (-logc).exp();
  } else {
    MU = (logc * -hp.gamma).exp();
    U = out.c.array() * MU / (1.0 - hp.gamma);
  }
  out.v = (U + hp.beta * EVa.array()).matrix();
  Eigen::MatrixXd X = out.v;
  if (hp.quality.size())
    for (int s = 0; s < Nz; ++s)
      for (int j = 0; j < M; ++j) X.col(j).segment(s * Na, Na).array() += hp.quality(s, j);
  const Eigen::VectorXd xmax = X.rowwise().maxCoeff();
  const Eigen::ArrayXXd E = ((X.colwise() - xmax) / hp.sigma).array().exp();
  const Eigen::ArrayXd sum = E.rowwise().sum();
  out.V = xmax.array() + hp.sigma * sum.log();
  out.pi = (E.colwise() / sum).matrix();
  out.mu = (out.pi.array() * MU).matrix() * hp.prices.cwiseInverse();
  out.report.status = SolverStatus::Converged;
  out.report.iterations = 1;
  out.report.message = "backward step";
}

}  // namespace hat::household
