// The static world's wages as a starting guess; see static_start.hpp.
// Method: the goods-market residuals of hand-to-mouth households (MODEL.md §1 with a' = a = 0:
// each state spends W z_s + tau on variety j with the logit probability of u(y / p_j) + psi_j),
// solved in log wages by Newton's method with their analytic Jacobian and step halving.
#include "hat/world/static_start.hpp"

#include <cmath>

#include "hat/numerics/markov.hpp"

namespace hat::world {

namespace {

// The numeraire condition, then log(sales / output) of goods 2..M (as the HAT residuals, one
// market dropped by Walras' law), and with J their Jacobian in the log wages: a wage W_k moves
// every importer's price of k (dv_j = -c_j^(1-gamma) / sigma for j = k) and its own country's
// income (dy = W_k z, dv_j = c_j^(1-gamma) dlog y / sigma for every j); the logit then moves
// each choice by pi_j (dv_j - sum_l pi_l dv_l). False if some income is not positive.
bool residuals(const World& w, const Prices& p, const EquilibriumOptions& opt,
               const Eigen::VectorXd& mass, Eigen::VectorXd& r, Eigen::MatrixXd* J) {
  const int M = w.size();
  Eigen::VectorXd sales = Eigen::VectorXd::Zero(M), x(M), g(M), a(M), dv(M);
  Eigen::MatrixXd ds = Eigen::MatrixXd::Zero(M, M);  // d sales_j / dlog W_k
  for (int n = 0; n < M; ++n) {
    const household::HouseholdProblem hp = country_problem(w, n, p);
    Eigen::VectorXd inv_t(M);
    for (int j = 0; j < M; ++j) inv_t(j) = 1.0 / (1.0 + (w.tariff.size() ? w.tariff(n, j) : 0.0));
    for (int s = 0; s < hp.Nz(); ++s) {
      const double y = hp.W * hp.z(s) + hp.tau;
      if (!(y > 0)) return false;
      for (int j = 0; j < M; ++j) {
        const double c = y / hp.prices(j);
        x(j) = (household::utility(c, hp.gamma) + hp.psi(s, j)) / hp.sigma;
        g(j) = hp.gamma == 1.0 ? 1.0 : std::pow(c, 1.0 - hp.gamma);  // u'(c) c
      }
      Eigen::ArrayXd pi = (x.array() - x.maxCoeff()).exp();
      pi /= pi.sum();
      const double m = w.L(n) * mass(s);
      a = (m * y * pi).matrix().cwiseProduct(inv_t);  // this state's purchases at factory prices
      sales += a;
      if (!J) continue;
      // Prices: dsales_j / dlog W_k = a_j (pi_k - delta_jk) g_k / sigma.
      const Eigen::VectorXd gs = (pi * g.array() / hp.sigma).matrix();
      ds.noalias() += a * gs.transpose();
      ds.diagonal() -= a.cwiseProduct(g) / hp.sigma;
      // Income of country n: dy = W z, dv_j = g_j (dy / y) / sigma.
      const double dy = hp.W * hp.z(s);
      dv = g * (dy / y / hp.sigma);
      const double mean_dv = (pi * dv.array()).sum();
      ds.col(n) += (m * (dy * pi + y * pi * (dv.array() - mean_dv))).matrix().cwiseProduct(inv_t);
    }
  }
  const double ez = mass.dot(w.income.z);
  r.resize(M);
  r(0) = opt.numeraire < 0 ? std::log(p.W.mean()) : std::log(p.W(opt.numeraire));
  for (int j = 1; j < M; ++j) r(j) = std::log(sales(j) / (p.W(j) * w.L(j) * ez));
  if (J) {
    J->resize(M, M);
    for (int j = 1; j < M; ++j) J->row(j) = ds.row(j) / sales(j) - Eigen::RowVectorXd::Unit(M, j);
    if (opt.numeraire < 0)
      J->row(0) = (p.W / p.W.sum()).transpose();
    else
      J->row(0) = Eigen::RowVectorXd::Unit(M, opt.numeraire);
  }
  return r.allFinite();
}

}  // namespace

bool static_wages(const World& w, const Prices& guess, const EquilibriumOptions& opt, Prices& out) {
  out = guess;
  const int M = w.size();
  if (M < 2) return false;
  const Eigen::VectorXd mass = numerics::stationary_distribution(w.income.P);
  Prices p = guess;
  Eigen::VectorXd x = guess.W.array().log().matrix(), r, rt;
  Eigen::MatrixXd J;
  if (!residuals(w, p, opt, mass, r, &J)) return false;
  for (int it = 0; it < 50 && r.cwiseAbs().maxCoeff() > 1e-10; ++it) {
    const Eigen::VectorXd dx = J.colPivHouseholderQr().solve(-r);
    if (!dx.allFinite()) return false;
    double step = 1.0;  // halved until the residual falls
    for (; step > 1e-4; step *= 0.5) {
      p.W = (x + step * dx).array().exp().matrix();
      if (residuals(w, p, opt, mass, rt, &J) && rt.cwiseAbs().maxCoeff() < r.cwiseAbs().maxCoeff())
        break;
    }
    if (!(step > 1e-4)) return false;
    x += step * dx;
    r = rt;
  }
  if (!(r.cwiseAbs().maxCoeff() <= 1e-10)) return false;
  out.W = x.array().exp().matrix();
  return true;
}

Prices cold_start(const WorldConfig& wc) {
  Prices p = wc.start;
  if (!wc.wages_given) static_wages(wc.world, wc.start, wc.options, p);
  return p;
}

}  // namespace hat::world
