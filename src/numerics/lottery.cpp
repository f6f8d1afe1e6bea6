// Young's (2010, JEDC) non-stochastic simulation ("lottery") operator, aggregated over the
// discrete variety choice of the HAT household.
#include "hat/numerics/lottery.hpp"

#include <algorithm>
#include <vector>

namespace hat::numerics {

void LotteryOperator::build(const Eigen::VectorXd& grid, const Eigen::MatrixXd& a_next,
                            const Eigen::MatrixXd& pi) {
  const int n = static_cast<int>(grid.size());
  Eigen::MatrixXi lo(a_next.rows(), a_next.cols());
  Eigen::MatrixXd t(a_next.rows(), a_next.cols());
  const double* g = grid.data();
  // The bracket l = (last grid index with g[l] <= a') clamped to [0, n - 2]. Savings rise
  // with assets, so the previous point's bracket is a good start: step up from it, and
  // fall back to a binary search when a' lies below it.
  int l = 0;
  for (Eigen::Index q = 0; q < a_next.size(); ++q) {
    const double ap = a_next.data()[q];
    if (ap >= g[l]) {
      while (l < n - 1 && g[l + 1] <= ap) ++l;
    } else {
      l = static_cast<int>(std::upper_bound(g, g + n, ap) - g) - 1;
    }
    const int lc = std::clamp(l, 0, n - 2);
    lo.data()[q] = lc;
    t.data()[q] = std::clamp((ap - g[lc]) / (g[lc + 1] - g[lc]), 0.0, 1.0);
    l = std::max(l, 0);
  }
  build(n, lo, t, pi);
}

void LotteryOperator::build(int na, const Eigen::MatrixXi& lo_in, const Eigen::MatrixXd& t_in,
                            const Eigen::MatrixXd& pi) {
  const int N = static_cast<int>(lo_in.rows());
  const int M = static_cast<int>(lo_in.cols());
  reset(na, N / na, M);
  std::vector<int> lo(M);
  std::vector<double> t(M), p(M);
  for (int k = 0; k < N; ++k) {
    for (int j = 0; j < M; ++j) {
      lo[j] = lo_in(k, j);
      t[j] = t_in(k, j);
      p[j] = pi(k, j);
    }
    push_row(k, lo.data(), t.data(), p.data(), M);
  }
}

void LotteryOperator::reset(int na, int nz, int M) {
  Na = na;
  Nz = nz;
  const int N = Na * Nz;
  // A row has at most min(2M, Na) entries; size for that. (Grown only, never shrunk: entries
  // past row_start[N] are unused, so rebuilding the operator every iteration does not
  // re-initialise the arrays.)
  const size_t cap = static_cast<size_t>(N) * std::min(2 * M, Na);
  row_start.resize(N + 1);
  row_start[0] = 0;
  if (col.size() < cap) {
    col.resize(cap);
    weight.resize(cap);
  }
  if (static_cast<int>(acc_.size()) != Na) acc_.assign(Na, 0.0);  // kept all-zero between rows
}

void LotteryOperator::push_row(int k, const int* lo, const double* t, const double* pi, int M) {
  double* acc = acc_.data();
  int imin = Na, imax = -1;
  for (int j = 0; j < M; ++j) {
    const int l = lo[j];
    const double p = pi[j], w = t[j];
    imin = std::min(imin, l);
    imax = std::max(imax, l + 1);
    acc[l] += p * (1.0 - w);
    acc[l + 1] += p * w;
  }
  size_t nnz = static_cast<size_t>(row_start[k]);
  for (int q = imin; q <= imax; ++q) {
    if (acc[q] != 0.0) {
      col[nnz] = q;
      weight[nnz] = acc[q];
      ++nnz;
    }
    acc[q] = 0.0;
  }
  row_start[k + 1] = static_cast<int>(nnz);
}

void LotteryOperator::apply_backward(const Eigen::Ref<const Eigen::MatrixXd>& f,
                                     Eigen::VectorXd& out) const {
  const int N = Na * Nz;
  out.resize(N);
  for (int s = 0; s < Nz; ++s) {
    const double* fs = f.col(s).data();
    for (int i = 0; i < Na; ++i) {
      const int k = s * Na + i;
      double acc = 0.0;
      for (int q = row_start[k]; q < row_start[k + 1]; ++q) acc += weight[q] * fs[col[q]];
      out(k) = acc;
    }
  }
}

void LotteryOperator::apply_forward(const Eigen::VectorXd& mass, Eigen::MatrixXd& out) const {
  out.setZero(Na, Nz);
  for (int s = 0; s < Nz; ++s) {
    double* os = out.col(s).data();
    for (int i = 0; i < Na; ++i) {
      const int k = s * Na + i;
      const double m = mass(k);
      if (m == 0.0) continue;
      for (int q = row_start[k]; q < row_start[k + 1]; ++q) os[col[q]] += m * weight[q];
    }
  }
}

LotteryOperator LotteryOperator::transpose() const {
  LotteryOperator t;
  t.Na = Na;
  t.Nz = Nz;
  const int N = Na * Nz;
  t.row_start.assign(N + 1, 0);
  // Count the entries of each destination row, then place them in source order.
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i) {
      const int k = s * Na + i;
      for (int q = row_start[k]; q < row_start[k + 1]; ++q) ++t.row_start[s * Na + col[q] + 1];
    }
  for (int k = 0; k < N; ++k) t.row_start[k + 1] += t.row_start[k];
  const size_t nnz = static_cast<size_t>(t.row_start[N]);
  t.col.resize(nnz);
  t.weight.resize(nnz);
  std::vector<int> next(t.row_start.begin(), t.row_start.end() - 1);
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i) {
      const int k = s * Na + i;
      for (int q = row_start[k]; q < row_start[k + 1]; ++q) {
        const int dst = next[s * Na + col[q]]++;
        t.col[dst] = i;
        t.weight[dst] = weight[q];
      }
    }
  return t;
}

}  // namespace hat::numerics
