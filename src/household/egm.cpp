// The stationary HAT household problem: the endogenous grid method (Carroll 2006) with the
// generalised Euler equation of a logit variety choice, upper envelopes for folded endogenous
// grids (Iskhakov, Jorgensen, Rust & Schjerning 2017, QE; Druedahl & Jorgensen 2017, JEDC),
// modified policy iteration (Howard steps), Anderson acceleration (Walker & Ni 2011, SINUM) and
// Newton-GMRES steps on the sweep's analytic Jacobian (Kelley 2003, "Solving Nonlinear
// Equations with Newton's Method"; Saad & Schultz 1986 for GMRES).
//
// Method. Given choice probabilities pi_k and consumption c_k on the grid, the generalised
// Euler equation (MODEL.md §1)
//     u'(c_j(a,s)) / p_j = beta R E_{s'} [ sum_k pi_k(a',s') u'(c_k(a',s')) / p_k ]
// is inverted on the grid of a' for every variety j and income state s, giving consumption and
// the endogenous current assets a~ = (p_j c + a' - lambda W z - tau) / (lambda R); a'(a) is
// interpolated back onto the grid; below a~(a'=a_min) the borrowing constraint binds. Because
// the continuation value V = sigma log sum_j exp((v_j + psi_j)/sigma) is a smoothed maximum of
// concave functions, a~ need not be monotone: such steps are detected and resolved with an
// upper envelope over the EGM segments.
//
// Iteration. The state is x = (m, V) on the Na x Nz grid, m = mu^(-1/gamma) with mu the
// marginal value of wealth; everything else follows from x in one sweep. The solver
// (HouseholdSolver below) repeats
//     sweep (Jacobi | Gauss-Seidel | Newton-record | Newton-chord | check)
//       -> Howard steps -> converged? -> Anderson or Newton step
// after an initial guess, and ends with a closing step that leaves v, V, pi and mu mutually
// consistent. One sweep applies the per-point EGM/logit kernel (egm_point) at every (a, s): the
// EGM policies of all varieties, their values v_j = u(c_j) + beta E V(a'_j), the logit step
// (V, pi) and the new marginal value of wealth. A Gauss-Seidel sweep (income states in order,
// asset points upwards) uses each new marginal value at once in the points above, which carries
// what is learnt near the borrowing limit up the grid within one sweep. Values are improved by
// Howard steps with the savings and choice policies held fixed (the lottery operator), and x is
// accelerated by Anderson mixing. Near the fixed point (at once from a warm start) Newton steps
// take over: plain (Jacobi) sweeps that also record the sweep's analytic Jacobian
// (sweep_jacobian.hpp), each followed by a GMRES solve of the Newton system, which converges
// quadratically where the accelerated sweeps converge linearly. Convergence is declared only
// when both the consumption policies and the choice-specific values have stopped moving
// between two sweeps. The tuning constants are the fields of SolveOptions.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "egm_kernel.hpp"
#include "hat/core/error.hpp"
#include "hat/core/interrupt.hpp"
#include "hat/core/timer.hpp"
#include "hat/household/household.hpp"
#include "hat/numerics/anderson.hpp"
#include "hat/numerics/binomial_series.hpp"
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

void SolveOptions::validate() const {
  auto bad = [](const std::string& what) { throw InputError("SolveOptions." + what); };
  if (!(tolerance > 0) || !std::isfinite(tolerance)) bad("tolerance must be > 0");
  if (!(value_tolerance > 0) || !std::isfinite(value_tolerance)) bad("value_tolerance must be > 0");
  if (max_iterations < 1) bad("max_iterations must be >= 1");
  if (howard_steps < 0) bad("howard_steps must be >= 0");
  if (anderson_depth < 0) bad("anderson_depth must be >= 0");
  if (!(newton_threshold > 0)) bad("newton_threshold must be > 0");
  if (newton_neumann_terms < 0) bad("newton_neumann_terms must be >= 0");
  if (newton_max_products < 1) bad("newton_max_products must be >= 1");
  if (!(newton_chord_below >= 0)) bad("newton_chord_below must be >= 0");
  if (!(initial_savings_fraction >= 0 && initial_savings_fraction <= 1))
    bad("initial_savings_fraction must be in [0, 1]");
  if (newton_max_failures < 0) bad("newton_max_failures must be >= 0");
  if (!(newton_retry_factor > 0 && newton_retry_factor <= 1))
    bad("newton_retry_factor must be in (0, 1]");
  if (!(newton_check_fraction > 0 && newton_check_fraction < 1))
    bad("newton_check_fraction must be in (0, 1)");
  if (!(gmres_tolerance_min > 0 && gmres_tolerance_min <= gmres_tolerance_max))
    bad("gmres_tolerance_min must be in (0, gmres_tolerance_max]");
  if (!(gmres_tolerance_max < 1)) bad("gmres_tolerance_max must be < 1");
  if (!(newton_accept_residual > 0 && newton_accept_residual <= 1))
    bad("newton_accept_residual must be in (0, 1]");
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// What one sweep does (HouseholdSolver::next_sweep chooses).
enum class Sweep {
  Jacobi,        // reads only the input state; stores brackets and u for Howard steps
  GaussSeidel,   // each point's new marginal value is used at once by the points above
  NewtonRecord,  // a Jacobi sweep that records the Jacobian's rows for the Newton step
  NewtonChord,   // a Jacobi sweep for a Newton step with the last recorded Jacobian
  Check,         // computes c and v, compares them with the last sweep's, stores nothing
};

class HouseholdSolver {
 public:
  HouseholdSolver(const HouseholdProblem& hp, const SolveOptions& opt,
                  const HouseholdSolution* warm);
  HouseholdSolution solve();

 private:
  // The steps of solve().
  void initial_guess();
  Sweep next_sweep() const;
  bool sweep(Sweep kind);  // false: the solve failed (fail_msg_)
  void howard_steps();
  bool converged() const;
  void step();  // Anderson or Newton step (or a plain one) to the next state x
  void closing_step();
  HouseholdSolution finish();
  bool stop_requested();

  // Parts of the initial guess.
  void start_cold();
  void price_consumption();
  void refresh_utility();
  void logit_step();
  void marginal_state(Eigen::VectorXd& out);
  // Parts of a sweep.
  void begin_sweep(Sweep kind);
  bool sweep_state(int s);  // false: infeasible consumption
  void begin_state_pass();
  int folded_varieties();
  void restore_and_fold();
  // The per-point EGM/logit kernel and its parts.
  bool egm_point(int i);  // false: infeasible consumption
  double egm_savings(int j, int i, int k);
  double choice_values(int k);
  double logit_and_marginal_value(int i, int k, double xmax);
  void jacobian_row(int k, double m);
  // Expectations on the a' grid of the current income state, computed on first use.
  void ensure_einv(int q);
  double atil(int j, int q);
  void ensure_segment(int q);
  // The Newton-or-not decision and the two steps.
  void newton_step(double r_now);
  void anderson_step();

  const HouseholdProblem& hp_;
  const SolveOptions& opt_;
  const HouseholdSolution* warm_;
  Timer timer_;
  const int Na_, Nz_, M_, N_;
  const double* g_;
  const double a_min_, a_max_;
  const bool log_u_, has_psi_;
  const double inv_gamma_, inv_1mg_, inv_sigma_, inv_lR_, bR_;
  const numerics::BinomialSeries series_;  // (1 + y)^(-gamma) on flat EGM segments
  bool use_warm_ = false, warm_mu_ = false;
  Eigen::VectorXd cash_;  // lambda (R a + W z) + tau by state
  Eigen::VectorXd xfac_;  // p_j^(1 - 1/gamma): x~ = p_j c~ = p_j^(1-1/gamma) (beta R E)^(-1/gamma)
  Eigen::VectorXd inv_p_;
  Eigen::MatrixXd psi_;  // psi_j(s) by state, (Na*Nz) x M, only when quality shifters are given

  HouseholdSolution sol_;
  // Work arrays over the whole grid.
  Eigen::MatrixXd U_, MU_;  // u(c), u'(c): (Na*Nz) x M
  Eigen::MatrixXd Einv_;    // (beta R E)^(-1/gamma), Na x Nz
  Eigen::MatrixXd EV_;      // E_{s'} V(a', s'), Na x Nz
  Eigen::MatrixXd X_;       // logit kernel
  Eigen::MatrixXi lo_;      // bracket of a'_j(k) in the grid
  Eigen::MatrixXd t_;       // weight on the upper bracketing point
  Eigen::VectorXd mu_, Tev_, b_, rowmax_, rowsum_;
  Eigen::MatrixXd v_old_;
  Eigen::MatrixXd Ebase_;       // beta R E_{s'} mu(a', s') = u'(c~)/p_j, Na x Nz
  Eigen::MatrixXd ratio_;       // rho = r / (1 + r/2), r = Einv(q+1)/Einv(q) - 1
  Eigen::MatrixXd Emid_;        // Ebase (1 + r/2)^(-gamma): u'/p_j at the midpoint
  Eigen::MatrixXd EinvOverEb_;  // Einv / Ebase (Newton sweeps' Jacobian)
  Eigen::MatrixXi series_ok_;   // 1: segment q is flat enough for the series, Na x Nz
  Eigen::VectorXd mu_new_, V_new_;
  Eigen::MatrixXd mu_w_;  // marginal values, overwritten as a Gauss-Seidel sweep updates them
  numerics::LotteryOperator T_;
  SweepJacobian jac_;
  numerics::AndersonMixer mixer_;

  // The iteration.
  Eigen::VectorXd x_, gx_, xnext_, rhs_, dx_;
  int iter_ = 0, max_iterations_ = 1;
  double dc_ = kInf, dv_ = kInf, vabs_ = 0.0;
  bool failed_ = false;
  std::string fail_msg_;
  bool stop_ = false;         // the progress callback asked to stop
  bool interrupted_ = false;  // the loop ended on that request
  bool newton_on_ = false;    // the next sweep is a Newton sweep
  double r_prev_ = kInf;      // sup |G(x) - x| at the last step
  bool ended_on_newton_ = false;
  int newton_failures_ = 0;

  // The current sweep: its kind as flags read by the kernel.
  bool newton_it_ = false, gauss_seidel_ = false, record_jacobian_ = false, check_only_ = false;
  bool howard_ = false;  // store lottery rows and u for Howard steps
  // The current income state of the sweep.
  int s_ = 0;
  double base_ = 0.0;  // lambda W z_s + tau
  const double* ev_ = nullptr;
  double* einv_ = nullptr;
  const double* einv_eb_ = nullptr;
  double dc_s_ = 0.0, dv_s_ = 0.0, vabs_s_ = 0.0;
  // Scratch of the sweep over one income state: the upper-envelope savings of varieties whose
  // endogenous grid is not monotone, a backup of the state's rows of c and v (restored if the
  // state must be redone with the envelope), and per-point buffers over the varieties.
  std::vector<double> env_s_, at_full_, c_bak_, v_bak_;
  std::vector<unsigned char> envelope_j_, have_einv_, have_seg_, monotone_, pow_b_;
  std::vector<int> seg_, lo_b_;
  std::vector<double> at0_, at_lo_, at_hi_;  // a~_0, a~_seg, a~_{seg+1} by variety
  std::vector<double> pi_k_, c_b_, y_b_, ser_b_, mu_b_, x_b_, e_b_, t_b_;
  std::vector<double> width_b_;  // a~ width of the EGM segment used; 0 off the segments
};

HouseholdSolver::HouseholdSolver(const HouseholdProblem& hp, const SolveOptions& opt,
                                 const HouseholdSolution* warm)
    : hp_(hp),
      opt_(opt),
      warm_(warm),
      Na_(hp.Na()),
      Nz_(hp.Nz()),
      M_(hp.M()),
      N_(hp.Na() * hp.Nz()),
      g_(hp.grid.data()),
      a_min_(hp.a_min()),
      a_max_(hp.a_max()),
      log_u_(hp.gamma == 1.0),
      has_psi_(hp.quality.size() > 0),
      inv_gamma_(1.0 / hp.gamma),
      inv_1mg_(hp.gamma == 1.0 ? 0.0 : 1.0 / (1.0 - hp.gamma)),
      inv_sigma_(1.0 / hp.sigma),
      inv_lR_(1.0 / (hp.lambda * hp.R)),
      bR_(hp.beta * hp.R),
      series_(hp.gamma),
      mixer_(std::max(opt.anderson_depth, 1)),
      max_iterations_(opt.max_iterations) {
  const size_t MNa = static_cast<size_t>(M_) * Na_;
  env_s_.resize(MNa);
  c_bak_.resize(MNa);
  v_bak_.resize(MNa);
  at_full_.resize(Na_);
  have_einv_.resize(Na_);
  have_seg_.resize(Na_);
  for (auto* v : {&at0_, &at_lo_, &at_hi_, &pi_k_, &c_b_, &y_b_, &ser_b_, &mu_b_, &x_b_, &e_b_,
                  &t_b_, &width_b_})
    v->resize(M_);
  envelope_j_.resize(M_);
  monotone_.resize(M_);
  pow_b_.resize(M_);
  seg_.resize(M_);
  lo_b_.resize(M_);
  mu_new_.resize(N_);
  V_new_.resize(N_);
  mu_w_.resize(Na_, Nz_);
  for (auto* m : {&Ebase_, &Einv_, &ratio_, &Emid_}) m->resize(Na_, Nz_);
  series_ok_.resize(Na_, Nz_);
  lo_.resize(N_, M_);
  t_.resize(N_, M_);
}

// ---- The loop -------------------------------------------------------------------------------

HouseholdSolution HouseholdSolver::solve() {
  initial_guess();
  sol_.report.status = SolverStatus::IterationLimit;
  for (iter_ = 1; iter_ <= max_iterations_; ++iter_) {
    interruption_point();  // a host's Ctrl-C (see core/interrupt.hpp)
    if (stop_requested()) break;
    const Sweep kind = next_sweep();
    if (!sweep(kind)) break;
    if (howard_) howard_steps();
    ended_on_newton_ = newton_it_;
    if (converged()) {
      sol_.report.status = SolverStatus::Converged;
      break;
    }
    if (kind == Sweep::Check) {  // not confirmed: a full sweep at the same point next
      r_prev_ = kInf;
      continue;
    }
    step();
  }
  if (!failed_) closing_step();
  return finish();
}

// Reports the iteration about to start to the progress callback. A stop ends the loop before it,
// but not before the first: the closing step needs the brackets and utilities of a sweep.
bool HouseholdSolver::stop_requested() {
  if (!stop_ && opt_.progress) {
    Progress p;
    p.solver = "household";
    p.iteration = iter_;
    p.residual = dc_;
    p.seconds = timer_.seconds();
    stop_ = opt_.progress(p) == Control::kStop;
  }
  interrupted_ = stop_ && iter_ > 1;
  return interrupted_;
}

// The first sweep of a cold start is a plain (Jacobi) one: from the initial guess, a sweep
// mixing old and new values folds endogenous grids (19 (variety, state) pairs on the reference
// problem, each an upper envelope and a redone state) and saves no iteration. A Newton sweep is
// a plain one (the Jacobian is that of the Jacobi map). Once the residual is small, the next
// Newton step's own error is far below the tolerance with the Jacobian already at hand (a chord
// step): the sweep need not record a new one. After a step below newton_check_fraction of the
// tolerance the sweep is expected only to confirm that c and v no longer move (a check sweep).
Sweep HouseholdSolver::next_sweep() const {
  if (newton_on_) {
    if (r_prev_ < opt_.newton_check_fraction * opt_.tolerance) return Sweep::Check;
    return r_prev_ < opt_.newton_chord_below ? Sweep::NewtonChord : Sweep::NewtonRecord;
  }
  return opt_.gauss_seidel && (iter_ > 1 || warm_mu_) ? Sweep::GaussSeidel : Sweep::Jacobi;
}

bool HouseholdSolver::converged() const {
  const double vscale = std::max(1.0, vabs_);
  return dc_ < opt_.tolerance && dv_ < opt_.value_tolerance * vscale;
}

// ---- Initial guess ----------------------------------------------------------------------------

void HouseholdSolver::initial_guess() {
  sol_.Na = Na_;
  sol_.Nz = Nz_;
  sol_.M = M_;
  cash_.resize(N_);
  for (int s = 0; s < Nz_; ++s)
    for (int i = 0; i < Na_; ++i)
      cash_(s * Na_ + i) = hp_.lambda * (hp_.R * g_[i] + hp_.W * hp_.z(s)) + hp_.tau;
  xfac_.resize(M_);
  inv_p_.resize(M_);
  for (int j = 0; j < M_; ++j) {
    xfac_(j) = std::pow(hp_.prices(j), 1.0 - inv_gamma_);
    inv_p_(j) = 1.0 / hp_.prices(j);
  }
  if (has_psi_) {
    psi_.resize(N_, M_);
    for (int s = 0; s < Nz_; ++s)
      for (int j = 0; j < M_; ++j) psi_.col(j).segment(s * Na_, Na_).setConstant(hp_.quality(s, j));
  }
  const HouseholdSolution* w = warm_;
  use_warm_ =
      w && w->Na == Na_ && w->Nz == Nz_ && w->M == M_ && w->c.rows() == N_ && w->V.size() == N_;
  // A warm start from the previous fixed point's marginal value of wealth and value: closer to
  // the new fixed point than the old policies re-priced at the new prices.
  warm_mu_ = use_warm_ && w->mu.size() == N_ && w->mu.minCoeff() > 0 && w->mu.allFinite() &&
             w->V.allFinite();
  sol_.c.resize(N_, M_);
  U_.resize(N_, M_);
  if (use_warm_) {
    sol_.a_next = w->a_next;
    sol_.v = w->v;
    if (warm_mu_) {
      sol_.pi.resize(N_, M_);
      sol_.V.resize(N_);
    } else {
      sol_.pi = w->pi;
      sol_.V = w->V;
    }
  } else {
    start_cold();
  }
  price_consumption();
  if (warm_mu_) {
    x_.resize(2 * N_);
    x_.head(N_) = (w->mu.array().log() * (-inv_gamma_)).exp().matrix();
    x_.tail(N_) = w->V;
  } else {
    refresh_utility();
    if (!use_warm_) {
      // Initial values: the value of keeping the initial policy forever.
      sol_.v = U_ / (1.0 - hp_.beta);
      logit_step();
    }
    marginal_state(x_);
  }
  // Newton steps from the first sweep of a warm start, or once the residual is small.
  newton_on_ = opt_.newton && warm_mu_;
}

void HouseholdSolver::start_cold() {
  sol_.a_next.resize(N_, M_);
  const double f = opt_.initial_savings_fraction;
  for (int j = 0; j < M_; ++j)
    for (int s = 0; s < Nz_; ++s)
      for (int i = 0; i < Na_; ++i) sol_.a_next(s * Na_ + i, j) = a_min_ + f * (g_[i] - a_min_);
  sol_.v.resize(N_, M_);
  sol_.pi.resize(N_, M_);
  sol_.V.resize(N_);
}

// Consumption consistent with the budget at these prices (wages, R may have changed).
void HouseholdSolver::price_consumption() {
  for (int j = 0; j < M_; ++j)
    for (int k = 0; k < N_; ++k) {
      double ap = sol_.a_next(k, j);
      if (!((cash_(k) - ap) > 0)) ap = a_min_;
      sol_.a_next(k, j) = ap;
      sol_.c(k, j) = (cash_(k) - ap) * inv_p_(j);
    }
}

// u and u' of the current consumption (vectorised log/exp: deterministic for a given ISA).
void HouseholdSolver::refresh_utility() {
  U_ = sol_.c.array().log().matrix();
  if (log_u_) {
    MU_ = sol_.c.array().inverse().matrix();
  } else {
    MU_ = (U_.array() * (-hp_.gamma)).exp().matrix();
    U_ = (sol_.c.array() * MU_.array() * (1.0 / (1.0 - hp_.gamma))).matrix();
  }
}

// V = sigma log sum_j exp((v_j + psi_j)/sigma) and pi = softmax, max-shifted so every exponent
// is <= 0 (finite for any gap; underflow gives pi = 0, never NaN). Row reductions run column by
// column (contiguous, vectorised) in a fixed order.
void HouseholdSolver::logit_step() {
  if (has_psi_)
    X_ = sol_.v + psi_;
  else
    X_ = sol_.v;
  rowmax_ = X_.col(0);
  for (int j = 1; j < M_; ++j) rowmax_ = rowmax_.cwiseMax(X_.col(j));
  for (int j = 0; j < M_; ++j) X_.col(j) = (X_.col(j) - rowmax_) * inv_sigma_;
  X_ = X_.array().exp().matrix();  // plain matrix operand: vectorised exp
  rowsum_ = X_.col(0);
  for (int j = 1; j < M_; ++j) rowsum_ += X_.col(j);
  sol_.V = rowmax_.array() + hp_.sigma * rowsum_.array().log();
  rowsum_ = rowsum_.cwiseInverse();
  for (int j = 0; j < M_; ++j) sol_.pi.col(j) = X_.col(j).cwiseProduct(rowsum_);
}

// The iteration's state x = (m, V), m = mu^(-1/gamma) with mu the marginal value
// sum_j pi_j u'(c_j) / p_j (in consumption units, like the tolerance on c). Everything else
// (policies, v_j, pi) follows from x in one sweep, so x is what the Anderson mixer accelerates:
// 2 Na Nz numbers instead of the (Na Nz) x M policies.
void HouseholdSolver::marginal_state(Eigen::VectorXd& out) {
  out.resize(2 * N_);
  mu_.noalias() = (sol_.pi.array() * MU_.array()).matrix() * inv_p_;
  out.head(N_) = (mu_.array().log() * (-inv_gamma_)).exp().matrix();
  out.tail(N_) = sol_.V;
}

// ---- The sweep ----------------------------------------------------------------------------------

// Gauss-Seidel sweep: income states in order, asset points upwards; each point's new marginal
// value of wealth replaces the old one at once, so later points (and states) use it. beta R E mu
// on the a' grid, and with it the EGM grids, is computed on first use, once per sweep.
// Households who run their wealth down (a' < a) thus see this sweep's values below them: what
// the sweep learns near the borrowing limit travels up the whole grid in one iteration instead
// of one step of dissaving per iteration. The fixed point is the one of the plain (Jacobi)
// iteration; only the path to it changes.
bool HouseholdSolver::sweep(Sweep kind) {
  begin_sweep(kind);
  for (int s = 0; s < Nz_; ++s) {
    if (!sweep_state(s)) {
      failed_ = true;
      fail_msg_ = "non-positive or non-finite consumption in the EGM step";
      return false;
    }
    dc_ = std::max(dc_, dc_s_);
    dv_ = std::max(dv_, dv_s_);
    vabs_ = std::max(vabs_, vabs_s_);
  }
  if (!std::isfinite(dc_) || !std::isfinite(dv_) || !mu_new_.allFinite() || !V_new_.allFinite()) {
    failed_ = true;
    fail_msg_ = "non-finite policy or value";
    return false;
  }
  sol_.V = V_new_;
  return true;
}

void HouseholdSolver::begin_sweep(Sweep kind) {
  newton_it_ = kind == Sweep::NewtonRecord || kind == Sweep::NewtonChord || kind == Sweep::Check;
  gauss_seidel_ = kind == Sweep::GaussSeidel;
  record_jacobian_ = kind == Sweep::NewtonRecord;
  check_only_ = kind == Sweep::Check;
  howard_ = opt_.howard_steps > 0 && !newton_it_;
  mu_w_ = (x_.head(N_).array().log() * (-hp_.gamma)).exp().matrix().reshaped(Na_, Nz_);
  Eigen::Map<const Eigen::MatrixXd> Vm(x_.data() + N_, Na_, Nz_);
  EV_.noalias() = Vm * hp_.P.transpose();
  if (record_jacobian_) {
    jac_.reset(Na_, Nz_, M_);
    jac_.set_input(x_.head(N_), mu_w_.reshaped(), hp_.gamma, bR_, hp_.P);
  }
  sol_.envelope_steps = 0;
  if (howard_) T_.reset(Na_, Nz_, M_);
  dc_ = 0.0;
  dv_ = 0.0;
  vabs_ = 0.0;
  if (!gauss_seidel_) {
    // A plain sweep reads only the input's marginal values: beta R E mu and its (-1/gamma)
    // power for all points at once, vectorised.
    Ebase_.noalias() = mu_w_ * hp_.P.transpose();
    Ebase_ *= bR_;
    Einv_ = (Ebase_.array().log() * -inv_gamma_).exp().matrix();
    if (record_jacobian_) EinvOverEb_ = Einv_.cwiseQuotient(Ebase_);
  }
}

// One income state: the EGM step at every asset point; if some variety's endogenous grid turns
// out not to be monotone (over the whole grid, with the values this sweep used) and the upper
// envelope is on, the state is redone with the envelope for those varieties.
bool HouseholdSolver::sweep_state(int s) {
  s_ = s;
  base_ = hp_.lambda * hp_.W * hp_.z(s) + hp_.tau;
  ev_ = EV_.col(s).data();
  einv_ = Einv_.col(s).data();
  einv_eb_ = record_jacobian_ ? EinvOverEb_.col(s).data() : nullptr;
  std::fill(have_einv_.begin(), have_einv_.end(), gauss_seidel_ ? 0 : 1);
  std::fill(have_seg_.begin(), have_seg_.end(), 0);
  for (int j = 0; j < M_; ++j) {
    envelope_j_[j] = 0;
    for (int i = 0; i < Na_; ++i) {
      c_bak_[static_cast<size_t>(j) * Na_ + i] = sol_.c(s * Na_ + i, j);
      v_bak_[static_cast<size_t>(j) * Na_ + i] = sol_.v(s * Na_ + i, j);
    }
  }
  bool feasible = true;
  for (int attempt = 0; attempt < 2; ++attempt) {
    begin_state_pass();
    feasible = true;
    for (int i = 0; i < Na_ && feasible; ++i) feasible = egm_point(i);
    if (attempt == 1) break;
    const int n_env = folded_varieties();
    if (n_env == 0) break;
    sol_.envelope_steps += n_env;
    restore_and_fold();
  }
  return feasible;
}

void HouseholdSolver::begin_state_pass() {
  dc_s_ = dv_s_ = vabs_s_ = 0.0;
  for (int j = 0; j < M_; ++j) {
    seg_[j] = 0;
    at0_[j] = at_lo_[j] = atil(j, 0);
    at_hi_[j] = atil(j, 1);
    monotone_[j] = at_hi_[j] > at_lo_[j];
  }
}

// The varieties whose endogenous grid folds (marked in envelope_j_), when the upper envelope is
// on. Pairs up to seg + 1 were checked on the way; the rest of the grid is checked here.
int HouseholdSolver::folded_varieties() {
  if (!opt_.upper_envelope) return 0;
  int n_env = 0;
  for (int j = 0; j < M_; ++j) {
    double prev = at_hi_[j];
    for (int q = seg_[j] + 2; q < Na_ && monotone_[j]; ++q) {
      const double cur = atil(j, q);
      if (!(cur > prev)) monotone_[j] = 0;
      prev = cur;
    }
    if (!monotone_[j]) {
      envelope_j_[j] = 1;
      ++n_env;
    }
  }
  return n_env;
}

// Restores the state's c and v and computes the folded varieties' upper-envelope savings over
// all EGM segments (and the constrained choice below a~_0).
void HouseholdSolver::restore_and_fold() {
  const int s = s_;
  for (int j = 0; j < M_; ++j) {
    for (int i = 0; i < Na_; ++i) {
      sol_.c(s * Na_ + i, j) = c_bak_[static_cast<size_t>(j) * Na_ + i];
      sol_.v(s * Na_ + i, j) = v_bak_[static_cast<size_t>(j) * Na_ + i];
    }
    if (!envelope_j_[j]) continue;
    for (int q = 0; q < Na_; ++q) at_full_[q] = atil(j, q);
    detail::fold_savings(hp_, hp_.prices(j), std::span<const double>(at_full_.data(), Na_),
                         std::span<const double>(ev_, Na_),
                         std::span<const double>(cash_.data() + s * Na_, Na_),
                         std::span<double>(env_s_.data() + static_cast<size_t>(j) * Na_, Na_));
  }
}

// ---- Expectations on the a' grid of the current income state -------------------------------

void HouseholdSolver::ensure_einv(int q) {
  if (!have_einv_[q]) {
    double e = 0.0;
    for (int t = 0; t < Nz_; ++t) e += hp_.P(s_, t) * mu_w_(q, t);
    Ebase_(q, s_) = bR_ * e;
    einv_[q] = std::exp(std::log(bR_ * e) * -inv_gamma_);  // cheaper than pow here
    have_einv_[q] = 1;
  }
}

// Endogenous current assets of grid point q for variety j.
double HouseholdSolver::atil(int j, int q) {
  ensure_einv(q);
  return (xfac_(j) * einv_[q] + g_[q] - base_) * inv_lR_;
}

// u'(c) on the grid without log/exp per point. On EGM segment q of income state s, consumption
// is the linear interpolation of the segment's end points, c = p_j^(-1/gamma) Einv_q (1 + t r)
// with r = Einv_{q+1}/Einv_q - 1, and Einv_q^(-gamma) = beta R E mu_q = Ebase_q, so
// u'(c) = p_j Ebase_q (1 + t r)^(-gamma), with the last factor summed as a binomial series
// (about the segment's midpoint) to below 1e-17 relative. Points off the segments (borrowing
// limit, a_max cap, upper envelope) and steep segments use pow. This stores the series data of
// segment q (both end points known).
void HouseholdSolver::ensure_segment(int q) {
  if (!have_seg_[q]) {
    ensure_einv(q);
    ensure_einv(q + 1);
    const int s = s_;
    const double r = einv_[q + 1] / einv_[q] - 1.0;
    // Expanded about the segment's midpoint: (1 + t r)^(-gamma) =
    // (1 + r/2)^(-gamma) (1 + (t - 1/2) rho)^(-gamma), rho = r / (1 + r/2),
    // |(t - 1/2) rho| <= |rho|/2, which halves the series length.
    ratio_(q, s) = r / (1.0 + 0.5 * r);
    series_ok_(q, s) = series_.covers(0.5 * ratio_(q, s)) ? 1 : 0;
    // (1 + r/2)^(-gamma) by the same series when r/2 is within its radius.
    const double h = 0.5 * r;
    Emid_(q, s) = Ebase_(q, s) * (series_.covers(h) ? series_(h) : std::pow(1.0 + h, -hp_.gamma));
    have_seg_[q] = 1;
  }
}

// ---- The per-point kernel -------------------------------------------------------------------

// The EGM/logit step at asset point i of the current income state: savings, brackets and
// consumption of every variety; u'(c) by the binomial series; u, u' and the choice-specific
// values v_j = u_j + beta EV(a'_j) with the changes of c and v since the last sweep; the logit
// step, the new marginal value of wealth and (as the sweep requires) the Jacobian's and the
// lottery operator's rows. Returns false if some consumption is not positive and finite.
bool HouseholdSolver::egm_point(int i) {
  const int k = s_ * Na_ + i;
  bool feasible = true;
  for (int j = 0; j < M_; ++j) {
    const double c = egm_savings(j, i, k);
    // Feasibility guard: never continue with non-positive or non-finite consumption.
    feasible &= (c > 0) & std::isfinite(c);
  }
  if (!feasible) return false;
  // The binomial series for u'(c), one independent Horner chain per variety.
  if (!log_u_)
    for (int j = 0; j < M_; ++j) ser_b_[j] = series_(y_b_[j]);
  const double xmax = choice_values(k);
  if (check_only_) return true;
  const double m = logit_and_marginal_value(i, k, xmax);
  if (record_jacobian_) jacobian_row(k, m);
  if (howard_) T_.push_row(k, lo_b_.data(), t_b_.data(), pi_k_.data(), M_);
  return true;
}

// Savings of variety j at (a_i, s) with its grid bracket (lo_b_, t_b_), the EGM segment's width
// (width_b_, 0 off the segments) and the series argument (y_b_, pow_b_). Returns consumption.
double HouseholdSolver::egm_savings(int j, int i, int k) {
  const double a = g_[i];
  double ap, tt;
  int gl;
  unsigned char use_pow = 1;  // u' by pow unless on a flat enough EGM segment
  if (envelope_j_[j]) {
    ap = env_s_[static_cast<size_t>(j) * Na_ + i];
    width_b_[j] = 0.0;  // (the Jacobian treats envelope savings as fixed)
    detail::locate(g_, Na_, ap, gl, tt);
  } else if (a <= at0_[j]) {  // borrowing constraint binds
    width_b_[j] = 0.0;
    ap = a_min_;
    gl = 0;
    tt = 0.0;
  } else {
    // a'(a) is increasing here, so the segment is found by a forward sweep. On EGM segment q
    // (a~_q <= a <= a~_{q+1}), a' = g_q + t (g_{q+1} - g_q) lies in [g_q, g_{q+1}]: its grid
    // bracket is q itself with weight t. (A non-monotone grid is caught here and the state
    // redone; see sweep_state.)
    int q = seg_[j];
    double lo_at = at_lo_[j], hi = at_hi_[j];
    while (q < Na_ - 2 && hi <= a) {
      ++q;
      lo_at = hi;
      hi = atil(j, q + 1);
      if (!(hi > lo_at)) monotone_[j] = 0;
    }
    seg_[j] = q;
    at_lo_[j] = lo_at;
    at_hi_[j] = hi;
    tt = (a - lo_at) / (hi - lo_at);
    width_b_[j] = 0.0;
    if (tt <= 1.0) {
      width_b_[j] = hi - lo_at;
      ap = g_[q] + tt * (g_[q + 1] - g_[q]);
      gl = q;
      if (!log_u_) {
        ensure_segment(q);
        use_pow = !series_ok_(q, s_);
      }
    } else {  // beyond the last segment: a' capped at a_max
      ap = a_max_;
      gl = Na_ - 2;
      tt = 1.0;
    }
  }
  const double c = (cash_(k) - ap) * inv_p_(j);
  if (!check_only_) sol_.a_next(k, j) = ap;
  if (!newton_it_) {  // (a Newton sweep's results need no closing Bellman step)
    lo_(k, j) = gl;
    t_(k, j) = tt;
  }
  lo_b_[j] = gl;
  t_b_[j] = tt;
  c_b_[j] = c;
  pow_b_[j] = use_pow;
  y_b_[j] = use_pow ? 0.0 : (tt - 0.5) * ratio_(gl, s_);
  return c;
}

// u, u', the choice-specific values v_j = u_j + beta EV(a'_j) and the changes of c and v since
// the last sweep. Stores c, v, u and mu_j = u'(c_j)/p_j (unless a check sweep); returns the
// largest v_j + psi_j.
double HouseholdSolver::choice_values(int k) {
  const double* ev = ev_;
  double xmax = -kInf;
  for (int j = 0; j < M_; ++j) {
    const double c = c_b_[j];
    const int gl = lo_b_[j];
    const double tt = t_b_[j];
    double mu, u;
    if (log_u_) {
      mu = 1.0 / c;
      u = std::log(c);
    } else {
      mu = pow_b_[j] ? std::pow(c, -hp_.gamma) : hp_.prices(j) * Emid_(gl, s_) * ser_b_[j];
      u = c * mu * inv_1mg_;
    }
    const double vj = u + hp_.beta * (ev[gl] + tt * (ev[gl + 1] - ev[gl]));
    dc_s_ = std::max(dc_s_, std::abs(c - sol_.c(k, j)));
    dv_s_ = std::max(dv_s_, std::abs(vj - sol_.v(k, j)));
    vabs_s_ = std::max(vabs_s_, std::abs(vj));
    if (check_only_) continue;
    sol_.c(k, j) = c;
    sol_.v(k, j) = vj;
    if (!newton_it_) U_(k, j) = u;
    mu_b_[j] = mu * inv_p_(j);
    const double xj = has_psi_ ? vj + psi_(k, j) : vj;
    x_b_[j] = xj;
    xmax = std::max(xmax, xj);
  }
  return xmax;
}

// The logit step, max-shifted so every exponent is <= 0, then the marginal value of wealth m
// (which replaces the old one at once in a Gauss-Seidel sweep). Returns m.
double HouseholdSolver::logit_and_marginal_value(int i, int k, double xmax) {
  for (int j = 0; j < M_; ++j) x_b_[j] = (x_b_[j] - xmax) * inv_sigma_;
  Eigen::Map<Eigen::ArrayXd>(e_b_.data(), M_) =
      Eigen::Map<const Eigen::ArrayXd>(x_b_.data(), M_).exp();
  const double* e = e_b_.data();
  const double* mub = mu_b_.data();
  double sum = 0.0;
  for (int j = 0; j < M_; ++j) sum += e[j];
  V_new_(k) = xmax + hp_.sigma * std::log(sum);
  const double inv_sum = 1.0 / sum;
  double m = 0.0;
  for (int j = 0; j < M_; ++j) {
    pi_k_[j] = e[j] * inv_sum;
    m += pi_k_[j] * mub[j];
  }
  mu_new_(k) = m;
  if (gauss_seidel_) mu_w_(i, s_) = m;
  if (newton_it_)
    for (int j = 0; j < M_; ++j) sol_.pi(k, j) = pi_k_[j];
  return m;
}

// The Jacobian's row of point k. On EGM segment q the savings weight is
// t = (a - a~_q) / (a~_{q+1} - a~_q), with a~_q = (xfac_j Eb_q^(-1/gamma) + g_q - base) /
// (lambda R), so dt = A_q dEb_q + A_{q+1} dEb_{q+1}. Then, with h = g_{q+1} - g_q and
// mu_j = u'(c_j) / p_j: dc_j = -h dt / p_j, d mu_j = gamma mu_j h dt / (p_j c_j),
// dv_j = kappa_j dt + beta ((1 - t) dEV_q + t dEV_{q+1}) with kappa_j = -mu_j h + beta (EV_{q+1}
// - EV_q). Off the segments (borrowing limit, a_max cap, upper envelope) a'_j and c_j are held
// fixed and only the EV term remains. The logit step gives dV = sum_j pi_j dv_j and, with
// m = sum_j pi_j mu_j, dm = sum_j pi_j d mu_j + sum_j pi_j (mu_j - m) dv_j / sigma; the state's
// new entry is m^(-1/gamma), so the row of dm is scaled after the sweep by
// -m^(-1/gamma) / (gamma m).
void HouseholdSolver::jacobian_row(int k, double m) {
  const double* ev = ev_;
  const double* einv_eb = einv_eb_;
  for (int j = 0; j < M_; ++j) {
    const int gl = lo_b_[j];
    const double tt = t_b_[j], pj = pi_k_[j], muj = mu_b_[j];
    const double dev = pj * (muj - m) * inv_sigma_;  // dm / dv_j
    const double ev_lo = hp_.beta * (1.0 - tt), ev_hi = hp_.beta * tt;
    double eb_lo_m = 0.0, eb_hi_m = 0.0, eb_lo_v = 0.0, eb_hi_v = 0.0;
    if (width_b_[j] > 0.0) {
      const double h = g_[gl + 1] - g_[gl];
      const double kappa = -muj * h + hp_.beta * (ev[gl + 1] - ev[gl]);
      const double dt_v = pj * kappa;
      // One division for both 1/c and 1/width (divisions dominate this pass).
      const double inv_wc = 1.0 / (width_b_[j] * c_b_[j]);
      const double dt_m = pj * hp_.gamma * muj * h * inv_p_(j) * width_b_[j] * inv_wc + dev * kappa;
      const double f = xfac_(j) * inv_gamma_ * inv_lR_ * c_b_[j] * inv_wc;
      const double a_lo = (1.0 - tt) * f * einv_eb[gl];
      const double a_hi = tt * f * einv_eb[gl + 1];
      eb_lo_m = dt_m * a_lo;
      eb_hi_m = dt_m * a_hi;
      eb_lo_v = dt_v * a_lo;
      eb_hi_v = dt_v * a_hi;
    }
    jac_.add(gl, eb_lo_m, dev * ev_lo, eb_lo_v, pj * ev_lo);
    jac_.add(gl + 1, eb_hi_m, dev * ev_hi, eb_hi_v, pj * ev_hi);
  }
  jac_.end_row(k);
}

// ---- Howard steps, the step to the next state, the closing step ---------------------------

// Howard steps with (a', pi) fixed. EV_ = E V_old; by the logit identity
// v_j + psi_j - sigma log pi_j = V for every j, the per-period payoff
// b = sum_j pi_j (u_j + psi_j - sigma log pi_j) equals V_new - beta T EV_old, computed without
// logs (never NaN when some pi_j underflows to 0).
void HouseholdSolver::howard_steps() {
  T_.apply_backward(EV_, Tev_);
  b_ = sol_.V - hp_.beta * Tev_;
  for (int h = 0; h < opt_.howard_steps; ++h) {
    Eigen::Map<const Eigen::MatrixXd> Vh(sol_.V.data(), Na_, Nz_);
    EV_.noalias() = Vh * hp_.P.transpose();
    T_.apply_backward(EV_, Tev_);
    sol_.V = b_ + hp_.beta * Tev_;
  }
}

// The sweep's image G(x), the residual G(x) - x, whether Newton steps are on, and the step.
void HouseholdSolver::step() {
  gx_.resize(2 * N_);
  gx_.head(N_) = (mu_new_.array().log() * (-inv_gamma_)).exp().matrix();
  gx_.tail(N_) = sol_.V;
  if (record_jacobian_)
    jac_.set_output_scale((-inv_gamma_ * gx_.head(N_).array() / mu_new_.array()).matrix());
  rhs_ = gx_ - x_;  // the fixed-point residual (the Newton step's right-hand side)
  const double r_now = rhs_.cwiseAbs().maxCoeff();
  if (newton_it_ && !(r_now < r_prev_)) {
    // The Newton step did not reduce the residual (too far from the fixed point, or the
    // linearisation is poor where the upper envelope acts): back to accelerated sweeps, and
    // Newton steps again only from a smaller residual (never after newton_max_failures), so
    // that the two cannot alternate without progress.
    newton_on_ = false;
    ++newton_failures_;
    mixer_.reset();
  } else if (!newton_on_ && opt_.newton && newton_failures_ < opt_.newton_max_failures &&
             r_now < opt_.newton_threshold * std::pow(opt_.newton_retry_factor, newton_failures_)) {
    newton_on_ = true;  // from the next sweep on
  }
  r_prev_ = r_now;
  if (newton_it_ && newton_on_)
    newton_step(r_now);
  else if (opt_.anderson_depth > 0)
    anderson_step();
  else
    std::swap(x_, gx_);
}

// Newton step: (I - J) dx = G(x) - x. The linear solve need not be more accurate than the
// step's own (quadratic) error, about r_now^2, or than newton_check_fraction of the tolerance;
// a residual below that needs no solve.
void HouseholdSolver::newton_step(double r_now) {
  const double target = opt_.newton_check_fraction * opt_.tolerance;
  xnext_ = gx_;
  if (r_now > target) {
    const double tol = std::clamp(std::max(r_now, target / r_now), opt_.gmres_tolerance_min,
                                  opt_.gmres_tolerance_max);
    const auto lin =
        jac_.solve(rhs_, dx_, tol, opt_.newton_max_products, opt_.newton_neumann_terms);
    if (lin.relative_residual < opt_.newton_accept_residual && dx_.allFinite()) {
      xnext_ = x_ + dx_;
      if (!(xnext_.head(N_).minCoeff() > 0)) xnext_ = gx_;  // keep mu^(-1/gamma) positive
    }
  }
  std::swap(x_, xnext_);
}

// Anderson mixing of x and G(x). The mixed marginal values must stay positive; otherwise the
// plain step.
void HouseholdSolver::anderson_step() {
  mixer_.step(x_, gx_, xnext_);
  if (!(xnext_.head(N_).minCoeff() > 0) || !xnext_.allFinite()) {
    mixer_.reset();
    xnext_ = gx_;
  }
  std::swap(x_, xnext_);
}

// Leaves v, V and pi mutually consistent. A Newton sweep leaves them so: v_j = u_j + beta
// E V_in(a'_j), V = sigma log sum exp((v + psi)/sigma), pi = softmax and mu = sum pi u'/p all
// from the one sweep (no Howard steps after it); such a sweep does not even store the brackets
// and u that the closing step would need. Otherwise one more Bellman step at the final policies
// (v_j = u_j + beta EV(a'_j), then the logit step), and mu from u'(c) = (1 - gamma) u(c) / c
// (the sweep keeps u only).
void HouseholdSolver::closing_step() {
  if (ended_on_newton_) {
    sol_.mu = mu_new_;
  } else {
    v_old_ = sol_.v;
    Eigen::Map<const Eigen::MatrixXd> Vm(sol_.V.data(), Na_, Nz_);
    EV_.noalias() = Vm * hp_.P.transpose();
    for (int j = 0; j < M_; ++j)
      for (int s = 0; s < Nz_; ++s) {
        const double* ev = EV_.col(s).data();
        for (int i = 0; i < Na_; ++i) {
          const int k = s * Na_ + i;
          const int l = lo_(k, j);
          const double tt = t_(k, j);
          sol_.v(k, j) = U_(k, j) + hp_.beta * (ev[l] + tt * (ev[l + 1] - ev[l]));
        }
      }
    logit_step();
    dv_ = std::max(dv_, (sol_.v - v_old_).cwiseAbs().maxCoeff());
    if (log_u_)
      MU_ = sol_.c.cwiseInverse();
    else
      MU_ = (U_.array() * (1.0 - hp_.gamma) / sol_.c.array()).matrix();
    sol_.mu = (sol_.pi.array() * MU_.array()).matrix() * inv_p_;
  }
  if (!(sol_.c.allFinite() && sol_.a_next.allFinite() && sol_.v.allFinite() && sol_.V.allFinite() &&
        sol_.pi.allFinite() && sol_.mu.allFinite())) {
    // Over- or underflow in the closing step (extreme but legal parameters): not an answer.
    failed_ = true;
    fail_msg_ = "non-finite policy or value at the solution (over- or underflow)";
  }
}

HouseholdSolution HouseholdSolver::finish() {
  sol_.sup_dc = dc_;
  sol_.sup_dv = dv_;
  sol_.newton_failures = newton_failures_;
  sol_.report.iterations = std::min(interrupted_ ? iter_ - 1 : iter_, max_iterations_);
  sol_.report.residual = dc_;
  sol_.report.seconds = timer_.seconds();
  if (failed_) {
    sol_.report.status = SolverStatus::Failed;
    sol_.report.message = fail_msg_;
  } else if (sol_.report.status == SolverStatus::IterationLimit) {
    sol_.report.message = std::string(interrupted_ ? "household: interrupted"
                                                   : "household: iteration limit reached") +
                          " (sup|dc| = " + std::to_string(dc_) +
                          ", sup|dv| = " + std::to_string(dv_) + ")";
  } else {
    sol_.report.message = "household: converged";
  }
  return std::move(sol_);
}

}  // namespace

HouseholdSolution solve_household(const HouseholdProblem& hp, const SolveOptions& opt,
                                  const HouseholdSolution* warm) {
  hp.validate();
  opt.validate();
  return HouseholdSolver(hp, opt, warm).solve();
}

}  // namespace hat::household
