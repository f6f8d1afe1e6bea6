// Trade elasticities by central differences on warm-started, tightly converged household
// solutions (MODEL.md §1; hat-paper-draft-a.md eqs. 37-43, Proposition 1).
//
// Method: for a step h in log d_ij the price p_ij is scaled by exp(+-h); the household block is
// re-solved at +h from the baseline solution and at -h from the extrapolation 2 base - sol(+h)
// (an O(h^2) warm start), and, when the distribution adjusts, the stationary distribution is
// recomputed from the baseline one. Every quantity q (aggregate
// log(M_ij/M_ii), and by state log(p c), log pi, log lambda) is differentiated by the central
// difference (q(+h) - q(-h)) / 2h, optionally Richardson-extrapolated over h and h/2
// (error O(h^4)). The margins are weighted by the baseline expenditure weights, so that
// intensive + extensive + distribution reproduces theta up to the O(h^2) difference between
// the derivative of a log-sum and the weighted sum of log-derivatives (reported).
#include "hat/analysis/elasticity.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "hat/core/enum_names.hpp"
#include "hat/core/error.hpp"
#include "hat/core/parallel.hpp"
#include "hat/core/timer.hpp"

namespace hat::analysis {

using household::HouseholdProblem;
using household::HouseholdSolution;

namespace {
constexpr EnumNames<DistributionMode, 2> kDistributionModeNames{
    {{{DistributionMode::Fixed, "fixed"}, {DistributionMode::Adjusts, "adjusts"}}}};
}  // namespace

const char* to_string(DistributionMode m) {
  return kDistributionModeNames.name(m);
}

DistributionMode parse_distribution_mode(const std::string& s, const std::string& field) {
  return kDistributionModeNames.parse(s, field);
}

Eigen::MatrixXd expenditure_shares_by_state(const HouseholdProblem& hp,
                                            const HouseholdSolution& sol) {
  Eigen::MatrixXd e(sol.c.rows(), sol.c.cols());
  for (int j = 0; j < e.cols(); ++j)
    e.col(j) = hp.prices(j) * sol.c.col(j).cwiseProduct(sol.pi.col(j));
  for (int k = 0; k < e.rows(); ++k) {
    const double s = e.row(k).sum();
    if (s > 0) e.row(k) /= s;
  }
  return e;
}

namespace {

// The quantities whose log-derivatives are taken, at one perturbed price.
struct Point {
  Eigen::VectorXd e_partner, pi_partner, e_home, pi_home, mass;
  double log_ratio = 0;  // log(M_ij / M_ii)
  SolverReport report;
};

// `warm` is the starting point of the solve (the baseline, or an extrapolation from it).
Point evaluate_point(const HouseholdProblem& hp, const HouseholdSolution& warm,
                     const Eigen::VectorXd& mass, int home, int partner, double shift,
                     const ElasticityOptions& opt, HouseholdSolution* keep = nullptr) {
  HouseholdProblem q = hp;
  q.prices(partner) *= std::exp(shift);
  HouseholdSolution sol = household::solve_household(q, opt.household, &warm);
  if (keep) *keep = sol;
  Point pt;
  pt.report = sol.report;
  if (!sol.report.converged()) return pt;
  if (opt.distribution == DistributionMode::Adjusts) {
    household::StationaryDistribution dist =
        household::stationary_distribution(q, sol, opt.distribution_options, &mass);
    if (!dist.report.converged()) {
      pt.report = dist.report;
      pt.report.message = "stationary distribution: " + dist.report.message;
      return pt;
    }
    pt.mass = dist.mass;
  } else {
    pt.mass = mass;
  }
  pt.e_partner = q.prices(partner) * sol.c.col(partner);
  pt.pi_partner = sol.pi.col(partner);
  pt.e_home = q.prices(home) * sol.c.col(home);
  pt.pi_home = sol.pi.col(home);
  // Aggregate in a fixed order (deterministic).
  double Mij = 0, Mii = 0;
  for (Eigen::Index k = 0; k < pt.mass.size(); ++k) {
    Mij += pt.mass(k) * pt.pi_partner(k) * pt.e_partner(k);
    Mii += pt.mass(k) * pt.pi_home(k) * pt.e_home(k);
  }
  if (!(Mij > 0) || !(Mii > 0)) {
    pt.report.status = SolverStatus::Failed;
    pt.report.message = "zero trade flow at the perturbed prices";
    return pt;
  }
  pt.log_ratio = std::log(Mij) - std::log(Mii);
  return pt;
}

// Element-wise log with zeros where x is not positive (those states carry zero weight).
Eigen::VectorXd safe_log(const Eigen::VectorXd& x) {
  Eigen::VectorXd y(x.size());
  for (Eigen::Index k = 0; k < x.size(); ++k) y(k) = x(k) > 0 ? std::log(x(k)) : 0.0;
  return y;
}

// Central-difference derivative of log(x) from the +h and -h points.
Eigen::VectorXd log_diff(const Eigen::VectorXd& plus, const Eigen::VectorXd& minus, double h) {
  Eigen::VectorXd d = (safe_log(plus) - safe_log(minus)) / (2.0 * h);
  for (Eigen::Index k = 0; k < d.size(); ++k)
    if (!(plus(k) > 0) || !(minus(k) > 0)) d(k) = 0.0;
  return d;
}

struct Derivatives {
  double theta = 0;
  Eigen::VectorXd ie, ee, ih, eh, dist;
};

Derivatives differentiate(const Point& p, const Point& m, double h) {
  Derivatives d;
  d.theta = (p.log_ratio - m.log_ratio) / (2.0 * h);
  d.ie = log_diff(p.e_partner, m.e_partner, h);
  d.ee = log_diff(p.pi_partner, m.pi_partner, h);
  d.ih = log_diff(p.e_home, m.e_home, h);
  d.eh = log_diff(p.pi_home, m.pi_home, h);
  d.dist = log_diff(p.mass, m.mass, h);
  return d;
}

// Warm start for the step t * h from the baseline and the solution at +h: base + t (plus -
// base), exact to O(h^2). It cuts the iterations of the remaining solves by more than half
// (the solve converges from an O(h^2) instead of an O(h) distance); the converged solution is
// the same fixed point, to the solver's tolerance.
HouseholdSolution extrapolate(const HouseholdProblem& hp, const HouseholdSolution& base,
                              const HouseholdSolution& plus, double t) {
  HouseholdSolution w = base;
  w.a_next = base.a_next + t * (plus.a_next - base.a_next);
  w.a_next = w.a_next.cwiseMax(hp.a_min()).cwiseMin(hp.a_max());
  w.c = base.c + t * (plus.c - base.c);
  w.v = base.v + t * (plus.v - base.v);
  w.V = base.V + t * (plus.V - base.V);
  w.pi = (base.pi + t * (plus.pi - base.pi)).cwiseMax(0.0).cwiseMin(1.0);
  return w;
}

}  // namespace

BilateralElasticity bilateral_elasticity(const HouseholdProblem& hp, const HouseholdSolution& base,
                                         const Eigen::VectorXd& mass, int home, int partner,
                                         const ElasticityOptions& opt) {
  opt.validate();
  const int M = hp.M();
  if (home < 0 || home >= M || partner < 0 || partner >= M)
    throw InputError("elasticity: variety index out of range");
  if (home == partner)
    throw InputError("elasticity: the partner must differ from the home country");
  if (!(opt.step > 0) || opt.step > 0.1)
    throw InputError("elasticity step: expected 0 < step <= 0.1");
  if (mass.size() != base.c.rows()) throw InputError("elasticity: distribution size mismatch");

  Timer timer;
  BilateralElasticity out;
  out.home = home;
  out.partner = partner;
  out.report.status = SolverStatus::Converged;
  out.report.message = "converged";

  const double h = opt.step;
  std::vector<double> shifts = {h, -h};
  if (opt.richardson) {
    shifts.push_back(h / 2);
    shifts.push_back(-h / 2);
  }
  std::vector<Point> pts;
  HouseholdSolution plus;
  pts.push_back(evaluate_point(hp, base, mass, home, partner, h, opt, &plus));
  merge_report(out.report, pts.back().report);
  for (size_t k = 1; k < shifts.size() && out.report.converged(); ++k) {
    const HouseholdSolution warm = extrapolate(hp, base, plus, shifts[k] / h);
    pts.push_back(evaluate_point(hp, warm, mass, home, partner, shifts[k], opt));
    merge_report(out.report, pts.back().report);
  }
  if (!out.report.converged()) {
    out.report.seconds = timer.seconds();
    return out;
  }
  Derivatives d = differentiate(pts[0], pts[1], h);
  if (opt.richardson) {
    const Derivatives d2 = differentiate(pts[2], pts[3], h / 2);
    auto rich = [](const auto& fine, const auto& coarse) { return (4.0 * fine - coarse) / 3.0; };
    d.theta = rich(d2.theta, d.theta);
    d.ie = rich(d2.ie, d.ie);
    d.ee = rich(d2.ee, d.ee);
    d.ih = rich(d2.ih, d.ih);
    d.eh = rich(d2.eh, d.eh);
    d.dist = rich(d2.dist, d.dist);
  }

  // Baseline expenditure weights.
  const int n = static_cast<int>(mass.size());
  Eigen::VectorXd wp(n), wh(n);
  double Mij = 0, Mii = 0, Mtot = 0;
  for (int k = 0; k < n; ++k) {
    wp(k) = mass(k) * base.pi(k, partner) * hp.prices(partner) * base.c(k, partner);
    wh(k) = mass(k) * base.pi(k, home) * hp.prices(home) * base.c(k, home);
    Mij += wp(k);
    Mii += wh(k);
    for (int j = 0; j < M; ++j) Mtot += mass(k) * base.pi(k, j) * hp.prices(j) * base.c(k, j);
  }
  wp /= Mij;
  wh /= Mii;
  out.theta = d.theta;
  out.intensive = wp.dot(d.ie) - wh.dot(d.ih);
  out.extensive = wp.dot(d.ee) - wh.dot(d.eh);
  out.distribution = wp.dot(d.dist) - wh.dot(d.dist);
  if (opt.distribution == DistributionMode::Fixed) out.distribution = 0.0;
  out.decomposition_residual = out.theta - (out.intensive + out.extensive + out.distribution);
  out.import_share = Mij / Mtot;
  if (opt.micro) {
    out.micro.intensive_partner = d.ie;
    out.micro.extensive_partner = d.ee;
    out.micro.intensive_home = d.ih;
    out.micro.extensive_home = d.eh;
    out.micro.distribution =
        opt.distribution == DistributionMode::Fixed ? Eigen::VectorXd::Zero(n) : d.dist;
    out.micro.weight_partner = wp;
    out.micro.weight_home = wh;
  }
  if (!std::isfinite(out.theta)) {
    out.report.status = SolverStatus::Failed;
    out.report.message = "non-finite elasticity";
  }
  out.report.seconds = timer.seconds();
  return out;
}

CountryElasticities country_elasticities(const HouseholdProblem& hp, const HouseholdSolution& base,
                                         const Eigen::VectorXd& mass, int home,
                                         const std::vector<int>& partners,
                                         const ElasticityOptions& opt) {
  opt.validate();
  Timer timer;
  CountryElasticities out;
  out.home = home;
  out.partners.resize(partners.size());
  for (int j : partners)
    if (j == home || j < 0 || j >= hp.M())
      throw InputError("elasticity: partner index out of range or equal to the home country");
  const int n = static_cast<int>(partners.size());
  // Each task writes only its own slot: the result does not depend on the schedule.
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (int t = 0; t < n; ++t)
    errors.run(
        t, [&] { out.partners[t] = bilateral_elasticity(hp, base, mass, home, partners[t], opt); });
  errors.rethrow();

  out.report.status = SolverStatus::Converged;
  out.report.message = "converged";
  double num = 0, den = 0;
  for (const BilateralElasticity& b : out.partners) {
    merge_report(out.report, b.report);
    num += b.import_share * b.theta;
    den += b.import_share;
  }
  out.theta_trade_weighted = den > 0 ? num / den : 0.0;
  out.report.seconds = timer.seconds();
  return out;
}

}  // namespace hat::analysis
