// Endogenous grid method (Carroll 2006) for the HAT household with a logit variety choice.
//
// Method. Given choice probabilities pi_k and consumption c_k on the grid, the generalised
// Euler equation (MODEL.md §1)
//     u'(c_j(a,s)) / p_j = beta R E_{s'} [ sum_k pi_k(a',s') u'(c_k(a',s')) / p_k ]
// is inverted on the grid of a' for every variety j and income state s, giving consumption and
// the endogenous current assets a~ = (p_j c + a' - lambda W z - tau) / (lambda R); a'(a) is
// interpolated back onto the grid; below a~(a'=a_min) the borrowing constraint binds. Because
// the continuation value V = sigma log sum_j exp((v_j + psi_j)/sigma) is a smoothed maximum of
// concave functions, a~ need not be monotone: such steps are detected and resolved with an
// upper envelope over the EGM segments (Iskhakov, Jorgensen, Rust & Schjerning 2017, QE;
// Druedahl & Jorgensen 2017, JEDC). Values are updated by modified policy iteration (Howard
// steps with the savings and choice policies held fixed, using the lottery operator), then one
// full logit step that also updates pi. Convergence is declared only when both the
// consumption policies and the choice-specific values have stopped moving.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/distribution/lottery.hpp"
#include "hat/household/household.hpp"
#include "hat/household/upper_envelope.hpp"
#include "hat/numerics/anderson.hpp"
#include "hat/numerics/logsumexp.hpp"

namespace hat::household {

void HouseholdProblem::validate() const {
  auto bad = [](const std::string& what) { throw InputError(what); };
  if (!(gamma > 0) || !std::isfinite(gamma)) bad("gamma must be > 0");
  if (!(beta > 0 && beta < 1)) bad("beta must be in (0, 1)");
  if (!(R > 0) || !std::isfinite(R)) bad("R must be > 0");
  if (!(W > 0) || !std::isfinite(W)) bad("W must be > 0");
  if (!(sigma > 0) || !std::isfinite(sigma)) bad("sigma_eps must be > 0");
  if (!(lambda > 0) || !std::isfinite(lambda)) bad("lambda (wealth scale) must be > 0");
  if (!std::isfinite(tau)) bad("tau must be finite");
  if (prices.size() < 1) bad("prices: need at least one variety");
  for (int j = 0; j < prices.size(); ++j)
    if (!(prices(j) > 0) || !std::isfinite(prices(j)))
      bad("prices: entry " + std::to_string(j + 1) + " must be a positive finite number");
  if (grid.size() < 2) bad("assets: the grid needs at least 2 points");
  for (int i = 1; i < grid.size(); ++i)
    if (!(grid(i) > grid(i - 1))) bad("asset grid must be strictly increasing (a_max > a_min)");
  if (z.size() < 1 || P.rows() != z.size() || P.cols() != z.size())
    bad("income chain: transition matrix must be Nz x Nz with Nz = number of states");
  for (int s = 0; s < z.size(); ++s) {
    if (!(z(s) > 0) || !std::isfinite(z(s))) bad("income chain: efficiency units must be > 0");
    double rs = 0;
    for (int t = 0; t < z.size(); ++t) {
      if (!(P(s, t) >= 0) || !std::isfinite(P(s, t)))
        bad("income chain: transition probabilities must be >= 0");
      rs += P(s, t);
    }
    if (std::abs(rs - 1.0) > 1e-12)
      bad("income chain: row " + std::to_string(s + 1) + " of the transition matrix sums to " +
          std::to_string(rs) + ", not 1");
  }
  if (quality.size() && (quality.rows() != z.size() || quality.cols() != prices.size()))
    bad("quality shifters must be Nz x M");
  // Feasibility at the borrowing limit: consuming must be possible in the worst state.
  const double zmin = z.minCoeff();
  if (!(lambda * (R * a_min() + W * zmin) + tau - a_min() > 0))
    bad("borrowing_limit too loose: at a_min the lowest-income household cannot consume "
        "(need lambda (R a_min + W z_min) + tau > a_min)");
}

namespace {

// Scratch space reused across iterations.
struct Work {
  Eigen::MatrixXd U, MU;  // u(c), u'(c): (Na*Nz) x M
  Eigen::MatrixXd Einv;   // (beta R E)^(-1/gamma), Na x Nz
  Eigen::MatrixXd EV;     // E_{s'} V(a', s'), Na x Nz
  Eigen::MatrixXd X;      // logit kernel
  Eigen::MatrixXi lo;     // bracket of a'_j(k) in the grid
  Eigen::MatrixXd t;      // weight on the upper bracketing point
  Eigen::VectorXd mu, Tev, b, rowmax, rowsum;
  Eigen::VectorXd atil, env_out;
  Eigen::MatrixXd c_old, v_old;
  Eigen::MatrixXd Ebase;              // beta R E_{s'} mu(a', s') = u'(c~)/p_j, Na x Nz
  Eigen::MatrixXd ratio;              // rho = r / (1 + r/2), r = Einv(q+1)/Einv(q) - 1
  Eigen::MatrixXd Emid;               // Ebase (1 + r/2)^(-gamma): u'/p_j at the midpoint
  Eigen::MatrixXi series_ok;          // 1: segment q is flat enough for the series, Na x Nz
  std::vector<unsigned char> direct;  // (k, j) whose u' needs pow (not on an EGM segment)
  distribution::LotteryOperator T;
};

// Binomial series of (1 + y)^(-gamma): b_0 = 1, b_n = b_{n-1} (-gamma - n + 1) / n.
// A fixed degree (unrolled Horner); segments too steep for it fall back to pow.
constexpr int kSeriesDegree = 12;

inline void locate(const double* g, int n, double x, int& lo, double& t) {
  int l = static_cast<int>(std::upper_bound(g, g + n, x) - g) - 1;
  l = std::clamp(l, 0, n - 2);
  lo = l;
  t = std::clamp((x - g[l]) / (g[l + 1] - g[l]), 0.0, 1.0);
}

}  // namespace

HouseholdSolution solve_household(const HouseholdProblem& hp, const SolveOptions& opt,
                                  const HouseholdSolution* warm) {
  hp.validate();
  Timer timer;
  const int Na = hp.Na(), Nz = hp.Nz(), M = hp.M(), N = Na * Nz;
  const double* g = hp.grid.data();
  const double a_min = hp.a_min(), a_max = hp.a_max();
  const bool log_u = (hp.gamma == 1.0);
  const double inv_gamma = 1.0 / hp.gamma;

  HouseholdSolution sol;
  sol.Na = Na;
  sol.Nz = Nz;
  sol.M = M;
  Work w;
  w.lo.resize(N, M);
  w.t.resize(N, M);

  // Resources by state: lambda (R a + W z) + tau.
  Eigen::VectorXd cash(N);
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i)
      cash(s * Na + i) = hp.lambda * (hp.R * g[i] + hp.W * hp.z(s)) + hp.tau;
  // Expenditure factor p_j^(1 - 1/gamma): x~ = p_j c~ = p_j^(1-1/gamma) (beta R E)^(-1/gamma).
  Eigen::VectorXd xfac(M), inv_p(M);
  for (int j = 0; j < M; ++j) {
    xfac(j) = std::pow(hp.prices(j), 1.0 - inv_gamma);
    inv_p(j) = 1.0 / hp.prices(j);
  }
  Eigen::MatrixXd psi = Eigen::MatrixXd::Zero(N, M);
  if (hp.quality.size())
    for (int s = 0; s < Nz; ++s)
      for (int j = 0; j < M; ++j) psi.col(j).segment(s * Na, Na).setConstant(hp.quality(s, j));

  const bool use_warm = warm && warm->Na == Na && warm->Nz == Nz && warm->M == M &&
                        warm->c.rows() == N && warm->V.size() == N;
  sol.c.resize(N, M);
  if (use_warm) {
    sol.a_next = warm->a_next;
    sol.v = warm->v;
    sol.pi = warm->pi;
    sol.V = warm->V;
  } else {
    // Start from "consume everything above the borrowing limit".
    sol.a_next = Eigen::MatrixXd::Constant(N, M, a_min);
    sol.v.resize(N, M);
    sol.pi.resize(N, M);
    sol.V.resize(N);
  }
  // Consumption consistent with the budget at these prices (wages, R may have changed).
  for (int j = 0; j < M; ++j)
    for (int k = 0; k < N; ++k) {
      double ap = sol.a_next(k, j);
      if (!((cash(k) - ap) > 0)) ap = a_min;
      sol.a_next(k, j) = ap;
      sol.c(k, j) = (cash(k) - ap) * inv_p(j);
      locate(g, Na, ap, w.lo(k, j), w.t(k, j));
    }

  // u and u' of the current consumption (vectorised log/exp: deterministic for a given ISA).
  auto refresh_utility = [&]() {
    w.U = sol.c.array().log().matrix();
    if (log_u) {
      w.MU = sol.c.array().inverse().matrix();
    } else {
      w.MU = (w.U.array() * (-hp.gamma)).exp().matrix();
      w.U = (sol.c.array() * w.MU.array() * (1.0 / (1.0 - hp.gamma))).matrix();
    }
  };
  refresh_utility();

  // u'(c) on the grid without log/exp per point. On EGM segment q of income state s,
  // consumption is the linear interpolation of the segment's end points,
  // c = p_j^(-1/gamma) Einv_q (1 + t r) with r = Einv_{q+1}/Einv_q - 1, and
  // Einv_q^(-gamma) = beta R E mu_q = Ebase_q, so u'(c) = p_j Ebase_q (1 + t r)^(-gamma),
  // with the last factor summed as a binomial series (about the segment's midpoint) to below
  // 1e-17 relative. Points off the segments (borrowing limit, a_max cap, upper envelope) and
  // steep segments use pow.
  std::array<double, kSeriesDegree + 2> bcoef{};
  bcoef[0] = 1.0;
  for (int n = 1; n <= kSeriesDegree + 1; ++n) bcoef[n] = bcoef[n - 1] * (-hp.gamma - n + 1) / n;
  // Largest |y| for which the truncation error of the degree-K sum (K = kSeriesDegree) is below
  // 1e-17 relative. For n > K, |b_{n+1}/b_n| = (gamma + n)/(n + 1) <= g := max(1, (gamma + K +
  // 1)/(K + 2)), so the tail is at most |b_{K+1}| x^(K+1) / (1 - g x).
  const double gk = std::max(1.0, (hp.gamma + kSeriesDegree + 1) / (kSeriesDegree + 2));
  double series_radius = 0.0;
  for (double x = 0.25; x > 1e-4; x *= 0.97)
    if (gk * x < 1 && std::abs(bcoef[kSeriesDegree + 1]) * std::pow(x, kSeriesDegree + 1) <=
                          1e-17 * (1 - gk * x)) {
      series_radius = x;
      break;
    }
  auto within_radius = [&](double y) { return std::abs(y) <= series_radius ? 1 : 0; };
  const double inv_1mg = log_u ? 0.0 : 1.0 / (1.0 - hp.gamma);
  auto refresh_utility_segments = [&]() {
    for (int j = 0; j < M; ++j) {
      const double pj = hp.prices(j);
      for (int k = 0; k < N; ++k) {
        const double c = sol.c(k, j);
        double mu;
        if (w.direct[static_cast<size_t>(j) * N + k]) {
          mu = std::pow(c, -hp.gamma);
        } else {
          const int s = k / Na, q = w.lo(k, j);
          const double y = (w.t(k, j) - 0.5) * w.ratio(q, s);
          double acc = bcoef[kSeriesDegree];
          for (int n = kSeriesDegree - 1; n >= 0; --n) acc = acc * y + bcoef[n];
          mu = pj * w.Emid(q, s) * acc;
        }
        w.MU(k, j) = mu;
        w.U(k, j) = c * mu * inv_1mg;
      }
    }
  };

  // V = sigma log sum_j exp((v_j + psi_j)/sigma) and pi = softmax, max-shifted so every
  // exponent is <= 0 (finite for any gap; underflow gives pi = 0, never NaN).
  const double inv_sigma = 1.0 / hp.sigma;
  // Row reductions run column by column (contiguous, vectorised) in a fixed order.
  const bool has_psi = hp.quality.size() > 0;
  auto logit_step = [&]() {
    if (has_psi)
      w.X = sol.v + psi;
    else
      w.X = sol.v;
    w.rowmax = w.X.col(0);
    for (int j = 1; j < M; ++j) w.rowmax = w.rowmax.cwiseMax(w.X.col(j));
    for (int j = 0; j < M; ++j) w.X.col(j) = (w.X.col(j) - w.rowmax) * inv_sigma;
    w.X = w.X.array().exp().matrix();  // plain matrix operand: vectorised exp
    w.rowsum = w.X.col(0);
    for (int j = 1; j < M; ++j) w.rowsum += w.X.col(j);
    sol.V = w.rowmax.array() + hp.sigma * w.rowsum.array().log();
    w.rowsum = w.rowsum.cwiseInverse();
    for (int j = 0; j < M; ++j) sol.pi.col(j) = w.X.col(j).cwiseProduct(w.rowsum);
  };

  // Full logit step: v_j = u_j + beta EV(a'_j); V, pi = softmax((v + psi)/sigma) with the
  // max-shifted log-sum-exp. Leaves w.EV = E_{s'} V_old.
  auto full_value_step = [&]() {
    Eigen::Map<const Eigen::MatrixXd> Vm(sol.V.data(), Na, Nz);
    w.EV.noalias() = Vm * hp.P.transpose();
    for (int j = 0; j < M; ++j)
      for (int s = 0; s < Nz; ++s) {
        const double* ev = w.EV.col(s).data();
        for (int i = 0; i < Na; ++i) {
          const int k = s * Na + i;
          const int l = w.lo(k, j);
          const double tt = w.t(k, j);
          sol.v(k, j) = w.U(k, j) + hp.beta * (ev[l] + tt * (ev[l + 1] - ev[l]));
        }
      }
    logit_step();
  };

  if (!use_warm) {
    // Initial values: the value of keeping the initial policy forever.
    sol.v = w.U / (1.0 - hp.beta);
    logit_step();
  }

  w.atil.resize(Na);
  int iter = 0;
  double dc = std::numeric_limits<double>::infinity(), dv = dc;
  sol.report.status = SolverStatus::IterationLimit;
  bool failed = false;
  std::string fail_msg;

  // The iteration's state is x = (m, V) on the Na x Nz grid, m = mu^(-1/gamma) with mu the
  // marginal value sum_j pi_j u'(c_j) / p_j (in consumption units, like the tolerance on c).
  // Everything else (policies, v_j, pi) follows from x in one step, so x is what the Anderson
  // mixer accelerates: 2 Na Nz numbers instead of the (Na Nz) x M policies.
  auto marginal_state = [&](Eigen::VectorXd& out) {
    out.resize(2 * N);
    w.mu.noalias() = (sol.pi.array() * w.MU.array()).matrix() * inv_p;
    out.head(N) = (w.mu.array().log() * (-inv_gamma)).exp().matrix();
    out.tail(N) = sol.V;
  };
  Eigen::VectorXd x, gx, xnext;
  if (use_warm && warm->mu.size() == N && warm->mu.minCoeff() > 0 && warm->mu.allFinite()) {
    // The previous fixed point's marginal value of wealth and value: closer to the new fixed
    // point than the old policies re-priced at the new prices.
    x.resize(2 * N);
    x.head(N) = (warm->mu.array().log() * (-inv_gamma)).exp().matrix();
    x.tail(N) = warm->V;
  } else {
    marginal_state(x);
  }
  numerics::AndersonMixer mixer(std::max(opt.anderson_depth, 1));

  w.c_old.resize(N, M);
  w.v_old.resize(N, M);
  for (iter = 1; iter <= opt.max_iterations; ++iter) {
    // The EGM step and the value step overwrite every entry of c and v: swap, do not copy.
    w.c_old.swap(sol.c);
    w.v_old.swap(sol.v);
    // Expected discounted marginal value of wealth on the a' grid.
    w.mu = (x.head(N).array().log() * (-hp.gamma)).exp().matrix();
    sol.V = x.tail(N);
    Eigen::Map<const Eigen::MatrixXd> mum(w.mu.data(), Na, Nz);
    w.Ebase.noalias() = (hp.beta * hp.R) * (mum * hp.P.transpose());
    w.Einv = (w.Ebase.array().log() * (-inv_gamma)).exp().matrix();
    if (!log_u) {
      w.ratio.resize(Na, Nz);
      w.series_ok.resize(Na, Nz);
      w.Emid.resize(Na, Nz);
      // Expanded about the segment's midpoint: (1 + t r)^(-gamma) =
      // (1 + r/2)^(-gamma) (1 + (t - 1/2) rho)^(-gamma), rho = r / (1 + r/2), |(t - 1/2) rho|
      // <= |rho|/2, which halves the series length.
      for (int s = 0; s < Nz; ++s) {
        for (int q = 0; q + 1 < Na; ++q) {
          const double r = w.Einv(q + 1, s) / w.Einv(q, s) - 1.0;
          w.ratio(q, s) = r / (1.0 + 0.5 * r);
          w.series_ok(q, s) = within_radius(0.5 * w.ratio(q, s));
          w.Emid(q, s) = 1.0 + 0.5 * r;
        }
        w.ratio(Na - 1, s) = 0.0;
        w.series_ok(Na - 1, s) = 0;
        w.Emid(Na - 1, s) = 1.0;
      }
      w.Emid = w.Ebase.cwiseProduct((w.Emid.array().log() * (-hp.gamma)).exp().matrix());
      w.direct.assign(static_cast<size_t>(N) * M, 0);
    }
    Eigen::Map<const Eigen::MatrixXd> Vm(sol.V.data(), Na, Nz);
    w.EV.noalias() = Vm * hp.P.transpose();

    sol.envelope_steps = 0;
    const double inv_lR = 1.0 / (hp.lambda * hp.R);
    for (int j = 0; j < M; ++j) {
      const double pj = hp.prices(j);
      for (int s = 0; s < Nz; ++s) {
        const double base = hp.lambda * hp.W * hp.z(s) + hp.tau;
        const double* einv = w.Einv.col(s).data();
        const double* ev = w.EV.col(s).data();
        bool monotone = true;
        for (int q = 0; q < Na; ++q) {
          w.atil(q) = (xfac(j) * einv[q] + g[q] - base) * inv_lR;
          if (q > 0 && !(w.atil(q) > w.atil(q - 1))) monotone = false;
        }
        if (monotone || !opt.upper_envelope) {
          // a'(a) is increasing here, so both brackets are found by forward sweeps.
          // On EGM segment q (a~_q <= a <= a~_{q+1}), a' = g_q + t (g_{q+1} - g_q) lies in
          // [g_q, g_{q+1}]: its grid bracket is q itself with weight t.
          unsigned char* direct = log_u ? nullptr : w.direct.data() + static_cast<size_t>(j) * N;
          int seg = 0;
          for (int i = 0; i < Na; ++i) {
            const int k = s * Na + i;
            const double a = g[i];
            double ap, tt;
            int gl;
            if (a <= w.atil(0)) {  // borrowing constraint binds
              ap = a_min;
              gl = 0;
              tt = 0.0;
              if (direct) direct[k] = 1;
            } else {
              while (seg < Na - 2 && w.atil(seg + 1) <= a) ++seg;
              tt = (a - w.atil(seg)) / (w.atil(seg + 1) - w.atil(seg));
              if (tt <= 1.0) {
                ap = g[seg] + tt * (g[seg + 1] - g[seg]);
                gl = seg;
                if (direct && !w.series_ok(seg, s)) direct[k] = 1;
              } else {  // beyond the last segment: a' capped at a_max
                ap = a_max;
                gl = Na - 2;
                tt = 1.0;
                if (direct) direct[k] = 1;
              }
            }
            w.lo(k, j) = gl;
            w.t(k, j) = tt;
            sol.a_next(k, j) = ap;
            sol.c(k, j) = (cash(k) - ap) * inv_p(j);
          }
        } else {
          // Upper envelope over all EGM segments (and the constrained choice below a~_0).
          ++sol.envelope_steps;
          EnvelopeInput in;
          in.grid = std::span<const double>(g, Na);
          in.atil = std::span<const double>(w.atil.data(), Na);
          in.ev = std::span<const double>(ev, Na);
          in.cash = std::span<const double>(cash.data() + s * Na, Na);
          in.price = pj;
          in.beta = hp.beta;
          in.utility = [&](double c) {
            return log_u ? std::log(c) : std::pow(c, 1.0 - hp.gamma) / (1.0 - hp.gamma);
          };
          w.env_out.resize(Na);
          upper_envelope(in, std::span<double>(w.env_out.data(), Na));
          for (int i = 0; i < Na; ++i) {
            const int k = s * Na + i;
            const double ap = w.env_out(i);
            if (!log_u) w.direct[static_cast<size_t>(j) * N + k] = 1;
            sol.a_next(k, j) = ap;
            sol.c(k, j) = (cash(k) - ap) * inv_p(j);
            locate(g, Na, ap, w.lo(k, j), w.t(k, j));
          }
        }
      }
    }
    // Feasibility guard: never continue with non-positive or non-finite consumption.
    if (!(sol.c.minCoeff() > 0) || !sol.c.allFinite()) {
      failed = true;
      fail_msg = "non-positive or non-finite consumption in the EGM step";
      break;
    }
    if (log_u)
      refresh_utility();
    else
      refresh_utility_segments();

    // Full logit step (updates v and pi), then Howard steps with (a', pi) fixed. The full step
    // leaves w.EV = E V_old; by the logit identity v_j + psi_j - sigma log pi_j = V for every
    // j, the per-period payoff b = sum_j pi_j (u_j + psi_j - sigma log pi_j) equals
    // V_new - beta T EV_old, computed without logs (never NaN when some pi_j underflows to 0).
    full_value_step();
    if (opt.howard_steps > 0) {
      w.T.build(Na, w.lo, w.t, sol.pi);
      w.T.apply_backward(w.EV, w.Tev);
      w.b = sol.V - hp.beta * w.Tev;
      for (int h = 0; h < opt.howard_steps; ++h) {
        Eigen::Map<const Eigen::MatrixXd> Vh(sol.V.data(), Na, Nz);
        w.EV.noalias() = Vh * hp.P.transpose();
        w.T.apply_backward(w.EV, w.Tev);
        sol.V = w.b + hp.beta * w.Tev;
      }
    }

    dc = (sol.c - w.c_old).cwiseAbs().maxCoeff();
    dv = (sol.v - w.v_old).cwiseAbs().maxCoeff();
    const double vscale = std::max(1.0, sol.v.cwiseAbs().maxCoeff());
    if (!std::isfinite(dc) || !std::isfinite(dv)) {
      failed = true;
      fail_msg = "non-finite policy or value";
      break;
    }
    if (dc < opt.tolerance && dv < opt.value_tolerance * vscale) {
      sol.report.status = SolverStatus::Converged;
      break;
    }
    marginal_state(gx);
    if (opt.anderson_depth > 0) {
      mixer.step(x, gx, xnext);
      // The mixed marginal values must stay positive; otherwise take the plain step.
      if (!(xnext.head(N).minCoeff() > 0) || !xnext.allFinite()) {
        mixer.reset();
        xnext = gx;
      }
      std::swap(x, xnext);
    } else {
      std::swap(x, gx);
    }
  }
  // Leave v, V and pi mutually consistent (one more Bellman step at the final policies).
  if (!failed) {
    w.v_old = sol.v;
    full_value_step();
    dv = std::max(dv, (sol.v - w.v_old).cwiseAbs().maxCoeff());
  }
  if (!failed) sol.mu = (sol.pi.array() * w.MU.array()).matrix() * inv_p;
  sol.sup_dc = dc;
  sol.sup_dv = dv;
  sol.report.iterations = std::min(iter, opt.max_iterations);
  sol.report.residual = dc;
  sol.report.seconds = timer.seconds();
  if (failed) {
    sol.report.status = SolverStatus::Failed;
    sol.report.message = fail_msg;
  } else if (sol.report.status == SolverStatus::IterationLimit) {
    sol.report.message = "household: iteration limit reached (sup|dc| = " + std::to_string(dc) +
                         ", sup|dv| = " + std::to_string(dv) + ")";
  } else {
    sol.report.message = "household: converged";
  }
  return sol;
}

}  // namespace hat::household
