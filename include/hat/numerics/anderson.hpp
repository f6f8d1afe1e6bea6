// Anderson acceleration (type II) of a fixed-point iteration x = G(x).
//
// Method: Anderson (1965, J. ACM); the form used is that of Walker & Ni (2011, SIAM J. Numer.
// Anal.): with residuals f = G(x) - x and the last m differences dF, dG of f and G, the next
// iterate is G(x_k) - dG gamma, gamma = argmin ||f_k - dF gamma||_2 (normal equations with a tiny
// ridge). The history is dropped (a restart) when the residual norm rises well above the best seen
// since the last restart, which keeps the scheme safe on maps that are only piecewise smooth.
#pragma once

#include <Eigen/Dense>

namespace hat::numerics {

class AndersonMixer {
 public:
  // depth m >= 1 (history length); restart_factor: restart when ||f|| > factor * best ||f||.
  explicit AndersonMixer(int depth = 5, double restart_factor = 10.0)
      : depth_(depth), restart_factor_(restart_factor) {}

  // Given the current iterate x and g = G(x), writes the next iterate to `next` (may alias
  // neither x nor g). With no usable history, next = g (a plain fixed-point step).
  void step(const Eigen::VectorXd& x, const Eigen::VectorXd& g, Eigen::VectorXd& next);
  // Forget the history (the next step is a plain fixed-point step).
  void reset();
  int history() const { return count_; }

 private:
  int depth_;
  double restart_factor_;
  int count_ = 0, head_ = 0;  // ring buffer of difference columns
  bool have_prev_ = false;
  double best_ = 0;
  Eigen::VectorXd f_prev_, g_prev_, f_;
  Eigen::MatrixXd dF_, dG_;
  Eigen::MatrixXd gram_;  // dF^T dF of the valid history columns, kept up to date
};

}  // namespace hat::numerics
