// exp_in_place() against std::exp, bit for bit: on the logit exponents the Euler errors feed it
// (values in [-60, 0], exactly 0 for the largest), across the main path's whole range, and at
// the edges and special values that go through std::exp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "hat/numerics/exp_batch.hpp"

namespace {

void expect_bitwise_std_exp(std::vector<double> x) {
  const std::vector<double> in = x;
  hat::numerics::exp_in_place(x.data(), static_cast<int>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    const double want = std::exp(in[i]);
    ASSERT_EQ(std::memcmp(&x[i], &want, sizeof want), 0)
        << "exp(" << in[i] << "): " << x[i] << " != " << want;
  }
}

}  // namespace

TEST(ExpInPlace, BitwiseStdExpOnLogitExponents) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-60.0, 0.0);
  std::vector<double> x(1 << 20);
  for (auto& v : x) v = u(rng);
  for (size_t i = 0; i < x.size(); i += 19) x[i] = 0.0;
  expect_bitwise_std_exp(x);
}

TEST(ExpInPlace, BitwiseStdExpAcrossTheRange) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> mant(1.0, 2.0);
  std::vector<double> x;
  for (int e = -70; e <= 10; ++e)
    for (int k = 0; k < 4000; ++k) x.push_back(std::ldexp(k % 2 ? -mant(rng) : mant(rng), e));
  const double inf = std::numeric_limits<double>::infinity();
  for (double v : {0.0, -0.0, 511.9999, 512.0, -512.0, 709.78, 709.79, -745.1, -745.2, -1e4, 1e4,
                   inf, -inf, std::numeric_limits<double>::denorm_min(), 0x1p-54, -0x1p-54})
    x.push_back(v);
  for (int n = 0; n < 7; ++n) expect_bitwise_std_exp(std::vector<double>(x.begin(), x.begin() + n));
  expect_bitwise_std_exp(x);
  std::vector<double> nan(5, std::numeric_limits<double>::quiet_NaN());
  hat::numerics::exp_in_place(nan.data(), 5);
  for (double v : nan) EXPECT_TRUE(std::isnan(v));
}

TEST(ExpAffineShifted, BitwiseTheScalarSoftmaxExponentials) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-40.0, 40.0), ut(0.0, 1.0);
  for (int n = 1; n <= 23; ++n)
    for (int rep = 0; rep < 2000; ++rep) {
      std::vector<double> a(n), b(n), out(n);
      for (int j = 0; j < n; ++j) a[j] = u(rng), b[j] = 0.1 * u(rng);
      const double t = rep % 5 == 0 ? 0.0 : rep % 5 == 1 ? 1.0 : ut(rng);
      const double m = hat::numerics::exp_affine_shifted(a.data(), b.data(), t, out.data(), n);
      double want_m = -std::numeric_limits<double>::infinity();
      for (int j = 0; j < n; ++j) want_m = std::max(want_m, a[j] + t * b[j]);
      ASSERT_EQ(m, want_m);
      for (int j = 0; j < n; ++j) {
        const double want = std::exp(a[j] + t * b[j] - want_m);
        ASSERT_EQ(std::memcmp(&out[j], &want, sizeof want), 0) << "n " << n << " j " << j;
      }
    }
}
