// The fake-news algorithm for sequence-space Jacobians of a household block (Auclert, Bardoczy,
// Rognlie & Straub 2021, Econometrica, section 3; see fake_news.hpp for the formulas).
#include "hat/transition/fake_news.hpp"

#include <algorithm>
#include <cmath>

#include "hat/core/error.hpp"
#include "hat/core/parallel.hpp"
#include "hat/core/timer.hpp"
#include "hat/numerics/lottery.hpp"

namespace hat::transition {

Eigen::VectorXd forward_step(const household::HouseholdProblem& hp,
                             const household::HouseholdSolution& sol, const Eigen::VectorXd& mass) {
  numerics::LotteryOperator lottery;
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

// E[o][t] = Lambda^t y_o for t = 0..L-1, as the columns o * L + t of an Ns x nL matrix
// (Lambda: the lottery of the stationary policies, then the income chain). E_t converges to a
// constant as the chain mixes, and a constant is orthogonal to every distribution change dD
// (which sums to zero): L stops at the first t with sup |E_t - E_{t-1}| <= tolerance sup |y|
// for every output (or at T - 1), and later E_t are taken as E_{L-1}.
Eigen::MatrixXd expectation_vectors(const household::HouseholdProblem& hp,
                                    const household::HouseholdSolution& sol,
                                    const Eigen::MatrixXd& y, int T, double tolerance, int& L) {
  const int Na = hp.Na(), Nz = hp.Nz(), n = static_cast<int>(y.cols()), Lmax = std::max(T - 1, 1);
  numerics::LotteryOperator lottery;
  lottery.build(hp.grid, sol.a_next, sol.pi);
  std::vector<Eigen::MatrixXd> E(n, Eigen::MatrixXd(Na * Nz, Lmax));
  Eigen::VectorXd next;
  L = Lmax;
  for (int o = 0; o < n; ++o) E[o].col(0) = y.col(o);
  for (int t = 1; t < Lmax; ++t) {
    bool settled = true;
    for (int o = 0; o < n; ++o) {
      const Eigen::Map<const Eigen::MatrixXd> prev(E[o].col(t - 1).data(), Na, Nz);
      lottery.apply_backward(prev * hp.P.transpose(), next);
      const double scale = std::max(y.col(o).cwiseAbs().maxCoeff(), 1e-300);
      settled = settled && (next - E[o].col(t - 1)).cwiseAbs().maxCoeff() <= tolerance * scale;
      E[o].col(t) = next;
    }
    if (settled) {
      L = t + 1;
      break;
    }
  }
  Eigen::MatrixXd out(Na * Nz, static_cast<Eigen::Index>(n) * L);
  for (int o = 0; o < n; ++o)
    out.middleCols(static_cast<Eigen::Index>(o) * L, L) = E[o].leftCols(L);
  return out;
}

// The fake-news matrix of one input turned into its Jacobian, J(t, s) = F(t, s) + J(t-1, s-1),
// with F(0, s) = dY(., s) and F(t, s) = E_{min(t-1, L-1)}' dD_s.
Eigen::MatrixXd accumulate(const Eigen::MatrixXd& dY, const Eigen::MatrixXd& EdD, int T, int n,
                           int L) {
  const int S = static_cast<int>(dY.cols());
  Eigen::MatrixXd J = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n) * T, T);
  for (int s = 0; s < S; ++s)
    for (int o = 0; o < n; ++o) {
      J(o * T, s) = dY(o, s);
      for (int t = 1; t < T; ++t) J(o * T + t, s) = EdD(o * L + std::min(t - 1, L - 1), s);
    }
  for (int s = 1; s < T; ++s)
    for (int o = 0; o < n; ++o)
      J.col(s).segment(o * T + 1, T - 1) += J.col(s - 1).segment(o * T, T - 1);
  return J;
}

// The backward iteration of one input shocked by h at date s, seen from date s - u for
// u = 0, 1, ...: aggregate outputs at date 0 (columns of Y) and the distribution at date 1
// (columns of D), both from the stationary distribution. Stops after S periods, or once the
// continuation is within decay * |h| of the stationary one (later columns are then the
// stationary values).
struct NewsChain {
  Eigen::MatrixXd Y, D;
  int steps = 0;
  bool failed = false;
};

NewsChain news_chain(const household::HouseholdProblem& hp, const household::HouseholdSolution& sol,
                     double R, const Eigen::VectorXd& mass, const BlockInput& input, double h,
                     int S, const BlockOutputs& outputs, const household::HouseholdSolution& base,
                     double decay) {
  NewsChain c;
  household::HouseholdProblem hpk = hp;
  double Rk = R;
  input.perturb(hpk, Rk, h);
  household::HouseholdSolution cur, nxt;
  household::backward_step(hpk, household::Continuation{&sol.mu, &sol.V, Rk}, cur);
  for (int u = 0; u < S; ++u) {
    if (u > 0) {
      household::backward_step(hp, household::Continuation{&cur.mu, &cur.V, R}, nxt);
      std::swap(cur, nxt);
    }
    if (cur.report.status == SolverStatus::Failed) {
      c.failed = true;
      break;
    }
    const household::HouseholdProblem& hpu = (u == 0) ? hpk : hp;
    const Eigen::VectorXd y = (mass.transpose() * outputs(hpu, cur)).transpose();
    const Eigen::VectorXd d = forward_step(hpu, cur, mass);
    if (u == 0) {  // (columns past the last step stay unused)
      c.Y.resize(y.size(), S);
      c.D.resize(d.size(), S);
    }
    c.Y.col(u) = y;
    c.D.col(u) = d;
    c.steps = u + 1;
    if (u > 0 && std::max((cur.mu - base.mu).cwiseAbs().maxCoeff(),
                          (cur.V - base.V).cwiseAbs().maxCoeff()) < decay * std::abs(h))
      break;
  }
  c.Y.conservativeResize(Eigen::NoChange, c.steps);
  c.D.conservativeResize(Eigen::NoChange, c.steps);
  return c;
}

}  // namespace

BlockJacobian fake_news_jacobian(const household::HouseholdProblem& hp,
                                 const household::HouseholdSolution& sol, double R,
                                 const Eigen::VectorXd& mass, const std::vector<BlockInput>& inputs,
                                 const std::vector<std::string>& output_names,
                                 const BlockOutputs& outputs, const FakeNewsOptions& opt) {
  opt.validate();
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
  int L = 0;
  const Eigen::MatrixXd E = expectation_vectors(hp, base, Yb, T, opt.expectation_tolerance, L);
  const double t_expect = timer.seconds();

  BlockJacobian out;
  out.periods = T;
  out.outputs = output_names;
  out.J.resize(K);
  out.backward_steps.assign(K, 0);
  for (const auto& in : inputs) out.inputs.push_back(in.name);
  std::vector<unsigned char> failed(K, 0);
  std::vector<double> t_gemm(K, 0.0), t_acc(K, 0.0);
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (int k = 0; k < K; ++k)
    errors.run(k, [&] {
      const int S = inputs[k].horizon > 0 ? std::min(T, inputs[k].horizon) : T;
      NewsChain up = news_chain(hp, sol, R, mass, inputs[k], h, S, outputs, base, opt.decay);
      NewsChain down;
      if (opt.central && !up.failed)
        down = news_chain(hp, sol, R, mass, inputs[k], -h, up.steps, outputs, base, 0.0);
      if (up.failed || down.failed) {
        failed[k] = 1;
        return;
      }
      const int steps = up.steps;
      Eigen::MatrixXd dY, dD;
      if (opt.central) {
        dY = (up.Y - down.Y) / (2 * h);
        dD = (up.D - down.D) / (2 * h);
      } else {
        dY = (up.Y.leftCols(steps).colwise() - ybar.transpose()) / h;
        dD = (up.D.leftCols(steps).colwise() - Db) / h;
      }
      out.backward_steps[k] = steps;
      Timer tg;
      const Eigen::MatrixXd EdD = E.transpose() * dD;
      t_gemm[k] = tg.seconds();
      tg.reset();
      out.J[k] = accumulate(dY, EdD, T, n, L);
      t_acc[k] = tg.seconds();
    });
  errors.rethrow();
  out.seconds_expectations = t_expect;
  out.expectation_horizon = L;
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
