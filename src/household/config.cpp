// TOML readers for household blocks and income processes.
#include "hat/household/config.hpp"

#include <cmath>

#include "hat/core/error.hpp"
#include "hat/numerics/grid.hpp"

namespace hat::household {

namespace {
// [income] method: whether the chain is discretised by Tauchen (else Rouwenhorst).
constexpr EnumNames<bool, 2> kIncomeMethodNames{{{{false, "rouwenhorst"}, {true, "tauchen"}}}};
}  // namespace

numerics::IncomeProcess read_income(const io::ConfigTable& t) {
  if (t.has("z") || t.has("transition")) {
    numerics::IncomeProcess ip;
    auto z = t.numbers("z");
    Eigen::MatrixXd P = t.matrix("transition");
    const int n = static_cast<int>(z.size());
    if (P.rows() != n || P.cols() != n)
      t.fail("transition",
             "must be " + std::to_string(n) + " x " + std::to_string(n) + " to match z");
    try {
      numerics::validate_transition_matrix(P, 1e-12);
    } catch (const InputError& e) {
      t.fail("transition", e.what());
    }
    ip.z = Eigen::Map<Eigen::VectorXd>(z.data(), n);
    for (int s = 0; s < n; ++s)
      if (!(ip.z(s) > 0)) t.fail("z", "efficiency units must be > 0");
    ip.P = P;
    ip.stationary = numerics::stationary_distribution(P);
    if (t.boolean("normalize", true)) ip.z /= ip.stationary.dot(ip.z);
    if (t.has("log_persistent")) {
      auto lp = t.numbers("log_persistent");
      if (static_cast<int>(lp.size()) != n)
        t.fail("log_persistent", "must have one entry per state");
      ip.log_persistent = Eigen::Map<Eigen::VectorXd>(lp.data(), n);
    } else {
      ip.log_persistent = ip.z.array().log().matrix();
      ip.log_persistent.array() -= ip.stationary.dot(ip.log_persistent);
    }
    ip.persistent_states = n;
    ip.transitory_states = 1;
    t.reject_unknown();
    return ip;
  }
  numerics::IncomeSpec spec;
  const std::string states_why = "the income chain's transition matrix is states x states";
  spec.persistent_states = t.integer_in("persistent_states", spec.persistent_states, 1,
                                        Limits::income_states, states_why);
  spec.persistent_rho = t.number("persistent_rho", spec.persistent_rho);
  spec.persistent_variance = t.number("persistent_variance", spec.persistent_variance);
  spec.transitory_states = t.integer_in("transitory_states", spec.transitory_states, 1,
                                        Limits::income_states, states_why);
  spec.transitory_variance = t.number("transitory_variance", spec.transitory_variance);
  spec.tauchen = t.choice("method", kIncomeMethodNames, false);
  if (!(std::abs(spec.persistent_rho) < 1)) t.fail("persistent_rho", "must satisfy |rho| < 1");
  if (!(spec.persistent_variance >= 0)) t.fail("persistent_variance", "must be >= 0");
  if (!(spec.transitory_variance >= 0)) t.fail("transitory_variance", "must be >= 0");
  t.reject_unknown();
  return numerics::make_income_process(spec);
}

void check_problem_size(const io::ConfigTable& t, const std::string& key, long na, long nz,
                        long m) {
  if (na * nz * m > Limits::cells)
    t.fail(key, std::to_string(na) + " grid points x " + std::to_string(nz) + " income states x " +
                    std::to_string(m) + " varieties = " + std::to_string(na * nz * m) +
                    " cells, more than the limit of " + std::to_string(Limits::cells) +
                    " (memory, about 300 bytes per cell, and run time grow with it)");
}

HouseholdConfig read_household_config(const io::ConfigFile& f) {
  io::ConfigTable r = f.root();
  HouseholdConfig hc;
  HouseholdProblem& hp = hc.problem;
  hp.gamma = r.number("gamma");
  if (!(hp.gamma > 0)) r.fail("gamma", "must be > 0");
  hp.beta = r.number("beta");
  if (!(hp.beta > 0 && hp.beta < 1)) r.fail("beta", "must be in (0, 1)");
  hp.sigma = r.number("sigma_eps");
  if (!(hp.sigma > 0)) r.fail("sigma_eps", "must be > 0");
  hp.R = r.number("R");
  if (!(hp.R > 0)) r.fail("R", "must be > 0");
  hp.W = r.number("W", 1.0);
  if (!(hp.W > 0)) r.fail("W", "must be > 0");
  hp.tau = r.number("tau", 0.0);
  hp.lambda = r.number("wealth_scale", 1.0);
  if (!(hp.lambda > 0)) r.fail("wealth_scale", "must be > 0");
  auto prices = r.numbers("prices");
  if (prices.empty()) r.fail("prices", "need at least one price");
  if (static_cast<long>(prices.size()) > Limits::varieties)
    r.fail("prices", "at most " + std::to_string(Limits::varieties) + " varieties, got " +
                         std::to_string(prices.size()) +
                         " (the Euler-error check costs grow with the square of the number)");
  for (size_t j = 0; j < prices.size(); ++j)
    if (!(prices[j] > 0)) r.fail("prices", "entry " + std::to_string(j + 1) + " must be > 0");
  hp.prices = Eigen::Map<Eigen::VectorXd>(prices.data(), static_cast<Eigen::Index>(prices.size()));
  const double blim = r.number("borrowing_limit");
  const double amax = r.number("asset_max");
  if (!(amax > -blim)) r.fail("asset_max", "must exceed a_min = -borrowing_limit");
  const int na = r.integer_in("assets", 100, 2, Limits::assets, "memory and time grow with it");
  const numerics::GridSpacing spacing =
      r.choice("grid_spacing", numerics::kGridSpacingNames, numerics::GridSpacing::Uniform);
  hc.grid_spacing = numerics::to_string(spacing);
  const double curv = r.number("grid_curvature", 2.0);
  if (!(curv > 0)) r.fail("grid_curvature", "must be > 0");
  hp.grid = numerics::make_grid(-blim, amax, na, spacing, curv);
  hc.solve.tolerance = r.number("tolerance", 1e-10);
  if (!(hc.solve.tolerance > 0)) r.fail("tolerance", "must be > 0");
  hc.solve.value_tolerance = r.number("value_tolerance", hc.solve.tolerance);
  if (!(hc.solve.value_tolerance > 0)) r.fail("value_tolerance", "must be > 0");
  hc.solve.max_iterations = r.integer_in("max_iterations", 20000, 1, Limits::iterations,
                                         "an iteration cap, not a count to be reached");
  hc.solve.howard_steps =
      r.integer_in("howard_steps", SolveOptions{}.howard_steps, 0, Limits::howard_steps,
                   "each step costs a policy evaluation; more than a few dozen gain nothing");
  hc.solve.anderson_depth =
      r.integer_in("anderson_depth", SolveOptions{}.anderson_depth, 0, Limits::anderson_depth,
                   "0 = off; the mixer keeps depth past iterates and solves a depth x depth "
                   "least-squares problem each iteration");
  hc.solve.gauss_seidel = r.boolean("gauss_seidel", SolveOptions{}.gauss_seidel);
  hc.solve.newton = r.boolean("newton", SolveOptions{}.newton);
  hc.solve.newton_threshold = r.number("newton_threshold", SolveOptions{}.newton_threshold);
  if (!(hc.solve.newton_threshold > 0)) r.fail("newton_threshold", "must be > 0");
  hc.distribution.tolerance = r.number("distribution_tolerance", 1e-12);
  if (!(hc.distribution.tolerance > 0)) r.fail("distribution_tolerance", "must be > 0");
  hc.distribution.extrapolate =
      r.boolean("distribution_extrapolate", DistributionOptions{}.extrapolate);

  hc.income = read_income(r.table("income"));
  hp.z = hc.income.z;
  hp.P = hc.income.P;
  check_problem_size(r, "assets", na, hp.z.size(), hp.prices.size());
  if (r.has("quality")) {
    // quality = [[psi_1(s=1), ..., psi_M(s=1)], ...]: one row per income state.
    Eigen::MatrixXd q = r.matrix("quality");
    if (q.rows() != hp.z.size() || q.cols() != hp.prices.size())
      r.fail("quality", "must be a matrix with one row per income state (" +
                            std::to_string(hp.z.size()) + ") and one column per price (" +
                            std::to_string(hp.prices.size()) + ")");
    hp.quality = q;
  }
  r.reject_unknown();
  try {
    hp.validate();
  } catch (const InputError& e) {
    throw InputError(f.path() + ": " + e.what());
  }
  return hc;
}

}  // namespace hat::household
