// The household block linearised at its stationary solution; see linearisation.hpp.
//
// Method: the implicit function theorem on the block's two fixed points, the policies
// x = G(x, theta) (x = (m, V), m = mu^(-1/gamma), the state of egm.cpp's Newton steps) and the
// distribution D = T(x, theta)' D (Young's 2010 lottery, then the income chain), with the
// aggregates Y = D' y(x, theta). G_x is the sweep's sparse Jacobian in the form egm.cpp's Newton
// sweeps record it (sweep_jacobian.hpp); G_theta, the policies' and the lottery's responses are
// its chain rule written out (below), so no step is differenced. Both modes follow the
// steady-state limit of the sequence-space Jacobian (Auclert, Bardoczy, Rognlie & Straub 2021,
// Econometrica); linear systems by GMRES (Saad & Schultz 1986).
//
// * Forward (a direction theta): (I - G_x) dx = G_theta, then the policies' response,
//   (I - T') dD = dT' D, and dY = D' dy + dD' y.
// * Adjoint (asset demand A = D' y_A in all prices): the "expectation vector" phi solves
//   (I - T) phi = y_A - A, so that dD' y_A = D' dT phi and dA = D' dh with h_k = sum_j pi_kj
//   (a'_kj + Phi(a'_kj)), Phi = E_s' phi at the lottery's weights, phi held. With H = D' h,
//   one transposed solve (I - G_x)' nu = H_x' gives dA/dlog p_j = H_pj + nu' G_pj for all j.
//
// The sweep's chain rule. On EGM segment q of variety j in income state s, current assets a
// lie between a~_q and a~_(q+1) with weight t, a' = g_q + t h (h = g_(q+1) - g_q), where
//     a~_q = (p_j^(1-1/gamma) Eb_q^(-1/gamma) + g_q - lambda W z_s - tau) / (lambda R),
//     Eb = beta R E_s' mu,
// so dt = -((1 - t) da~_q + t da~_(q+1)) / (a~_(q+1) - a~_q); c_j = (cash - a') / p_j with
// cash = lambda (R a + W z_s) + tau; mu_j = c_j^(-gamma) / p_j; v_j = u(c_j) + beta EV(a'_j)
// (EV interpolated with the weights t); pi = softmax((v + psi) / sigma); V = sigma log sum exp;
// mu_new = sum_j pi_j mu_j. Savings at the borrowing limit or capped at a_max are held, and so
// are those of varieties whose endogenous grid folds (the upper envelope), as in the Newton
// sweeps.
#include "hat/household/linearisation.hpp"

#include <algorithm>
#include <cmath>

#include "hat/numerics/gmres.hpp"
#include "hat/numerics/lottery.hpp"
#include "sweep_jacobian.hpp"

namespace hat::household {

namespace {

// Whether y = s x to within rounding (both may be empty).
bool scaled(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, double s) {
  if (x.rows() != y.rows() || x.cols() != y.cols()) return false;
  return x.size() == 0 || (y - s * x).cwiseAbs().maxCoeff() <= 1e-12 * x.cwiseAbs().maxCoeff();
}

}  // namespace

bool ParameterMove::between(const HouseholdProblem& b, const HouseholdProblem& m,
                            ParameterMove& out) {
  if (b.gamma != m.gamma || b.lambda != m.lambda || b.M() != m.M() || b.Na() != m.Na() ||
      b.z != m.z || b.P != m.P)
    return false;
  // The block's scale: the grid's largest magnitude, then everything scaled with it.
  const Eigen::Index top = b.grid.cwiseAbs().maxCoeff() == std::abs(b.grid(0)) ? 0 : b.Na() - 1;
  const double s = m.grid(top) / b.grid(top);
  const double pref = std::pow(s, 1.0 - b.gamma);
  if (!(s > 0) || !scaled(b.grid, m.grid, s) || !scaled(b.quality, m.quality, pref) ||
      !(std::abs(m.sigma - pref * b.sigma) <= 1e-12 * b.sigma))
    return false;
  out.log_scale = std::log(s);
  out.log_prices = (m.prices.array() / b.prices.array()).log().matrix();
  out.log_W = std::log(m.W / b.W);
  out.beta = m.beta - b.beta;
  out.log_R = std::log(m.R / b.R);
  out.tau = m.tau - b.tau;
  return true;
}

namespace {

// The policies' first-order response in one sweep (per state k and variety j).
struct PolicyResponse {
  Eigen::MatrixXd dt, dc, dpi;  // savings weight, consumption, choice probability
  Eigen::VectorXd dV, dmu;      // the sweep's outputs V and mu_new
};

}  // namespace

struct StationaryLinearisation::Impl {
  const HouseholdProblem& hp;
  const HouseholdSolution& sol;
  const Eigen::VectorXd& mass;
  int Na, Nz, M, N;
  double lR;                         // lambda R
  Eigen::MatrixXd Eb, Einv, EV;      // on the a' grid, Na x Nz
  Eigen::VectorXd xfac, base;        // p_j^(1-1/gamma); lambda W z_s + tau
  Eigen::MatrixXi lo;                // the lottery bracket of a'_kj (= the EGM segment)
  Eigen::MatrixXd t;                 // weight on lo + 1
  Eigen::MatrixXd width;             // a~_(q+1) - a~_q on a segment, 0 where savings are held
  Eigen::MatrixXd t_lo, t_hi;        // dt / dEb(lo), dt / dEb(lo + 1)
  Eigen::MatrixXd t_p, t_base, t_R;  // dt / dlog p_j, dt / d(lambda W z + tau), dt / dlog R
  Eigen::MatrixXd hp_grid_h;         // h = g_(lo + 1) - g_lo
  Eigen::MatrixXd mu_gc;             // gamma mu_kj / c_kj
  Eigen::MatrixXd dEV_t, EV_at;      // EV(lo + 1) - EV(lo); EV at a'_kj
  Eigen::MatrixXd mu;                // u'(c_kj) / p_j
  Eigen::MatrixXd kappa;             // dv_kj / dt = -mu_kj h + beta (EV(lo + 1) - EV(lo))
  Eigen::VectorXd mu_new, scale_m;   // sum_j pi_kj mu_kj; dm / dmu_new
  Eigen::MatrixXd c_m;               // dmu / dm times beta R (the expectation map's input side)
  Eigen::VectorXd expenditure;       // the block's aggregates: spending by variety
  double assets = 0;                 // and asset demand
  SweepJacobian J;                   // G_x
  numerics::LotteryOperator lot, lot_forward;
  numerics::Gmres gmres;
  mutable Eigen::MatrixXd dv_, dmu_j_;  // policy_response's scratch

  Impl(const HouseholdProblem& hp_, const HouseholdSolution& sol_, const Eigen::VectorXd& mass_);

  double h(int q) const { return hp.grid(q + 1) - hp.grid(q); }
  double atil(int j, int q, int s) const {
    return (xfac(j) * Einv(q, s) + hp.grid(q) - base(s)) / lR;
  }
  // The steps of the constructor.
  void expectations();
  void segments();
  Eigen::VectorXd marginal_values();  // returns m = mu^(-1/gamma)
  void precompute();
  void record_jacobian(const Eigen::VectorXd& m);
  // The sweep's response to moves dEb, dEV of the expectations and to `mv` (the chain rule of
  // the header comment).
  void policy_response(const Eigen::MatrixXd& dEb, const Eigen::MatrixXd& dEV,
                       const ParameterMove& mv, PolicyResponse& r) const;
  // The steps of response(): the policies' response (I - G_x) dx = G_theta and its sweep; the
  // aggregates' part at the distribution held, with the mass the policies move; and the
  // distribution's part, (I - T' + D 1') dD = dT' D.
  bool policy_derivative(const ParameterMove& mv, double tolerance, PolicyResponse& r);
  void direct_response(const ParameterMove& mv, const PolicyResponse& r, Aggregates& d,
                       Eigen::MatrixXd& moved) const;
  bool distribution_response(const Eigen::MatrixXd& moved, double tolerance, Aggregates& d);
  // The steps of asset_gradient(): the expectation vector phi, (I - T + 1 D') phi = y - A; H_x'
  // and h's sensitivities; and the gradient H_p + nu' G_p from the adjoint nu.
  bool expectation_vector(double tolerance, Eigen::VectorXd& phi);
  Eigen::VectorXd h_sensitivities(const Eigen::VectorXd& phi, Eigen::MatrixXd& dY_dt,
                                  Eigen::MatrixXd& devh) const;
  Eigen::VectorXd price_gradient(const Eigen::VectorXd& nu, const Eigen::MatrixXd& dY_dt,
                                 const Eigen::MatrixXd& devh) const;
  // Mass moved forward by T(x, theta): lottery then chain; v as an Na x Nz matrix.
  void forward(const Eigen::VectorXd& v, Eigen::VectorXd& out) const {
    Eigen::VectorXd moved;
    lot_forward.apply_backward(v.reshaped(Na, Nz), moved);
    out = (moved.reshaped(Na, Nz) * hp.P).reshaped();
  }
};

StationaryLinearisation::Impl::Impl(const HouseholdProblem& hp_, const HouseholdSolution& sol_,
                                    const Eigen::VectorXd& mass_)
    : hp(hp_), sol(sol_), mass(mass_), Na(hp_.Na()), Nz(hp_.Nz()), M(hp_.M()), N(Na * Nz) {
  expectations();
  segments();
  const Eigen::VectorXd m = marginal_values();
  precompute();
  record_jacobian(m);
  expenditure = (sol.pi.cwiseProduct(sol.c).transpose() * mass).cwiseProduct(hp.prices);
  assets = mass.dot(sol.pi.cwiseProduct(sol.a_next).rowwise().sum());
  lot.build(Na, lo, t, sol.pi);
  lot_forward = lot.transpose();
}

// The expectations on the a' grid and the endogenous grid's parts, at the solution.
void StationaryLinearisation::Impl::expectations() {
  lR = hp.lambda * hp.R;
  const Eigen::Map<const Eigen::MatrixXd> mu_s(sol.mu.data(), Na, Nz), V(sol.V.data(), Na, Nz);
  const double bR = hp.beta * hp.R;
  Eb = bR * mu_s * hp.P.transpose();
  Einv = (Eb.array().log() * (-1.0 / hp.gamma)).exp().matrix();
  EV = V * hp.P.transpose();
  xfac = (hp.prices.array().log() * (1.0 - 1.0 / hp.gamma)).exp().matrix();
  base = (hp.lambda * hp.W * hp.z.array() + hp.tau).matrix();
}

// u'(c)/p, the values' slopes in t, mu_new and the state's scaling.
Eigen::VectorXd StationaryLinearisation::Impl::marginal_values() {
  mu = (sol.c.array().log() * -hp.gamma).exp().matrix();
  mu.array().rowwise() /= hp.prices.transpose().array();
  kappa.resize(N, M);
  for (int k = 0; k < N; ++k)
    for (int j = 0; j < M; ++j) {
      const int q = lo(k, j), s = k / Na;
      kappa(k, j) = -mu(k, j) * h(q) + hp.beta * (EV(q + 1, s) - EV(q, s));
    }
  mu_new = sol.pi.cwiseProduct(mu).rowwise().sum();
  const Eigen::ArrayXd m = (sol.mu.array().log() * (-1.0 / hp.gamma)).exp();
  scale_m = (-m / (hp.gamma * sol.mu.array())).matrix();
  const double bR = hp.beta * hp.R;
  c_m = (-hp.gamma * bR * sol.mu.array() / m).matrix().reshaped(Na, Nz);
  return m.matrix();
}

// Per (s, j): the endogenous grid and each state's segment, as egm.cpp's sweep finds them.
void StationaryLinearisation::Impl::segments() {
  lo.setZero(N, M);
  for (Eigen::MatrixXd* m : {&t, &width, &t_lo, &t_hi}) m->setZero(N, M);
  Eigen::VectorXd at(Na);
  for (int s = 0; s < Nz; ++s)
    for (int j = 0; j < M; ++j) {
      bool monotone = true;
      for (int q = 0; q < Na; ++q) {
        at(q) = atil(j, q, s);
        monotone = monotone && (q == 0 || at(q) > at(q - 1));
      }
      int q = 0;
      for (int i = 0; i < Na; ++i) {
        const int k = s * Na + i;
        const double a = hp.grid(i);
        if (!monotone || a <= at(0) || a > at(Na - 1)) {  // savings held: the lottery bracket
          const double ap = sol.a_next(k, j);
          int b = 0;
          while (b < Na - 2 && hp.grid(b + 1) <= ap) ++b;
          lo(k, j) = b;
          t(k, j) = std::clamp((ap - hp.grid(b)) / h(b), 0.0, 1.0);
          continue;
        }
        while (q < Na - 2 && at(q + 1) <= a) ++q;
        const double w = at(q + 1) - at(q), tt = (a - at(q)) / w;
        const double f = xfac(j) / (hp.gamma * lR * w);
        lo(k, j) = q;
        t(k, j) = tt;
        width(k, j) = w;
        t_lo(k, j) = (1.0 - tt) * f * Einv(q, s) / Eb(q, s);
        t_hi(k, j) = tt * f * Einv(q + 1, s) / Eb(q + 1, s);
      }
    }
}

// The parts of the sweep's chain rule that do not depend on the move.
void StationaryLinearisation::Impl::precompute() {
  for (Eigen::MatrixXd* m : {&t_p, &t_base, &t_R, &hp_grid_h, &dEV_t, &EV_at}) m->setZero(N, M);
  mu_gc = (hp.gamma * mu.array() / sol.c.array()).matrix();
  for (int j = 0; j < M; ++j)
    for (int k = 0; k < N; ++k) {
      const int q = lo(k, j), s = k / Na;
      const double tt = t(k, j);
      hp_grid_h(k, j) = h(q);
      dEV_t(k, j) = EV(q + 1, s) - EV(q, s);
      EV_at(k, j) = (1.0 - tt) * EV(q, s) + tt * EV(q + 1, s);
      if (!(width(k, j) > 0.0)) continue;
      // a~_q moves by (xfac Einv_q ((1 - 1/gamma) dlog p_j - dEb_q / (gamma Eb_q)) - dbase)
      // / (lambda R) - a~_q dlog R, and dt = -((1 - t) da~_q + t da~_(q+1)) / width.
      const double iw = 1.0 / width(k, j);
      t_p(k, j) = -(1.0 - 1.0 / hp.gamma) * xfac(j) *
                  ((1.0 - tt) * Einv(q, s) + tt * Einv(q + 1, s)) * iw / lR;
      t_base(k, j) = iw / lR;
      t_R(k, j) = ((1.0 - tt) * atil(j, q, s) + tt * atil(j, q + 1, s)) * iw;
    }
}

// G_x in the Newton sweeps' sparse form (egm.cpp, jacobian_row).
void StationaryLinearisation::Impl::record_jacobian(const Eigen::VectorXd& m) {
  J.reset(Na, Nz, M);
  J.set_input(m, sol.mu, hp.gamma, hp.beta * hp.R, hp.P);
  for (int k = 0; k < N; ++k) {
    for (int j = 0; j < M; ++j) {
      const int q = lo(k, j);
      const double pi = sol.pi(k, j), tt = t(k, j);
      const double dev = pi * (mu(k, j) - mu_new(k)) / hp.sigma;  // dmu_new / dv_j
      const double dm_dt =
          pi * hp.gamma * mu(k, j) * h(q) / (hp.prices(j) * sol.c(k, j)) + dev * kappa(k, j);
      const double dv_dt = pi * kappa(k, j);
      const double b_lo = hp.beta * (1.0 - tt), b_hi = hp.beta * tt;
      J.add(q, dm_dt * t_lo(k, j), dev * b_lo, dv_dt * t_lo(k, j), pi * b_lo);
      J.add(q + 1, dm_dt * t_hi(k, j), dev * b_hi, dv_dt * t_hi(k, j), pi * b_hi);
    }
    J.end_row(k);
  }
  J.set_output_scale(scale_m);
}

// The sweep's response to moves dEb, dEV of the expectations and to `mv` (the chain rule of
// the header comment).
void StationaryLinearisation::Impl::policy_response(const Eigen::MatrixXd& dEb,
                                                    const Eigen::MatrixXd& dEV,
                                                    const ParameterMove& mv,
                                                    PolicyResponse& r) const {
  // Column by column (variety j over all states), the layout of the arrays.
  Eigen::VectorXd dbase(N), dcash(N);
  for (int k = 0; k < N; ++k) {
    dbase(k) = hp.lambda * hp.W * hp.z(k / Na) * mv.log_W + mv.tau;
    dcash(k) = hp.lambda * hp.R * hp.grid(k % Na) * mv.log_R + dbase(k);
  }
  r.dt.resize(N, M);
  r.dc.resize(N, M);
  r.dpi.resize(N, M);
  dv_.resize(N, M);
  dmu_j_.resize(N, M);
  r.dV.setZero(N);
  for (int j = 0; j < M; ++j) {
    const double u = mv.log_prices.size() ? mv.log_prices(j) : 0.0, p = hp.prices(j);
    for (int k = 0; k < N; ++k) {
      const int q = lo(k, j), s = k / Na;
      const double tt = t(k, j);
      const double dt = t_lo(k, j) * dEb(q, s) + t_hi(k, j) * dEb(q + 1, s) + t_p(k, j) * u +
                        t_base(k, j) * dbase(k) + t_R(k, j) * mv.log_R;
      const double dc = (dcash(k) - hp_grid_h(k, j) * dt) / p - sol.c(k, j) * u;
      dmu_j_(k, j) = -mu_gc(k, j) * dc - mu(k, j) * u;
      dv_(k, j) = p * mu(k, j) * dc +
                  hp.beta * (dEV_t(k, j) * dt + (1.0 - tt) * dEV(q, s) + tt * dEV(q + 1, s)) +
                  mv.beta * EV_at(k, j);
      r.dt(k, j) = dt;
      r.dc(k, j) = dc;
      r.dV(k) += sol.pi(k, j) * dv_(k, j);
    }
  }
  r.dmu.setZero(N);
  for (int j = 0; j < M; ++j)
    for (int k = 0; k < N; ++k) {
      const double dpi = sol.pi(k, j) * (dv_(k, j) - r.dV(k)) / hp.sigma;
      r.dpi(k, j) = dpi;
      r.dmu(k) += sol.pi(k, j) * dmu_j_(k, j) + dpi * mu(k, j);
    }
}

bool StationaryLinearisation::Impl::policy_derivative(const ParameterMove& mv, double tolerance,
                                                      PolicyResponse& r) {
  // Eb = beta R E mu moves directly with beta and R.
  const Eigen::MatrixXd dEb0 = Eb * (mv.beta / hp.beta + mv.log_R);
  policy_response(dEb0, Eigen::MatrixXd::Zero(Na, Nz), mv, r);
  Eigen::VectorXd g(2 * N), dx;
  g << scale_m.cwiseProduct(r.dmu), r.dV;
  if (!J.solve(g, dx, tolerance, 600, 2).converged) return false;
  const Eigen::MatrixXd dEb =
      dEb0 + (c_m.array() * dx.head(N).reshaped(Na, Nz).array()).matrix() * hp.P.transpose();
  policy_response(dEb, dx.tail(N).reshaped(Na, Nz) * hp.P.transpose(), mv, r);
  return true;
}

void StationaryLinearisation::Impl::direct_response(const ParameterMove& mv,
                                                    const PolicyResponse& r, Aggregates& d,
                                                    Eigen::MatrixXd& moved) const {
  d = Aggregates{};
  d.expenditure = Eigen::VectorXd::Zero(M);
  d.choice_probability = Eigen::VectorXd::Zero(M);
  moved = Eigen::MatrixXd::Zero(Na, Nz);
  for (int k = 0; k < N; ++k) {
    const int s = k / Na;
    const double m = mass(k);
    for (int j = 0; j < M; ++j) {
      const double pi = sol.pi(k, j), dpi = r.dpi(k, j), dt = r.dt(k, j), tt = t(k, j);
      const double u = mv.log_prices.size() ? mv.log_prices(j) : 0.0;
      const double spend = hp.prices(j) * sol.c(k, j);
      d.expenditure(j) += m * (dpi * spend + pi * (spend * u + hp.prices(j) * r.dc(k, j)));
      d.choice_probability(j) += m * dpi;
      d.assets += m * (dpi * sol.a_next(k, j) + pi * h(lo(k, j)) * dt);
      moved(lo(k, j), s) += m * (dpi * (1.0 - tt) - pi * dt);
      moved(lo(k, j) + 1, s) += m * (dpi * tt + pi * dt);
    }
  }
}

bool StationaryLinearisation::Impl::distribution_response(const Eigen::MatrixXd& moved,
                                                          double tolerance, Aggregates& d) {
  // Its right side sums to zero, and so does dD.
  Eigen::VectorXd rhs = (moved * hp.P).reshaped();
  rhs -= rhs.sum() * mass;
  Eigen::VectorXd Fv, dD;
  auto op = [&](const auto& v, Eigen::VectorXd& out) {
    forward(v, Fv);
    out = v - Fv + mass * v.sum();
  };
  if (!gmres.solve(op, rhs, dD, tolerance, 600).converged) return false;
  for (int k = 0; k < N; ++k) {
    const double dm = dD(k);
    d.expenditure +=
        dm *
        (sol.pi.row(k).cwiseProduct(sol.c.row(k)).cwiseProduct(hp.prices.transpose())).transpose();
    d.choice_probability += dm * sol.pi.row(k).transpose();
    d.assets += dm * sol.pi.row(k).dot(sol.a_next.row(k));
    d.efficiency_units += dm * hp.z(k / Na);
  }
  return true;
}

bool StationaryLinearisation::Impl::expectation_vector(double tolerance, Eigen::VectorXd& phi) {
  // (I - T + 1 D') phi = y - A is nonsingular, and D' phi = 0 at its solution.
  const Eigen::VectorXd y = sol.pi.cwiseProduct(sol.a_next).rowwise().sum();
  Eigen::VectorXd Tphi;
  auto op = [&](const auto& v, Eigen::VectorXd& r) {
    lot.apply_backward(v.reshaped(Na, Nz) * hp.P.transpose(), Tphi);
    r = v - Tphi + Eigen::VectorXd::Constant(N, mass.dot(v));
  };
  return gmres.solve(op, (y.array() - mass.dot(y)).matrix(), phi, tolerance, 600).converged;
}

// h_k = sum_j pi_kj Y_kj, Y_kj = a'_kj + Phi(a'_kj) (phi held): dh_k = sum_j pi_j dY_j +
// sum_j devh_j dv_j with devh_j = pi_j (Y_j - sum_l pi_l Y_l) / sigma. Returns H_x', the
// expectation map's transpose of H's sensitivities to (Eb, EV) on the a' grid.
Eigen::VectorXd StationaryLinearisation::Impl::h_sensitivities(const Eigen::VectorXd& phi,
                                                               Eigen::MatrixXd& dY_dt,
                                                               Eigen::MatrixXd& devh) const {
  const Eigen::MatrixXd Phi = phi.reshaped(Na, Nz) * hp.P.transpose();
  dY_dt.resize(N, M);
  devh.resize(N, M);
  Eigen::MatrixXd gEb = Eigen::MatrixXd::Zero(Na, Nz), gEV = gEb;
  Eigen::RowVectorXd Y(M);
  for (int k = 0; k < N; ++k) {
    const int s = k / Na;
    for (int j = 0; j < M; ++j) {
      const int q = lo(k, j);
      Y(j) = sol.a_next(k, j) + (1.0 - t(k, j)) * Phi(q, s) + t(k, j) * Phi(q + 1, s);
      dY_dt(k, j) = h(q) + Phi(q + 1, s) - Phi(q, s);
    }
    devh.row(k) = sol.pi.row(k).array() * (Y.array() - sol.pi.row(k).dot(Y)) / hp.sigma;
    const double m = mass(k);
    for (int j = 0; j < M; ++j) {
      const int q = lo(k, j);
      const double w_t = m * (sol.pi(k, j) * dY_dt(k, j) + devh(k, j) * kappa(k, j));
      gEb(q, s) += w_t * t_lo(k, j);
      gEb(q + 1, s) += w_t * t_hi(k, j);
      gEV(q, s) += m * devh(k, j) * hp.beta * (1.0 - t(k, j));
      gEV(q + 1, s) += m * devh(k, j) * hp.beta * t(k, j);
    }
  }
  Eigen::VectorXd b(2 * N);
  b.head(N) = (c_m.array() * (gEb * hp.P).array()).matrix().reshaped();
  b.tail(N) = (gEV * hp.P).reshaped();
  return b;
}

// dA / dlog p_j = H_pj + nu' G_pj: only variety j's terms move with p_j (t by t_p).
Eigen::VectorXd StationaryLinearisation::Impl::price_gradient(const Eigen::VectorXd& nu,
                                                              const Eigen::MatrixXd& dY_dt,
                                                              const Eigen::MatrixXd& devh) const {
  Eigen::VectorXd gradient = Eigen::VectorXd::Zero(M);
  for (int k = 0; k < N; ++k) {
    const double om = scale_m(k) * nu(k), ov = nu(N + k);
    for (int j = 0; j < M; ++j) {
      const double pi = sol.pi(k, j), c = sol.c(k, j), tp = t_p(k, j);
      const double dv = -hp.prices(j) * mu(k, j) * c + kappa(k, j) * tp;
      const double dmu =
          mu(k, j) * ((hp.gamma - 1.0) + hp.gamma * h(lo(k, j)) * tp / (hp.prices(j) * c));
      const double dev = pi * (mu(k, j) - mu_new(k)) / hp.sigma;
      gradient(j) += mass(k) * (pi * dY_dt(k, j) * tp + devh(k, j) * dv) +
                     om * (pi * dmu + dev * dv) + ov * pi * dv;
    }
  }
  return gradient;
}

StationaryLinearisation::StationaryLinearisation(const HouseholdProblem& hp,
                                                 const HouseholdSolution& sol,
                                                 const Eigen::VectorXd& mass)
    : impl_(std::make_unique<Impl>(hp, sol, mass)) {}

StationaryLinearisation::~StationaryLinearisation() = default;

bool StationaryLinearisation::response(const ParameterMove& move, Aggregates& d,
                                       std::string& message, double tolerance) {
  Impl& L = *impl_;
  // A scaled block is s times the unscaled block with income and transfer divided by s.
  ParameterMove mv = move;
  mv.log_W -= move.log_scale;
  mv.tau -= L.hp.tau * move.log_scale;
  mv.log_scale = 0;
  PolicyResponse r;
  if (!L.policy_derivative(mv, tolerance, r)) {
    message = "linearisation: the policies' GMRES did not converge";
    return false;
  }
  Eigen::MatrixXd moved;
  L.direct_response(mv, r, d, moved);
  if (!L.distribution_response(moved, tolerance, d)) {
    message = "linearisation: the distribution's GMRES did not converge";
    return false;
  }
  if (move.log_scale != 0.0) {  // consumption and assets scale with the block
    d.expenditure += move.log_scale * L.expenditure;
    d.assets += move.log_scale * L.assets;
  }
  d.total_expenditure = d.expenditure.sum();
  if (!(d.expenditure.allFinite() && std::isfinite(d.assets))) {
    message = "linearisation: not finite";
    return false;
  }
  return true;
}

bool StationaryLinearisation::asset_gradient(Eigen::VectorXd& gradient, std::string& message,
                                             double tolerance) {
  Impl& L = *impl_;
  Eigen::VectorXd phi, nu;
  if (!L.expectation_vector(tolerance, phi)) {
    message = "asset gradient: the Poisson equation's GMRES did not converge";
    return false;
  }
  Eigen::MatrixXd dY_dt, devh;
  const Eigen::VectorXd b = L.h_sensitivities(phi, dY_dt, devh);
  if (!L.J.solve_transpose(b, nu, tolerance, 600, 2).converged) {  // (I - G_x)' nu = H_x'
    message = "asset gradient: the adjoint policy system's GMRES did not converge";
    return false;
  }
  gradient = L.price_gradient(nu, dY_dt, devh);
  if (!gradient.allFinite()) {
    message = "asset gradient: not finite";
    return false;
  }
  return true;
}

}  // namespace hat::household
