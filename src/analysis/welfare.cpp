// Welfare measures of the HAT model: equivalent variation on period wealth, consumption
// equivalent, ACR benchmark, Proposition 2 decomposition, exact weighted quantiles.
//
// Method (equivalent variation). lambda(a, s) solves V_old(a, s; lambda) = V_new(a, s), where
// V_old(.; lambda) is the value of the old-price household problem whose budget is
// p_j c_j + a' = lambda (R a + W z) + tau (MODEL.md §1). One household solve gives
// V_old(k; lambda) for every state k, so the problem is solved on nodes lambda = 1 + m h
// (warm-started chains outwards from lambda = 1, tight tolerances on policies AND values) and
// each state's root is bracketed between adjacent nodes and located by bisection on the cubic
// Lagrange interpolant through the four surrounding nodes (interpolation error O(h^4); an
// off-node household solve checks it and the result is reported). The node range starts from
// first-order guesses lambda ~ 1 + dV/(dV/dlambda), with dV/dlambda from the envelope theorem
// (policy evaluation of u'(c_j)/p_j (R a + W z)), and is extended while some state's value
// moves towards its target beyond the range. Where R a + W z <= 0 a larger lambda lowers
// current resources, V_old(k; .) need not be monotone and there can be two roots: all roots
// in the range are found and the one nearest 1 is taken (the published code's secant search
// picks spurious roots there). References: MODEL.md §1; hat-paper-draft-a §B; Arkolakis,
// Costinot & Rodriguez-Clare (2012) for the benchmark.
//
// Method (consumption equivalent). Under the old policies V_old = U + S with U the expected
// discounted utility of consumption and S the quality and taste-shock terms (policy
// evaluation with the lottery operator). Scaling consumption by (1+x) in every period scales
// U by (1+x)^(1-gamma) (CRRA) or adds log(1+x)/(1-beta) (log), leaving S unchanged, which
// gives x in closed form.
#include "hat/analysis/welfare.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <numeric>

#include "hat/core/error.hpp"
#include "hat/core/parallel.hpp"
#include "hat/core/timer.hpp"
#include "hat/numerics/lottery.hpp"
#include "hat/numerics/markov.hpp"

namespace hat::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

const std::vector<std::string>& welfare_groupings() {
  static const std::vector<std::string> g{"income", "wealth", "expenditure", "expenditure_choice"};
  return g;
}

// ---- quantiles ---------------------------------------------------------------------------

Eigen::MatrixXd quantile_weights(const Eigen::VectorXd& value, const Eigen::VectorXd& mass,
                                 int groups) {
  const int N = static_cast<int>(value.size());
  if (mass.size() != N) throw InputError("quantile_weights: value and mass sizes differ");
  if (groups < 1) throw InputError("quantile_weights: need at least one group");
  double total = 0;
  for (int k = 0; k < N; ++k) {
    if (!std::isfinite(value(k))) throw InputError("quantile_weights: non-finite value");
    if (!(mass(k) >= 0) || !std::isfinite(mass(k)))
      throw InputError("quantile_weights: masses must be finite and >= 0");
    total += mass(k);
  }
  if (!(total > 0)) throw InputError("quantile_weights: total mass must be > 0");
  std::vector<int> order(N);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return value(a) < value(b); });
  Eigen::MatrixXd W = Eigen::MatrixXd::Zero(N, groups);
  double cum = 0;
  for (int b = 0; b < N;) {
    int e = b;
    double gm = 0;
    while (e < N && value(order[e]) == value(order[b])) gm += mass(order[e++]);
    const double lo = cum / total, hi = (cum + gm) / total;
    cum += gm;
    if (gm > 0) {
      for (int q = 0; q < groups; ++q) {
        const double qlo = static_cast<double>(q) / groups,
                     qhi = static_cast<double>(q + 1) / groups;
        const double overlap = std::min(hi, qhi) - std::max(lo, qlo);
        if (overlap <= 0) continue;
        const double f = overlap / (hi - lo);
        for (int t = b; t < e; ++t) W(order[t], q) = mass(order[t]) * f;
      }
    }
    b = e;
  }
  return W;
}

Eigen::MatrixXd pair_quantile_weights(const Eigen::MatrixXd& value, const Eigen::VectorXd& mass,
                                      const Eigen::MatrixXd& pi, int groups) {
  const int N = static_cast<int>(value.rows()), M = static_cast<int>(value.cols());
  if (mass.size() != N || pi.rows() != N || pi.cols() != M)
    throw InputError("pair_quantile_weights: value, mass and pi sizes differ");
  // Pairs stacked variety-major (index j N + k), as Eigen stores value and pi.
  Eigen::VectorXd v(static_cast<Eigen::Index>(N) * M), m(v.size());
  for (int j = 0; j < M; ++j)
    for (int k = 0; k < N; ++k) {
      m(j * N + k) = mass(k) * pi(k, j);
      // A pair never chosen is a zero-mass atom whatever its value.
      v(j * N + k) = m(j * N + k) == 0 && !std::isfinite(value(k, j)) ? 0.0 : value(k, j);
    }
  const Eigen::MatrixXd Wp = quantile_weights(v, m, groups);
  Eigen::MatrixXd W = Eigen::MatrixXd::Zero(N, groups);
  for (int j = 0; j < M; ++j) W += Wp.middleRows(static_cast<Eigen::Index>(j) * N, N);
  return W;
}

Eigen::VectorXd group_means(const Eigen::MatrixXd& weights, const Eigen::VectorXd& x) {
  Eigen::VectorXd out(weights.cols());
  for (int q = 0; q < weights.cols(); ++q) {
    double num = 0, den = 0;
    for (int k = 0; k < weights.rows(); ++k) {
      if (weights(k, q) == 0 || std::isnan(x(k))) continue;
      num += weights(k, q) * x(k);
      den += weights(k, q);
    }
    out(q) = den > 0 ? num / den : kNaN;
  }
  return out;
}

// ---- policy evaluation -------------------------------------------------------------------

Eigen::VectorXd evaluate_policy(const household::HouseholdProblem& hp,
                                const household::HouseholdSolution& sol,
                                const Eigen::VectorXd& payoff, double tolerance, int max_iterations,
                                SolverReport* report) {
  const int Na = hp.Na(), Nz = hp.Nz();
  numerics::LotteryOperator T;
  T.build(hp.grid, sol.a_next, sol.pi);
  Eigen::VectorXd X = payoff / (1.0 - hp.beta), TX, Xn;
  Eigen::MatrixXd EX;
  const Eigen::MatrixXd Pt = hp.P.transpose();
  SolverReport rep;
  rep.status = SolverStatus::IterationLimit;
  double diff = std::numeric_limits<double>::infinity();
  int it = 0;
  for (it = 1; it <= max_iterations; ++it) {
    Eigen::Map<const Eigen::MatrixXd> Xm(X.data(), Na, Nz);
    EX.noalias() = Xm * Pt;
    T.apply_backward(EX, TX);
    Xn = payoff + hp.beta * TX;
    diff = (Xn - X).cwiseAbs().maxCoeff();
    X.swap(Xn);
    if (!std::isfinite(diff)) {
      rep.status = SolverStatus::Failed;
      break;
    }
    if (diff <= tolerance * std::max(1.0, X.cwiseAbs().maxCoeff())) {
      rep.status = SolverStatus::Converged;
      break;
    }
  }
  rep.iterations = std::min(it, max_iterations);
  rep.residual = diff;
  rep.message =
      rep.converged() ? "policy evaluation: converged" : "policy evaluation: not converged";
  if (report) *report = rep;
  return X;
}

ValueSplit split_value(const household::HouseholdProblem& hp,
                       const household::HouseholdSolution& sol, double tolerance) {
  const int N = hp.Na() * hp.Nz(), M = hp.M();
  Eigen::VectorXd u(N);
  for (int k = 0; k < N; ++k) {
    double acc = 0;
    for (int j = 0; j < M; ++j) {
      const double p = sol.pi(k, j);
      if (p == 0) continue;
      const double c = sol.c(k, j);
      acc += p * household::utility(c, hp.gamma);
    }
    u(k) = acc;
  }
  ValueSplit s;
  s.utility = evaluate_policy(hp, sol, u, tolerance, 100000, &s.report);
  s.taste = sol.V - s.utility;
  return s;
}

Eigen::VectorXd consumption_equivalent(double gamma, double beta, const Eigen::VectorXd& V_old,
                                       const Eigen::VectorXd& V_new, const ValueSplit& split) {
  const int N = static_cast<int>(V_old.size());
  Eigen::VectorXd x(N);
  for (int k = 0; k < N; ++k) {
    if (V_new(k) == V_old(k)) {
      x(k) = 0.0;
    } else if (gamma == 1.0) {
      x(k) = std::expm1((1.0 - beta) * (V_new(k) - V_old(k)));
    } else {
      const double r = (V_new(k) - split.taste(k)) / split.utility(k);
      x(k) = (r > 0 && std::isfinite(r)) ? std::pow(r, 1.0 / (1.0 - gamma)) - 1.0 : kNaN;
    }
  }
  return x;
}

// ---- equivalent variation ----------------------------------------------------------------

namespace {

double lagrange(const double* xs, const double* ys, int n, double x) {
  double acc = 0;
  for (int i = 0; i < n; ++i) {
    double L = 1;
    for (int j = 0; j < n; ++j)
      if (j != i) L *= (x - xs[j]) / (xs[i] - xs[j]);
    acc += L * ys[i];
  }
  return acc;
}

// First index of the (up to) four-node stencil used for the bracket [b, b+1] of n nodes.
int stencil_start(int b, int n) {
  if (n <= 4) return 0;
  return std::clamp(b - 1, 0, n - 4);
}

struct RootScan {
  double root = kNaN;
  int count = 0;
  int direction = 0;  // +1: extend upwards, -1: downwards, 0: nothing to gain
};

// Roots of f(lambda) = V(k; lambda) - target on the nodes lam[0..n-1] (values f[0..n-1]).
RootScan scan_roots(const std::vector<double>& lam, const std::vector<double>& f,
                    double center = 1.0) {
  RootScan r;
  const int n = static_cast<int>(lam.size());
  double best_dist = std::numeric_limits<double>::infinity();
  auto take = [&](double x) {
    ++r.count;
    const double dist = std::abs(x - center);
    if (dist < best_dist) {
      best_dist = dist;
      r.root = x;
    }
  };
  for (int m = 0; m < n; ++m) {
    if (f[m] == 0.0) {
      take(lam[m]);
      continue;
    }
    if (m + 1 < n && f[m + 1] != 0.0 && ((f[m] < 0) != (f[m + 1] < 0))) {
      const int s = stencil_start(m, n), w = std::min(4, n);
      double lo = lam[m], hi = lam[m + 1];
      const bool lo_neg = f[m] < 0;
      for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
        const double mid = 0.5 * (lo + hi);
        const double fm = lagrange(&lam[s], &f[s], w, mid);
        if (fm == 0.0) {
          lo = hi = mid;
          break;
        }
        if ((fm < 0) == lo_neg)
          lo = mid;
        else
          hi = mid;
      }
      take(0.5 * (lo + hi));
    }
  }
  if (r.count == 0 && n >= 2) {
    const double ft = f[n - 1], st = f[n - 1] - f[n - 2];
    const double fb = f[0], sb = f[1] - f[0];
    if ((ft < 0 && st > 0) || (ft > 0 && st < 0))
      r.direction = +1;
    else if ((fb > 0 && sb > 0) || (fb < 0 && sb < 0))
      r.direction = -1;
  }
  return r;
}

// Household solutions at parameter nodes m (set(hp, m) gives node m its parameter; node 0 is
// the old solution), grown by two chains outwards from the current range, each solve
// warm-started from its neighbour. The chains run in parallel; the result does not depend on
// the thread count.
struct NodeChains {
  const household::HouseholdProblem& base;
  const household::SolveOptions& solve;
  std::function<void(household::HouseholdProblem&, int)> set;
  std::map<int, household::HouseholdSolution> nodes;
  int lo = 0, hi = 0, solves = 0;
  bool feasible_up = true, feasible_down = true;
  SolverReport worst;

  NodeChains(const household::HouseholdProblem& b, const household::SolveOptions& so,
             const household::HouseholdSolution& sol0,
             std::function<void(household::HouseholdProblem&, int)> setter)
      : base(b), solve(so), set(std::move(setter)) {
    nodes.emplace(0, sol0);
    worst.status = SolverStatus::Converged;
  }

  // Extends the range to [new_lo, new_hi]; `stride` > 1: every stride-th node (the coarser
  // extension beyond the core range). A chain stops where the parameter leaves no consumption
  // at the borrowing limit or a solve fails.
  void extend(int new_lo, int new_hi, int stride) {
    std::vector<std::pair<int, household::HouseholdSolution>> out[2];
    bool feasible[2] = {feasible_up, feasible_down};
    SolverReport w[2];
    w[0].status = w[1].status = SolverStatus::Converged;
    const int threads = omp_in_parallel() ? 1 : std::min(2, omp_get_max_threads());
    ParallelErrors errors;
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int c = 0; c < 2; ++c)
      errors.run(c, [&] {
        const int dir = c == 0 ? +1 : -1;
        int m = c == 0 ? hi : lo;
        const int target = c == 0 ? new_hi : new_lo;
        const household::HouseholdSolution* warm = &nodes.at(m);
        while (m != target && feasible[c]) {
          m = dir > 0 ? std::min(target, m + stride) : std::max(target, m - stride);
          household::HouseholdProblem hp = base;
          set(hp, m);
          try {
            hp.validate();
          } catch (const InputError&) {
            feasible[c] = false;
            break;
          }
          household::HouseholdSolution s = household::solve_household(hp, solve, warm);
          merge_report(w[c], s.report);
          if (s.report.status == SolverStatus::Failed) {
            feasible[c] = false;
            break;
          }
          out[c].emplace_back(m, std::move(s));
          warm = &out[c].back().second;
        }
      });
    errors.rethrow();
    feasible_up = feasible[0];
    feasible_down = feasible[1];
    for (int c = 0; c < 2; ++c) {
      merge_report(worst, w[c]);
      for (auto& [m, s] : out[c]) {
        if (c == 0)
          hi = std::max(hi, m);
        else
          lo = std::min(lo, m);
        nodes.emplace(m, std::move(s));
        ++solves;
      }
    }
  }
};

// The search for the equivalent variations of one old problem: household solutions on the
// nodes lambda = 1 + m h, grown until every state's root is bracketed (or the budget is spent),
// then each state's roots located on the nodes' interpolant, and one off-node solve to check the
// interpolation.
class EvSearch {
 public:
  EvSearch(const household::HouseholdProblem& hp_old, const household::HouseholdSolution& sol_old,
           const std::vector<Eigen::VectorXd>& targets, const WelfareOptions& opt,
           std::vector<EvResult>& res, EvReport& rep)
      : hp_old_(hp_old),
        sol_old_(sol_old),
        targets_(targets),
        opt_(opt),
        res_(res),
        rep_(rep),
        N_(hp_old.Na() * hp_old.Nz()),
        h_(opt.node_spacing),
        m_min_(static_cast<int>(std::ceil((opt.lambda_min - 1.0) / h_ - 1e-9))),
        m_max_(static_cast<int>(std::floor((opt.lambda_max - 1.0) / h_ + 1e-9))),
        ch_(hp_old, opt.household, sol_old,
            [h = h_](household::HouseholdProblem& hp, int m) { hp.lambda = 1.0 + m * h; }) {}

  void run() {
    const auto [want_lo, want_hi] = initial_range();
    extend(want_lo, want_hi, 1);
    refresh_nodes();
    grow_until_bracketed();
    rep_.lambda_lo = lam_of(ch_.lo);
    rep_.lambda_hi = lam_of(ch_.hi);
    if (lam_.size() >= 2) check_interpolation();
  }

 private:
  double lam_of(int m) const { return 1.0 + m * h_; }
  std::pair<int, int> initial_range();
  void extend(int new_lo, int new_hi, int stride) {
    ch_.extend(new_lo, new_hi, stride);
    rep_.nodes = ch_.solves;
    merge_report(rep_.report, ch_.worst);
  }
  void refresh_nodes() {
    lam_.clear();
    Vn_.clear();
    for (const auto& [m, s] : ch_.nodes) {
      lam_.push_back(lam_of(m));
      Vn_.push_back(&s.V);
    }
  }
  void scan_all(int& need_up, int& need_down);
  void grow_until_bracketed();
  void check_interpolation();

  const household::HouseholdProblem& hp_old_;
  const household::HouseholdSolution& sol_old_;
  const std::vector<Eigen::VectorXd>& targets_;
  const WelfareOptions& opt_;
  std::vector<EvResult>& res_;
  EvReport& rep_;
  const int N_;
  const double h_;
  const int m_min_, m_max_;  // node indices of lambda_min and lambda_max
  NodeChains ch_;            // solutions by m (0 = the old solution itself)
  Eigen::VectorXd wealth_;   // R a + W z by state
  std::vector<double> lam_, f_;
  std::vector<const Eigen::VectorXd*> Vn_;
};

// The first node range: first-order guesses lambda ~ 1 + (target - V) / (dV/dlambda) with
// dV/dlambda from the envelope theorem (policy evaluation). The fine core range covers the
// central guesses (states near zero wealth have tiny dV/dlambda and wild guesses; their roots
// are reached by the coarser extension).
std::pair<int, int> EvSearch::initial_range() {
  const int Na = hp_old_.Na(), Nz = hp_old_.Nz();
  wealth_.resize(N_);
  Eigen::VectorXd g(N_);
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i)
      wealth_(s * Na + i) = hp_old_.R * hp_old_.grid(i) + hp_old_.W * hp_old_.z(s);
  for (int k = 0; k < N_; ++k) {
    double acc = 0;
    for (int j = 0; j < hp_old_.M(); ++j)
      acc += sol_old_.pi(k, j) * std::pow(sol_old_.c(k, j), -hp_old_.gamma) / hp_old_.prices(j);
    g(k) = acc * wealth_(k);
  }
  const Eigen::VectorXd dV = evaluate_policy(hp_old_, sol_old_, g, 1e-10);
  std::vector<double> guesses;
  for (const auto& t : targets_)
    for (int k = 0; k < N_; ++k) {
      if (!(wealth_(k) > 0) || !(dV(k) > 0)) continue;
      const double guess = 1.0 + (t(k) - sol_old_.V(k)) / dV(k);
      if (std::isfinite(guess)) guesses.push_back(guess);
    }
  double lo = 1.0, hi = 1.0;
  if (!guesses.empty()) {
    std::sort(guesses.begin(), guesses.end());
    const size_t n = guesses.size();
    const size_t qlo = static_cast<size_t>(opt_.core_quantile * static_cast<double>(n));
    const size_t qhi = n - 1 - qlo;
    lo = std::min(lo, guesses[std::min(qlo, n - 1)]);
    hi = std::max(hi, guesses[std::max(qhi, qlo)]);
  }
  lo = std::max(lo, opt_.lambda_min);
  hi = std::min(hi, opt_.lambda_max);
  int want_lo = std::max(m_min_, static_cast<int>(std::floor((lo - 1.0) / h_)) - 2);
  int want_hi = std::min(m_max_, static_cast<int>(std::ceil((hi - 1.0) / h_)) + 2);
  while (want_hi - want_lo > opt_.max_nodes) {  // keep the initial range within the budget
    if (want_hi > -want_lo)
      --want_hi;
    else
      ++want_lo;
  }
  return {want_lo, want_hi};
}

// Roots of every (target, state) on the current nodes; counts the states whose value moves
// towards the target beyond the range (need_up, need_down).
void EvSearch::scan_all(int& need_up, int& need_down) {
  need_up = need_down = 0;
  const int n = static_cast<int>(lam_.size());
  f_.resize(n);
  rep_.unresolved = rep_.multiple_roots = 0;
  for (size_t t = 0; t < targets_.size(); ++t)
    for (int k = 0; k < N_; ++k) {
      for (int m = 0; m < n; ++m) f_[m] = (*Vn_[m])(k)-targets_[t](k);
      const RootScan r = scan_roots(lam_, f_);
      res_[t].lambda(k) = r.root;
      res_[t].roots(k) = r.count;
      if (r.count == 0) ++rep_.unresolved;
      if (r.count > 1) ++rep_.multiple_roots;
      if (r.direction > 0) ++need_up;
      if (r.direction < 0) ++need_down;
      if (r.count > 0) {
        // "Nearest 1" is only settled once both sides are searched as far as the root found.
        const double d = std::abs(r.root - 1.0);
        if (lam_.front() > 1.0 - d + 1e-12) ++need_down;
        if (lam_.back() < 1.0 + d - 1e-12) ++need_up;
      }
    }
}

// Scans and extends the node range (by half its width, every extension_stride-th node, within
// max_nodes) while some state needs it and the chain in that direction is still feasible.
void EvSearch::grow_until_bracketed() {
  const int &cur_lo = ch_.lo, &cur_hi = ch_.hi;
  for (int round = 0; round < 64; ++round) {
    int need_up, need_down;
    scan_all(need_up, need_down);
    const int span = std::max(4 * opt_.extension_stride, (cur_hi - cur_lo) / 2);
    int new_hi = cur_hi, new_lo = cur_lo;
    if (need_up && ch_.feasible_up) new_hi = std::min(m_max_, cur_hi + span);
    if (need_down && ch_.feasible_down) new_lo = std::max(m_min_, cur_lo - span);
    while (static_cast<int>(ch_.nodes.size()) +
                   (new_hi - cur_hi + cur_lo - new_lo) / opt_.extension_stride >
               opt_.max_nodes &&
           (new_hi > cur_hi || new_lo < cur_lo)) {
      if (new_hi > cur_hi)
        --new_hi;
      else
        ++new_lo;
    }
    if (new_hi == cur_hi && new_lo == cur_lo) break;
    extend(new_lo, new_hi, opt_.extension_stride);
    refresh_nodes();
  }
}

// Interpolation check: one direct solve at the midpoint of the bracket holding the median root
// of the first target, compared with the nodes' interpolant (in utils and in lambda units).
void EvSearch::check_interpolation() {
  std::vector<double> roots;
  for (int k = 0; k < N_; ++k)
    if (std::isfinite(res_[0].lambda(k))) roots.push_back(res_[0].lambda(k));
  double med = 1.0;
  if (!roots.empty()) {
    std::nth_element(roots.begin(), roots.begin() + roots.size() / 2, roots.end());
    med = roots[roots.size() / 2];
  }
  const int n = static_cast<int>(lam_.size());
  int b = static_cast<int>(std::upper_bound(lam_.begin(), lam_.end(), med) - lam_.begin()) - 1;
  b = std::clamp(b, 0, n - 2);
  const double lstar = 0.5 * (lam_[b] + lam_[b + 1]);
  household::HouseholdProblem hp = hp_old_;
  hp.lambda = lstar;
  household::HouseholdSolution s =
      household::solve_household(hp, opt_.household, &std::next(ch_.nodes.begin(), b)->second);
  merge_report(rep_.report, s.report);
  rep_.check_lambda = lstar;
  const int st = stencil_start(b, n), w = std::min(4, n);
  std::vector<double> y(w);
  for (int k = 0; k < N_; ++k) {
    for (int q = 0; q < w; ++q) y[q] = (*Vn_[st + q])(k);
    const double err = std::abs(lagrange(&lam_[st], y.data(), w, lstar) - s.V(k));
    rep_.check_error_value = std::max(rep_.check_error_value, err);
    const double slope = std::abs((*Vn_[b + 1])(k) - (*Vn_[b])(k)) / (lam_[b + 1] - lam_[b]);
    if (wealth_(k) > 0 && slope > 0)
      rep_.check_error_lambda = std::max(rep_.check_error_lambda, err / slope);
  }
}

}  // namespace

std::vector<EvResult> equivalent_variation(const household::HouseholdProblem& hp_old,
                                           const household::HouseholdSolution& sol_old,
                                           const std::vector<Eigen::VectorXd>& targets,
                                           const WelfareOptions& opt, EvReport* report) {
  const int N = hp_old.Na() * hp_old.Nz();
  if (hp_old.lambda != 1.0)
    throw InputError("equivalent_variation: the old problem must have lambda = 1");
  if (!(opt.node_spacing > 0 && opt.node_spacing < 1))
    throw InputError("welfare: node spacing must be in (0, 1)");
  if (!(opt.lambda_min < 1 && opt.lambda_max > 1 && opt.lambda_min > 0))
    throw InputError("welfare: need 0 < lambda_min < 1 < lambda_max");
  for (const auto& t : targets)
    if (t.size() != N)
      throw InputError("equivalent_variation: target size differs from the state space");
  EvReport rep;
  rep.report.status = SolverStatus::Converged;
  rep.report.message = "equivalent variation: all node solves converged";
  std::vector<EvResult> res(targets.size());
  for (auto& r : res) {
    r.lambda = Eigen::VectorXd::Constant(N, kNaN);
    r.roots = Eigen::VectorXi::Zero(N);
  }
  // A target equal to the old value function (bit for bit) has lambda = 1 exactly.
  bool trivial = true;
  for (const auto& t : targets) trivial = trivial && (t.array() == sol_old.V.array()).all();
  if (trivial) {
    for (auto& r : res) {
      r.lambda.setOnes();
      r.roots.setOnes();
    }
  } else {
    EvSearch(hp_old, sol_old, targets, opt, res, rep).run();
    if (!rep.report.converged())
      rep.report.message =
          "equivalent variation: a household solve at a lambda node did not converge (" +
          rep.report.message + ")";
  }
  if (report) *report = rep;
  return res;
}

// ---- lump-sum equivalent variation ---------------------------------------------------------

double mean_labour_income(const household::HouseholdProblem& hp) {
  const Eigen::VectorXd p = numerics::stationary_distribution(hp.P);
  return hp.W * p.dot(hp.z);
}

namespace {

// Secant refinement of one state's root by direct solves at tau (Newton-like: the first slope
// is the node secant). Returns |V(k; tau) - target| of the last solve; `solves` counts them.
double polish_root(const household::HouseholdProblem& hp_old, const WelfareOptions& opt,
                   const household::HouseholdSolution& warm0, int k, double target, double slope,
                   double& tau, int& solves, SolverReport& worst) {
  const double tol = opt.lump_sum_polish * std::max(1.0, std::abs(target));
  household::HouseholdSolution warm = warm0;
  double x_prev = kNaN, r_prev = kNaN, r = kNaN, solved = tau;
  for (int it = 0; it < 12; ++it) {
    household::HouseholdProblem hp = hp_old;
    hp.tau = hp_old.tau + tau;
    try {
      hp.validate();
    } catch (const InputError&) {
      return kNaN;
    }
    household::HouseholdSolution s = household::solve_household(hp, opt.household, &warm);
    ++solves;
    merge_report(worst, s.report);
    if (s.report.status == SolverStatus::Failed) return kNaN;
    r = s.V(k) - target;
    solved = tau;
    if (std::abs(r) <= tol) break;
    if (std::isfinite(x_prev) && r != r_prev && tau != x_prev) {
      const double sec = (r - r_prev) / (tau - x_prev);
      if (sec > 0) slope = sec;  // V(k; .) is increasing: keep the node slope otherwise
    }
    x_prev = tau;
    r_prev = r;
    tau -= r / slope;
    warm = std::move(s);
  }
  tau = solved;  // the last tau solved at (its residual is r)
  return std::abs(r);
}

}  // namespace

namespace {

// Interpolation check: one direct solve at the midpoint of the bracket holding the median root.
void lump_sum_check(const household::HouseholdProblem& hp_old, const WelfareOptions& opt,
                    const std::vector<double>& x,
                    const std::vector<const household::HouseholdSolution*>& sols,
                    const Eigen::VectorXd& tau, LumpSumReport& rep) {
  const int n = static_cast<int>(x.size()), N = static_cast<int>(tau.size());
  if (n < 2) return;
  std::vector<double> roots;
  for (int k = 0; k < N; ++k)
    if (std::isfinite(tau(k))) roots.push_back(tau(k));
  double med = 0.0;
  if (!roots.empty()) {
    std::nth_element(roots.begin(), roots.begin() + roots.size() / 2, roots.end());
    med = roots[roots.size() / 2];
  }
  const int b = std::clamp(
      static_cast<int>(std::upper_bound(x.begin(), x.end(), med) - x.begin()) - 1, 0, n - 2);
  const double xs = 0.5 * (x[b] + x[b + 1]);
  household::HouseholdProblem hp = hp_old;
  hp.tau = hp_old.tau + xs;
  household::HouseholdSolution s = household::solve_household(hp, opt.household, sols[b]);
  merge_report(rep.report, s.report);
  rep.check_tau = xs;
  const int st = stencil_start(b, n), w = std::min(4, n);
  std::vector<double> y(w);
  for (int k = 0; k < N; ++k) {
    for (int q = 0; q < w; ++q) y[q] = sols[st + q]->V(k);
    const double err = std::abs(lagrange(&x[st], y.data(), w, xs) - s.V(k));
    rep.check_error_value = std::max(rep.check_error_value, err);
    const double slope = (sols[b + 1]->V(k) - sols[b]->V(k)) / (x[b + 1] - x[b]);
    if (slope > 0)
      rep.check_error_tau = std::max(rep.check_error_tau, err / slope / rep.labour_income);
  }
}

// Refines every root by direct solves (states in parallel, each warm-started from the node
// below its root: the result does not depend on the thread count).
void lump_sum_polish(const household::HouseholdProblem& hp_old, const WelfareOptions& opt,
                     const std::vector<double>& x,
                     const std::vector<const household::HouseholdSolution*>& sols,
                     const std::vector<Eigen::VectorXd>& targets, std::vector<LumpSumResult>& res,
                     LumpSumReport& rep) {
  const int n = static_cast<int>(x.size()), T = static_cast<int>(targets.size());
  const int N = T ? static_cast<int>(targets[0].size()) : 0;
  std::vector<int> solves(static_cast<size_t>(T) * N, 0);
  std::vector<SolverReport> worst(static_cast<size_t>(T) * N);
  const int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  ParallelErrors errors;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 4)
  for (int p = 0; p < T * N; ++p)
    errors.run(p, [&] {
      const int t = p / N, k = p % N;
      worst[p].status = SolverStatus::Converged;
      double tau = res[t].tau(k);
      if (!std::isfinite(tau) || n < 2) return;
      const int b = std::clamp(
          static_cast<int>(std::upper_bound(x.begin(), x.end(), tau) - x.begin()) - 1, 0, n - 2);
      const double slope = (sols[b + 1]->V(k) - sols[b]->V(k)) / (x[b + 1] - x[b]);
      if (!(slope > 0)) return;
      const double r =
          polish_root(hp_old, opt, *sols[b], k, targets[t](k), slope, tau, solves[p], worst[p]);
      res[t].tau(k) = std::isfinite(r) ? tau : kNaN;
      res[t].residual(k) = r;
    });
  errors.rethrow();
  for (int p = 0; p < T * N; ++p) {
    rep.polish_solves += solves[p];
    merge_report(rep.report, worst[p]);
    const double r = res[p / N].residual(p % N);
    if (std::isfinite(r)) rep.polish_max_residual = std::max(rep.polish_max_residual, r);
  }
}

}  // namespace

std::vector<LumpSumResult> lump_sum_ev(const household::HouseholdProblem& hp_old,
                                       const household::HouseholdSolution& sol_old,
                                       const std::vector<Eigen::VectorXd>& targets,
                                       const WelfareOptions& opt, LumpSumReport* report) {
  const int N = hp_old.Na() * hp_old.Nz(), T = static_cast<int>(targets.size());
  if (!(opt.lump_sum_spacing > 0 && opt.lump_sum_spacing < opt.lump_sum_max))
    throw InputError("welfare: lump-sum node spacing must be in (0, lump_sum_max)");
  if (!(opt.lump_sum_polish >= 0)) throw InputError("welfare: lump_sum_polish must be >= 0");
  for (const auto& t : targets)
    if (t.size() != N) throw InputError("lump_sum_ev: target size differs from the state space");
  if (sol_old.V.size() != N) throw InputError("lump_sum_ev: old solution has another state space");
  LumpSumReport rep;
  rep.report.status = SolverStatus::Converged;
  rep.report.message = "lump-sum EV: all node solves converged";
  rep.labour_income = mean_labour_income(hp_old);
  std::vector<LumpSumResult> res(T);
  for (auto& r : res) {
    r.tau = Eigen::VectorXd::Constant(N, kNaN);
    r.roots = Eigen::VectorXi::Zero(N);
    r.residual = Eigen::VectorXd::Constant(N, kNaN);
  }
  bool trivial = true;  // targets equal to the old values (bit for bit): tau = 0 exactly
  for (const auto& t : targets) trivial = trivial && (t.array() == sol_old.V.array()).all();
  if (trivial) {
    for (auto& r : res) {
      r.tau.setZero();
      r.roots.setOnes();
      r.residual.setZero();
    }
    if (report) *report = rep;
    return res;
  }
  const double h = opt.lump_sum_spacing * rep.labour_income;
  const int m_max = static_cast<int>(std::floor(opt.lump_sum_max / opt.lump_sum_spacing + 1e-9));
  auto tau_of = [h](int m) { return m * h; };

  // First-order guesses tau ~ dV / (dV/dtau), dV/dtau = E sum beta^t mu_t (envelope theorem).
  Eigen::VectorXd g(N);
  for (int k = 0; k < N; ++k) {
    double acc = 0;
    for (int j = 0; j < hp_old.M(); ++j)
      acc += sol_old.pi(k, j) * std::pow(sol_old.c(k, j), -hp_old.gamma) / hp_old.prices(j);
    g(k) = acc;
  }
  const Eigen::VectorXd dV = evaluate_policy(hp_old, sol_old, g, 1e-10);
  std::vector<double> guesses;
  for (const auto& t : targets)
    for (int k = 0; k < N; ++k)
      if (dV(k) > 0 && std::isfinite((t(k) - sol_old.V(k)) / dV(k)))
        guesses.push_back((t(k) - sol_old.V(k)) / dV(k));
  int want_lo = 0, want_hi = 0;
  if (!guesses.empty()) {
    std::sort(guesses.begin(), guesses.end());
    const size_t n = guesses.size(), q = static_cast<size_t>(opt.core_quantile * n);
    want_lo = std::max(-m_max, static_cast<int>(std::floor(std::min(0.0, guesses[q]) / h)) - 2);
    want_hi =
        std::min(m_max, static_cast<int>(std::ceil(std::max(0.0, guesses[n - 1 - q]) / h)) + 2);
  }
  while (want_hi - want_lo > opt.max_nodes) (want_hi > -want_lo ? --want_hi : ++want_lo);

  NodeChains ch(hp_old, opt.household, sol_old,
                [&](household::HouseholdProblem& hp, int m) { hp.tau = hp_old.tau + tau_of(m); });
  ch.extend(want_lo, want_hi, 1);
  std::vector<double> x, f;
  std::vector<const household::HouseholdSolution*> sols;
  for (int round = 0; round < 64; ++round) {
    x.clear();
    sols.clear();
    for (const auto& [m, s] : ch.nodes) {
      x.push_back(tau_of(m));
      sols.push_back(&s);
    }
    const int n = static_cast<int>(x.size());
    f.resize(n);
    int need_up = 0, need_down = 0;
    rep.unresolved = rep.multiple_roots = 0;
    for (int t = 0; t < T; ++t)
      for (int k = 0; k < N; ++k) {
        for (int m = 0; m < n; ++m) f[m] = sols[m]->V(k) - targets[t](k);
        const RootScan r = scan_roots(x, f, 0.0);
        res[t].tau(k) = r.root;
        res[t].roots(k) = r.count;
        rep.unresolved += r.count == 0;
        rep.multiple_roots += r.count > 1;
        need_up += f[n - 1] < 0;  // V(k; .) increasing: the root lies above the range
        need_down += f[0] > 0;
      }
    const int span = std::max(4 * opt.extension_stride, (ch.hi - ch.lo) / 2);
    int new_hi = ch.hi, new_lo = ch.lo;
    if (need_up && ch.feasible_up) new_hi = std::min(m_max, ch.hi + span);
    if (need_down && ch.feasible_down) new_lo = std::max(-m_max, ch.lo - span);
    while (static_cast<int>(ch.nodes.size()) +
                   (new_hi - ch.hi + ch.lo - new_lo) / opt.extension_stride >
               opt.max_nodes &&
           (new_hi > ch.hi || new_lo < ch.lo))
      (new_hi > ch.hi ? --new_hi : ++new_lo);
    if (new_hi == ch.hi && new_lo == ch.lo) break;
    ch.extend(new_lo, new_hi, opt.extension_stride);
  }
  rep.nodes = ch.solves;
  rep.report = ch.worst;
  rep.tau_lo = tau_of(ch.lo);
  rep.tau_hi = tau_of(ch.hi);
  lump_sum_check(hp_old, opt, x, sols, res[0].tau, rep);
  if (opt.lump_sum_polish > 0) lump_sum_polish(hp_old, opt, x, sols, targets, res, rep);
  if (!rep.report.converged())
    rep.report.message =
        "lump-sum EV: a household solve did not converge (" + rep.report.message + ")";
  if (report) *report = rep;
  return res;
}

// ---- decomposition -----------------------------------------------------------------------

Decomposition decompose(const Eigen::VectorXd& V_old, const Eigen::VectorXd& mass_old,
                        const Eigen::VectorXd& V_new, const Eigen::VectorXd& mass_new) {
  Decomposition d;
  for (int k = 0; k < V_old.size(); ++k) {
    const double dv = V_new(k) - V_old(k), dm = mass_new(k) - mass_old(k);
    d.W_old += mass_old(k) * V_old(k);
    d.W_new += mass_new(k) * V_new(k);
    d.household += mass_old(k) * dv;
    d.reallocation += V_old(k) * dm;
    d.interaction += dv * dm;
  }
  return d;
}

// ---- one country -------------------------------------------------------------------------

HouseholdState solve_tight(const household::HouseholdProblem& hp, const WelfareOptions& opt,
                           const household::HouseholdSolution* warm,
                           const Eigen::VectorXd* warm_mass) {
  HouseholdState st;
  st.problem = hp;
  st.solution = household::solve_household(hp, opt.household, warm);
  st.report = st.solution.report;
  if (st.solution.report.status == SolverStatus::Failed) return st;
  household::StationaryDistribution d =
      household::stationary_distribution(hp, st.solution, opt.distribution, warm_mass);
  st.mass = d.mass;
  if (st.report.converged() && !d.report.converged()) st.report = d.report;
  st.aggregates = household::aggregate(hp, st.solution, st.mass);
  return st;
}

namespace {

// Linear interpolation of a state vector on `from` grid onto the `to` grid (per income state),
// clamped at the ends.
Eigen::VectorXd regrid_values(const Eigen::VectorXd& v, const Eigen::VectorXd& from,
                              const Eigen::VectorXd& to, int Nz) {
  const int Na = static_cast<int>(from.size());
  Eigen::VectorXd out(Na * Nz);
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i) {
      const double a = std::clamp(to(i), from(0), from(Na - 1));
      int l =
          static_cast<int>(std::upper_bound(from.data(), from.data() + Na, a) - from.data()) - 1;
      l = std::clamp(l, 0, Na - 2);
      const double t = (a - from(l)) / (from(l + 1) - from(l));
      out(s * Na + i) = v(s * Na + l) + t * (v(s * Na + l + 1) - v(s * Na + l));
    }
  return out;
}

// Mass on the `from` grid moved to the `to` grid by splitting each point between the two
// bracketing points (total mass preserved).
Eigen::VectorXd regrid_mass(const Eigen::VectorXd& m, const Eigen::VectorXd& from,
                            const Eigen::VectorXd& to, int Nz) {
  const int Na = static_cast<int>(from.size());
  Eigen::VectorXd out = Eigen::VectorXd::Zero(Na * Nz);
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i) {
      const double a = std::clamp(from(i), to(0), to(Na - 1));
      int l = static_cast<int>(std::upper_bound(to.data(), to.data() + Na, a) - to.data()) - 1;
      l = std::clamp(l, 0, Na - 2);
      const double t = (a - to(l)) / (to(l + 1) - to(l));
      out(s * Na + l) += (1 - t) * m(s * Na + i);
      out(s * Na + l + 1) += t * m(s * Na + i);
    }
  return out;
}

// Utilitarian means of a scenario's measures over the old distribution (NaN states left out),
// and the masses of the EV's ill-posed states.
void scenario_means(const CountryWelfare& cw, ScenarioWelfare& sw) {
  const int N = static_cast<int>(cw.mass_old.size());
  auto mean = [&](const Eigen::VectorXd& x, double* missing) {
    double num = 0, den = 0, miss = 0;
    for (int k = 0; k < N; ++k) {
      if (std::isnan(x(k))) {
        miss += cw.mass_old(k);
        continue;
      }
      num += cw.mass_old(k) * x(k);
      den += cw.mass_old(k);
    }
    if (missing) *missing = miss;
    return den > 0 ? num / den : kNaN;
  };
  sw.mean_ev = mean(sw.ev, &sw.unresolved_mass);
  sw.mean_ce = mean(sw.ce, nullptr);
  sw.mean_ev_lump_sum = mean(sw.ev_lump_sum, nullptr);
  // Where R a + W z <= 0 a gain shows as lambda < 1: also report the mean over the others,
  // and over the well-posed states (R a + W z > 0 and one root).
  Eigen::VectorXd ev_pos = sw.ev, ev_wp = sw.ev;
  sw.multiple_roots_mass = sw.well_posed_mass = 0;
  for (int k = 0; k < N; ++k) {
    if (cw.nonpositive_wealth[k]) ev_pos(k) = kNaN;
    if (sw.ev_roots(k) > 1) sw.multiple_roots_mass += cw.mass_old(k);
    if (cw.ev_direction(k) > 0 && sw.ev_roots(k) == 1)
      sw.well_posed_mass += cw.mass_old(k);
    else
      ev_wp(k) = kNaN;
  }
  sw.mean_ev_positive_wealth = mean(ev_pos, nullptr);
  sw.mean_ev_well_posed = mean(ev_wp, nullptr);
}

}  // namespace

CountryWelfare measure_welfare(
    const HouseholdState& old_state,
    const std::vector<std::pair<std::string, const HouseholdState*>>& news, int home, double theta,
    const WelfareOptions& opt, double theta_trade_weighted) {
  Timer timer;
  const auto& hp = old_state.problem;
  const auto& sol = old_state.solution;
  const int Na = hp.Na(), Nz = hp.Nz(), N = Na * Nz, M = hp.M();
  CountryWelfare cw;
  cw.country = home;
  cw.assets.resize(N);
  cw.z.resize(N);
  cw.income.resize(N);
  cw.expenditure.resize(N);
  cw.nonpositive_wealth.assign(N, 0);
  cw.ev_direction.resize(N);
  cw.mass_old = old_state.mass;
  cw.V_old = sol.V;
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i) {
      const int k = s * Na + i;
      const double a = hp.grid(i);
      cw.assets(k) = a;
      cw.z(k) = hp.z(s);
      cw.income(k) = (hp.R - 1.0) * a + hp.W * hp.z(s);
      double e = 0;
      for (int j = 0; j < M; ++j) e += sol.pi(k, j) * hp.prices(j) * sol.c(k, j);
      cw.expenditure(k) = e;
      const double wealth = hp.R * a + hp.W * hp.z(s);
      cw.ev_direction(k) = wealth > 0 ? 1 : (wealth < 0 ? -1 : 0);
      if (!(wealth > 0)) {
        cw.nonpositive_wealth[k] = 1;
        cw.nonpositive_wealth_mass += cw.mass_old(k);
      }
    }
  cw.split = split_value(hp, sol, opt.policy_tolerance);

  std::vector<Eigen::VectorXd> targets;
  cw.scenarios.resize(news.size());
  for (size_t t = 0; t < news.size(); ++t) {
    ScenarioWelfare& sw = cw.scenarios[t];
    const HouseholdState& ns = *news[t].second;
    sw.scenario = news[t].first;
    if (ns.problem.Na() != Na || ns.problem.Nz() != Nz)
      throw InputError("welfare: the new household block has a different state space");
    if (ns.problem.grid == hp.grid) {
      sw.V_new = ns.solution.V;
      sw.mass_new = ns.mass;
    } else {
      sw.grid_changed = true;
      sw.V_new = regrid_values(ns.solution.V, ns.problem.grid, hp.grid, Nz);
      sw.mass_new = regrid_mass(ns.mass, ns.problem.grid, hp.grid, Nz);
    }
    targets.push_back(sw.V_new);
  }
  std::vector<EvResult> ev = equivalent_variation(hp, sol, targets, opt, &cw.ev_report);
  std::vector<LumpSumResult> ls = lump_sum_ev(hp, sol, targets, opt, &cw.lump_sum_report);

  std::map<std::string, Eigen::MatrixXd> qw;
  qw["income"] = quantile_weights(cw.income, cw.mass_old, opt.groups);
  qw["wealth"] = quantile_weights(cw.assets, cw.mass_old, opt.groups);
  qw["expenditure"] = quantile_weights(cw.expenditure, cw.mass_old, opt.groups);
  Eigen::MatrixXd pair_exp(N, M);
  for (int j = 0; j < M; ++j) pair_exp.col(j) = hp.prices(j) * sol.c.col(j);
  qw["expenditure_choice"] = pair_quantile_weights(pair_exp, cw.mass_old, sol.pi, opt.groups);
  if (!(theta <= 0))
    throw InputError("theta: the ACR trade elasticity must be negative (0: -1/sigma_i)");
  const double th = theta != 0 ? theta : -1.0 / hp.sigma;
  for (size_t t = 0; t < news.size(); ++t) {
    ScenarioWelfare& sw = cw.scenarios[t];
    const HouseholdState& ns = *news[t].second;
    sw.ev = ev[t].lambda.array() - 1.0;
    sw.ev_roots = ev[t].roots;
    sw.ce = consumption_equivalent(hp.gamma, hp.beta, sol.V, sw.V_new, cw.split);
    sw.ev_lump_sum = ls[t].tau / cw.lump_sum_report.labour_income;
    scenario_means(cw, sw);
    for (const auto& g : welfare_groupings()) {
      sw.ev_groups[g] = group_means(qw[g], sw.ev);
      sw.ce_groups[g] = group_means(qw[g], sw.ce);
      sw.ev_lump_sum_groups[g] = group_means(qw[g], sw.ev_lump_sum);
    }
    sw.theta = th;
    sw.home_share_old = old_state.aggregates.expenditure_share(home);
    sw.home_share_new = ns.aggregates.expenditure_share(home);
    sw.acr = (sw.home_share_new == sw.home_share_old)
                 ? 0.0
                 : std::pow(sw.home_share_new / sw.home_share_old, 1.0 / th) - 1.0;
    sw.theta_trade_weighted = theta_trade_weighted;
    if (theta_trade_weighted < 0)
      sw.acr_trade_weighted =
          std::log(sw.home_share_new / sw.home_share_old) / theta_trade_weighted;
    sw.decomposition = decompose(sol.V, cw.mass_old, sw.V_new, sw.mass_new);
  }
  cw.seconds = timer.seconds();
  return cw;
}

}  // namespace hat::analysis
