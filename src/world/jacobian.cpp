// Jacobians of a CountrySystem's residuals: analytic (implicit derivatives of each country's
// stationary household block), finite differences (re-solved households, with the chain rule
// over consumer prices where it saves re-solves), or logit impact (re-solved where a country's
// own problem moves, the choice's impact response where only its import prices do, optionally
// with a fitted savings response); see system.hpp.
#include <cmath>
#include <memory>

#include "hat/core/parallel.hpp"
#include "hat/household/linearisation.hpp"
#include "hat/world/system.hpp"

namespace hat::world {

namespace {

// Everything but the consumer prices equal.
bool same_but_prices(const household::HouseholdProblem& a, const household::HouseholdProblem& b) {
  return a.gamma == b.gamma && a.beta == b.beta && a.R == b.R && a.W == b.W && a.sigma == b.sigma &&
         a.tau == b.tau && a.lambda == b.lambda && a.grid == b.grid &&
         a.quality.size() == b.quality.size() &&
         (a.quality.size() == 0 || a.quality == b.quality) && a.z == b.z && a.P == b.P;
}

bool same_problem(const household::HouseholdProblem& a, const household::HouseholdProblem& b) {
  return same_but_prices(a, b) && a.prices == b.prices;
}

// The economies at x + sign h e_c for every unknown c.
struct Side {
  std::vector<World> worlds;
  std::vector<Prices> prices;
  std::vector<Eigen::VectorXd> x;
};

Side side(const CountrySystem& sys, const World& w0, const Prices& p0, const Eigen::VectorXd& x,
          double step) {
  Side s;
  s.worlds.assign(sys.n, w0);
  s.prices.assign(sys.n, p0);
  s.x.assign(sys.n, x);
  for (int c = 0; c < sys.n; ++c) {
    s.x[c](c) += step;
    sys.economy(s.x[c], s.worlds[c], s.prices[c]);
  }
  return s;
}

// The columns' sides and the (column, country) pairs whose household problem the column changes.
struct Columns {
  Side plus, minus;  // minus only when two-sided or has_minus
  bool two_sided = false, has_minus = false;
  double h = 0;
  std::vector<std::pair<int, int>> tasks;
  std::vector<household::Aggregates> up, down;  // per task

  household::HouseholdProblem problem(int side, size_t t) const {
    const auto [c, i] = tasks[t];
    const Side& s = side == 0 ? plus : minus;
    return country_problem(s.worlds[c], i, s.prices[c]);
  }
};

// `minus_side`: the minus side's economies also for one-sided columns (linearised ones take
// their parameter moves from both sides).
Columns columns(const CountrySystem& sys, const World& w0, const Prices& p0,
                const Eigen::VectorXd& x, double h, bool two_sided, bool minus_side,
                const Evaluation& at) {
  Columns cols;
  cols.two_sided = two_sided;
  cols.has_minus = two_sided || minus_side;
  cols.h = h;
  cols.plus = side(sys, w0, p0, x, h);
  if (cols.has_minus) cols.minus = side(sys, w0, p0, x, -h);
  const int M = w0.size();
  for (int c = 0; c < sys.n; ++c)
    for (int i = 0; i < M; ++i) {
      const auto moved = [&](const Side& s) {
        return !same_problem(country_problem(s.worlds[c], i, s.prices[c]), at.countries[i].problem);
      };
      if (moved(cols.plus) || (two_sided && moved(cols.minus))) cols.tasks.push_back({c, i});
    }
  cols.up.resize(cols.tasks.size());
  cols.down.resize(two_sided ? cols.tasks.size() : 0);
  return cols;
}

// base + sign d (the aggregates the equilibrium reads).
household::Aggregates moved_by(const household::Aggregates& base, const household::Aggregates& d,
                               double sign = 1.0) {
  household::Aggregates out = base;
  out.assets += sign * d.assets;
  out.efficiency_units += sign * d.efficiency_units;
  out.expenditure += sign * d.expenditure;
  out.choice_probability += sign * d.choice_probability;
  out.total_expenditure = out.expenditure.sum();
  out.expenditure_share = out.expenditure / out.total_expenditure;
  return out;
}

// (a - b) / 2, component by component: the parameters' move per step h to second order from
// the moves to the two sides (one side's carries the curvature of the unknowns' map at O(h):
// 7e-6 of a column for R's softplus coordinate on the 5-country world).
household::ParameterMove half_difference(const household::ParameterMove& a,
                                         const household::ParameterMove& b) {
  household::ParameterMove m;
  if (a.log_prices.size() && b.log_prices.size())
    m.log_prices = 0.5 * (a.log_prices - b.log_prices);
  m.log_W = 0.5 * (a.log_W - b.log_W);
  m.beta = 0.5 * (a.beta - b.beta);
  m.log_R = 0.5 * (a.log_R - b.log_R);
  m.tau = 0.5 * (a.tau - b.tau);
  m.log_scale = 0.5 * (a.log_scale - b.log_scale);
  return m;
}

// Analytic columns: each changed country linearised around its solution in `at`, the aggregates
// moved along that derivative to both sides. Columns that move only household parameters
// (prices, wage, beta, R, transfer, the block's scale as TFP does) take the block's exact
// linearisation
// (household::StationaryLinearisation, about a Newton step each); the others (the grid or sigma)
// the general one (household::SteadyStateDerivative, which differences the one-period map).
// Countries run in parallel, each its columns in order (a linearisation is not thread-safe).
void analytic_columns(Columns& cols, const EquilibriumOptions& eq, const Evaluation& at,
                      std::vector<std::string>& failed) {
  const int M = static_cast<int>(at.countries.size());
  const double h = cols.h;
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (int i = 0; i < M; ++i)
    errors.run(i, [&] {
      const CountryState& cs = at.countries[i];
      std::unique_ptr<household::StationaryLinearisation> exact;
      std::unique_ptr<household::SteadyStateDerivative> general;
      const household::Aggregates& a = cs.aggregates;
      for (size_t t = 0; t < cols.tasks.size(); ++t) {
        if (cols.tasks[t].second != i) continue;
        household::ParameterMove up, down;
        household::Aggregates d;
        if (household::ParameterMove::between(cs.problem, cols.problem(0, t), up) &&
            household::ParameterMove::between(cs.problem, cols.problem(1, t), down)) {
          if (!exact)
            exact = std::make_unique<household::StationaryLinearisation>(cs.problem, cs.solution,
                                                                         cs.distribution.mass);
          // The aggregates move by +-d to the two sides, to O(h^2).
          if (!exact->response(half_difference(up, down), d, failed[t], eq.derivative.tolerance))
            return;
          cols.up[t] = moved_by(a, d);
          cols.down[t] = moved_by(a, d, -1.0);
          continue;
        }
        if (!general)
          general = std::make_unique<household::SteadyStateDerivative>(
              cs.problem, cs.solution, cs.distribution.mass, eq.derivative);
        if (!general->derivative(cols.problem(0, t), cols.problem(1, t), h, d, failed[t])) return;
        for (auto [out, s] : {std::pair{&cols.up[t], h}, std::pair{&cols.down[t], -h}}) {
          *out = a;
          out->assets = a.assets + s * d.assets;
          out->efficiency_units = a.efficiency_units + s * d.efficiency_units;
          out->expenditure = a.expenditure + s * d.expenditure;
        }
      }
    });
  errors.rethrow();
}

// Columns that move only a country's consumer prices, taken from slopes in its log prices
// (household::logit_impact's form) instead of one re-solve per column:
// * finite differences (EquilibriumOptions::jacobian_price_directions): a column that moves
//   only country i's consumer prices moves its aggregates, to first order, by
//   sum_j dlog p_j dA/dlog p_j. Where fewer of i's varieties move, over all such columns, than
//   there are such columns (calibration: TFP, importer effects, distance bins and covariates
//   all move import prices), i is re-solved once per moved variety and side, and those columns
//   take the differenced slopes. Either way a column is a first-order difference over h.
// * logit impact: the choice's impact slopes (savings and distribution held), corrected with
//   EquilibriumOptions::jacobian_impact_savings (see SavingsCorrection).
struct PriceDirections {
  std::vector<std::vector<int>> varieties;  // per country: re-solved varieties (empty: none)
  std::vector<char> combined;               // per task: from the slopes
  std::vector<Eigen::VectorXd> moved;       // per country: 1 for varieties price-only columns move

  PriceDirections(const Columns& cols, const Evaluation& at, const EquilibriumOptions& eq) {
    const int M = static_cast<int>(at.countries.size());
    const bool impact = eq.jacobian == JacobianMethod::LogitImpact;
    varieties.resize(M);
    combined.assign(cols.tasks.size(), 0);
    moved.assign(M, Eigen::VectorXd());
    if (!impact && !eq.jacobian_price_directions) return;
    std::vector<size_t> n_columns(M, 0);
    for (size_t t = 0; t < cols.tasks.size(); ++t) {
      const int i = cols.tasks[t].second;
      const household::HouseholdProblem& base = at.countries[i].problem;
      if (moved[i].size() == 0) moved[i] = Eigen::VectorXd::Zero(base.M());
      bool prices_only = true;
      for (int s = 0; s < (cols.two_sided ? 2 : 1) && prices_only; ++s) {
        const household::HouseholdProblem hp = cols.problem(s, t);
        prices_only = same_but_prices(hp, base);
        for (int j = 0; prices_only && j < base.M(); ++j)
          if (hp.prices(j) != base.prices(j)) moved[i](j) = 1;
      }
      combined[t] = prices_only;
      n_columns[i] += prices_only;
    }
    for (int i = 0; i < M; ++i) {
      if (impact) {
        if (n_columns[i] == 0) moved[i].resize(0);
        continue;
      }
      for (int j = 0; j < static_cast<int>(moved[i].size()); ++j)
        if (moved[i](j) != 0) varieties[i].push_back(j);
      if (varieties[i].size() >= n_columns[i]) varieties[i].clear();
    }
    if (!impact)
      for (size_t t = 0; t < cols.tasks.size(); ++t)
        combined[t] = combined[t] && !varieties[cols.tasks[t].second].empty();
  }
};

// The savings correction of logit-impact slopes (EquilibriumOptions::jacobian_impact_savings).
// Holding savings and the distribution fixed misses their response to each import price, and
// that response is not small in the asset market: on EK19 the impact Jacobian's asset row is
// off by up to 3% of its largest entry, enough to make Newton steps from fresh impact Jacobians
// converge linearly (about tenfold per step). Across a country's import prices the missing
// response r_j of an aggregate y is close to alpha s_j + beta pi_j, with s_j the impact slope of
// y and pi_j the choice probability (assets on EK19: within 1-3% of max |r_j| for the four
// countries measured, alpha between -2.5 and -4). Each country is re-solved along two
// directions of its moved import prices, the uniform move and the move along the impact slopes
// of assets; the two responses identify alpha and beta for every aggregate. A fit, not a
// derivative: it steers the solver (docs/performance.md measures where it pays).
struct SavingsCorrection {
  Eigen::VectorXd u[2];  // the two directions in log prices (max |u_j| = 1)

  SavingsCorrection(const household::LogitImpactSlopes& s, const Eigen::VectorXd& moved) {
    u[0] = moved;
    u[1] = s.assets.cwiseProduct(moved);
    const double top = u[1].cwiseAbs().maxCoeff();
    if (top > 0) u[1] /= top;
  }

  // Corrects the slopes `row` of one aggregate, given its re-solved responses along u.
  void correct(Eigen::VectorXd& row, const double response[2], const Eigen::VectorXd& moved,
               const Eigen::VectorXd& pi) const {
    const Eigen::VectorXd b0 = row.cwiseProduct(moved), b1 = pi.cwiseProduct(moved);
    Eigen::Matrix2d A;
    Eigen::Vector2d r;
    for (int k = 0; k < 2; ++k) {
      A(k, 0) = b0.dot(u[k]);
      A(k, 1) = b1.dot(u[k]);
      r(k) = response[k] - row.dot(u[k]);
    }
    const Eigen::Vector2d c = A.colPivHouseholderQr().solve(r);
    if (c.allFinite()) row += c(0) * b0 + c(1) * b1;
  }

  // Corrects every aggregate's slopes given the two re-solves' difference quotients.
  template <typename Difference>
  void apply(household::LogitImpactSlopes& s, const Difference& d0, const Difference& d1,
             const Eigen::VectorXd& moved, const Eigen::VectorXd& pi) const {
    const Eigen::VectorXd e[2] = {d0.expenditure(), d1.expenditure()};
    const Eigen::VectorXd q[2] = {d0.choice(), d1.choice()};
    for (int l = 0; l < s.expenditure.rows(); ++l) {
      Eigen::VectorXd row = s.expenditure.row(l).transpose();
      const double re[2] = {e[0](l), e[1](l)};
      correct(row, re, moved, pi);
      s.expenditure.row(l) = row.transpose();
      row = s.choice.row(l).transpose();
      const double rq[2] = {q[0](l), q[1](l)};
      correct(row, rq, moved, pi);
      s.choice.row(l) = row.transpose();
    }
    const double ra[2] = {d0.assets(), d1.assets()};
    correct(s.assets, ra, moved, pi);
  }
};

// One household re-solve: a column's task, a price direction of `country` (one variety's price),
// or one of its savings-correction directions (variety = 0, 1).
struct Job {
  enum Kind { Task, Variety, Correction } kind = Task;
  size_t task = 0;
  int country = 0, variety = 0;
};

std::vector<Job> jobs_of(const Columns& cols, const PriceDirections& dirs,
                         const std::vector<std::unique_ptr<SavingsCorrection>>& corrections,
                         const std::vector<char>& done) {
  std::vector<Job> jobs;
  for (size_t t = 0; t < cols.tasks.size(); ++t)
    if (!dirs.combined[t] && !done[t]) jobs.push_back({Job::Task, t, cols.tasks[t].second, 0});
  for (int i = 0; i < static_cast<int>(dirs.varieties.size()); ++i)
    for (int j : dirs.varieties[i]) jobs.push_back({Job::Variety, 0, i, j});
  for (int i = 0; i < static_cast<int>(corrections.size()); ++i)
    if (corrections[i])
      for (int k = 0; k < 2; ++k) jobs.push_back({Job::Correction, 0, i, k});
  return jobs;
}

// The difference quotient of a direction's re-solves (`up`, `down`; one-sided: from `base`).
struct Difference {
  const household::Aggregates &up, &down;
  double scale;
  Difference(const household::Aggregates& u, const household::Aggregates* d,
             const household::Aggregates& base, double h)
      : up(u), down(d ? *d : base), scale(1.0 / (d ? 2 * h : h)) {}
  Eigen::VectorXd expenditure() const { return (up.expenditure - down.expenditure) * scale; }
  Eigen::VectorXd choice() const {
    return (up.choice_probability - down.choice_probability) * scale;
  }
  double assets() const { return (up.assets - down.assets) * scale; }
};

household::LogitImpactSlopes zero_slopes(const household::HouseholdProblem& hp) {
  const int Mv = hp.M();
  household::LogitImpactSlopes s;
  s.log_prices = hp.prices.array().log().matrix();
  s.expenditure = Eigen::MatrixXd::Zero(Mv, Mv);
  s.choice = Eigen::MatrixXd::Zero(Mv, Mv);
  s.assets = Eigen::VectorXd::Zero(Mv);
  return s;
}

// The re-solves of `jobs`, warm-started from `at` at household tolerance fd_tolerance: the
// aggregates at +h (up) and, two-sided, at -h (down); a failed solve's message in `failed`.
struct JobResults {
  std::vector<household::Aggregates> up, down;
  std::vector<std::string> failed;
};

JobResults solve_jobs(const std::vector<Job>& jobs, const Columns& cols,
                      const std::vector<std::unique_ptr<SavingsCorrection>>& corrections,
                      const EquilibriumOptions& eq, const Evaluation& at, double fd_tolerance) {
  EquilibriumOptions eq_fd = eq;
  const double tol = std::max(eq.household.tolerance, fd_tolerance);
  eq_fd.household.tolerance = tol;
  eq_fd.household.value_tolerance = std::max(eq.household.value_tolerance, tol);
  JobResults r{std::vector<household::Aggregates>(jobs.size()),
               std::vector<household::Aggregates>(cols.two_sided ? jobs.size() : 0),
               std::vector<std::string>(jobs.size())};
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t k = 0; k < jobs.size(); ++k)
    errors.run(static_cast<long>(k), [&] {
      const Job& job = jobs[k];
      const CountryState& base = at.countries[job.country];
      for (int s = 0; s < (cols.two_sided ? 2 : 1); ++s) {
        const double step = s == 0 ? cols.h : -cols.h;
        household::HouseholdProblem hp =
            job.kind == Job::Task ? cols.problem(s, job.task) : base.problem;
        if (job.kind == Job::Variety) hp.prices(job.variety) *= std::exp(step);
        if (job.kind == Job::Correction)
          hp.prices.array() *= (step * corrections[job.country]->u[job.variety].array()).exp();
        CountryState cs = solve_country_problem(std::move(hp), eq_fd, &base);
        if (!country_converged(cs)) r.failed[k] = "household solve failed in a Jacobian column";
        (s == 0 ? r.up : r.down)[k] = std::move(cs.aggregates);
      }
    });
  errors.rethrow();
  return r;
}

// Hands the re-solves on: a task's aggregates to its column, a price direction's differences to
// the country's slopes, a pair of correction directions to its SavingsCorrection.
void take_results(JobResults& r, const std::vector<Job>& jobs, Columns& cols,
                  const PriceDirections& dirs,
                  const std::vector<std::unique_ptr<SavingsCorrection>>& corrections,
                  const Evaluation& at, std::vector<household::LogitImpactSlopes>& slopes,
                  std::vector<std::string>& failed) {
  const auto difference = [&](size_t k, const household::Aggregates& base) {
    return Difference(r.up[k], cols.two_sided ? &r.down[k] : nullptr, base, cols.h);
  };
  for (size_t k = 0; k < jobs.size(); ++k) {
    const Job& job = jobs[k];
    if (!r.failed[k].empty()) failed[job.kind == Job::Task ? job.task : 0] = r.failed[k];
    const CountryState& base = at.countries[job.country];
    if (job.kind == Job::Task) {
      cols.up[job.task] = std::move(r.up[k]);
      if (cols.two_sided) cols.down[job.task] = std::move(r.down[k]);
    } else if (job.kind == Job::Correction) {
      if (job.variety == 1)  // both directions re-solved (jobs k - 1 and k)
        corrections[job.country]->apply(slopes[job.country], difference(k - 1, base.aggregates),
                                        difference(k, base.aggregates), dirs.moved[job.country],
                                        base.aggregates.choice_probability);
    } else {
      household::LogitImpactSlopes& s = slopes[job.country];
      if (s.log_prices.size() == 0) s = zero_slopes(base.problem);
      const Difference d = difference(k, base.aggregates);
      s.expenditure.col(job.variety) = d.expenditure();
      s.choice.col(job.variety) = d.choice();
      s.assets(job.variety) = d.assets();
    }
  }
}

// The linearisation's GMRES accuracy: 1e-8 keeps its columns within 1e-6 of central
// differences (test LogitImpact.LinearisedJacobianIsExactWhereItDifferentiates) at two thirds
// of 1e-10's cost.
constexpr double kLinearisedTolerance = 1e-8;

// The rest of the savings response of linearised Jacobians (EquilibriumOptions::
// jacobian_linearised). With the asset row exact, the part of a country's response that the
// impact slopes miss is, for every aggregate, close to a multiple of one common row: across its
// import prices that part is nearly of rank one (on EK19 the second singular value is 3-4% of
// the first), and the asset row's part, `missing` = gradient - impact slope, is known. The
// forward response `d` along u = missing (on the moved varieties) gives each aggregate's
// multiple: row += (d - row . u) u' / |u|^2.
void correct_along(household::LogitImpactSlopes& s, const Eigen::VectorXd& u,
                   const household::Aggregates& d) {
  const double uu = u.squaredNorm();
  if (!(uu > 0)) return;
  const auto fix = [&](Eigen::MatrixXd& rows, const Eigen::VectorXd& response) {
    const Eigen::VectorXd coef = (response - rows * u) / uu;
    rows += coef * u.transpose();
  };
  fix(s.expenditure, d.expenditure);
  fix(s.choice, d.choice_probability);
  s.assets += (d.assets - s.assets.dot(u)) / uu * u;
}

// Country i's part of a linearised logit-impact Jacobian (EquilibriumOptions::
// jacobian_linearised): its impact slopes with the exact asset row and the rank-one correction
// along it (correct_along), and its tasks that move only household parameters (own wage, beta, R,
// transfer) as forward responses; those tasks are marked in `done`. Where a linear solve does not
// converge, what is left is done as without the linearisation (impact slopes, re-solved tasks).
void linearised_country(int i, Columns& cols, const PriceDirections& dirs, const Evaluation& at,
                        household::LogitImpactSlopes& slopes, std::vector<char>& done) {
  const CountryState& cs = at.countries[i];
  std::string message;
  household::StationaryLinearisation lin(cs.problem, cs.solution, cs.distribution.mass);
  if (dirs.moved[i].size() && dirs.moved[i].sum() >= 1) {
    Eigen::VectorXd gradient;
    if (!lin.asset_gradient(gradient, message, kLinearisedTolerance)) return;
    Eigen::VectorXd u = (gradient - slopes.assets).cwiseProduct(dirs.moved[i]);
    slopes.assets = gradient;
    if (u.cwiseAbs().maxCoeff() > 0) u /= u.cwiseAbs().maxCoeff();
    household::Aggregates d;
    if (!lin.response({.log_prices = u}, d, message, kLinearisedTolerance)) return;
    correct_along(slopes, u, d);
  }
  for (size_t t = 0; t < cols.tasks.size(); ++t) {
    if (cols.tasks[t].second != i || dirs.combined[t]) continue;
    household::ParameterMove move[2];
    bool linear = true;
    for (int s = 0; s < (cols.has_minus ? 2 : 1); ++s)
      linear = linear && household::ParameterMove::between(cs.problem, cols.problem(s, t), move[s]);
    if (!linear) continue;
    // The response is linear in the move (half_difference where both sides are at hand).
    household::Aggregates d;
    const household::ParameterMove m = cols.has_minus ? half_difference(move[0], move[1]) : move[0];
    if (!lin.response(m, d, message, kLinearisedTolerance)) return;
    cols.up[t] = moved_by(cs.aggregates, d);
    if (cols.two_sided) cols.down[t] = moved_by(cs.aggregates, d, -1.0);
    done[t] = 1;
  }
}

// Finite-difference and logit-impact columns: the changed countries re-solved at x +- h e_c,
// warm-started from `at` at household tolerance fd_tolerance, taken from price slopes, or (with
// jacobian_linearised) from each country's linearised household block.
void re_solved_columns(Columns& cols, const EquilibriumOptions& eq, const Evaluation& at,
                       double fd_tolerance, std::vector<std::string>& failed) {
  const int M = static_cast<int>(at.countries.size());
  const bool impact = eq.jacobian == JacobianMethod::LogitImpact;
  const bool linearised = impact && eq.jacobian_linearised;
  const PriceDirections dirs(cols, at, eq);
  ParallelErrors errors;
  // The impact slopes of every country, once: each serves all the columns that move only
  // that country's import prices (N - 1 wage columns).
  std::vector<household::LogitImpactSlopes> slopes(M);
  std::vector<char> done(cols.tasks.size(), 0);
#pragma omp parallel for schedule(dynamic, 1)
  for (int i = 0; i < (impact ? M : 0); ++i)
    errors.run(i, [&] {
      const CountryState& cs = at.countries[i];
      slopes[i] = household::logit_impact_slopes(cs.problem, cs.solution, cs.distribution.mass);
      if (linearised) linearised_country(i, cols, dirs, at, slopes[i], done);
    });
  errors.rethrow();
  std::vector<std::unique_ptr<SavingsCorrection>> corrections(M);
  for (int i = 0; i < M; ++i)
    if (impact && !linearised && eq.jacobian_impact_savings && dirs.moved[i].sum() >= 2)
      corrections[i] = std::make_unique<SavingsCorrection>(slopes[i], dirs.moved[i]);
  const std::vector<Job> jobs = jobs_of(cols, dirs, corrections, done);
  JobResults r = solve_jobs(jobs, cols, corrections, eq, at, fd_tolerance);
  take_results(r, jobs, cols, dirs, corrections, at, slopes, failed);
  for (size_t t = 0; t < cols.tasks.size(); ++t) {
    if (!dirs.combined[t]) continue;
    const int i = cols.tasks[t].second;
    for (int s = 0; s < (cols.two_sided ? 2 : 1); ++s)
      (s == 0 ? cols.up : cols.down)[t] =
          household::logit_impact(slopes[i], at.countries[i].aggregates, cols.problem(s, t).prices);
  }
}

// Residuals at column c of a side, with the changed countries' aggregates from `results`.
Eigen::VectorXd column_residuals(const CountrySystem& sys, const EquilibriumOptions& eq,
                                 const Side& s, int c, const Evaluation& at,
                                 const std::vector<std::pair<int, int>>& tasks, size_t& t,
                                 const std::vector<household::Aggregates>& results) {
  const int M = static_cast<int>(at.countries.size());
  std::vector<const household::Aggregates*> ag(M);
  for (int i = 0; i < M; ++i) ag[i] = &at.countries[i].aggregates;
  for (; t < tasks.size() && tasks[t].first == c; ++t) ag[tasks[t].second] = &results[t];
  Evaluation ev;
  assemble(s.worlds[c], eq, s.prices[c], ag, ev);
  return sys.residuals(s.x[c], s.worlds[c], ev);
}

}  // namespace

bool residual_jacobian(const CountrySystem& sys, const World& base_world, const Prices& base_prices,
                       const EquilibriumOptions& eq, double h, const Eigen::VectorXd& x,
                       const Evaluation& at, Eigen::MatrixXd& J, std::string& message, bool central,
                       double fd_tolerance) {
  const int n = sys.n;
  const bool analytic = eq.jacobian == JacobianMethod::Analytic;
  const bool linearised = eq.jacobian == JacobianMethod::LogitImpact && eq.jacobian_linearised;
  Columns cols = columns(sys, base_world, base_prices, x, h, analytic || central, linearised, at);
  std::vector<std::string> failed(std::max<size_t>(cols.tasks.size(), 1));
  if (analytic)
    analytic_columns(cols, eq, at, failed);
  else
    re_solved_columns(cols, eq, at, fd_tolerance, failed);
  for (const auto& f : failed)
    if (!f.empty()) {
      message = f;
      return false;
    }
  Eigen::VectorXd r0;
  if (!cols.two_sided) {
    World w = base_world;
    Prices p = base_prices;
    sys.economy(x, w, p);
    r0 = sys.residuals(x, w, at);
  }
  J.resize(n, n);
  size_t tu = 0, td = 0;
  for (int c = 0; c < n; ++c) {
    const Eigen::VectorXd rp = column_residuals(sys, eq, cols.plus, c, at, cols.tasks, tu, cols.up);
    if (cols.two_sided)
      J.col(c) =
          (rp - column_residuals(sys, eq, cols.minus, c, at, cols.tasks, td, cols.down)) / (2 * h);
    else
      J.col(c) = (rp - r0) / h;
  }
  if (!J.allFinite()) {
    message = "non-finite Jacobian";
    return false;
  }
  return true;
}

}  // namespace hat::world
