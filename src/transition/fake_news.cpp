// The fake-news algorithm for sequence-space Jacobians of a household block (Auclert, Bardoczy,
// Rognlie & Straub 2021, Econometrica, section 3; see fake_news.hpp for the formulas).
#include "hat/transition/fake_news.hpp"

#include <algorithm>
#include <cmath>

#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/distribution/lottery.hpp"

namespace hat::transition {

Eigen::VectorXd forward_step(const household::HouseholdProblem& hp,
                             const household::HouseholdSolution& sol, const Eigen::VectorXd& mass) {
  distribution::LotteryOperator lottery;
  lottery.build(hp.grid, sol.a_next, sol.pi);
  Eigen::MatrixXd moved;
  lottery.apply_forward(mass, moved);  // (a', s): mass that chose a' in income state s
  return (moved * hp.P).reshaped();    // then s -> s'
}

Eigen::MatrixXd spending_and_savings(const household::HouseholdProblem& hp,
                                     const household::HouseholdSolution& sol) {
  const int M = hp.M();
  Eigen::MatrixXd y(sol.c.rows(), M + 1);
  const Eigen::MatrixXd spend = sol.pi.cwiseProduct(sol.c);
  for (int j = 0; j < M; ++j) y.col(j) = spend.col(j) * hp.prices(j);
  y.col(M) = sol.pi.cwiseProduct(sol.a_next).rowwise().sum();
  return y;
}

namespace {

// E[o][t] = Lambda^t y_o for t = 0..T-2, as the columns o * (T-1) + t of an Ns x n(T-1) matrix
// (Lambda: the lottery of the stationary policies, then the income chain).
Eigen::MatrixXd expectation_vectors(const household::HouseholdProblem& hp,
                                    const household::HouseholdSolution& sol,
                                    const Eigen::MatrixXd& y, int T, int horizon) {
  const int Na = hp.Na(), Nz = hp.Nz(), n = static_cast<int>(y.cols()), L = std::max(T - 1, 1);
  distribution::LotteryOperator lottery;
  lottery.build(hp.grid, sol.a_next, sol.pi);
  Eigen::MatrixXd E(Na * Nz, n * L);
  Eigen::VectorXd next;
  for (int o = 0; o < n; ++o) {
    E.col(o * L) = y.col(o);
    for (int t = 1; t < L; ++t) {
      if (horizon > 0 && t >= horizon) {
        E.col(o * L + t) = E.col(o * L + t - 1);
        continue;
      }
      const Eigen::Map<const Eigen::MatrixXd> prev(E.col(o * L + t - 1).data(), Na, Nz);
      lottery.apply_backward(prev * hp.P.transpose(), next);
      E.col(o * L + t) = next;
    }
  }
  return E;
}

// The fake-news matrix of one input turned into its Jacobian, J(t, s) = F(t, s) + J(t-1, s-1).
Eigen::MatrixXd accumulate(const Eigen::MatrixXd& dY, const Eigen::MatrixXd& EdD, int T, int n) {
  const int S = static_cast<int>(dY.cols()), L = std::max(T - 1, 1);
  Eigen::MatrixXd J = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n) * T, T);
  for (int o = 0; o < n; ++o)
    for (int s = 0; s < T; ++s)
      for (int t = 0; t < T; ++t) {
        double f = 0.0;
        if (s < S) f = (t == 0) ? dY(o, s) : EdD(o * L + t - 1, s);
        const double prev = (t > 0 && s > 0) ? J(o * T + t - 1, s - 1) : 0.0;
        J(o * T + t, s) = f + prev;
      }
  return J;
}

}  // namespace

BlockJacobian fake_news_jacobian(const household::HouseholdProblem& hp,
                                 const household::HouseholdSolution& sol, double R,
                                 const Eigen::VectorXd& mass, const std::vector<BlockInput>& inputs,
                                 const std::vector<std::string>& output_names,
                                 const BlockOutputs& outputs, const FakeNewsOptions& opt) {
  const int T = opt.periods, K = static_cast<int>(inputs.size());
  if (T < 2) throw InputError("transition: periods must be >= 2");
  const double h = opt.step;
  // The stationary point as the backward step itself computes it (differences against it
  // cancel the solver's own fixed-point error).
  household::HouseholdSolution base;
  household::backward_step(hp, household::continuation_of(sol, R), base);
  if (base.report.status == SolverStatus::Failed)
    throw NumericalError("fake-news Jacobian: " + base.report.message);
  const Eigen::MatrixXd Yb = outputs(hp, base);
  const int n = static_cast<int>(Yb.cols());
  const Eigen::RowVectorXd ybar = mass.transpose() * Yb;
  const Eigen::VectorXd Db = forward_step(hp, base, mass);
  Timer timer;
  const Eigen::MatrixXd E = expectation_vectors(hp, base, Yb, T, opt.expectation_horizon);
  const double t_expect = timer.seconds();

  BlockJacobian out;
  out.periods = T;
  out.outputs = output_names;
  out.J.resize(K);
  out.backward_steps.assign(K, 0);
  for (const auto& in : inputs) out.inputs.push_back(in.name);
  std::vector<int> failed(K, 0);
  std::vector<double> t_gemm(K, 0.0), t_acc(K, 0.0);
#pragma omp parallel for schedule(dynamic, 1)
  for (int k = 0; k < K; ++k) {
    const int S = inputs[k].horizon > 0 ? std::min(T, inputs[k].horizon) : T;
    Eigen::MatrixXd dY = Eigen::MatrixXd::Zero(n, S), dD = Eigen::MatrixXd::Zero(Db.size(), S);
    household::HouseholdProblem hpk = hp;
    double Rk = R;
    inputs[k].perturb(hpk, Rk, h);
    household::HouseholdSolution cur, nxt;
    household::backward_step(hpk, household::Continuation{&sol.mu, &sol.V, Rk}, cur);
    int steps = 0;
    for (int u = 0; u < S; ++u) {
      if (u > 0) {
        household::backward_step(hp, household::Continuation{&cur.mu, &cur.V, R}, nxt);
        std::swap(cur, nxt);
      }
      if (cur.report.status == SolverStatus::Failed) {
        failed[k] = 1;
        break;
      }
      const household::HouseholdProblem& hpu = (u == 0) ? hpk : hp;
      dY.col(u) = ((mass.transpose() * outputs(hpu, cur) - ybar) / h).transpose();
      dD.col(u) = (forward_step(hpu, cur, mass) - Db) / h;
      steps = u + 1;
      if (u > 0) {
        const double d = std::max((cur.mu - base.mu).cwiseAbs().maxCoeff(),
                                  (cur.V - base.V).cwiseAbs().maxCoeff()) /
                         h;
        if (d < opt.decay) break;
      }
    }
    out.backward_steps[k] = steps;
    Timer tg;
    const Eigen::MatrixXd EdD = E.transpose() * dD.leftCols(steps);
    t_gemm[k] = tg.seconds();
    tg.reset();
    out.J[k] = accumulate(dY.leftCols(steps), EdD, T, n);
    t_acc[k] = tg.seconds();
  }
  out.seconds_expectations = t_expect;
  for (int k = 0; k < K; ++k) {
    out.seconds_products += t_gemm[k];
    out.seconds_accumulate += t_acc[k];
  }
  out.seconds = timer.seconds();
  for (int k = 0; k < K; ++k)
    if (failed[k])
      throw NumericalError("fake-news Jacobian: the backward step failed for input " +
                           inputs[k].name);
  return out;
}

}  // namespace hat::transition
