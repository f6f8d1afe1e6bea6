// Jacobians of a CountrySystem's residuals: analytic (implicit derivatives of each country's
// stationary household block), finite differences (re-solved households, with the chain rule
// over consumer prices where it saves re-solves), or logit impact (re-solved where a country's
// own problem moves, the choice's impact response where only its import prices do); see
// system.hpp.
#include <cmath>
#include <memory>

#include "hat/core/parallel.hpp"
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
  Side plus, minus;  // minus only when two-sided
  bool two_sided = false;
  double h = 0;
  std::vector<std::pair<int, int>> tasks;
  std::vector<household::Aggregates> up, down;  // per task

  household::HouseholdProblem problem(int side, size_t t) const {
    const auto [c, i] = tasks[t];
    const Side& s = side == 0 ? plus : minus;
    return country_problem(s.worlds[c], i, s.prices[c]);
  }
};

Columns columns(const CountrySystem& sys, const World& w0, const Prices& p0,
                const Eigen::VectorXd& x, double h, bool two_sided, const Evaluation& at) {
  Columns cols;
  cols.two_sided = two_sided;
  cols.h = h;
  cols.plus = side(sys, w0, p0, x, h);
  if (two_sided) cols.minus = side(sys, w0, p0, x, -h);
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

// Analytic columns: each changed country linearised around its solution in `at`, the aggregates
// moved along that derivative to both sides.
void analytic_columns(Columns& cols, const EquilibriumOptions& eq, const Evaluation& at,
                      std::vector<std::string>& failed) {
  const int M = static_cast<int>(at.countries.size());
  const double h = cols.h;
  ParallelErrors errors;
  std::vector<std::unique_ptr<household::SteadyStateDerivative>> lin(M);
#pragma omp parallel for schedule(dynamic, 1)
  for (int i = 0; i < M; ++i)
    errors.run(i, [&] {
      const CountryState& cs = at.countries[i];
      lin[i] = std::make_unique<household::SteadyStateDerivative>(
          cs.problem, cs.solution, cs.distribution.mass, eq.derivative);
    });
  errors.rethrow();
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t t = 0; t < cols.tasks.size(); ++t)
    errors.run(static_cast<long>(t), [&] {
      const int i = cols.tasks[t].second;
      household::Aggregates d;
      if (!lin[i]->derivative(cols.problem(0, t), cols.problem(1, t), h, d, failed[t])) return;
      const household::Aggregates& a = at.countries[i].aggregates;
      for (auto [out, s] : {std::pair{&cols.up[t], h}, std::pair{&cols.down[t], -h}}) {
        out->assets = a.assets + s * d.assets;
        out->efficiency_units = a.efficiency_units + s * d.efficiency_units;
        out->expenditure = a.expenditure + s * d.expenditure;
      }
    });
  errors.rethrow();
}

// The chain rule over consumer prices (EquilibriumOptions::jacobian_price_directions). A column
// that moves only country i's consumer prices moves its aggregates, to first order, by
// sum_j dlog p_j dA/dlog p_j. Where fewer of i's varieties move, over all such columns, than
// there are such columns (calibration: TFP, importer effects, distance bins and covariates all
// move import prices), i is re-solved once per moved variety and side, and those columns take
// the differenced slopes (household::logit_impact's form, with re-solved savings and
// distribution). Either way a column is a first-order difference over a step of size h.
struct PriceDirections {
  std::vector<std::vector<int>> varieties;  // per country: re-solved varieties (empty: none)
  std::vector<char> combined;               // per task: from the slopes

  PriceDirections(const Columns& cols, const Evaluation& at) {
    const int M = static_cast<int>(at.countries.size());
    varieties.resize(M);
    combined.assign(cols.tasks.size(), 0);
    std::vector<size_t> n_columns(M, 0);
    std::vector<std::vector<char>> moved(M);
    for (size_t t = 0; t < cols.tasks.size(); ++t) {
      const int i = cols.tasks[t].second;
      const household::HouseholdProblem& base = at.countries[i].problem;
      moved[i].resize(base.M(), 0);
      bool prices_only = true;
      for (int s = 0; s < (cols.two_sided ? 2 : 1) && prices_only; ++s) {
        const household::HouseholdProblem hp = cols.problem(s, t);
        prices_only = same_but_prices(hp, base);
        for (int j = 0; prices_only && j < base.M(); ++j)
          if (hp.prices(j) != base.prices(j)) moved[i][j] = 1;
      }
      combined[t] = prices_only;
      n_columns[i] += prices_only;
    }
    for (int i = 0; i < M; ++i) {
      for (int j = 0; j < static_cast<int>(moved[i].size()); ++j)
        if (moved[i][j]) varieties[i].push_back(j);
      if (varieties[i].size() >= n_columns[i]) varieties[i].clear();
    }
    for (size_t t = 0; t < cols.tasks.size(); ++t)
      combined[t] = combined[t] && !varieties[cols.tasks[t].second].empty();
  }
};

// One household re-solve: a column's task (variety < 0) or a price direction of `country`.
struct Job {
  size_t task = 0;
  int country = 0, variety = -1;
};

// The slopes of country i's aggregates in its log consumer prices from the re-solved price
// directions `first`.. (one per entry of `varieties`); zero for the other varieties.
household::LogitImpactSlopes price_slopes(const CountryState& base,
                                          const std::vector<int>& varieties,
                                          const std::vector<household::Aggregates>& up,
                                          const std::vector<household::Aggregates>& down,
                                          size_t first, double h, bool two_sided) {
  const int Mv = base.problem.M();
  household::LogitImpactSlopes s;
  s.log_prices = base.problem.prices.array().log().matrix();
  s.expenditure = Eigen::MatrixXd::Zero(Mv, Mv);
  s.choice = Eigen::MatrixXd::Zero(Mv, Mv);
  s.assets = Eigen::VectorXd::Zero(Mv);
  for (size_t k = 0; k < varieties.size(); ++k) {
    const household::Aggregates& a = up[first + k];
    const household::Aggregates& b = two_sided ? down[first + k] : base.aggregates;
    const double scale = 1.0 / (two_sided ? 2 * h : h);
    const int j = varieties[k];
    s.expenditure.col(j) = (a.expenditure - b.expenditure) * scale;
    s.choice.col(j) = (a.choice_probability - b.choice_probability) * scale;
    s.assets(j) = (a.assets - b.assets) * scale;
  }
  return s;
}

// Finite-difference and logit-impact columns: the changed countries re-solved at x +- h e_c,
// warm-started from `at` at household tolerance fd_tolerance, or (logit impact, prices only)
// moved by the impact slopes; price directions where they save re-solves.
void re_solved_columns(Columns& cols, const EquilibriumOptions& eq, const Evaluation& at,
                       double fd_tolerance, std::vector<std::string>& failed) {
  const int M = static_cast<int>(at.countries.size());
  const bool impact = eq.jacobian == JacobianMethod::LogitImpact;
  ParallelErrors errors;
  // The impact slopes of every country, once: each serves all the columns that move only
  // that country's import prices (N - 1 wage columns).
  std::vector<household::LogitImpactSlopes> slopes(M);
#pragma omp parallel for schedule(dynamic, 1)
  for (int i = 0; i < (impact ? M : 0); ++i)
    errors.run(i, [&] {
      const CountryState& cs = at.countries[i];
      slopes[i] = household::logit_impact_slopes(cs.problem, cs.solution, cs.distribution.mass);
    });
  errors.rethrow();
  const PriceDirections dirs = impact || !eq.jacobian_price_directions
                                   ? PriceDirections(Columns{}, Evaluation{})
                                   : PriceDirections(cols, at);
  std::vector<Job> jobs;
  for (size_t t = 0; t < cols.tasks.size(); ++t)
    if (dirs.combined.empty() || !dirs.combined[t]) jobs.push_back({t, cols.tasks[t].second, -1});
  const size_t first_direction = jobs.size();
  for (int i = 0; i < static_cast<int>(dirs.varieties.size()); ++i)
    for (int j : dirs.varieties[i]) jobs.push_back({0, i, j});
  EquilibriumOptions eq_fd = eq;
  const double tol = std::max(eq.household.tolerance, fd_tolerance);
  eq_fd.household.tolerance = tol;
  eq_fd.household.value_tolerance = std::max(eq.household.value_tolerance, tol);
  std::vector<household::Aggregates> up(jobs.size()), down(cols.two_sided ? jobs.size() : 0);
  std::vector<std::string> job_failed(jobs.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t k = 0; k < jobs.size(); ++k)
    errors.run(static_cast<long>(k), [&] {
      const Job& job = jobs[k];
      const CountryState& base = at.countries[job.country];
      for (int s = 0; s < (cols.two_sided ? 2 : 1); ++s) {
        household::HouseholdProblem hp = base.problem;
        if (job.variety >= 0)
          hp.prices(job.variety) *= std::exp(s == 0 ? cols.h : -cols.h);
        else
          hp = cols.problem(s, job.task);
        household::Aggregates& out = (s == 0 ? up : down)[k];
        if (impact && job.variety < 0 && same_but_prices(hp, base.problem)) {
          out = household::logit_impact(slopes[job.country], base.aggregates, hp.prices);
          continue;
        }
        CountryState cs = solve_country_problem(std::move(hp), eq_fd, &base);
        if (!country_converged(cs)) job_failed[k] = "household solve failed in a Jacobian column";
        out = std::move(cs.aggregates);
      }
    });
  errors.rethrow();
  for (size_t k = 0; k < jobs.size(); ++k) {
    if (jobs[k].variety >= 0) {
      if (!job_failed[k].empty()) failed[0] = job_failed[k];
      continue;
    }
    failed[jobs[k].task] = job_failed[k];
    cols.up[jobs[k].task] = std::move(up[k]);
    if (cols.two_sided) cols.down[jobs[k].task] = std::move(down[k]);
  }
  size_t next = first_direction;
  for (int i = 0; i < static_cast<int>(dirs.varieties.size()); ++i) {
    if (dirs.varieties[i].empty()) continue;
    slopes[i] =
        price_slopes(at.countries[i], dirs.varieties[i], up, down, next, cols.h, cols.two_sided);
    next += dirs.varieties[i].size();
  }
  for (size_t t = 0; t < dirs.combined.size(); ++t) {
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
  Columns cols = columns(sys, base_world, base_prices, x, h, analytic || central, at);
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
