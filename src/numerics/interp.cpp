// Piecewise-linear interpolation.
#include "hat/numerics/interp.hpp"

#include <algorithm>
#include <stdexcept>

namespace hat::numerics {

int bracket(std::span<const double> x, double q) {
  const int n = static_cast<int>(x.size());
  auto it = std::upper_bound(x.begin(), x.end(), q);
  int k = static_cast<int>(it - x.begin()) - 1;
  return std::clamp(k, 0, n - 2);
}

namespace {
inline double eval(std::span<const double> x, std::span<const double> y, int k, double q,
                   Extrapolation ex) {
  const int n = static_cast<int>(x.size());
  if (q < x[0] || q > x[n - 1]) {
    if (ex == Extrapolation::Clamp) return q < x[0] ? y[0] : y[n - 1];
    if (ex == Extrapolation::Throw) throw std::out_of_range("interp_linear: query outside grid");
  }
  const double t = (q - x[k]) / (x[k + 1] - x[k]);
  return y[k] + t * (y[k + 1] - y[k]);
}
}  // namespace

double interp_linear(std::span<const double> x, std::span<const double> y, double q,
                     Extrapolation ex) {
  return eval(x, y, bracket(x, q), q, ex);
}

void interp_linear_sorted(std::span<const double> x, std::span<const double> y,
                          std::span<const double> xq, std::span<double> out, Extrapolation ex) {
  const int n = static_cast<int>(x.size());
  int k = 0;
  for (size_t i = 0; i < xq.size(); ++i) {
    const double q = xq[i];
    while (k < n - 2 && x[k + 1] <= q) ++k;
    out[i] = eval(x, y, k, q, ex);
  }
}

}  // namespace hat::numerics
