// Anderson acceleration (type II), Walker & Ni (2011). See include/hat/numerics/anderson.hpp.
#include "hat/numerics/anderson.hpp"

#include <cmath>
#include <limits>

namespace hat::numerics {

void AndersonMixer::reset() {
  count_ = 0;
  head_ = 0;
  have_prev_ = false;
}

void AndersonMixer::step(const Eigen::VectorXd& x, const Eigen::VectorXd& g,
                         Eigen::VectorXd& next) {
  const Eigen::Index n = x.size();
  f_ = g - x;
  const double fn = f_.norm();
  if (!std::isfinite(fn)) {
    reset();
    next = g;
    return;
  }
  if (dF_.rows() != n || dF_.cols() != depth_) {
    dF_.resize(n, depth_);
    dG_.resize(n, depth_);
    gram_.setZero(depth_, depth_);
    reset();
  }
  // Restart when the residual has grown well past the best since the last restart: the
  // linear model behind the mixing no longer describes the map (e.g. a constraint switched).
  if (have_prev_ && fn > restart_factor_ * best_) reset();
  if (have_prev_) {
    dF_.col(head_) = f_ - f_prev_;
    dG_.col(head_) = g - g_prev_;
    count_ = std::min(count_ + 1, depth_);
    // Valid history columns are slots 0..count_-1; update the Gram matrix's row and column of
    // the slot just written (depth x n work instead of depth^2 x n).
    for (int i = 0; i < count_; ++i)
      gram_(head_, i) = gram_(i, head_) = dF_.col(head_).dot(dF_.col(i));
    head_ = (head_ + 1) % depth_;
    best_ = std::min(best_, fn);
  } else {
    best_ = fn;
  }
  f_prev_ = f_;
  g_prev_ = g;
  have_prev_ = true;
  if (count_ == 0) {
    next = g;
    return;
  }
  // Least squares by the normal equations of the (at most depth x depth) Gram matrix, with a
  // small relative ridge: cheap for long vectors, and the ridge keeps near-dependent
  // histories (a stalled iteration) from producing wild steps.
  const auto F = dF_.leftCols(count_);
  Eigen::MatrixXd gram = gram_.topLeftCorner(count_, count_);
  const double ridge = 1e-12 * gram.trace() + std::numeric_limits<double>::min();
  gram.diagonal().array() += ridge;
  Eigen::VectorXd gam = gram.ldlt().solve(F.transpose() * f_);
  if (!gam.allFinite()) {
    reset();
    next = g;
    return;
  }
  next = g - dG_.leftCols(count_) * gam;
}

}  // namespace hat::numerics
