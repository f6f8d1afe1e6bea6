// Euler-equation errors (Judd 1992; den Haan 2010) of the HAT household: on a grid `refine`
// times finer than the solution grid, policies and choice-specific values are interpolated
// linearly; for every unconstrained (a, s, j) the consumption implied by the generalised Euler
// equation is compared with the policy's consumption: error = |c_implied / c - 1|. A point is
// unconstrained when the savings policy is interior at both bracketing solution-grid nodes.
//
// Cost: the expectation at each a' needs u'(c) for every variety in every next state. Inside a
// grid cell consumption is linear, c(t) = c_k (1 + t r), so u'(c(t)) is u' at the cell's
// midpoint times a binomial series in (t - 1/2) (numerics::BinomialSeries, 1e-17 relative);
// cells too steep for the series, and log utility, use the direct formula.
//
// The expected marginal value of a next state on one grid cell is a smooth function of the
// position t in the cell, and every (a, s, j) point of a state s visits the cells of all next
// states: tabulated once per cell as a Chebyshev interpolant (barycentric form on 17
// Chebyshev-Lobatto points; Berrut and Trefethen 2004), each point costs a few multiply-adds per
// next state instead of M exponentials. An interpolant is kept only if it matches the direct
// computation at three check points to a relative tolerance (1e-14 by default); otherwise that
// cell is evaluated directly at every point.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "hat/core/enum_names.hpp"
#include "hat/core/error.hpp"
#include "hat/core/parallel.hpp"
#include "hat/household/household.hpp"
#include "hat/numerics/binomial_series.hpp"
#include "hat/numerics/exp_batch.hpp"

namespace hat::household {

int euler_error_refine(const HouseholdProblem& hp) {
  const double transitions = static_cast<double>((hp.P.array() > 0).count());
  const double cost1 = static_cast<double>(hp.Na()) * hp.M() * hp.M() * transitions;
  if (cost1 > 2e9) return 0;
  return static_cast<int>(std::clamp(std::floor(4e8 / cost1), 1.0, 10.0));
}

namespace {
constexpr EnumNames<EulerGrid, 2> kEulerGridNames{
    {{{EulerGrid::Solution, "solution"}, {EulerGrid::Fine, "fine"}}}};
}  // namespace

EulerGrid parse_euler_grid(const std::string& s, const std::string& what) {
  return kEulerGridNames.parse(s, what);
}

const char* to_string(EulerGrid g) {
  return kEulerGridNames.name(g);
}

int euler_error_refine(const HouseholdProblem& hp, EulerGrid grid) {
  const int affordable = euler_error_refine(hp);
  return grid == EulerGrid::Fine ? affordable : std::min(affordable, 1);
}

int requested_refine(EulerGrid grid) {
  return grid == EulerGrid::Fine ? 10 : 1;
}

std::string euler_refine_warning(int refine, EulerGrid grid) {
  if (refine >= requested_refine(grid)) return "";
  if (refine == 0) return "Euler errors not computed (too costly for this problem size)";
  return "Euler errors with refinement " + std::to_string(refine) +
         " instead of 10: the check's cost grows with income states and varieties squared";
}

namespace {

// What the expected marginal value at an off-grid a' needs of each grid cell (lo, lo + 1) of
// each income state, laid out by cell with the varieties contiguous: the logit exponents at
// a' = (1 - t) g_lo + t g_lo+1 are e0 + t de, e0 = (v_lo + psi) / sigma and
// de = (v_lo+1 - v_lo) / sigma.
struct CellTables {
  Eigen::MatrixXd e0, de;     // M x (Na Nz): column k = s Na + lo
  Eigen::MatrixXd umid, rho;  // M x (Na Nz): see euler_errors(); rho NaN: no series
};

CellTables cell_tables(const HouseholdProblem& hp, const HouseholdSolution& sol,
                       const numerics::BinomialSeries& series, bool use_series) {
  const int Na = hp.Na(), Nz = hp.Nz(), M = hp.M(), N = Na * Nz;
  CellTables ct;
  ct.e0.setZero(M, N);
  ct.de.setZero(M, N);
  if (use_series) {
    ct.umid.setZero(M, N);
    ct.rho.setConstant(M, N, std::numeric_limits<double>::quiet_NaN());
  }
  for (int s2 = 0; s2 < Nz; ++s2)
    for (int lo = 0; lo + 1 < Na; ++lo) {
      const int k = s2 * Na + lo;
      for (int j = 0; j < M; ++j) {
        const double e0 = (sol.v(k, j) + hp.psi(s2, j)) / hp.sigma;
        const double e1 = (sol.v(k + 1, j) + hp.psi(s2, j)) / hp.sigma;
        ct.e0(j, k) = e0;
        ct.de(j, k) = e1 - e0;
        if (!use_series) continue;
        const double c0 = sol.c(k, j), r = sol.c(k + 1, j) / c0 - 1.0;
        const double rh = r / (1.0 + 0.5 * r);
        if (!series.covers(0.5 * rh)) continue;
        ct.rho(j, k) = rh;
        ct.umid(j, k) = std::pow(c0 * (1.0 + 0.5 * r), -hp.gamma) / hp.prices(j);
      }
    }
  return ct;
}

// gs[j] = umid[j] (1 + tc rho[j])^(-gamma) by the series; compiled a second time for AVX2 (four
// lanes instead of two; the same products and sums, no fused multiply-adds, so the same bits).
void series_terms(const numerics::BinomialSeries& series, const double* umid, const double* rho,
                  double tc, double* gs, int M) {
  for (int j = 0; j < M; ++j) gs[j] = umid[j] * series(tc * rho[j]);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) void series_terms_avx2(const numerics::BinomialSeries& series,
                                                       const double* umid, const double* rho,
                                                       double tc, double* gs, int M) {
  for (int j = 0; j < M; ++j) gs[j] = umid[j] * series(tc * rho[j]);
}
bool have_avx2() {
  static const bool has = (__builtin_cpu_init(), __builtin_cpu_supports("avx2"));
  return has;
}
#else
bool have_avx2() {
  return false;
}
void series_terms_avx2(const numerics::BinomialSeries& series, const double* umid,
                       const double* rho, double tc, double* gs, int M) {
  series_terms(series, umid, rho, tc, gs, M);
}
#endif

// The expected marginal value sum_j pi_j u'(c_j)/p_j at a' = (1 - t) g_lo + t g_lo+1 in next
// state s2: the logit weights shifted by their largest exponent, normalised at the end.
class ExpectedMarginal {
 public:
  ExpectedMarginal(const HouseholdProblem& hp, const HouseholdSolution& sol, const CellTables& ct,
                   const numerics::BinomialSeries& series, bool use_series)
      : hp_(hp),
        sol_(sol),
        ct_(ct),
        series_(series),
        use_series_(use_series),
        ex_(hp.M()),
        gs_(hp.M()) {}

  double operator()(int lo, double t, double ap, int s2) {
    const int Na = hp_.Na(), M = hp_.M(), k0 = s2 * Na + lo;
    // ex[j] = exp(e0[j] + t de[j] - their maximum): the same bits as std::exp, four at a time
    numerics::exp_affine_shifted(ct_.e0.col(k0).data(), ct_.de.col(k0).data(), t, ex_.data(), M);
    const double cash = hp_.lambda * (hp_.R * ap + hp_.W * hp_.z(s2)) + hp_.tau;
    double acc = 0, wsum = 0;
    if (use_series_) {
      const double* rho = ct_.rho.col(k0).data();
      const double* umid = ct_.umid.col(k0).data();
      // The exponentials, the series and the weighted sum in loops of their own (about a
      // quarter faster than one loop doing all three).
      if (have_avx2())
        series_terms_avx2(series_, umid, rho, t - 0.5, gs_.data(), M);
      else
        series_terms(series_, umid, rho, t - 0.5, gs_.data(), M);
      for (int j = 0; j < M; ++j) {
        wsum += ex_[j];
        // NaN rho: the series does not apply in this cell
        acc += ex_[j] * (std::isnan(rho[j]) ? direct(k0, t, cash, j) : gs_[j]);
      }
    } else {
      for (int j = 0; j < M; ++j) {
        wsum += ex_[j];
        acc += ex_[j] * direct(k0, t, cash, j);
      }
    }
    return acc / wsum;
  }

 private:
  // u'(c_j)/p_j from the interpolated savings policy.
  double direct(int k0, double t, double cash, int j) const {
    const double apj = (1 - t) * sol_.a_next(k0, j) + t * sol_.a_next(k0 + 1, j);
    const double c = (cash - apj) / hp_.prices(j);
    return (hp_.gamma == 1.0 ? 1.0 / c : std::pow(c, -hp_.gamma)) / hp_.prices(j);
  }

  const HouseholdProblem& hp_;
  const HouseholdSolution& sol_;
  const CellTables& ct_;
  const numerics::BinomialSeries& series_;
  const bool use_series_;
  std::vector<double> ex_, gs_;
};

// The expected marginal value of every cell (lo, lo + 1) of every next state s2 as an
// interpolant in t, or flagged for direct evaluation (see the file comment).
class MarginalTable {
 public:
  static constexpr int kDegree = 16;

  // `tolerance`: the relative agreement with the direct computation required at the check
  // points (the default, 1e-14, is a few ulp); negative: every cell direct.
  MarginalTable(const HouseholdProblem& hp, const HouseholdSolution& sol, const CellTables& ct,
                const numerics::BinomialSeries& series, bool use_series, double tolerance)
      : Na_(hp.Na()),
        tolerance_(tolerance),
        values_(kDegree + 1, hp.Na() * hp.Nz()),
        direct_(hp.Na() * hp.Nz(), 0) {
    for (int k = 0; k <= kDegree; ++k) {
      nodes_[k] = 0.5 * (1.0 - std::cos(M_PI * k / kDegree));
      weights_[k] = (k % 2 ? -1.0 : 1.0) * (k == 0 || k == kDegree ? 0.5 : 1.0);
    }
    const int Nz = hp.Nz(), cells = Na_ - 1;
    ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
    for (int s2 = 0; s2 < Nz; ++s2)
      errors.run(s2, [&] {
        ExpectedMarginal marginal(hp, sol, ct, series, use_series);
        for (int lo = 0; lo < cells; ++lo) tabulate(hp, marginal, lo, s2);
      });
    errors.rethrow();
  }

  using Basis = std::array<double, kDegree + 1>;

  // The barycentric basis at t: interpolant(t) = sum_k basis[k] f_k. It is the same for every
  // next state, so a point computes it once.
  void basis(double t, Basis& b) const {
    double den = 0;
    for (int k = 0; k <= kDegree; ++k) {
      const double d = t - nodes_[k];
      if (d == 0) {
        b.fill(0.0);
        b[k] = 1.0;
        return;
      }
      b[k] = weights_[k] / d;
      den += b[k];
    }
    for (double& x : b) x /= den;
  }

  // The expected marginal value at t in cell lo of next state s2 (a' = ap; b = basis(t)).
  double operator()(int lo, double t, double ap, int s2, const Basis& b,
                    ExpectedMarginal& marginal) const {
    const int k0 = s2 * Na_ + lo;
    if (direct_[k0]) return marginal(lo, t, ap, s2);
    const double* f = values_.col(k0).data();
    double v = 0;
    for (int k = 0; k <= kDegree; ++k) v += b[k] * f[k];
    return v;
  }

 private:
  double interpolate(const double* f, double t) const {
    Basis b;
    basis(t, b);
    double v = 0;
    for (int k = 0; k <= kDegree; ++k) v += b[k] * f[k];
    return v;
  }

  double a_at(const HouseholdProblem& hp, int lo, double t) const {
    return (1 - t) * hp.grid(lo) + t * hp.grid(lo + 1);
  }

  void tabulate(const HouseholdProblem& hp, ExpectedMarginal& marginal, int lo, int s2) {
    const int k0 = s2 * Na_ + lo;
    double* f = values_.col(k0).data();
    for (int k = 0; k <= kDegree; ++k) f[k] = marginal(lo, nodes_[k], a_at(hp, lo, nodes_[k]), s2);
    for (double t : {0.0123, 0.5077, 0.9911}) {
      const double exact = marginal(lo, t, a_at(hp, lo, t), s2);
      if (!(std::abs(interpolate(f, t) - exact) <= tolerance_ * std::abs(exact))) {
        direct_[k0] = 1;
        return;
      }
    }
  }

  int Na_;
  double tolerance_;
  std::array<double, kDegree + 1> nodes_{}, weights_{};
  Eigen::MatrixXd values_;    // column s2 Na + lo: the values at the nodes
  std::vector<char> direct_;  // 1: evaluate this cell directly
};

struct StateErrors {
  double sum = 0, max = 0;
  long n = 0;
};

// The Euler errors at the `nf` evaluation points of income state s, over every variety whose
// savings are interior at both bracketing solution-grid nodes (interpolating across the
// borrowing-constraint kink is an artefact of the evaluation, not an error of the solution).
StateErrors state_errors(const HouseholdProblem& hp, const HouseholdSolution& sol, int s, int nf,
                         const MarginalTable& table, ExpectedMarginal& marginal) {
  const int Na = hp.Na(), Nz = hp.Nz(), M = hp.M();
  const double* g = hp.grid.data();
  const double a_min = hp.a_min(), a_max = hp.a_max();
  const double eps = 1e-9 * (a_max - a_min);
  auto locate = [&](double x, int& lo, double& t) {
    lo = std::clamp(static_cast<int>(std::upper_bound(g, g + Na, x) - g) - 1, 0, Na - 2);
    t = std::clamp((x - g[lo]) / (g[lo + 1] - g[lo]), 0.0, 1.0);
  };
  StateErrors out;
  MarginalTable::Basis basis;
  for (int f = 0; f < nf; ++f) {
    const double a = a_min + (a_max - a_min) * f / (nf - 1);
    int lo, lo2;
    double t, t2;
    locate(a, lo, t);
    const int k0 = s * Na + lo, k1 = k0 + 1;
    const double cash = hp.lambda * (hp.R * a + hp.W * hp.z(s)) + hp.tau;
    for (int j = 0; j < M; ++j) {
      const double a0 = sol.a_next(k0, j), a1 = sol.a_next(k1, j);
      if (std::min(a0, a1) <= a_min + eps || std::max(a0, a1) >= a_max - eps) continue;
      const double ap = (1 - t) * a0 + t * a1;
      const double c = (cash - ap) / hp.prices(j);
      if (!(c > 0)) continue;
      locate(ap, lo2, t2);
      table.basis(t2, basis);
      double rhs = 0;
      for (int s2 = 0; s2 < Nz; ++s2)
        if (hp.P(s, s2) > 0) rhs += hp.P(s, s2) * table(lo2, t2, ap, s2, basis, marginal);
      rhs *= hp.beta * hp.R;
      const double e = std::abs(std::pow(hp.prices(j) * rhs, -1.0 / hp.gamma) / c - 1.0);
      out.sum += e;
      out.max = std::max(out.max, e);
      ++out.n;
    }
  }
  return out;
}

}  // namespace

EulerErrors euler_errors(const HouseholdProblem& hp, const HouseholdSolution& sol, int refine,
                         double interpolant_tolerance) {
  const int Na = hp.Na(), Nz = hp.Nz();
  const int nf = (Na - 1) * refine + 1;
  // Per cell and variety with the series: u'(c)/p_j at the cell's midpoint,
  // umid = (c_k (1 + r/2))^(-gamma) / p_j, and rho = r / (1 + r/2), so that inside the cell
  // u'(c(t))/p_j = umid (1 + (t - 1/2) rho)^(-gamma).
  const numerics::BinomialSeries series(hp.gamma);
  const bool use_series = hp.gamma != 1.0;
  const CellTables ct = cell_tables(hp, sol, series, use_series);
  const MarginalTable table(hp, sol, ct, series, use_series, interpolant_tolerance);
  // Parallel over income states; per-state partial results are combined in a fixed order, so
  // the result does not depend on the number of threads.
  std::vector<StateErrors> parts(Nz);
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (int s = 0; s < Nz; ++s)
    errors.run(s, [&] {
      ExpectedMarginal marginal(hp, sol, ct, series, use_series);
      parts[s] = state_errors(hp, sol, s, nf, table, marginal);
    });
  errors.rethrow();
  StateErrors all;
  for (const StateErrors& p : parts) {
    all.sum += p.sum;
    all.max = std::max(all.max, p.max);
    all.n += p.n;
  }
  EulerErrors out;
  out.points = all.n;
  out.log10_mean = all.n ? std::log10(std::max(all.sum / all.n, 1e-300)) : -INFINITY;
  out.log10_max = all.n ? std::log10(std::max(all.max, 1e-300)) : -INFINITY;
  return out;
}

}  // namespace hat::household
