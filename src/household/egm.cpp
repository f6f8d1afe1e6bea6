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
// Druedahl & Jorgensen 2017, JEDC).
//
// Iteration. One iteration is one sweep over the states: at each (a, s) the EGM policies of
// all varieties, their values v_j = u(c_j) + beta E V(a'_j), the logit step (V, pi) and the new
// marginal value of wealth. The sweep is Gauss-Seidel in the marginal value (income states in
// order, asset points upwards, each new value used at once by the points above), which carries
// what is learnt near the borrowing limit up the grid within one sweep. Values are then
// improved by modified policy iteration (Howard steps with the savings and choice policies held
// fixed, using the lottery operator), and the state (marginal value, value) is accelerated by
// Anderson mixing (Walker & Ni 2011). Near the fixed point (at once from a warm start) the
// iteration switches to Newton steps: plain (Jacobi) sweeps that also record the sweep's
// analytic Jacobian (sweep_jacobian.hpp), each followed by a GMRES solve of the Newton system,
// which converges quadratically where the accelerated sweeps converge linearly. Convergence is
// declared only when both the consumption policies and the choice-specific values have
// stopped moving between two sweeps.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/household/household.hpp"
#include "hat/household/upper_envelope.hpp"
#include "hat/numerics/anderson.hpp"
#include "hat/numerics/binomial_series.hpp"
#include "hat/numerics/logsumexp.hpp"
#include "hat/numerics/lottery.hpp"
#include "sweep_jacobian.hpp"

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
  Eigen::MatrixXd v_old;
  Eigen::MatrixXd Ebase;       // beta R E_{s'} mu(a', s') = u'(c~)/p_j, Na x Nz
  Eigen::MatrixXd ratio;       // rho = r / (1 + r/2), r = Einv(q+1)/Einv(q) - 1
  Eigen::MatrixXd Emid;        // Ebase (1 + r/2)^(-gamma): u'/p_j at the midpoint
  Eigen::MatrixXd EinvOverEb;  // Einv / Ebase (Newton sweeps' Jacobian)
  Eigen::MatrixXi series_ok;   // 1: segment q is flat enough for the series, Na x Nz
  numerics::LotteryOperator T;
};

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
  Eigen::MatrixXd psi;  // psi_j(s) by state, (Na*Nz) x M, only when quality shifters are given
  if (hp.quality.size()) {
    psi.resize(N, M);
    for (int s = 0; s < Nz; ++s)
      for (int j = 0; j < M; ++j) psi.col(j).segment(s * Na, Na).setConstant(hp.quality(s, j));
  }

  const bool use_warm = warm && warm->Na == Na && warm->Nz == Nz && warm->M == M &&
                        warm->c.rows() == N && warm->V.size() == N;
  // A warm start from the previous fixed point's marginal value of wealth and value: closer to
  // the new fixed point than the old policies re-priced at the new prices.
  const bool warm_mu = use_warm && warm->mu.size() == N && warm->mu.minCoeff() > 0 &&
                       warm->mu.allFinite() && warm->V.allFinite();
  sol.c.resize(N, M);
  w.U.resize(N, M);
  if (use_warm) {
    sol.a_next = warm->a_next;
    sol.v = warm->v;
    if (warm_mu) {
      sol.pi.resize(N, M);
      sol.V.resize(N);
    } else {
      sol.pi = warm->pi;
      sol.V = warm->V;
    }
  } else {
    // Start from "keep 90% of wealth above the borrowing limit" (the values below are those of
    // keeping this policy forever). Closer to the solution than consuming everything above
    // a_min: 1-3 fewer iterations on the benchmark problems.
    sol.a_next.resize(N, M);
    for (int j = 0; j < M; ++j)
      for (int s = 0; s < Nz; ++s)
        for (int i = 0; i < Na; ++i) sol.a_next(s * Na + i, j) = a_min + 0.9 * (g[i] - a_min);
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

  // u'(c) on the grid without log/exp per point. On EGM segment q of income state s,
  // consumption is the linear interpolation of the segment's end points,
  // c = p_j^(-1/gamma) Einv_q (1 + t r) with r = Einv_{q+1}/Einv_q - 1, and
  // Einv_q^(-gamma) = beta R E mu_q = Ebase_q, so u'(c) = p_j Ebase_q (1 + t r)^(-gamma),
  // with the last factor summed as a binomial series (about the segment's midpoint) to below
  // 1e-17 relative. Points off the segments (borrowing limit, a_max cap, upper envelope) and
  // steep segments use pow.
  const numerics::BinomialSeries binomial_series(hp.gamma);
  const double inv_1mg = log_u ? 0.0 : 1.0 / (1.0 - hp.gamma);
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
  Eigen::VectorXd x, gx, xnext, rhs;
  if (warm_mu) {
    x.resize(2 * N);
    x.head(N) = (warm->mu.array().log() * (-inv_gamma)).exp().matrix();
    x.tail(N) = warm->V;
  } else {
    refresh_utility();
    if (!use_warm) {
      // Initial values: the value of keeping the initial policy forever.
      sol.v = w.U / (1.0 - hp.beta);
      logit_step();
    }
    marginal_state(x);
  }
  numerics::AndersonMixer mixer(std::max(opt.anderson_depth, 1));

  // Scratch of the sweep over one income state: the upper-envelope savings of varieties whose
  // endogenous grid is not monotone, a backup of the state's rows of c and v (restored if the
  // state must be redone with the envelope), and per-point buffers over the varieties.
  std::vector<double> env_s(static_cast<size_t>(M) * Na), at_full(Na);
  std::vector<double> c_bak(static_cast<size_t>(M) * Na), v_bak(static_cast<size_t>(M) * Na);
  std::vector<unsigned char> envelope_j(M), have_einv(Na), have_seg(Na);
  std::vector<int> seg(M);
  std::vector<double> at0(M), at_lo(M), at_hi(M);  // a~_0, a~_seg, a~_{seg+1} by variety
  std::vector<unsigned char> monotone(M);
  std::vector<double> pi_k(M), c_b(M), y_b(M), ser_b(M), mu_b(M), x_b(M), e_b(M), t_b(M);
  std::vector<int> lo_b(M);
  std::vector<unsigned char> pow_b(M);
  std::vector<double> width_b(M);  // a~ width of the EGM segment used; 0 off the segments
  SweepJacobian jac;
  Eigen::VectorXd dx;
  // Newton steps from the first sweep of a warm start, or once the residual is small.
  bool newton_on = opt.newton && warm_mu;
  double r_prev = std::numeric_limits<double>::infinity();
  bool ended_on_newton = false;
  int newton_failures = 0;
  Eigen::VectorXd mu_new(N), V_new(N);
  Eigen::MatrixXd mu_w(Na, Nz);  // marginal values, overwritten as the sweep updates them
  w.Ebase.resize(Na, Nz);
  w.Einv.resize(Na, Nz);
  w.ratio.resize(Na, Nz);
  w.series_ok.resize(Na, Nz);
  w.Emid.resize(Na, Nz);
  const double inv_lR = 1.0 / (hp.lambda * hp.R);
  const double bR = hp.beta * hp.R;

  const int max_iterations = std::max(1, opt.max_iterations);
  for (iter = 1; iter <= max_iterations; ++iter) {
    if (opt.on_iteration) opt.on_iteration(iter, dc);
    mu_w = (x.head(N).array().log() * (-hp.gamma)).exp().matrix().reshaped(Na, Nz);
    Eigen::Map<const Eigen::MatrixXd> Vm(x.data() + N, Na, Nz);
    w.EV.noalias() = Vm * hp.P.transpose();

    // Gauss-Seidel sweep. Income states in order, asset points upwards; each point's new
    // marginal value of wealth replaces the old one at once, so later points (and states) use
    // it. beta R E mu on the a' grid, and with it the EGM grids, is computed on first use,
    // once per sweep. Households who run their wealth down (a' < a) thus see this sweep's
    // values below them: what the sweep learns near the borrowing limit travels up the whole
    // grid in one iteration instead of one step of dissaving per iteration. The fixed point
    // is the one of the plain (Jacobi) iteration; only the path to it changes.
    // The first sweep of a cold start is a plain (Jacobi) one: from the initial guess, a sweep
    // mixing old and new values folds endogenous grids (19 (variety, state) pairs on the
    // reference problem, each an upper envelope and a redone state) and saves no iteration.
    // A Newton sweep is a plain one (the Jacobian is that of the Jacobi map) that records
    // the Jacobian's rows.
    const bool newton_it = newton_on;
    const bool gauss_seidel = opt.gauss_seidel && (iter > 1 || warm_mu) && !newton_it;
    // Once the residual is small, the next Newton step's own error is far below the
    // tolerance with the Jacobian already at hand (a chord step): the sweep need not record
    // a new one.
    const bool record_jacobian = newton_it && !(r_prev < opt.newton_chord_below);
    // After a step below 1% of the tolerance the sweep is expected only to confirm that c
    // and v no longer move: a check sweep computes them, compares them with the last sweep's
    // and stores nothing (no logit step either), so the solution is the last full sweep's.
    // Should the check fail, the next sweep is a full one at the same point.
    const bool check_only = newton_it && r_prev < 1e-2 * opt.tolerance;
    if (record_jacobian) {
      jac.reset(Na, Nz, M);
      jac.set_input(x.head(N), mu_w.reshaped(), hp.gamma, bR, hp.P);
    }
    sol.envelope_steps = 0;
    if (opt.howard_steps > 0 && !newton_it) w.T.reset(Na, Nz, M);
    dc = 0.0;
    dv = 0.0;
    double vabs = 0.0;
    if (!gauss_seidel) {
      // A plain sweep reads only the input's marginal values: beta R E mu and its
      // (-1/gamma) power for all points at once, vectorised.
      w.Ebase.noalias() = mu_w * hp.P.transpose();
      w.Ebase *= bR;
      w.Einv = (w.Ebase.array().log() * -inv_gamma).exp().matrix();
      if (record_jacobian) w.EinvOverEb = w.Einv.cwiseQuotient(w.Ebase);
    }
    for (int s = 0; s < Nz && !failed; ++s) {
      const double base = hp.lambda * hp.W * hp.z(s) + hp.tau;
      const double* ev = w.EV.col(s).data();
      double* einv = w.Einv.col(s).data();
      const double* einv_eb = record_jacobian ? w.EinvOverEb.col(s).data() : nullptr;
      std::fill(have_einv.begin(), have_einv.end(), gauss_seidel ? 0 : 1);
      std::fill(have_seg.begin(), have_seg.end(), 0);
      auto ensure_einv = [&](int q) {
        if (!have_einv[q]) {
          double e = 0.0;
          for (int t = 0; t < Nz; ++t) e += hp.P(s, t) * mu_w(q, t);
          w.Ebase(q, s) = bR * e;
          einv[q] = std::exp(std::log(bR * e) * -inv_gamma);  // cheaper than pow here
          have_einv[q] = 1;
        }
      };
      // Endogenous current assets of grid point q for variety j.
      auto atil = [&](int j, int q) {
        ensure_einv(q);
        return (xfac(j) * einv[q] + g[q] - base) * inv_lR;
      };
      // Series data of EGM segment q (both end points known): see the u' comment above.
      auto ensure_segment = [&](int q) {
        if (!have_seg[q]) {
          ensure_einv(q);
          ensure_einv(q + 1);
          const double r = einv[q + 1] / einv[q] - 1.0;
          // Expanded about the segment's midpoint: (1 + t r)^(-gamma) =
          // (1 + r/2)^(-gamma) (1 + (t - 1/2) rho)^(-gamma), rho = r / (1 + r/2),
          // |(t - 1/2) rho| <= |rho|/2, which halves the series length.
          w.ratio(q, s) = r / (1.0 + 0.5 * r);
          w.series_ok(q, s) = binomial_series.covers(0.5 * w.ratio(q, s)) ? 1 : 0;
          // (1 + r/2)^(-gamma) by the same series when r/2 is within its radius.
          const double h = 0.5 * r;
          w.Emid(q, s) = w.Ebase(q, s) * (binomial_series.covers(h) ? binomial_series(h)
                                                                    : std::pow(1.0 + h, -hp.gamma));
          have_seg[q] = 1;
        }
      };
      for (int j = 0; j < M; ++j) {
        envelope_j[j] = 0;
        for (int i = 0; i < Na; ++i) {
          c_bak[static_cast<size_t>(j) * Na + i] = sol.c(s * Na + i, j);
          v_bak[static_cast<size_t>(j) * Na + i] = sol.v(s * Na + i, j);
        }
      }
      double dc_s = 0.0, dv_s = 0.0, vabs_s = 0.0;
      bool failed_s = false;
      for (int attempt = 0; attempt < 2; ++attempt) {
        dc_s = dv_s = vabs_s = 0.0;
        failed_s = false;
        for (int j = 0; j < M; ++j) {
          seg[j] = 0;
          at0[j] = at_lo[j] = atil(j, 0);
          at_hi[j] = atil(j, 1);
          monotone[j] = at_hi[j] > at_lo[j];
        }
        for (int i = 0; i < Na; ++i) {
          const int k = s * Na + i;
          const double a = g[i];
          // Pass 1: savings, brackets and consumption of every variety at (a_i, s).
          for (int j = 0; j < M; ++j) {
            double ap, tt;
            int gl;
            unsigned char use_pow = 1;  // u' by pow unless on a flat enough EGM segment
            if (envelope_j[j]) {
              ap = env_s[static_cast<size_t>(j) * Na + i];
              width_b[j] = 0.0;  // (the Jacobian treats envelope savings as fixed)
              locate(g, Na, ap, gl, tt);
            } else if (a <= at0[j]) {  // borrowing constraint binds
              width_b[j] = 0.0;
              ap = a_min;
              gl = 0;
              tt = 0.0;
            } else {
              // a'(a) is increasing here, so the segment is found by a forward sweep. On EGM
              // segment q (a~_q <= a <= a~_{q+1}), a' = g_q + t (g_{q+1} - g_q) lies in
              // [g_q, g_{q+1}]: its grid bracket is q itself with weight t.
              // (A non-monotone grid is caught here and the state redone; see below.)
              int q = seg[j];
              double lo_at = at_lo[j], hi = at_hi[j];
              while (q < Na - 2 && hi <= a) {
                ++q;
                lo_at = hi;
                hi = atil(j, q + 1);
                if (!(hi > lo_at)) monotone[j] = 0;
              }
              seg[j] = q;
              at_lo[j] = lo_at;
              at_hi[j] = hi;
              tt = (a - lo_at) / (hi - lo_at);
              width_b[j] = 0.0;
              if (tt <= 1.0) {
                width_b[j] = hi - lo_at;
                ap = g[q] + tt * (g[q + 1] - g[q]);
                gl = q;
                if (!log_u) {
                  ensure_segment(q);
                  use_pow = !w.series_ok(q, s);
                }
              } else {  // beyond the last segment: a' capped at a_max
                ap = a_max;
                gl = Na - 2;
                tt = 1.0;
              }
            }
            const double c = (cash(k) - ap) * inv_p(j);
            // Feasibility guard: never continue with non-positive or non-finite consumption.
            failed_s |= !(c > 0) | !std::isfinite(c);
            if (!check_only) sol.a_next(k, j) = ap;
            if (!newton_it) {  // (a Newton sweep's results need no closing Bellman step)
              w.lo(k, j) = gl;
              w.t(k, j) = tt;
            }
            lo_b[j] = gl;
            t_b[j] = tt;
            c_b[j] = c;
            pow_b[j] = use_pow;
            y_b[j] = use_pow ? 0.0 : (tt - 0.5) * w.ratio(gl, s);
          }
          if (failed_s) break;
          // Pass 2: the binomial series for u'(c), one independent Horner chain per variety.
          if (!log_u)
            for (int j = 0; j < M; ++j) ser_b[j] = binomial_series(y_b[j]);
          // Pass 3: u, u', the choice-specific values v_j = u_j + beta EV(a'_j), and the
          // changes of c and v since the last iteration.
          double xmax = -std::numeric_limits<double>::infinity();
          for (int j = 0; j < M; ++j) {
            const double c = c_b[j];
            const int gl = lo_b[j];
            const double tt = t_b[j];
            double mu, u;
            if (log_u) {
              mu = 1.0 / c;
              u = std::log(c);
            } else {
              mu = pow_b[j] ? std::pow(c, -hp.gamma) : hp.prices(j) * w.Emid(gl, s) * ser_b[j];
              u = c * mu * inv_1mg;
            }
            const double vj = u + hp.beta * (ev[gl] + tt * (ev[gl + 1] - ev[gl]));
            dc_s = std::max(dc_s, std::abs(c - sol.c(k, j)));
            dv_s = std::max(dv_s, std::abs(vj - sol.v(k, j)));
            vabs_s = std::max(vabs_s, std::abs(vj));
            if (check_only) continue;
            sol.c(k, j) = c;
            sol.v(k, j) = vj;
            if (!newton_it) w.U(k, j) = u;
            mu_b[j] = mu * inv_p(j);
            const double xj = has_psi ? vj + psi(k, j) : vj;
            x_b[j] = xj;
            xmax = std::max(xmax, xj);
          }
          if (check_only) continue;
          for (int j = 0; j < M; ++j) x_b[j] = (x_b[j] - xmax) * inv_sigma;
          // Pass 4: the logit step, max-shifted so every exponent is <= 0, then the marginal
          // value of wealth (which replaces the old one at once) and the lottery rows.
          Eigen::Map<Eigen::ArrayXd>(e_b.data(), M) =
              Eigen::Map<const Eigen::ArrayXd>(x_b.data(), M).exp();
          const double* e = e_b.data();
          const double* mub = mu_b.data();
          double sum = 0.0;
          for (int j = 0; j < M; ++j) sum += e[j];
          V_new(k) = xmax + hp.sigma * std::log(sum);
          const double inv_sum = 1.0 / sum;
          double m = 0.0;
          for (int j = 0; j < M; ++j) {
            pi_k[j] = e[j] * inv_sum;
            m += pi_k[j] * mub[j];
          }
          mu_new(k) = m;
          if (gauss_seidel) mu_w(i, s) = m;
          if (newton_it)
            for (int j = 0; j < M; ++j) sol.pi(k, j) = pi_k[j];
          if (record_jacobian) {
            // The Jacobian's row of this point. On EGM segment q the savings weight is
            // t = (a - a~_q) / (a~_{q+1} - a~_q), with a~_q = (xfac_j Eb_q^(-1/gamma) + g_q -
            // base) / (lambda R), so dt = A_q dEb_q + A_{q+1} dEb_{q+1}. Then, with
            // h = g_{q+1} - g_q and mu_j = u'(c_j) / p_j: dc_j = -h dt / p_j,
            // d mu_j = gamma mu_j h dt / (p_j c_j), dv_j = kappa_j dt + beta ((1 - t) dEV_q +
            // t dEV_{q+1}) with kappa_j = -mu_j h + beta (EV_{q+1} - EV_q). Off the segments
            // (borrowing limit, a_max cap, upper envelope) a'_j and c_j are held fixed and
            // only the EV term remains. The logit step gives dV = sum_j pi_j dv_j and, with
            // m = sum_j pi_j mu_j, dm = sum_j pi_j d mu_j + sum_j pi_j (mu_j - m) dv_j / sigma;
            // the state's new entry is m^(-1/gamma), so the row of dm is scaled after the
            // sweep by -m^(-1/gamma) / (gamma m).
            for (int j = 0; j < M; ++j) {
              const int gl = lo_b[j];
              const double tt = t_b[j], pj = pi_k[j], muj = mu_b[j];
              const double dev = pj * (muj - m) * inv_sigma;  // dm / dv_j
              const double ev_lo = hp.beta * (1.0 - tt), ev_hi = hp.beta * tt;
              double eb_lo_m = 0.0, eb_hi_m = 0.0, eb_lo_v = 0.0, eb_hi_v = 0.0;
              if (width_b[j] > 0.0) {
                const double h = g[gl + 1] - g[gl];
                const double kappa = -muj * h + hp.beta * (ev[gl + 1] - ev[gl]);
                const double dt_v = pj * kappa;
                // One division for both 1/c and 1/width (divisions dominate this pass).
                const double inv_wc = 1.0 / (width_b[j] * c_b[j]);
                const double dt_m =
                    pj * hp.gamma * muj * h * inv_p(j) * width_b[j] * inv_wc + dev * kappa;
                const double f = xfac(j) * inv_gamma * inv_lR * c_b[j] * inv_wc;
                const double a_lo = (1.0 - tt) * f * einv_eb[gl];
                const double a_hi = tt * f * einv_eb[gl + 1];
                eb_lo_m = dt_m * a_lo;
                eb_hi_m = dt_m * a_hi;
                eb_lo_v = dt_v * a_lo;
                eb_hi_v = dt_v * a_hi;
              }
              jac.add(gl, eb_lo_m, dev * ev_lo, eb_lo_v, pj * ev_lo);
              jac.add(gl + 1, eb_hi_m, dev * ev_hi, eb_hi_v, pj * ev_hi);
            }
            jac.end_row(k);
          }
          if (opt.howard_steps > 0 && !newton_it)
            w.T.push_row(k, lo_b.data(), t_b.data(), pi_k.data(), M);
        }
        if (attempt == 1) break;
        // Is every variety's endogenous grid of this state monotone (over the whole grid, with
        // the values this sweep used)? If not, and the upper envelope is on, redo the state
        // with the envelope for those varieties.
        int n_env = 0;
        if (opt.upper_envelope) {
          for (int j = 0; j < M; ++j) {
            // Pairs up to seg + 1 were checked on the way; check the rest of the grid.
            double prev = at_hi[j];
            for (int q = seg[j] + 2; q < Na && monotone[j]; ++q) {
              const double cur = atil(j, q);
              if (!(cur > prev)) monotone[j] = 0;
              prev = cur;
            }
            if (!monotone[j]) {
              envelope_j[j] = 1;
              ++n_env;
            }
          }
        }
        if (n_env == 0) break;
        sol.envelope_steps += n_env;
        for (int j = 0; j < M; ++j) {
          for (int i = 0; i < Na; ++i) {
            sol.c(s * Na + i, j) = c_bak[static_cast<size_t>(j) * Na + i];
            sol.v(s * Na + i, j) = v_bak[static_cast<size_t>(j) * Na + i];
          }
          if (!envelope_j[j]) continue;
          // Upper envelope over all EGM segments (and the constrained choice below a~_0).
          for (int q = 0; q < Na; ++q) at_full[q] = atil(j, q);
          EnvelopeInput in;
          in.grid = std::span<const double>(g, Na);
          in.atil = std::span<const double>(at_full.data(), Na);
          in.ev = std::span<const double>(ev, Na);
          in.cash = std::span<const double>(cash.data() + s * Na, Na);
          in.price = hp.prices(j);
          in.beta = hp.beta;
          in.utility = [&](double c) {
            return log_u ? std::log(c) : std::pow(c, 1.0 - hp.gamma) / (1.0 - hp.gamma);
          };
          upper_envelope(in, std::span<double>(env_s.data() + static_cast<size_t>(j) * Na, Na));
        }
      }
      if (failed_s) {
        failed = true;
        fail_msg = "non-positive or non-finite consumption in the EGM step";
        break;
      }
      dc = std::max(dc, dc_s);
      dv = std::max(dv, dv_s);
      vabs = std::max(vabs, vabs_s);
    }
    if (failed) break;
    if (!std::isfinite(dc) || !std::isfinite(dv) || !mu_new.allFinite() || !V_new.allFinite()) {
      failed = true;
      fail_msg = "non-finite policy or value";
      break;
    }
    sol.V = V_new;

    // Howard steps with (a', pi) fixed. w.EV = E V_old; by the logit identity
    // v_j + psi_j - sigma log pi_j = V for every j, the per-period payoff
    // b = sum_j pi_j (u_j + psi_j - sigma log pi_j) equals V_new - beta T EV_old, computed
    // without logs (never NaN when some pi_j underflows to 0).
    if (opt.howard_steps > 0 && !newton_it) {
      w.T.apply_backward(w.EV, w.Tev);
      w.b = sol.V - hp.beta * w.Tev;
      for (int h = 0; h < opt.howard_steps; ++h) {
        Eigen::Map<const Eigen::MatrixXd> Vh(sol.V.data(), Na, Nz);
        w.EV.noalias() = Vh * hp.P.transpose();
        w.T.apply_backward(w.EV, w.Tev);
        sol.V = w.b + hp.beta * w.Tev;
      }
    }

    const double vscale = std::max(1.0, vabs);
    ended_on_newton = newton_it;
    if (dc < opt.tolerance && dv < opt.value_tolerance * vscale) {
      sol.report.status = SolverStatus::Converged;
      break;
    }
    if (check_only) {  // not confirmed: a full sweep at the same point next
      r_prev = std::numeric_limits<double>::infinity();
      continue;
    }
    gx.resize(2 * N);
    gx.head(N) = (mu_new.array().log() * (-inv_gamma)).exp().matrix();
    gx.tail(N) = sol.V;
    if (record_jacobian)
      jac.set_output_scale((-inv_gamma * gx.head(N).array() / mu_new.array()).matrix());
    rhs = gx - x;  // the fixed-point residual (the Newton step's right-hand side)
    const double r_now = rhs.cwiseAbs().maxCoeff();
    if (newton_it && !(r_now < r_prev)) {
      // The Newton step did not reduce the residual (too far from the fixed point, or the
      // linearisation is poor where the upper envelope acts): back to accelerated sweeps,
      // and Newton steps again only from a ten times smaller residual (never after two
      // failures), so that the two cannot alternate without progress.
      newton_on = false;
      ++newton_failures;
      mixer.reset();
    } else if (!newton_on && opt.newton && newton_failures < 2 &&
               r_now < opt.newton_threshold * std::pow(0.1, newton_failures)) {
      newton_on = true;  // from the next sweep on
    }
    if (newton_it && newton_on) {
      // Newton step: (I - J) dx = G(x) - x. The linear solve need not be more accurate than
      // the step's own (quadratic) error, about r_now^2, or than 1% of the tolerance; a tiny
      // residual needs no solve.
      xnext = gx;
      if (r_now > 1e-2 * opt.tolerance) {
        const auto lin = jac.solve(
            rhs, dx, std::clamp(std::max(r_now, 1e-2 * opt.tolerance / r_now), 1e-10, 0.1),
            opt.newton_max_products, opt.newton_neumann_terms);
        if (lin.relative_residual < 0.5 && dx.allFinite()) {
          xnext = x + dx;
          if (!(xnext.head(N).minCoeff() > 0)) xnext = gx;  // keep mu^(-1/gamma) positive
        }
      }
      r_prev = r_now;
      std::swap(x, xnext);
    } else if (opt.anderson_depth > 0) {
      r_prev = r_now;
      mixer.step(x, gx, xnext);
      // The mixed marginal values must stay positive; otherwise take the plain step.
      if (!(xnext.head(N).minCoeff() > 0) || !xnext.allFinite()) {
        mixer.reset();
        xnext = gx;
      }
      std::swap(x, xnext);
    } else {
      r_prev = r_now;
      std::swap(x, gx);
    }
  }
  // Leave v, V and pi mutually consistent. A Newton sweep leaves them so: v_j = u_j + beta
  // E V_in(a'_j), V = sigma log sum exp((v + psi)/sigma), pi = softmax and mu = sum pi u'/p
  // all from the one sweep (no Howard steps after it); such a sweep does not even store the
  // brackets and u that the closing step would need. Otherwise one more Bellman step at the
  // final policies.
  const bool from_sweep = ended_on_newton;
  if (!failed && !from_sweep) {
    w.v_old = sol.v;
    full_value_step();
    dv = std::max(dv, (sol.v - w.v_old).cwiseAbs().maxCoeff());
  }
  if (!failed && from_sweep) {
    sol.mu = mu_new;
  } else if (!failed) {
    // u'(c) from u(c) = c u'(c) / (1 - gamma) (the sweep keeps u only).
    if (log_u)
      w.MU = sol.c.cwiseInverse();
    else
      w.MU = (w.U.array() * (1.0 - hp.gamma) / sol.c.array()).matrix();
    sol.mu = (sol.pi.array() * w.MU.array()).matrix() * inv_p;
  }
  if (!failed && !(sol.c.allFinite() && sol.a_next.allFinite() && sol.v.allFinite() &&
                   sol.V.allFinite() && sol.pi.allFinite() && sol.mu.allFinite())) {
    // Over- or underflow in the closing step (extreme but legal parameters): not an answer.
    failed = true;
    fail_msg = "non-finite policy or value at the solution (over- or underflow)";
  }
  sol.sup_dc = dc;
  sol.sup_dv = dv;
  sol.newton_failures = newton_failures;
  sol.report.iterations = std::min(iter, max_iterations);
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
