// Stationary distribution of the HAT household by iterating Young's (2010) lottery operator,
// and the aggregates of MODEL.md §1 (asset demand, efficiency units, expenditure by variety).
#include <cmath>

#include "hat/core/error.hpp"
#include "hat/core/interrupt.hpp"
#include "hat/core/timer.hpp"
#include "hat/household/household.hpp"
#include "hat/numerics/lottery.hpp"
#include "hat/numerics/markov.hpp"

namespace hat::household {

StationaryDistribution stationary_distribution(const HouseholdProblem& hp,
                                               const HouseholdSolution& sol,
                                               const DistributionOptions& opt,
                                               const Eigen::VectorXd* warm) {
  opt.validate();
  Timer timer;
  const int Na = hp.Na(), Nz = hp.Nz(), N = Na * Nz;
  numerics::LotteryOperator T;
  T.build(hp.grid, sol.a_next, sol.pi);
  StationaryDistribution d;
  if (warm && warm->size() == N && warm->minCoeff() >= 0 && warm->sum() > 0) {
    d.mass = *warm / warm->sum();
  } else {
    // Income states at their stationary shares, spread uniformly over assets.
    Eigen::MatrixXd A = hp.P.transpose() - Eigen::MatrixXd::Identity(Nz, Nz);
    A.row(Nz - 1).setOnes();
    Eigen::VectorXd b = Eigen::VectorXd::Zero(Nz);
    b(Nz - 1) = 1;
    Eigen::VectorXd piz = A.colPivHouseholderQr().solve(b);
    d.mass.resize(N);
    for (int s = 0; s < Nz; ++s) d.mass.segment(s * Na, Na).setConstant(std::max(piz(s), 0.0) / Na);
    d.mass /= d.mass.sum();
  }
  Eigen::MatrixXd next(Na, Nz), work;
  Eigen::VectorXd tmp;
  const std::vector<int> rep = numerics::first_identical_row(hp.P);
  // The forward map as a gather over the transposed rows (built once, applied ~100 times).
  const numerics::LotteryOperator Tt = T.transpose();
  d.report.status = SolverStatus::IterationLimit;
  double diff = INFINITY, diff_prev = INFINITY, rho_prev = 0.0, rho_prev2 = 0.0;
  // Extrapolation state: the plain iterate it replaced and that iterate's step size.
  bool extrapolate = opt.extrapolate, judging = false;
  int last_extrapolation = 0;
  double diff_at_extrapolation = 0.0, rho_at_extrapolation = 0.0;
  Eigen::VectorXd before;
  int it;
  for (it = 1; it <= opt.max_iterations; ++it) {
    if (it % 64 == 0) interruption_point();  // a host's Ctrl-C (see core/interrupt.hpp)
    Tt.apply_backward(d.mass.reshaped(Na, Nz), tmp);
    // lambda'(i', s') = sum_s tmp(i', s) P(s, s')
    numerics::mix_by_rows(tmp.reshaped(Na, Nz), hp.P, rep, next, work);
    Eigen::Map<Eigen::VectorXd> nv(next.data(), N);
    diff = (nv - d.mass).cwiseAbs().sum();
    if (judging) {
      // The first plain step after an extrapolation: keep it only if it is smaller than a
      // plain step would have been; otherwise return to the plain iterate and stop
      // extrapolating (several slow modes of similar size).
      judging = false;
      if (!(diff < rho_at_extrapolation * diff_at_extrapolation)) {
        extrapolate = false;
        d.mass = before;
        diff_prev = INFINITY;
        continue;
      }
    }
    d.mass.swap(nv);  // nv now holds the previous iterate
    // Once the steps shrink at a steady rate rho (three successive ratios within 2%), one
    // slow mode dominates and the remaining error is about rho / (1 - rho) times the last
    // step: extrapolate along it (Aitken's delta-squared in vector form). The factor is
    // reduced where needed so that no mass turns negative; the step sums to zero, so total
    // mass is unchanged. Only plain steps are tested for convergence, and the step after an
    // extrapolation must beat a plain one (rho times the last) or it is undone.
    const double rho = diff / diff_prev;
    if (extrapolate && it >= 8 && it - last_extrapolation >= 4 && rho > 0.0 && rho < 0.99 &&
        std::abs(rho - rho_prev) < 0.02 * rho && std::abs(rho_prev - rho_prev2) < 0.02 * rho &&
        diff > opt.tolerance) {
      double f = rho / (1.0 - rho);
      for (int k = 0; k < N; ++k) {
        const double step = d.mass(k) - nv(k);
        if (step < 0.0) f = std::min(f, d.mass(k) / -step);
      }
      if (f > 0.0) {
        before = d.mass;
        d.mass += f * (d.mass - nv);
        judging = true;
        diff_at_extrapolation = diff;
        rho_at_extrapolation = rho;
        last_extrapolation = it;
      }
    }
    rho_prev2 = rho_prev;
    rho_prev = rho;
    diff_prev = diff;
    if (!std::isfinite(diff)) {
      d.report.status = SolverStatus::Failed;
      d.report.message = "distribution: non-finite mass";
      break;
    }
    if (diff < opt.tolerance) {
      d.report.status = SolverStatus::Converged;
      break;
    }
  }
  d.mass /= d.mass.sum();
  if (d.report.status != SolverStatus::Failed && !d.mass.allFinite()) {
    d.report.status = SolverStatus::Failed;
    d.report.message = "distribution: non-finite mass";
  }
  d.report.iterations = std::min(it, opt.max_iterations);
  d.report.residual = diff;
  d.report.seconds = timer.seconds();
  if (d.report.status == SolverStatus::IterationLimit)
    d.report.message = "distribution: iteration limit reached";
  else if (d.report.status == SolverStatus::Converged)
    d.report.message = "distribution: converged";
  d.mass_at_amax = 0;
  for (int s = 0; s < Nz; ++s) d.mass_at_amax += d.mass(s * Na + Na - 1);
  return d;
}

Aggregates aggregate(const HouseholdProblem& hp, const HouseholdSolution& sol,
                     const Eigen::VectorXd& mass) {
  const int Na = hp.Na(), Nz = hp.Nz(), M = hp.M();
  Aggregates a;
  a.expenditure = Eigen::VectorXd::Zero(M);
  a.choice_probability = Eigen::VectorXd::Zero(M);
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i) {
      const int k = s * Na + i;
      const double m = mass(k);
      a.efficiency_units += m * hp.z(s);
      for (int j = 0; j < M; ++j) {
        const double w = m * sol.pi(k, j);
        a.assets += w * sol.a_next(k, j);
        a.choice_probability(j) += w;
        a.expenditure(j) += w * hp.prices(j) * sol.c(k, j);
      }
    }
  a.total_expenditure = a.expenditure.sum();
  a.expenditure_share = a.expenditure / a.total_expenditure;
  return a;
}

}  // namespace hat::household

namespace hat::household {

void DistributionOptions::validate() const {
  check_option(std::isfinite(tolerance) && tolerance > 0, "DistributionOptions.tolerance", "> 0");
  check_option(max_iterations >= 1, "DistributionOptions.max_iterations", ">= 1");
}

}  // namespace hat::household
