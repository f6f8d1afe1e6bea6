// (1 + y)^(-gamma) by its binomial series, for the many evaluations of u'(c) = c^(-gamma) at
// consumption levels that are small relative changes of a known one (points inside one
// interpolation segment): c = c0 (1 + y) gives u'(c) = u'(c0) (1 + y)^(-gamma) without a pow.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>

namespace hat::numerics {

class BinomialSeries {
 public:
  static constexpr int kDegree = 12;

  // Coefficients b_0 = 1, b_n = b_{n-1} (-gamma - n + 1) / n, and the largest |y| (radius())
  // for which the degree-12 sum is within 1e-17 relative of (1 + y)^(-gamma): for n > K,
  // |b_{n+1}/b_n| = (gamma + n)/(n + 1) <= g := max(1, (gamma + K + 1)/(K + 2)), so the tail
  // is at most |b_{K+1}| x^(K+1) / (1 - g x).
  explicit BinomialSeries(double gamma) {
    b_[0] = 1.0;
    for (int n = 1; n <= kDegree + 1; ++n) b_[n] = b_[n - 1] * (-gamma - n + 1) / n;
    const double g = std::max(1.0, (gamma + kDegree + 1) / (kDegree + 2));
    for (double x = 0.25; x > 1e-4; x *= 0.97)
      if (g * x < 1 &&
          std::abs(b_[kDegree + 1]) * std::pow(x, kDegree + 1) <= 1e-17 * (1 - g * x)) {
        radius_ = x;
        break;
      }
  }
  double radius() const { return radius_; }
  bool covers(double y) const { return std::abs(y) <= radius_; }
  // The degree-12 sum (Horner); accurate for |y| <= radius().
  double operator()(double y) const {
    double acc = b_[kDegree];
    for (int n = kDegree - 1; n >= 0; --n) acc = acc * y + b_[n];
    return acc;
  }

 private:
  std::array<double, kDegree + 2> b_{};
  double radius_ = 0.0;
};

}  // namespace hat::numerics
