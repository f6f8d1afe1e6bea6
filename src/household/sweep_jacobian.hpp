// The Jacobian of one plain (Jacobi) EGM sweep of the household problem, for Newton steps.
//
// The sweep maps the state x = (m, V), m = mu^(-1/gamma) on the Na x Nz grid, to new values.
// It sees x only through the expectations on the a' grid,
//     Eb(q, s) = beta R sum_t P(s, t) mu(q, t),   EV(q, s) = sum_t P(s, t) V(q, t),
// and each state's outputs depend on them only at the grid points bracketing its savings. So
// J = D E with E the (dense in s, diagonal in q) expectation map and D sparse: one short row
// per state k over the points q of its own income state, with four weights per entry (m_new
// and V_new, each on Eb and EV). The egm.cpp sweep fills the rows (add/end_row) as it goes;
// the product J d then costs two Na x Nz x Nz products and one pass over the rows.
//
// A Newton step solves (I - J) dx = G(x) - x by GMRES (numerics/gmres.hpp), right-
// preconditioned by the truncated Neumann series I + J + ... + J^H of (I - J)^(-1): each
// GMRES step then costs H + 1 products but fewer steps are needed, and with products this
// cheap the orthogonalisation, which grows with the number of steps, is the larger cost.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "hat/numerics/gmres.hpp"

namespace hat::household {

class SweepJacobian {
 public:
  // Sizes the rows for a sweep over Na x Nz states with M choices per state.
  void reset(int Na, int Nz, int M);
  // The input side at the sweep's state: dEb = beta R P-mix of (-gamma mu / m) dm.
  void set_input(const Eigen::VectorXd& m, const Eigen::VectorXd& mu, double gamma, double beta_R,
                 const Eigen::MatrixXd& P);

  // Row of state k: add() any number of contributions at grid points q (of k's income state),
  // then end_row(k). Rows must be ended in order k = 0, 1, ..., Na Nz - 1; ending row k again
  // discards rows k+1, ... (a state redone with the upper envelope).
  void add(int q, double m_eb, double m_ev, double v_eb, double v_ev) {
    double* a = acc_.data() + 4 * static_cast<size_t>(q);
    a[0] += m_eb;  // stored as the m row's (Eb, EV) pair, then the V row's
    a[1] += m_ev;
    a[2] += v_eb;
    a[3] += v_ev;
    qmin_ = q < qmin_ ? q : qmin_;
    qmax_ = q > qmax_ ? q : qmax_;
  }
  void end_row(int k);
  // Scales each row's m_new weights (the sweep records those of mu_new; m = mu^(-1/gamma)).
  void set_output_scale(const Eigen::VectorXd& scale_m) { scale_m_ = scale_m; }

  // out = J d (d and out of length 2 Na Nz: the m part, then the V part).
  void apply(const Eigen::VectorXd& d, Eigen::VectorXd& out);
  // out = J' d (the transposed product, for adjoint solves: asset_adjoint.cpp).
  void apply_transpose(const Eigen::VectorXd& d, Eigen::VectorXd& out);
  // Solves (I - J) dx = r to relative residual tol with at most max_products products of J.
  numerics::GmresResult solve(const Eigen::VectorXd& r, Eigen::VectorXd& dx, double tol,
                              int max_products, int neumann_terms);
  // The same for (I - J') dx = r.
  numerics::GmresResult solve_transpose(const Eigen::VectorXd& r, Eigen::VectorXd& dx, double tol,
                                        int max_products, int neumann_terms);

 private:
  int Na_ = 0, Nz_ = 0;
  std::vector<int> row_start_{0}, col_;
  std::vector<double> w_;    // 4 weights per entry
  std::vector<double> acc_;  // 4 accumulators per grid point, all zero between rows
  int qmin_ = 0, qmax_ = -1;
  Eigen::VectorXd cm_, scale_m_;       // d(beta R mu)/dm at the input; see set_output_scale
  Eigen::MatrixXd P_, dEb_, dEV_, y_;  // the chain; expectations of a direction
  // Income states with identical transition rows share their expectations: rep_[s] is the
  // first state with s's row, distinct_ the list of such first states.
  std::vector<int> rep_, distinct_;
  Eigen::VectorXd pu_, pv_, z_;
  std::vector<double> pair_;  // (Eb, EV) interleaved by grid point
  numerics::Gmres gmres_;

  template <bool Transposed>
  numerics::GmresResult solve_impl(const Eigen::VectorXd& r, Eigen::VectorXd& dx, double tol,
                                   int max_products, int neumann_terms);
};

}  // namespace hat::household
