// Matrix-free GMRES for a linear system A x = b, with A given only as a product v -> A v.
//
// Method: Saad & Schultz (1986, SIAM J. Sci. Stat. Comput.): Arnoldi with modified
// Gram-Schmidt, the small least-squares problem kept triangular by Givens rotations; started
// from x = 0, no restarts (the systems here need tens of steps, not hundreds). Used for the
// Newton steps of the household fixed point (src/household/egm.cpp).
#pragma once

#include <Eigen/Dense>
#include <cmath>

namespace hat::numerics {

struct GmresResult {
  int iterations = 0;              // products with A
  double relative_residual = 0.0;  // ||b - A x|| / ||b|| (from the Givens recurrence)
  bool converged = false;          // relative_residual <= tolerance
};

// Solves A x = b to ||b - A x|| <= tol ||b|| with at most max_iter products. `apply(v, out)`
// writes A v to out. x is resized and overwritten. Workspace is reused between calls.
class Gmres {
 public:
  template <class Apply>
  GmresResult solve(Apply&& apply, const Eigen::VectorXd& b, Eigen::VectorXd& x, double tol,
                    int max_iter) {
    const Eigen::Index n = b.size();
    GmresResult res;
    x.setZero(n);
    const double bnorm = b.norm();
    res.relative_residual = 0.0;
    if (!(bnorm > 0)) {
      res.converged = std::isfinite(bnorm);
      return res;
    }
    const int m = max_iter;
    if (V_.rows() != n || V_.cols() < m + 1) V_.resize(n, m + 1);
    // Not zeroed: every entry of H that is read was written in this solve (column k's first
    // k + 2 entries at step k), and zeroing (m + 1) x m entries per solve cost more than the
    // solve itself when m is a generous bound.
    if (H_.rows() < m + 1 || H_.cols() < m) H_.resize(m + 1, m);
    cs_.resize(m);
    sn_.resize(m);
    g_.setZero(m + 1);
    V_.col(0) = b / bnorm;
    g_(0) = bnorm;
    int k = 0;
    double rel = 1.0;
    while (k < m) {
      apply(V_.col(k), w_);
      for (int i = 0; i <= k; ++i) {
        H_(i, k) = w_.dot(V_.col(i));
        w_ -= H_(i, k) * V_.col(i);
      }
      H_(k + 1, k) = w_.norm();
      for (int i = 0; i < k; ++i) {  // earlier rotations on the new column
        const double t = cs_(i) * H_(i, k) + sn_(i) * H_(i + 1, k);
        H_(i + 1, k) = -sn_(i) * H_(i, k) + cs_(i) * H_(i + 1, k);
        H_(i, k) = t;
      }
      const double r = std::hypot(H_(k, k), H_(k + 1, k));
      const bool breakdown = !(r > 0);
      cs_(k) = breakdown ? 1.0 : H_(k, k) / r;
      sn_(k) = breakdown ? 0.0 : H_(k + 1, k) / r;
      const double hk1 = H_(k + 1, k);
      H_(k, k) = breakdown ? H_(k, k) : r;
      H_(k + 1, k) = 0.0;
      g_(k + 1) = -sn_(k) * g_(k);
      g_(k) = cs_(k) * g_(k);
      ++k;
      rel = std::abs(g_(k)) / bnorm;
      if (!std::isfinite(rel) || rel <= tol || breakdown || !(hk1 > 0)) break;
      V_.col(k) = w_ / hk1;
    }
    // Back substitution for y in H(0:k, 0:k) y = g(0:k), then x = V y.
    Eigen::VectorXd y = g_.head(k);
    for (int i = k - 1; i >= 0; --i) {
      for (int l = i + 1; l < k; ++l) y(i) -= H_(i, l) * y(l);
      y(i) /= H_(i, i);
    }
    x.noalias() = V_.leftCols(k) * y;
    res.iterations = k;
    res.relative_residual = rel;
    res.converged = std::isfinite(rel) && rel <= tol && x.allFinite();
    return res;
  }

 private:
  Eigen::MatrixXd V_, H_;
  Eigen::VectorXd cs_, sn_, g_, w_;
};

}  // namespace hat::numerics
