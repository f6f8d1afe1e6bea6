// TOML readers for household blocks and income processes.
#include "hat/household/config.hpp"

#include <cmath>

#include "hat/core/error.hpp"
#include "hat/numerics/grid.hpp"

namespace hat::household {

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
  spec.persistent_states = static_cast<int>(t.integer("persistent_states", spec.persistent_states));
  spec.persistent_rho = t.number("persistent_rho", spec.persistent_rho);
  spec.persistent_variance = t.number("persistent_variance", spec.persistent_variance);
  spec.transitory_states = static_cast<int>(t.integer("transitory_states", spec.transitory_states));
  spec.transitory_variance = t.number("transitory_variance", spec.transitory_variance);
  const std::string method = t.string("method", "rouwenhorst");
  if (method != "rouwenhorst" && method != "tauchen")
    t.fail("method", "must be \"rouwenhorst\" or \"tauchen\"");
  spec.tauchen = (method == "tauchen");
  if (spec.persistent_states < 1 || spec.persistent_states > 200)
    t.fail("persistent_states", "must be between 1 and 200");
  if (spec.transitory_states < 1 || spec.transitory_states > 200)
    t.fail("transitory_states", "must be between 1 and 200");
  if (!(std::abs(spec.persistent_rho) < 1)) t.fail("persistent_rho", "must satisfy |rho| < 1");
  if (!(spec.persistent_variance >= 0)) t.fail("persistent_variance", "must be >= 0");
  if (!(spec.transitory_variance >= 0)) t.fail("transitory_variance", "must be >= 0");
  t.reject_unknown();
  return numerics::make_income_process(spec);
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
  for (size_t j = 0; j < prices.size(); ++j)
    if (!(prices[j] > 0)) r.fail("prices", "entry " + std::to_string(j + 1) + " must be > 0");
  hp.prices = Eigen::Map<Eigen::VectorXd>(prices.data(), static_cast<Eigen::Index>(prices.size()));
  const double blim = r.number("borrowing_limit");
  const double amax = r.number("asset_max");
  if (!(amax > -blim)) r.fail("asset_max", "must exceed a_min = -borrowing_limit");
  const long na = r.integer("assets", 100);
  if (na < 2 || na > 100000) r.fail("assets", "grid size must be between 2 and 100000");
  hc.grid_spacing = r.string("grid_spacing", "uniform");
  if (hc.grid_spacing != "uniform" && hc.grid_spacing != "power")
    r.fail("grid_spacing", "must be \"uniform\" or \"power\"");
  const double curv = r.number("grid_curvature", 2.0);
  if (!(curv > 0)) r.fail("grid_curvature", "must be > 0");
  hp.grid = numerics::make_grid(-blim, amax, static_cast<int>(na),
                                numerics::parse_grid_spacing(hc.grid_spacing), curv);
  hc.solve.tolerance = r.number("tolerance", 1e-10);
  if (!(hc.solve.tolerance > 0)) r.fail("tolerance", "must be > 0");
  hc.solve.value_tolerance = r.number("value_tolerance", hc.solve.tolerance);
  if (!(hc.solve.value_tolerance > 0)) r.fail("value_tolerance", "must be > 0");
  hc.solve.max_iterations = static_cast<int>(r.integer("max_iterations", 20000));
  if (hc.solve.max_iterations < 1) r.fail("max_iterations", "must be >= 1");
  hc.solve.howard_steps = static_cast<int>(r.integer("howard_steps", SolveOptions{}.howard_steps));
  if (hc.solve.howard_steps < 0) r.fail("howard_steps", "must be >= 0");
  hc.solve.anderson_depth =
      static_cast<int>(r.integer("anderson_depth", SolveOptions{}.anderson_depth));
  if (hc.solve.anderson_depth < 0) r.fail("anderson_depth", "must be >= 0 (0 = off)");
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
