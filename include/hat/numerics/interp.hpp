// Piecewise-linear interpolation on an increasing grid with an explicit extrapolation policy.
#pragma once

#include <Eigen/Dense>
#include <span>

namespace hat::numerics {

enum class Extrapolation {
  Linear,  // extend the end segments
  Clamp,   // hold the end values
  Throw,   // out-of-range queries are an error (std::out_of_range)
};

// Index k with x[k] <= q < x[k+1], clamped to [0, n-2]. Binary search.
int bracket(std::span<const double> x, double q);

// Linear interpolation of (x, y) at q; x strictly increasing, size >= 2.
double interp_linear(std::span<const double> x, std::span<const double> y, double q,
                     Extrapolation ex = Extrapolation::Linear);

// Interpolates at increasing queries xq in one monotone sweep (O(n + m)); out(k) for xq(k).
void interp_linear_sorted(std::span<const double> x, std::span<const double> y,
                          std::span<const double> xq, std::span<double> out,
                          Extrapolation ex = Extrapolation::Linear);

}  // namespace hat::numerics
