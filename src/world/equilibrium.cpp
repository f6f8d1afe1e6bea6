// World general equilibrium of the HAT model.
//
// Method: the equilibrium conditions (MODEL.md §1) are stacked into a square system in the log
// unknowns — wages (one goods market dropped by Walras' law, replaced by the numeraire), the
// interest rate(s) or the discount factor, and the tariff transfers when tariffs are present —
// and solved by Powell's hybrid (dogleg trust-region) method, MINPACK's hybrj (More, Garbow &
// Hillstrom 1980) as ported in Eigen's unsupported NonLinearOptimization module. hybrj keeps
// the Jacobian up to date with Broyden rank-1 updates and asks for a fresh one only when
// progress stalls; fresh Jacobians are one-sided finite differences whose (column, country)
// household solves run in parallel, each warm-started from the base point's solution, so the
// result does not depend on the number of threads. Convergence is declared only on the
// re-evaluated residual sup-norm.
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "hat/core/enum_names.hpp"
#include "hat/core/error.hpp"
#include "hat/core/parallel.hpp"
#include "hat/core/timer.hpp"
#include "hat/world/system.hpp"
#include "hat/world/world.hpp"

namespace hat::world {

const char* to_string(Financial f) {
  return kFinancialNames.name(f);
}
const char* to_string(Unknown u) {
  return kUnknownNames.name(u);
}
const char* to_string(Scaling s) {
  return kScalingNames.name(s);
}
const char* to_string(JacobianMethod m) {
  return kJacobianNames.name(m);
}

void World::validate() const {
  const int M = size();
  auto bad = [](const std::string& m) { throw InputError(m); };
  if (M < 1) bad("countries: need at least one country");
  if (L.size() != M)
    bad("countries.labor: " + std::to_string(L.size()) + " entries for " + std::to_string(M) +
        " countries");
  if (A.size() != M)
    bad("countries.tfp: " + std::to_string(A.size()) + " entries for " + std::to_string(M) +
        " countries");
  for (int i = 0; i < M; ++i) {
    if (!(L(i) > 0) || !std::isfinite(L(i)))
      bad("countries.labor: entry for " + names[i] + " must be > 0");
    if (!(A(i) > 0) || !std::isfinite(A(i)))
      bad("countries.tfp: entry for " + names[i] + " must be > 0");
    for (int k = 0; k < i; ++k)
      if (names[k] == names[i]) bad("countries.names: duplicate name " + names[i]);
  }
  if (d.rows() != M || d.cols() != M)
    bad("trade_costs: matrix is " + std::to_string(d.rows()) + " x " + std::to_string(d.cols()) +
        ", expected " + std::to_string(M) + " x " + std::to_string(M));
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j) {
      if (!std::isfinite(d(i, j)) || !(d(i, j) >= 1.0))
        bad("trade_costs: d(" + names[i] + "," + names[j] + ") must be a finite number >= 1");
      if (i == j && d(i, j) != 1.0)
        bad("trade_costs: d(" + names[i] + "," + names[i] + ") must be 1");
    }
  if (tariff.size()) {
    if (tariff.rows() != M || tariff.cols() != M)
      bad("tariffs: matrix must be " + std::to_string(M) + " x " + std::to_string(M));
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < M; ++j)
        if (!std::isfinite(tariff(i, j)) || !(tariff(i, j) > -1.0))
          bad("tariffs: t(" + names[i] + "," + names[j] + ") must be a finite number > -1");
  }
  if (!(gamma > 0)) bad("model.gamma must be > 0");
  if (!(beta > 0 && beta < 1)) bad("model.beta must be in (0, 1)");
  if (!(sigma > 0)) bad("model.sigma_eps must be > 0");
  if (!(borrowing_limit >= 0) && !(borrowing_limit < 0))
    bad("model.borrowing_limit must be finite");
  if (!(asset_max > -borrowing_limit)) bad("model.asset_max must exceed -borrowing_limit");
  if (assets < 2) bad("grid.assets must be >= 2");
  if (income.z.size() < 1) bad("income: empty income process");
}

int country_index(const World& w, const std::string& name, const std::string& what) {
  for (int i = 0; i < w.size(); ++i)
    if (w.names[i] == name) return i;
  std::string known;
  for (const auto& n : w.names) known += (known.empty() ? "" : ", ") + n;
  throw InputError(what + ": '" + name + "' is not a country of this world (" + known + ")");
}

household::HouseholdProblem country_problem(const World& w, int i, const Prices& p) {
  const int M = w.size();
  household::HouseholdProblem hp;
  const double Ai = w.A(i);
  const double pref_scale = std::pow(Ai, 1.0 - w.gamma);  // balanced-growth-like scaling
  hp.gamma = w.gamma;
  hp.beta = p.beta;
  hp.R = p.R(i);
  hp.W = p.W(i);
  hp.sigma = w.sigma * pref_scale;
  hp.tau = p.tau.size() ? p.tau(i) : 0.0;
  hp.prices.resize(M);
  for (int j = 0; j < M; ++j) {
    const double t = w.tariff.size() ? w.tariff(i, j) : 0.0;
    hp.prices(j) = w.d(i, j) * (1.0 + t) * p.W(j) / w.A(j);
  }
  const double scale = (w.scaling == Scaling::Tfp) ? Ai : p.W(i);
  hp.grid = numerics::make_grid(-w.borrowing_limit * scale, w.asset_max * scale, w.assets,
                                w.spacing, w.grid_curvature);
  hp.z = w.income.z;
  hp.P = w.income.P;
  if (w.quality_slope != 0.0) {
    // psi_ii(s) = slope_i * y_persistent(s) on the home variety only.
    hp.quality = Eigen::MatrixXd::Zero(hp.Nz(), M);
    hp.quality.col(i) = (w.quality_slope * pref_scale) * w.income.log_persistent;
  }
  return hp;
}

// Solves one country's household block and distribution.
CountryState solve_country(const World& w, int i, const Prices& p, const EquilibriumOptions& opt,
                           const CountryState* warm) {
  return solve_country_problem(country_problem(w, i, p), opt, warm);
}

CountryState solve_country_problem(household::HouseholdProblem hp, const EquilibriumOptions& opt,
                                   const CountryState* warm) {
  CountryState cs;
  cs.problem = std::move(hp);
  try {
    cs.problem.validate();
  } catch (const InputError& e) {
    // Prices the solver tried (not the user's input) that leave this household no feasible
    // choice: a failed evaluation, reported with the prices, not a crash or a bad-input error.
    cs.solution.report.status = SolverStatus::Failed;
    cs.solution.report.message =
        fmt::format("household problem infeasible at R = {:.6g}, W = {:.6g}: {}", cs.problem.R,
                    cs.problem.W, e.what());
    return cs;
  }
  cs.solution =
      household::solve_household(cs.problem, opt.household, warm ? &warm->solution : nullptr);
  if (cs.solution.report.status == SolverStatus::Failed) return cs;
  cs.distribution = household::stationary_distribution(cs.problem, cs.solution, opt.distribution,
                                                       warm ? &warm->distribution.mass : nullptr);
  cs.aggregates = household::aggregate(cs.problem, cs.solution, cs.distribution.mass);
  return cs;
}

bool country_converged(const CountryState& cs) {
  return cs.solution.report.converged() && cs.distribution.report.converged();
}

namespace {

// The layout of unknowns and residuals.
struct Layout {
  int M = 0, n = 0;
  bool tariffs = false;
  Financial fin;
  Unknown unk;
  RateCoordinate coord = RateCoordinate::Softplus;
  int n_rate() const { return fin == Financial::Autarky ? M : 1; }
  int tau_offset() const { return M + n_rate(); }
};

// R or beta as an unknown (RateCoordinate::Softplus): v = b s / (1 + s) with s = softplus(x / k)
// = log(1 + e^(x/k)) and the bound b of beta R < 1: b = 1/beta for R, min(1, 1/R) for beta. Any
// x gives v in (0, b). Why not log R and logit(beta): asset demand rises without bound as
// beta R -> 1 (Aiyagari 1994), about like 1 / (b - v), and for v near b this x is about
// k v / (b - v), in which asset demand is nearly linear. On the 19-country world the first
// Newton step from the static start leaves a residual of 7.9e-3 instead of 5.5e-2 with beta
// the unknown, and the solve needs one Jacobian and 8 evaluations instead of two and 7; with R
// the unknown two and 8 instead of three and 9, in autarky two and 9 instead of three and 12.
// k = 0.1 for beta and 0.01 for R keep dv / dx within a factor of three of the old coordinates'
// (beta (1 - beta) and R) at the paper's beta and R, so finite-difference steps in x move v
// about as much as before.
constexpr double kBetaScale = 0.1, kRScale = 0.01;

double softplus_coordinate(double v, double bound, double k) {
  // A guess at or above the bound (not an equilibrium: asset demand would be at its cap) is
  // taken just below it.
  const double s = v / std::max(bound - v, 1e-6 * bound);
  return k * (s + std::log(-std::expm1(-s)));  // k softplus^-1(s)
}

double from_softplus_coordinate(double x, double bound, double k) {
  const double y = x / k;
  const double s = std::max(y, 0.0) + std::log1p(std::exp(-std::abs(y)));  // softplus(y)
  return bound * s / (1.0 + s);
}

double beta_bound(const Prices& p) {
  return std::min(1.0, 1.0 / p.R(0));
}

double pack_R(const Layout& l, double R, double beta) {
  return l.coord == RateCoordinate::Log ? std::log(R) : softplus_coordinate(R, 1 / beta, kRScale);
}

double unpack_R(const Layout& l, double x, double beta) {
  return l.coord == RateCoordinate::Log ? std::exp(x)
                                        : from_softplus_coordinate(x, 1 / beta, kRScale);
}

Layout make_layout(const World& w, const EquilibriumOptions& opt) {
  Layout l;
  l.M = w.size();
  l.fin = opt.financial;
  l.unk = opt.unknown;
  l.coord = opt.rate_coordinate;
  l.tariffs = w.has_tariffs() || opt.solve_transfers;
  l.n = l.M + l.n_rate() + (l.tariffs ? l.M : 0);
  return l;
}

Eigen::VectorXd pack(const Layout& l, const Prices& p) {
  Eigen::VectorXd x(l.n);
  for (int j = 0; j < l.M; ++j) x(j) = std::log(p.W(j));
  if (l.fin == Financial::Autarky) {
    for (int i = 0; i < l.M; ++i) x(l.M + i) = pack_R(l, p.R(i), p.beta);
  } else if (l.unk == Unknown::R) {
    x(l.M) = pack_R(l, p.R(0), p.beta);
  } else {
    x(l.M) = l.coord == RateCoordinate::Log
                 ? std::log(p.beta / (1.0 - p.beta))
                 : softplus_coordinate(p.beta, beta_bound(p), kBetaScale);
  }
  if (l.tariffs)
    for (int i = 0; i < l.M; ++i) x(l.tau_offset() + i) = p.tau(i);
  return x;
}

Prices unpack(const Layout& l, const Eigen::VectorXd& x, const Prices& base) {
  Prices p = base;
  for (int j = 0; j < l.M; ++j) p.W(j) = std::exp(x(j));
  if (l.fin == Financial::Autarky) {
    for (int i = 0; i < l.M; ++i) p.R(i) = unpack_R(l, x(l.M + i), p.beta);
  } else if (l.unk == Unknown::R) {
    p.R.setConstant(unpack_R(l, x(l.M), p.beta));
  } else {
    p.beta = l.coord == RateCoordinate::Log
                 ? 1.0 / (1.0 + std::exp(-x(l.M)))
                 : from_softplus_coordinate(x(l.M), beta_bound(p), kBetaScale);
  }
  if (l.tariffs)
    for (int i = 0; i < l.M; ++i) p.tau(i) = x(l.tau_offset() + i);
  return p;
}

// Aggregates and the residual vector from per-country aggregates.
void assemble_impl(const World& w, const Layout& l, const EquilibriumOptions& opt, const Prices& p,
                   const std::vector<const household::Aggregates*>& ag, Evaluation& ev) {
  const int M = l.M;
  ev.imports.resize(M, M);
  ev.output.resize(M);
  ev.net_assets.resize(M);
  ev.efficiency.resize(M);
  ev.revenue.resize(M);
  for (int i = 0; i < M; ++i) {
    ev.efficiency(i) = w.L(i) * ag[i]->efficiency_units;
    ev.output(i) = p.W(i) * ev.efficiency(i);
    ev.net_assets(i) = w.L(i) * ag[i]->assets;
    double rev = 0;
    for (int j = 0; j < M; ++j) {
      ev.imports(i, j) = w.L(i) * ag[i]->expenditure(j);
      const double t = w.tariff.size() ? w.tariff(i, j) : 0.0;
      if (t != 0.0) rev += t / (1.0 + t) * ag[i]->expenditure(j);
    }
    ev.revenue(i) = rev;
  }
  const double Yw = ev.output.sum();
  ev.goods_residual.resize(M);
  for (int j = 0; j < M; ++j) {
    double sales = 0;
    for (int i = 0; i < M; ++i) {
      const double t = w.tariff.size() ? w.tariff(i, j) : 0.0;
      sales += ev.imports(i, j) / (1.0 + t);
    }
    ev.goods_residual(j) = (ev.output(j) - sales) / Yw;
  }
  ev.residuals.resize(l.n);
  ev.residuals(0) = (opt.numeraire < 0) ? std::log(p.W.mean()) : std::log(p.W(opt.numeraire));
  // Goods markets 2..M (the first is implied by Walras' law).
  for (int j = 1; j < M; ++j) ev.residuals(j) = ev.goods_residual(j);
  if (l.fin == Financial::Autarky) {
    for (int i = 0; i < M; ++i) ev.residuals(M + i) = ev.net_assets(i) / ev.output(i);
  } else {
    ev.residuals(M) = ev.net_assets.sum() / Yw;
  }
  if (l.tariffs)
    for (int i = 0; i < M; ++i)
      ev.residuals(l.tau_offset() + i) = (p.tau(i) - ev.revenue(i)) / (p.W(i));
}

}  // namespace

Eigen::MatrixXd trade_shares(const Evaluation& ev) {
  Eigen::MatrixXd s = ev.imports;
  for (int i = 0; i < s.rows(); ++i) s.row(i) /= ev.imports.row(i).sum();
  return s;
}

Evaluation evaluate(const World& w, const Prices& p, const EquilibriumOptions& opt,
                    const Evaluation* warm) {
  const int M = w.size();
  const Layout l = make_layout(w, opt);
  Evaluation ev;
  ev.prices = p;
  ev.countries.resize(M);
  const bool use_warm = warm && static_cast<int>(warm->countries.size()) == M;
  // The dearest blocks first (by their time in the warm start), so that the threads finish
  // together: which thread solves a block does not change its result.
  std::vector<int> order(M);
  std::iota(order.begin(), order.end(), 0);
  if (use_warm) {
    const auto cost = [&](int i) {
      const CountryState& c = warm->countries[i];
      return c.solution.report.seconds + c.distribution.report.seconds;
    };
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return cost(a) > cost(b); });
  }
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (int k = 0; k < M; ++k) {
    const int i = order[k];
    errors.run(i, [&] {
      ev.countries[i] = solve_country(w, i, p, opt, use_warm ? &warm->countries[i] : nullptr);
    });
  }
  errors.rethrow();
  std::vector<const household::Aggregates*> ag(M);
  for (int i = 0; i < M; ++i) {
    if (!country_converged(ev.countries[i])) {
      ev.ok = false;
      const auto& cs = ev.countries[i];
      ev.message = w.names[i] + ": " +
                   (cs.solution.report.converged() ? cs.distribution.report.message
                                                   : cs.solution.report.message);
    }
    ag[i] = &ev.countries[i].aggregates;
  }
  if (ev.ok) assemble_impl(w, l, opt, p, ag, ev);
  return ev;
}

void assemble(const World& w, const EquilibriumOptions& opt, const Prices& p,
              const std::vector<const household::Aggregates*>& ag, Evaluation& ev) {
  ev.prices = p;
  assemble_impl(w, make_layout(w, opt), opt, p, ag, ev);
}

int n_unknowns(const World& w, const EquilibriumOptions& opt) {
  return make_layout(w, opt).n;
}

Eigen::VectorXd pack_unknowns(const World& w, const EquilibriumOptions& opt, const Prices& p) {
  return pack(make_layout(w, opt), p);
}

Prices unpack_unknowns(const World& w, const EquilibriumOptions& opt, const Eigen::VectorXd& x,
                       const Prices& base) {
  return unpack(make_layout(w, opt), x, base);
}

Evaluation residuals_at(const World& w, const Prices& p, const EquilibriumOptions& opt) {
  return evaluate(w, p, opt, nullptr);
}

namespace {

std::vector<std::string> names_unknowns_impl(const World& w, const Layout& l) {
  std::vector<std::string> u;
  for (int j = 0; j < l.M; ++j) u.push_back("log_W_" + w.names[j]);
  const bool log = l.coord == RateCoordinate::Log;
  const std::string R = log ? "log_R" : "softplus_R";
  if (l.fin == Financial::Autarky)
    for (int i = 0; i < l.M; ++i) u.push_back(R + "_" + w.names[i]);
  else
    u.push_back(l.unk == Unknown::R ? R : log ? "logit_beta" : "softplus_beta");
  if (l.tariffs)
    for (int i = 0; i < l.M; ++i) u.push_back("tau_" + w.names[i]);
  return u;
}

std::vector<std::string> names_residuals_impl(const World& w, const Layout& l) {
  std::vector<std::string> r{"numeraire"};
  for (int j = 1; j < l.M; ++j) r.push_back("goods_" + w.names[j]);
  if (l.fin == Financial::Autarky)
    for (int i = 0; i < l.M; ++i) r.push_back("bonds_" + w.names[i]);
  else
    r.push_back("bonds_world");
  if (l.tariffs)
    for (int i = 0; i < l.M; ++i) r.push_back("rebate_" + w.names[i]);
  return r;
}

}  // namespace

std::vector<std::string> unknown_names(const World& w, const EquilibriumOptions& opt) {
  return names_unknowns_impl(w, make_layout(w, opt));
}
std::vector<std::string> residual_names(const World& w, const EquilibriumOptions& opt) {
  return names_residuals_impl(w, make_layout(w, opt));
}

namespace {

// x = the packed unknowns (see pack), residuals = the evaluation's.
CountrySystem equilibrium_system(const Layout& l, const Prices& p0) {
  CountrySystem sys;
  sys.n = l.n;
  sys.economy = [l, p0](const Eigen::VectorXd& x, World&, Prices& p) { p = unpack(l, x, p0); };
  sys.residuals = [](const Eigen::VectorXd&, const World&, const Evaluation& ev) {
    return ev.residuals;
  };
  return sys;
}

}  // namespace

bool equilibrium_jacobian(const World& w, const EquilibriumOptions& opt, const Evaluation& at,
                          Eigen::MatrixXd& J, std::string& message, bool central,
                          double fd_tolerance) {
  const Layout l = make_layout(w, opt);
  return residual_jacobian(equilibrium_system(l, at.prices), w, at.prices, opt, opt.fd_step,
                           pack(l, at.prices), at, J, message, central, fd_tolerance);
}

Equilibrium solve_equilibrium(const World& w, const Prices& start, const EquilibriumOptions& opt,
                              const Evaluation* warm, const Eigen::MatrixXd* jacobian) {
  w.validate();
  opt.validate();
  const int M = w.size();
  if (opt.financial == Financial::Autarky && opt.unknown == Unknown::Beta)
    throw InputError("equilibrium: unknown = \"beta\" needs financial = \"globalization\"");
  if (opt.numeraire >= M) throw InputError("equilibrium: numeraire country out of range");
  Prices p0 = start;
  if (p0.W.size() != M) throw InputError("equilibrium.wages: need one initial wage per country");
  if (p0.R.size() == 1) p0.R = Eigen::VectorXd::Constant(M, p0.R(0));
  if (p0.R.size() != M) throw InputError("equilibrium.R: need one value or one per country");
  if (p0.tau.size() != M) p0.tau = Eigen::VectorXd::Zero(M);
  if (!w.has_tariffs() && !opt.solve_transfers) p0.tau.setZero();

  const Layout l = make_layout(w, opt);
  const CountrySystem sys = equilibrium_system(l, p0);
  SystemOptions so;
  so.tolerance = opt.tolerance;
  so.max_evaluations = opt.max_evaluations;
  so.fd_step = opt.fd_step;
  so.jacobian = jacobian;
  so.final_jacobian = opt.jacobian_at_solution;
  // Under income scaling a wage moves its country's grid.
  so.parameter_columns = w.scaling == Scaling::Tfp;
  if (opt.progress)
    so.progress = [&](const Progress& p) {
      Progress q = p;
      q.solver = "world";
      return opt.progress(q);
    };
  SystemResult res = solve_system(sys, w, p0, opt, so, pack(l, p0), warm);

  Equilibrium eq;
  eq.unknown_names = names_unknowns_impl(w, l);
  eq.residual_names = names_residuals_impl(w, l);
  eq.evaluations = res.evaluations;
  eq.jacobians = res.jacobians;
  eq.jacobian = std::move(res.jacobian);
  eq.report = res.report;
  eq.report.message = "equilibrium: " + res.report.message;
  eq.interrupted = res.interrupted;
  eq.state = std::move(res.state);
  return eq;
}

}  // namespace hat::world
