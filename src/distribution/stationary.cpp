// Stationary distribution of the HAT household by iterating Young's (2010) lottery operator,
// and the aggregates of MODEL.md §1 (asset demand, efficiency units, expenditure by variety).
#include <cmath>

#include "hat/core/timer.hpp"
#include "hat/distribution/lottery.hpp"
#include "hat/household/household.hpp"
#include "hat/numerics/markov.hpp"

namespace hat::household {

StationaryDistribution stationary_distribution(const HouseholdProblem& hp,
                                               const HouseholdSolution& sol,
                                               const DistributionOptions& opt,
                                               const Eigen::VectorXd* warm) {
  Timer timer;
  const int Na = hp.Na(), Nz = hp.Nz(), N = Na * Nz;
  distribution::LotteryOperator T;
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
  const distribution::LotteryOperator Tt = T.transpose();
  d.report.status = SolverStatus::IterationLimit;
  double diff = INFINITY;
  int it;
  for (it = 1; it <= opt.max_iterations; ++it) {
    Tt.apply_backward(d.mass.reshaped(Na, Nz), tmp);
    // lambda'(i', s') = sum_s tmp(i', s) P(s, s')
    numerics::mix_by_rows(tmp.reshaped(Na, Nz), hp.P, rep, next, work);
    Eigen::Map<Eigen::VectorXd> nv(next.data(), N);
    diff = (nv - d.mass).cwiseAbs().sum();
    d.mass.swap(nv);
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
