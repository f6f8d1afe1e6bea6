// The efficient allocation of the HAT model: Newton's method on the log multipliers of the
// resource constraints (MODEL.md §1; Proposition 4 of hat-slides-2023.md; the first-order
// conditions (105) and (114) of hat-paper-draft-a.md Appendix D, with country Pareto weights).
//
// Given chi, every other object is explicit: c_ij = (chi_j d_ij / omega_i)^(-1/gamma) (exp of
// the log for gamma = 1), pi_ij(s) = softmax_j((g(c_ij) + psi_ij(s)) / sigma_i) with
// g(c) = u(c) - u'(c) c. The resource residuals F_j = log(sum_i L_i d_ij c_ij E_s pi_ij(s)) -
// log(A_j L_j E[z]) are solved with the analytic Jacobian:
//   d log c_ij / d log chi_k = -delta_jk / gamma,
//   d g(c_ik) / d log chi_k = -u'(c_ik) c_ik  (since g'(c) c = -u''(c) c^2 = gamma u'(c) c),
//   d log pi_ij(s) / d log chi_k = -(u'(c_ik) c_ik / sigma_i) (delta_jk - pi_ik(s)).
// Proposition 5: the efficient trade elasticity theta_ij = -(1/sigma_i) u'(c_ij) c_ij and the
// welfare gain omega_i / (1 - beta) u'(c_ij) c_ij pi_ij L_i.
#include "hat/analysis/planner.hpp"

#include <algorithm>
#include <cmath>

#include "hat/core/enum_names.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"

namespace hat::analysis {

namespace {
constexpr EnumNames<ParetoWeights, 3> kWeightNames{{{{ParetoWeights::Tfp, "tfp"},
                                                     {ParetoWeights::Equal, "equal"},
                                                     {ParetoWeights::Population, "population"}}}};
}  // namespace

const char* to_string(ParetoWeights w) {
  return kWeightNames.name(w);
}

ParetoWeights parse_pareto_weights(const std::string& s, const std::string& field) {
  return kWeightNames.parse(s, field);
}

Eigen::VectorXd pareto_weights(const world::World& w, ParetoWeights kind) {
  Eigen::VectorXd om;
  switch (kind) {
    case ParetoWeights::Tfp:
      om = w.A;
      break;
    case ParetoWeights::Equal:
      om = Eigen::VectorXd::Ones(w.size());
      break;
    case ParetoWeights::Population:
      om = w.L;
      break;
  }
  return om / om.mean();
}

namespace {

double u(double c, double gamma) {
  return household::utility(c, gamma);
}
// u'(c) c = c^(1 - gamma).
double uprime_c(double c, double gamma) {
  return gamma == 1.0 ? 1.0 : std::pow(c, 1.0 - gamma);
}

struct Primitives {
  Eigen::VectorXd sigma, mu;         // sigma_i; stationary income distribution
  std::vector<Eigen::MatrixXd> psi;  // per i: Nz x M (zeros when no quality shifter)
  double Ez = 1;
};

Primitives primitives(const world::World& w) {
  const int M = w.size();
  Primitives pr;
  pr.mu = w.income.stationary;
  pr.Ez = pr.mu.dot(w.income.z);
  pr.sigma.resize(M);
  world::Prices p;
  p.W = Eigen::VectorXd::Ones(M);
  p.R = Eigen::VectorXd::Ones(M);
  p.tau = Eigen::VectorXd::Zero(M);
  p.beta = w.beta;
  for (int i = 0; i < M; ++i) {
    // The decentralised model's scaling of sigma and psi (one definition, in world::).
    const household::HouseholdProblem hp = world::country_problem(w, i, p);
    pr.sigma(i) = hp.sigma;
    Eigen::MatrixXd q = Eigen::MatrixXd::Zero(hp.Nz(), M);
    for (int s = 0; s < hp.Nz(); ++s)
      for (int j = 0; j < M; ++j) q(s, j) = hp.psi(s, j);
    pr.psi.push_back(q);
  }
  return pr;
}

}  // namespace

PlannerAllocation planner_allocation(const world::World& w, const Eigen::VectorXd& omega,
                                     const Eigen::VectorXd& chi) {
  const int M = w.size();
  if (omega.size() != M || chi.size() != M)
    throw InputError("planner: Pareto weights and multipliers need one entry per country");
  if (!(omega.minCoeff() > 0)) throw InputError("planner: Pareto weights must be positive");
  const Primitives pr = primitives(w);
  const double gamma = w.gamma;
  const int Nz = static_cast<int>(pr.mu.size());
  PlannerAllocation a;
  a.omega = omega;
  a.chi = chi;
  a.sigma = pr.sigma;
  a.c.resize(M, M);
  a.pi = Eigen::MatrixXd::Zero(M, M);
  a.quantity.resize(M, M);
  a.value.resize(M, M);
  a.theta = Eigen::MatrixXd::Zero(M, M);
  a.welfare_gain = Eigen::MatrixXd::Zero(M, M);
  a.welfare = Eigen::VectorXd::Zero(M);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j)
      a.c(i, j) = std::exp(-(std::log(chi(j)) + std::log(w.d(i, j)) - std::log(omega(i))) / gamma);
  a.pi_state.assign(M, Eigen::MatrixXd());
  for (int i = 0; i < M; ++i) {
    Eigen::MatrixXd& P = a.pi_state[i];
    P.resize(Nz, M);
    double Wi = 0;
    for (int s = 0; s < Nz; ++s) {
      Eigen::VectorXd x(M);
      for (int j = 0; j < M; ++j)
        x(j) = (u(a.c(i, j), gamma) - uprime_c(a.c(i, j), gamma) + pr.psi[i](s, j)) / pr.sigma(i);
      const double mx = x.maxCoeff();
      double sum = 0;
      for (int j = 0; j < M; ++j) sum += std::exp(x(j) - mx);
      const double lse = mx + std::log(sum);
      double flow = 0;
      for (int j = 0; j < M; ++j) {
        const double logp = x(j) - lse;
        P(s, j) = std::exp(logp);
        // E[u + psi + eps | choice] with eps's selection term -sigma log pi (draft-a eq. 102).
        if (P(s, j) > 0)
          flow += P(s, j) * (u(a.c(i, j), gamma) + pr.psi[i](s, j) - pr.sigma(i) * logp);
      }
      Wi += pr.mu(s) * flow;
    }
    a.welfare(i) = Wi / (1.0 - w.beta);
    a.pi.row(i) = pr.mu.transpose() * P;
  }
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j) {
      a.quantity(i, j) = w.L(i) * w.d(i, j) * a.c(i, j) * a.pi(i, j);
      a.value(i, j) = chi(j) * a.quantity(i, j);
      if (i != j) {
        const double g = uprime_c(a.c(i, j), gamma);
        a.theta(i, j) = -g / pr.sigma(i);
        a.welfare_gain(i, j) = omega(i) / (1.0 - w.beta) * g * a.pi(i, j) * w.L(i);
      }
    }
  a.shares = a.value;
  for (int i = 0; i < M; ++i) a.shares.row(i) /= a.value.row(i).sum();
  a.social_welfare = 0;
  for (int i = 0; i < M; ++i) a.social_welfare += omega(i) * w.L(i) * a.welfare(i);
  a.supply.resize(M);
  a.resource_residual.resize(M);
  for (int j = 0; j < M; ++j) {
    a.supply(j) = w.A(j) * w.L(j) * pr.Ez;
    double demand = 0;
    for (int i = 0; i < M; ++i) demand += a.quantity(i, j);
    a.resource_residual(j) = (demand - a.supply(j)) / a.supply(j);
  }
  // First-order conditions evaluated on the allocation (not assumed).
  double foc = 0;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j) {
      const double up = std::pow(a.c(i, j), -gamma);
      foc = std::max(foc, std::abs(omega(i) * up / (chi(j) * w.d(i, j)) - 1.0));
    }
  for (int i = 0; i < M; ++i)
    for (int s = 0; s < Nz; ++s) {
      // log pi_ij - log pi_ii = (g_ij - g_ii + psi_ij - psi_ii) / sigma_i for every j.
      const double gi = u(a.c(i, i), gamma) - uprime_c(a.c(i, i), gamma) + pr.psi[i](s, i);
      for (int j = 0; j < M; ++j) {
        if (!(a.pi_state[i](s, j) > 0)) continue;
        const double gj = u(a.c(i, j), gamma) - uprime_c(a.c(i, j), gamma) + pr.psi[i](s, j);
        const double lhs = std::log(a.pi_state[i](s, j)) - std::log(a.pi_state[i](s, i));
        foc = std::max(foc, std::abs(lhs - (gj - gi) / pr.sigma(i)));
      }
    }
  a.foc_residual = foc;
  return a;
}

PlannerAllocation solve_planner(const world::World& w, const Eigen::VectorXd& omega,
                                const PlannerOptions& opt) {
  w.validate();
  opt.validate();
  Timer timer;
  const int M = w.size();
  const double gamma = w.gamma;
  const Primitives pr = primitives(w);
  const int Nz = static_cast<int>(pr.mu.size());

  // Initial guess: autarky-like multipliers chi_i = omega_i u'(A_i E[z]).
  Eigen::VectorXd x(M);
  for (int i = 0; i < M; ++i) x(i) = std::log(omega(i)) - gamma * std::log(w.A(i) * pr.Ez);

  auto residual = [&](const Eigen::VectorXd& lx, Eigen::VectorXd& F, Eigen::MatrixXd* J) {
    PlannerAllocation a = planner_allocation(w, omega, lx.array().exp().matrix());
    Eigen::VectorXd demand = Eigen::VectorXd::Zero(M);
    for (int j = 0; j < M; ++j)
      for (int i = 0; i < M; ++i) demand(j) += a.quantity(i, j);
    F.resize(M);
    for (int j = 0; j < M; ++j) F(j) = std::log(demand(j)) - std::log(a.supply(j));
    if (J) {
      J->setZero(M, M);
      for (int j = 0; j < M; ++j) {
        for (int i = 0; i < M; ++i) {
          const double base = w.L(i) * w.d(i, j) * a.c(i, j);
          // Intensive: d c_ij / d log chi_j = -c_ij / gamma.
          (*J)(j, j) += -base * a.pi(i, j) / gamma;
          // Extensive, by income state.
          for (int s = 0; s < Nz; ++s) {
            const double pij = a.pi_state[i](s, j);
            if (pij == 0) continue;
            for (int k = 0; k < M; ++k) {
              const double gk = uprime_c(a.c(i, k), gamma) / pr.sigma(i);
              const double dlogpi = -gk * ((j == k ? 1.0 : 0.0) - a.pi_state[i](s, k));
              (*J)(j, k) += base * pr.mu(s) * pij * dlogpi;
            }
          }
        }
        J->row(j) /= demand(j);
      }
    }
    return a;
  };

  Eigen::VectorXd F;
  Eigen::MatrixXd J;
  PlannerAllocation a = residual(x, F, &J);
  SolverReport rep;
  int it = 0;
  double norm = F.lpNorm<Eigen::Infinity>();
  while (std::isfinite(norm) && norm > opt.tolerance && it < opt.max_iterations) {
    const Eigen::VectorXd step = J.fullPivLu().solve(-F);
    if (!step.allFinite()) break;
    // Backtracking on the sup-norm of the residuals (log units, so steps are bounded).
    double t = std::min(1.0, 2.0 / step.lpNorm<Eigen::Infinity>());
    Eigen::VectorXd Fn;
    Eigen::VectorXd xn;
    bool accepted = false;
    for (int ls = 0; ls < 40; ++ls) {
      xn = x + t * step;
      residual(xn, Fn, nullptr);
      const double nn = Fn.lpNorm<Eigen::Infinity>();
      if (std::isfinite(nn) && (nn < (1.0 - 1e-4 * t) * norm || nn <= opt.tolerance)) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    ++it;
    if (!accepted) break;
    x = xn;
    a = residual(x, F, &J);
    norm = F.lpNorm<Eigen::Infinity>();
  }
  a.report.iterations = it;
  a.report.residual = norm;
  a.report.seconds = timer.seconds();
  if (!std::isfinite(norm)) {
    a.report.status = SolverStatus::Failed;
    a.report.message = "non-finite resource residuals";
  } else if (norm <= opt.tolerance) {
    a.report.status = SolverStatus::Converged;
    a.report.message = "converged";
  } else if (it >= opt.max_iterations) {
    a.report.status = SolverStatus::IterationLimit;
    a.report.message = "Newton iteration limit reached";
  } else {
    a.report.status = SolverStatus::Failed;
    a.report.message = "line search failed to reduce the resource residuals";
  }
  return a;
}

}  // namespace hat::analysis
