// Sparse Jacobian of the plain EGM sweep and the Newton-Krylov step; see sweep_jacobian.hpp.
// Method: Newton-Krylov (Knoll & Keyes 2004, J. Comput. Phys.) with an analytic Jacobian of
// the sweep, GMRES (Saad & Schultz 1986) with a Neumann-series polynomial preconditioner
// (Dubois, Greenbaum & Rodrigue 1979).
#include "sweep_jacobian.hpp"

#include <algorithm>

#include "hat/numerics/markov.hpp"

namespace hat::household {

void SweepJacobian::reset(int Na, int Nz, int M) {
  Na_ = Na;
  Nz_ = Nz;
  const int N = Na * Nz;
  // A row touches at most 2M grid points (two brackets per choice), and at most Na.
  const size_t cap = static_cast<size_t>(N) * std::min(2 * M, Na);
  row_start_.resize(N + 1);
  row_start_[0] = 0;
  if (col_.size() < cap) {
    col_.resize(cap);
    w_.resize(4 * cap);
  }
  if (acc_.size() != 4 * static_cast<size_t>(Na)) acc_.assign(4 * static_cast<size_t>(Na), 0.0);
  qmin_ = Na;
  qmax_ = -1;
}

void SweepJacobian::set_input(const Eigen::VectorXd& m, const Eigen::VectorXd& mu, double gamma,
                              double beta_R, const Eigen::MatrixXd& P) {
  cm_ = (-gamma * beta_R) * mu.cwiseQuotient(m);
  P_ = P;
  rep_ = numerics::first_identical_row(P);
  distinct_.clear();
  for (int s = 0; s < static_cast<int>(rep_.size()); ++s)
    if (rep_[s] == s) distinct_.push_back(s);
}

void SweepJacobian::end_row(int k) {
  size_t nnz = static_cast<size_t>(row_start_[k]);
  for (int q = qmin_; q <= qmax_; ++q) {
    double* a = acc_.data() + 4 * static_cast<size_t>(q);
    if (a[0] != 0.0 || a[1] != 0.0 || a[2] != 0.0 || a[3] != 0.0) {
      col_[nnz] = q;
      std::copy(a, a + 4, w_.data() + 4 * nnz);
      ++nnz;
    }
    a[0] = a[1] = a[2] = a[3] = 0.0;
  }
  row_start_[k + 1] = static_cast<int>(nnz);
  qmin_ = Na_;
  qmax_ = -1;
}

void SweepJacobian::apply(const Eigen::VectorXd& d, Eigen::VectorXd& out) {
  const int N = Na_ * Nz_;
  // Expectations of the direction (the sweep's E map, linearised), once per distinct row.
  // (Plain loops: some hundred short Eigen column operations cost more than the arithmetic.)
  y_.resize(Na_, Nz_);
  {
    double* y = y_.data();
    const double* c = cm_.data();
    const double* dm = d.data();
    for (int k = 0; k < N; ++k) y[k] = c[k] * dm[k];
  }
  dEb_.resize(Na_, Nz_);
  dEV_.resize(Na_, Nz_);
  for (int r : distinct_) {
    double* eb = dEb_.col(r).data();
    double* ev = dEV_.col(r).data();
    for (int q = 0; q < Na_; ++q) eb[q] = ev[q] = 0.0;
    for (int t = 0; t < Nz_; ++t) {
      const double p = P_(r, t);
      if (p == 0.0) continue;
      const double* yt = y_.col(t).data();
      const double* vt = d.data() + N + static_cast<size_t>(t) * Na_;
      for (int q = 0; q < Na_; ++q) {
        eb[q] += p * yt[q];
        ev[q] += p * vt[q];
      }
    }
  }
  out.resize(2 * N);
  pair_.resize(2 * Na_);
  for (int s = 0; s < Nz_; ++s) {
    // (Eb, EV) of each grid point side by side: one 2-wide load per entry.
    const double* eb = dEb_.col(rep_[s]).data();
    const double* ev = dEV_.col(rep_[s]).data();
    double* pr = pair_.data();
    if (s == 0 || rep_[s] != rep_[s - 1])
      for (int q = 0; q < Na_; ++q) {
        pr[2 * q] = eb[q];
        pr[2 * q + 1] = ev[q];
      }
    for (int i = 0; i < Na_; ++i) {
      const int k = s * Na_ + i;
      Eigen::Array2d am = Eigen::Array2d::Zero(), av = Eigen::Array2d::Zero();
      for (int e = row_start_[k]; e < row_start_[k + 1]; ++e) {
        const double* w = w_.data() + 4 * static_cast<size_t>(e);
        const Eigen::Map<const Eigen::Array2d> x(pr + 2 * col_[e]);
        am += Eigen::Map<const Eigen::Array2d>(w) * x;
        av += Eigen::Map<const Eigen::Array2d>(w + 2) * x;
      }
      const double om = am.sum(), ov = av.sum();
      out(k) = scale_m_(k) * om;
      out(N + k) = ov;
    }
  }
}

void SweepJacobian::apply_transpose(const Eigen::VectorXd& d, Eigen::VectorXd& out) {
  const int N = Na_ * Nz_;
  // The rows' transpose: each state's (m, V) sensitivities scattered onto the (Eb, EV) of its
  // grid points, then the expectation map's transpose.
  dEb_.setZero(Na_, Nz_);
  dEV_.setZero(Na_, Nz_);
  for (int s = 0; s < Nz_; ++s) {
    double* eb = dEb_.col(s).data();
    double* ev = dEV_.col(s).data();
    for (int i = 0; i < Na_; ++i) {
      const int k = s * Na_ + i;
      const double om = scale_m_(k) * d(k), ov = d(N + k);
      for (int e = row_start_[k]; e < row_start_[k + 1]; ++e) {
        const double* w = w_.data() + 4 * static_cast<size_t>(e);
        eb[col_[e]] += w[0] * om + w[2] * ov;
        ev[col_[e]] += w[1] * om + w[3] * ov;
      }
    }
  }
  out.resize(2 * N);
  Eigen::Map<Eigen::MatrixXd>(out.data(), Na_, Nz_).noalias() = dEb_ * P_;
  out.head(N).array() *= cm_.array();
  Eigen::Map<Eigen::MatrixXd>(out.data() + N, Na_, Nz_).noalias() = dEV_ * P_;
}

numerics::GmresResult SweepJacobian::solve(const Eigen::VectorXd& r, Eigen::VectorXd& dx,
                                           double tol, int max_products, int neumann_terms) {
  return solve_impl<false>(r, dx, tol, max_products, neumann_terms);
}

numerics::GmresResult SweepJacobian::solve_transpose(const Eigen::VectorXd& r, Eigen::VectorXd& dx,
                                                     double tol, int max_products,
                                                     int neumann_terms) {
  return solve_impl<true>(r, dx, tol, max_products, neumann_terms);
}

template <bool Transposed>
numerics::GmresResult SweepJacobian::solve_impl(const Eigen::VectorXd& r, Eigen::VectorXd& dx,
                                                double tol, int max_products, int neumann_terms) {
  const auto apply = [this](const Eigen::VectorXd& d, Eigen::VectorXd& out) {
    if constexpr (Transposed)
      apply_transpose(d, out);
    else
      this->apply(d, out);
  };
  const int H = std::max(0, neumann_terms);
  // out = (I + J + ... + J^H) v
  auto neumann = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) {
    out = v;
    pu_ = v;
    for (int h = 0; h < H; ++h) {
      apply(pu_, pv_);
      pu_.swap(pv_);
      out += pu_;
    }
  };
  // (I - J) (I + ... + J^H) v = v - J^(H+1) v
  auto op = [&](const auto& v, Eigen::VectorXd& out) {
    pu_ = v;
    for (int h = 0; h <= H; ++h) {
      apply(pu_, pv_);
      pu_.swap(pv_);
    }
    out = v - pu_;
  };
  const int max_steps = std::max(1, max_products / (H + 1));
  numerics::GmresResult res = gmres_.solve(op, r, z_, tol, max_steps);
  neumann(z_, dx);
  res.iterations *= (H + 1);
  return res;
}

}  // namespace hat::household
