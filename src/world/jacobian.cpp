// Jacobians of a CountrySystem's residuals: analytic (implicit derivatives of each country's
// stationary household block), finite differences (re-solved households), or logit impact
// (re-solved where a country's own problem moves, the choice's impact response where only its
// import prices do); see system.hpp.
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
  const int n = sys.n, M = base_world.size();
  const bool analytic = eq.jacobian == JacobianMethod::Analytic;
  const bool two_sided = analytic || central;
  const Side plus = side(sys, base_world, base_prices, x, h);
  const Side minus = two_sided ? side(sys, base_world, base_prices, x, -h) : Side{};
  // (column, country) pairs whose household problem the unknown changes.
  std::vector<std::pair<int, int>> tasks;
  for (int c = 0; c < n; ++c)
    for (int i = 0; i < M; ++i) {
      const bool changed =
          !same_problem(country_problem(plus.worlds[c], i, plus.prices[c]),
                        at.countries[i].problem) ||
          (two_sided && !same_problem(country_problem(minus.worlds[c], i, minus.prices[c]),
                                      at.countries[i].problem));
      if (changed) tasks.push_back({c, i});
    }
  std::vector<household::Aggregates> up(tasks.size()), down(two_sided ? tasks.size() : 0);
  std::vector<std::string> failed(tasks.size());
  ParallelErrors errors;
  if (analytic) {
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
    for (size_t t = 0; t < tasks.size(); ++t)
      errors.run(static_cast<long>(t), [&] {
        const auto [c, i] = tasks[t];
        household::Aggregates d;
        if (!lin[i]->derivative(country_problem(plus.worlds[c], i, plus.prices[c]),
                                country_problem(minus.worlds[c], i, minus.prices[c]), h, d,
                                failed[t]))
          return;
        const household::Aggregates& a = at.countries[i].aggregates;
        for (auto [out, s] : {std::pair{&up[t], h}, std::pair{&down[t], -h}}) {
          out->assets = a.assets + s * d.assets;
          out->efficiency_units = a.efficiency_units + s * d.efficiency_units;
          out->expenditure = a.expenditure + s * d.expenditure;
        }
      });
  } else {
    const bool impact = eq.jacobian == JacobianMethod::LogitImpact;
    // The impact slopes of every country, once: each serves all the columns that move only
    // that country's import prices (N - 1 wage columns).
    std::vector<household::LogitImpactSlopes> slopes(impact ? M : 0);
#pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < static_cast<int>(slopes.size()); ++i)
      errors.run(i, [&] {
        const CountryState& cs = at.countries[i];
        slopes[i] = household::logit_impact_slopes(cs.problem, cs.solution, cs.distribution.mass);
      });
    errors.rethrow();
    EquilibriumOptions eq_fd = eq;
    const double tol = std::max(eq.household.tolerance, fd_tolerance);
    eq_fd.household.tolerance = tol;
    eq_fd.household.value_tolerance = std::max(eq.household.value_tolerance, tol);
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t t = 0; t < tasks.size(); ++t)
      errors.run(static_cast<long>(t), [&] {
        const auto [c, i] = tasks[t];
        for (int k = 0; k < (two_sided ? 2 : 1); ++k) {
          const Side& s = k == 0 ? plus : minus;
          if (impact) {
            household::HouseholdProblem moved = country_problem(s.worlds[c], i, s.prices[c]);
            if (same_but_prices(moved, at.countries[i].problem)) {
              (k == 0 ? up : down)[t] =
                  household::logit_impact(slopes[i], at.countries[i].aggregates, moved.prices);
              continue;
            }
          }
          CountryState cs = solve_country(s.worlds[c], i, s.prices[c], eq_fd, &at.countries[i]);
          if (!country_converged(cs)) failed[t] = "household solve failed in a Jacobian column";
          (k == 0 ? up : down)[t] = std::move(cs.aggregates);
        }
      });
  }
  errors.rethrow();
  for (const auto& f : failed)
    if (!f.empty()) {
      message = f;
      return false;
    }
  Eigen::VectorXd r0;
  if (!two_sided) {
    World w = base_world;
    Prices p = base_prices;
    sys.economy(x, w, p);
    r0 = sys.residuals(x, w, at);
  }
  J.resize(n, n);
  size_t tu = 0, td = 0;
  for (int c = 0; c < n; ++c) {
    const Eigen::VectorXd rp = column_residuals(sys, eq, plus, c, at, tasks, tu, up);
    if (two_sided)
      J.col(c) = (rp - column_residuals(sys, eq, minus, c, at, tasks, td, down)) / (2 * h);
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
