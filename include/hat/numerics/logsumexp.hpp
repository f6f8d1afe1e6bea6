// Scaled, max-shifted log-sum-exp and softmax (the logit choice of a taste-shock scale sigma):
//   V = sigma * log sum_j exp(v_j / sigma),  pi_j = exp((v_j - V) / sigma).
// Shifting by max_j v_j keeps every exponent <= 0, so both stay finite for (v - max)/sigma
// down to -1e6 and beyond (terms underflow to exactly 0, never to NaN).
#pragma once

#include <algorithm>
#include <cmath>
#include <span>

namespace hat::numerics {

inline double logsumexp(std::span<const double> v, double sigma) {
  double m = v[0];
  for (double x : v) m = std::max(m, x);
  double s = 0.0;
  for (double x : v) s += std::exp((x - m) / sigma);
  return m + sigma * std::log(s);
}

// Writes pi (same size as v) and returns V.
inline double softmax(std::span<const double> v, double sigma, std::span<double> pi) {
  double m = v[0];
  for (double x : v) m = std::max(m, x);
  double s = 0.0;
  for (size_t j = 0; j < v.size(); ++j) {
    pi[j] = std::exp((v[j] - m) / sigma);
    s += pi[j];
  }
  const double inv = 1.0 / s;
  for (size_t j = 0; j < v.size(); ++j) pi[j] *= inv;
  return m + sigma * std::log(s);
}

}  // namespace hat::numerics
