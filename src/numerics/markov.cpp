// Markov chain discretisations.
// References: Rouwenhorst (1995); Kopecky & Suen (2010, RED) for the recursive construction
// and its moment-matching property; Tauchen (1986, Economics Letters).
#include "hat/numerics/markov.hpp"

#include <cmath>
#include <string>

#include "hat/core/error.hpp"

namespace hat::numerics {

MarkovChain rouwenhorst(int n, double rho, double innovation_variance) {
  if (n < 1) throw InputError("rouwenhorst: need at least 1 state");
  if (!(std::abs(rho) < 1)) throw InputError("rouwenhorst: |rho| must be < 1");
  if (!(innovation_variance >= 0)) throw InputError("rouwenhorst: variance must be >= 0");
  MarkovChain mc;
  if (n == 1) {
    mc.states = Eigen::VectorXd::Zero(1);
    mc.P = Eigen::MatrixXd::Ones(1, 1);
    return mc;
  }
  const double p = (1.0 + rho) / 2.0;
  Eigen::MatrixXd P(2, 2);
  P << p, 1 - p, 1 - p, p;
  for (int m = 3; m <= n; ++m) {
    Eigen::MatrixXd Q = Eigen::MatrixXd::Zero(m, m);
    Q.topLeftCorner(m - 1, m - 1) += p * P;
    Q.topRightCorner(m - 1, m - 1) += (1 - p) * P;
    Q.bottomLeftCorner(m - 1, m - 1) += (1 - p) * P;
    Q.bottomRightCorner(m - 1, m - 1) += p * P;
    Q.middleRows(1, m - 2) /= 2.0;
    P = Q;
  }
  const double sd_y = std::sqrt(innovation_variance / (1 - rho * rho));
  const double psi = std::sqrt(static_cast<double>(n - 1)) * sd_y;
  mc.states = Eigen::VectorXd::LinSpaced(n, -psi, psi);
  // Normalise rows exactly (the recursion is exact in real arithmetic; remove rounding drift).
  for (int i = 0; i < n; ++i) P.row(i) /= P.row(i).sum();
  mc.P = P;
  return mc;
}

namespace {
double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}
}  // namespace

MarkovChain tauchen(int n, double rho, double innovation_variance, double m) {
  if (n < 1) throw InputError("tauchen: need at least 1 state");
  if (!(std::abs(rho) < 1)) throw InputError("tauchen: |rho| must be < 1");
  MarkovChain mc;
  if (n == 1) {
    mc.states = Eigen::VectorXd::Zero(1);
    mc.P = Eigen::MatrixXd::Ones(1, 1);
    return mc;
  }
  const double se = std::sqrt(innovation_variance);
  const double sd_y = se / std::sqrt(1 - rho * rho);
  mc.states = Eigen::VectorXd::LinSpaced(n, -m * sd_y, m * sd_y);
  const double step = mc.states(1) - mc.states(0);
  mc.P.resize(n, n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const double mu = rho * mc.states(i);
      if (j == 0) {
        mc.P(i, j) = normal_cdf((mc.states(0) - mu + step / 2) / se);
      } else if (j == n - 1) {
        mc.P(i, j) = 1 - normal_cdf((mc.states(n - 1) - mu - step / 2) / se);
      } else {
        mc.P(i, j) = normal_cdf((mc.states(j) - mu + step / 2) / se) -
                     normal_cdf((mc.states(j) - mu - step / 2) / se);
      }
    }
    mc.P.row(i) /= mc.P.row(i).sum();
  }
  return mc;
}

void validate_transition_matrix(const Eigen::MatrixXd& P, double tol) {
  if (P.rows() != P.cols() || P.rows() == 0)
    throw InputError("transition matrix must be square and non-empty");
  for (Eigen::Index i = 0; i < P.rows(); ++i) {
    for (Eigen::Index j = 0; j < P.cols(); ++j)
      if (!std::isfinite(P(i, j)) || P(i, j) < 0)
        throw InputError("transition matrix entry (" + std::to_string(i + 1) + "," +
                         std::to_string(j + 1) + ") is negative or not finite");
    if (std::abs(P.row(i).sum() - 1.0) > tol)
      throw InputError("transition matrix row " + std::to_string(i + 1) + " sums to " +
                       std::to_string(P.row(i).sum()) + ", not 1");
  }
}

Eigen::VectorXd stationary_distribution(const Eigen::MatrixXd& P) {
  const Eigen::Index n = P.rows();
  Eigen::MatrixXd A = P.transpose() - Eigen::MatrixXd::Identity(n, n);
  A.row(n - 1).setOnes();
  Eigen::VectorXd b = Eigen::VectorXd::Zero(n);
  b(n - 1) = 1.0;
  Eigen::VectorXd pi = A.colPivHouseholderQr().solve(b);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!std::isfinite(pi(i)) || pi(i) < -1e-12)
      throw NumericalError("stationary distribution: chain is not irreducible (negative mass)");
    pi(i) = std::max(pi(i), 0.0);
  }
  pi /= pi.sum();
  return pi;
}

IncomeProcess make_income_process(const IncomeSpec& spec) {
  MarkovChain pers =
      spec.tauchen
          ? tauchen(spec.persistent_states, spec.persistent_rho, spec.persistent_variance)
          : rouwenhorst(spec.persistent_states, spec.persistent_rho, spec.persistent_variance);
  MarkovChain tran = spec.tauchen
                         ? tauchen(spec.transitory_states, 0.0, spec.transitory_variance)
                         : rouwenhorst(spec.transitory_states, 0.0, spec.transitory_variance);
  const int np = spec.persistent_states, nt = spec.transitory_states, n = np * nt;
  IncomeProcess ip;
  ip.persistent_states = np;
  ip.transitory_states = nt;
  ip.z.resize(n);
  ip.log_persistent.resize(n);
  ip.P.resize(n, n);
  for (int a = 0; a < np; ++a)
    for (int b = 0; b < nt; ++b) {
      const int s = a * nt + b;
      ip.z(s) = std::exp(pers.states(a)) * std::exp(tran.states(b));
      ip.log_persistent(s) = pers.states(a);
      for (int a2 = 0; a2 < np; ++a2)
        for (int b2 = 0; b2 < nt; ++b2) ip.P(s, a2 * nt + b2) = pers.P(a, a2) * tran.P(b, b2);
    }
  for (int s = 0; s < n; ++s) ip.P.row(s) /= ip.P.row(s).sum();
  ip.stationary = stationary_distribution(ip.P);
  ip.z /= ip.stationary.dot(ip.z);
  return ip;
}

std::vector<int> first_identical_row(const Eigen::MatrixXd& P) {
  const int n = static_cast<int>(P.rows());
  std::vector<int> rep(n);
  for (int s = 0; s < n; ++s) {
    rep[s] = s;
    for (int r = 0; r < s; ++r)
      if (rep[r] == r && P.row(r) == P.row(s)) {
        rep[s] = r;
        break;
      }
  }
  return rep;
}

void mix_by_rows(const Eigen::Ref<const Eigen::MatrixXd>& F, const Eigen::MatrixXd& P,
                 const std::vector<int>& rep, Eigen::MatrixXd& out, Eigen::MatrixXd& work) {
  const int Nz = static_cast<int>(P.rows());
  const Eigen::Index Na = F.rows();
  // work.col(r) = sum of F's columns whose row is r's (only first-of-class columns are used).
  work.resize(Na, Nz);
  for (int r = 0; r < Nz; ++r)
    if (rep[r] == r) work.col(r) = F.col(r);
  for (int s = 0; s < Nz; ++s)
    if (rep[s] != s) work.col(rep[s]) += F.col(s);
  out.resize(Na, Nz);
  for (int t = 0; t < Nz; ++t) {
    auto o = out.col(t);
    o.setZero();
    for (int r = 0; r < Nz; ++r)
      if (rep[r] == r && P(r, t) != 0.0) o += P(r, t) * work.col(r);
  }
}

}  // namespace hat::numerics
