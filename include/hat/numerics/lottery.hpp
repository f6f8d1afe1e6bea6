// The lottery operator of Young (2010) for the HAT household: from state (a_i, s) the household
// chooses variety j with probability pi_j(a_i, s) and saves a'_j(a_i, s), which is split between
// the two bracketing grid points with linear weights. Aggregated over j, each state's asset
// transition is a short sparse row T(k, i'). The same operator gives the forward map of the
// distribution (lambda' = (lambda T) P) and the backward policy evaluation (T (V P')).
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace hat::numerics {

struct LotteryOperator {
  int Na = 0, Nz = 0;
  // CSR rows over states k = s * Na + i; columns are asset grid indices i'.
  std::vector<int> row_start;  // size Na*Nz + 1
  std::vector<int> col;        // entries [row_start[k], row_start[k+1]) of row k; the arrays
  std::vector<double> weight;  // may be longer than row_start[Na*Nz] (reused capacity)

  // Fills the operator from savings policies a_next ((Na*Nz) x M) and probabilities pi.
  void build(const Eigen::VectorXd& grid, const Eigen::MatrixXd& a_next, const Eigen::MatrixXd& pi);
  // Same, from precomputed brackets: a'_j(k) lies between grid points lo(k,j) and lo(k,j)+1 with
  // weight t(k,j) on the upper point.
  void build(int Na, const Eigen::MatrixXi& lo, const Eigen::MatrixXd& t,
             const Eigen::MatrixXd& pi);
  // Row-by-row filling: reset(), then push_row() for k = 0, 1, ..., Na*Nz - 1 in order, with
  // the brackets lo[j], weights t[j] and probabilities pi[j] of state k's M choices.
  void reset(int Na, int Nz, int M);
  void push_row(int k, const int* lo, const double* t, const double* pi, int M);
  // out(k) = sum_i' T(k, i') f(i', s(k)), f given as an Na x Nz matrix (column s).
  void apply_backward(const Eigen::Ref<const Eigen::MatrixXd>& f, Eigen::VectorXd& out) const;
  // out(i', s) = sum_i mass(i, s) T((i, s), i'), out is Na x Nz.
  void apply_forward(const Eigen::VectorXd& mass, Eigen::MatrixXd& out) const;
  // The transpose within each income state: row (s, i') lists the sources (i, T((i, s), i')).
  // Its apply_backward (with mass as an Na x Nz matrix) is this operator's forward map as a
  // gather, which accumulates in registers where the scatter of apply_forward goes through
  // memory: the faster form when the same operator is applied many times.
  LotteryOperator transpose() const;

 private:
  std::vector<double> acc_;  // scratch row of build()
};

}  // namespace hat::numerics
