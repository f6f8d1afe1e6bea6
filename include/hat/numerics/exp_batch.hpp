// exp of many doubles at once, bit for bit the values std::exp gives: where the processor has
// AVX2 and FMA and the C library's exp is the one reproduced here (GNU libc 2.28 and later on
// such processors), four at a time with that algorithm; otherwise one std::exp per value.
#pragma once

namespace hat::numerics {

// x[i] = std::exp(x[i]) for i < n, the same bits as std::exp.
void exp_in_place(double* x, int n);

// The shifted exponentials of a softmax with affine exponents: y_j = a_j + t b_j, m = max_j y_j,
// out[j] = std::exp(y_j - m): the same bits as that scalar computation whenever no y_j is NaN
// (the maximum is taken in another order; only its value matters). Returns m.
double exp_affine_shifted(const double* a, const double* b, double t, double* out, int n);

// Whether exp_in_place() uses the four-wide computation (for the tests and benchmarks).
bool exp_in_place_vectorised();

}  // namespace hat::numerics
