// TOML reader and writer for world economies.
#include "hat/world/config.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "hat/core/error.hpp"
#include "hat/household/config.hpp"
#include "hat/io/csv.hpp"

namespace hat::world {

Eigen::MatrixXd read_country_matrix(const io::ConfigTable& t, const std::vector<std::string>& names,
                                    const std::string& base_dir) {
  const int M = static_cast<int>(names.size());
  Eigen::MatrixXd m;
  if (t.has("file") && t.has("matrix")) t.fail("file", "give either file or matrix, not both");
  if (t.has("file")) {
    std::filesystem::path p(t.string("file"));
    if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
    io::LabelledMatrix lm = io::read_labelled_matrix(p.string());
    if (static_cast<int>(lm.row_names.size()) != M)
      throw InputError(p.string() + ": " + std::to_string(lm.row_names.size()) +
                       " countries, the config names " + std::to_string(M));
    for (int i = 0; i < M; ++i)
      if (lm.row_names[i] != names[i])
        throw InputError(p.string() + ": row/column " + std::to_string(i + 1) + " is '" +
                         lm.row_names[i] + "', countries.names has '" + names[i] + "'");
    m = lm.values;
  } else {
    m = t.matrix("matrix");
    if (m.rows() != M || m.cols() != M)
      t.fail("matrix", "is " + std::to_string(m.rows()) + " x " + std::to_string(m.cols()) +
                           ", expected " + std::to_string(M) + " x " + std::to_string(M) +
                           " (one row and column per country)");
  }
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j)
      if (!std::isfinite(m(i, j)))
        t.fail(t.has("file") ? "file" : "matrix",
               "entry (" + names[i] + "," + names[j] + ") is not finite");
  t.reject_unknown();
  return m;
}

namespace {

// One entry per country from `key` (or `fallback` for every country when absent).
Eigen::VectorXd country_vector(const io::ConfigTable& t, const std::string& key, int M,
                               double fallback) {
  if (!t.has(key)) return Eigen::VectorXd::Constant(M, fallback);
  auto v = t.numbers(key);
  if (static_cast<int>(v.size()) != M)
    t.fail(key, std::to_string(v.size()) + " entries for " + std::to_string(M) + " countries");
  return Eigen::Map<Eigen::VectorXd>(v.data(), M);
}

void read_countries(const io::ConfigFile& f, const DataWorld& dw, World& w) {
  io::ConfigTable c = f.root().table("countries");
  if (c.empty() && !dw.present) throw InputError(f.path() + ": missing table [countries]");
  w.names = (dw.present && !c.has("names")) ? dw.names : c.strings("names");
  const int M = static_cast<int>(w.names.size());
  if (dw.present && w.names != dw.names)
    c.fail("names", "must be the data's countries in the data's order when [data] is used");
  if (M < 1) c.fail("names", "need at least one country");
  if (dw.present && dw.L.size() == 0 && !c.has("labor"))
    c.fail("labor", "required with [data] set = \"pairs\" (the pairs file has no labour)");
  w.L = (dw.present && !c.has("labor")) ? dw.L : country_vector(c, "labor", M, 1.0);
  w.A = (dw.present && !c.has("tfp")) ? dw.A : country_vector(c, "tfp", M, 1.0);
  for (int i = 0; i < M; ++i) {
    if (!(w.L(i) > 0)) c.fail("labor", "entry for " + w.names[i] + " must be > 0");
    if (!(w.A(i) > 0)) c.fail("tfp", "entry for " + w.names[i] + " must be > 0");
    for (int k = 0; k < i; ++k)
      if (w.names[k] == w.names[i]) c.fail("names", "duplicate country name " + w.names[i]);
  }
  c.reject_unknown();
}

void read_model(const io::ConfigTable& r, World& w) {
  io::ConfigTable m = r.table("model");
  w.gamma = m.number("gamma", w.gamma);
  if (!(w.gamma > 0)) m.fail("gamma", "must be > 0");
  w.beta = m.number("beta", w.beta);
  if (!(w.beta > 0 && w.beta < 1)) m.fail("beta", "must be in (0, 1)");
  w.sigma = m.number("sigma_eps", w.sigma);
  if (!(w.sigma > 0)) m.fail("sigma_eps", "must be > 0");
  w.quality_slope = m.number("quality_slope", 0.0);
  w.borrowing_limit = m.number("borrowing_limit", w.borrowing_limit);
  w.asset_max = m.number("asset_max", w.asset_max);
  if (!(w.asset_max > -w.borrowing_limit)) m.fail("asset_max", "must exceed -borrowing_limit");
  w.scaling = m.choice("scaling", kScalingNames, Scaling::Tfp);
  m.reject_unknown();
}

void read_grid(const io::ConfigTable& r, World& w) {
  io::ConfigTable g = r.table("grid");
  w.assets =
      g.integer_in("assets", 100, 2, household::Limits::assets, "memory and time grow with it");
  w.spacing = g.choice("spacing", numerics::kGridSpacingNames, numerics::GridSpacing::Uniform);
  w.grid_curvature = g.number("curvature", 2.0);
  if (!(w.grid_curvature > 0)) g.fail("curvature", "must be > 0");
  g.reject_unknown();
  // [income]
  w.income = household::read_income(r.table("income"));
  household::check_problem_size(g, "assets", w.assets, w.income.z.size(), w.size());
}

void read_trade_costs(const io::ConfigFile& f, const DataWorld& dw, World& w) {
  const io::ConfigTable r = f.root();
  const int M = w.size();
  io::ConfigTable tc = r.table("trade_costs");
  if (tc.empty() && dw.present) {
    w.d = dw.d;
  } else if (tc.empty()) {
    if (M == 1)
      w.d = Eigen::MatrixXd::Ones(1, 1);
    else
      throw InputError(f.path() +
                       ": missing table [trade_costs] (file = \"d.csv\" or matrix = [[...]])");
  } else {
    w.d = read_country_matrix(tc, w.names, f.directory());
  }
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j) {
      if (!(w.d(i, j) >= 1.0))
        tc.fail(tc.has("file") ? "file" : "matrix",
                fmt::format("d({},{}) = {} must be >= 1", w.names[i], w.names[j], w.d(i, j)));
      if (i == j && w.d(i, i) != 1.0)
        tc.fail(tc.has("file") ? "file" : "matrix",
                "d(" + w.names[i] + "," + w.names[i] + ") must be 1");
    }
  io::ConfigTable tt = r.table("tariffs");
  if (!tt.empty()) {
    w.tariff = read_country_matrix(tt, w.names, f.directory());
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < M; ++j)
        if (!(w.tariff(i, j) > -1.0))
          tt.fail(tt.has("file") ? "file" : "matrix", "tariffs must be > -1");
  }
}

void read_equilibrium(const io::ConfigTable& r, const World& w, WorldConfig& wc) {
  const int M = w.size();
  io::ConfigTable e = r.table("equilibrium");
  wc.options.financial = e.choice("financial", kFinancialNames, Financial::Globalization);
  wc.options.unknown = e.choice("unknown", kUnknownNames, Unknown::R);
  if (wc.options.unknown == Unknown::Beta && wc.options.financial == Financial::Autarky)
    e.fail("unknown", "\"beta\" requires financial = \"globalization\"");
  wc.start.beta = w.beta;
  if (e.has("R")) {
    try {
      wc.start.R = Eigen::VectorXd::Constant(M, e.number("R"));
    } catch (const InputError&) {
      wc.start.R = country_vector(e, "R", M, 1.0);
    }
  } else {
    wc.start.R =
        Eigen::VectorXd::Constant(M, 1.0 / w.beta - 0.02 < 1.0 ? 1.0 : 1.0 / w.beta - 0.02);
  }
  for (int i = 0; i < M; ++i)
    if (!(wc.start.R(i) > 0)) e.fail("R", "must be > 0");
  wc.start.W = country_vector(e, "wages", M, 1.0);
  wc.wages_given = e.has("wages");
  for (int i = 0; i < M; ++i)
    if (!(wc.start.W(i) > 0)) e.fail("wages", "must be > 0");
  wc.start.tau = country_vector(e, "transfers", M, 0.0);
  const std::string num = e.string("numeraire", "mean");
  if (num == "mean") {
    wc.options.numeraire = -1;
  } else {
    auto it = std::find(w.names.begin(), w.names.end(), num);
    if (it == w.names.end()) e.fail("numeraire", "must be \"mean\" or a country name");
    wc.options.numeraire = static_cast<int>(it - w.names.begin());
  }
  e.reject_unknown();
}

void read_solver(const io::ConfigTable& r, WorldConfig& wc) {
  io::ConfigTable s = r.table("solver");
  wc.options.tolerance = s.number("tolerance", wc.options.tolerance);
  if (!(wc.options.tolerance > 0)) s.fail("tolerance", "must be > 0");
  wc.options.household.tolerance = s.number("household_tolerance", wc.options.household.tolerance);
  if (!(wc.options.household.tolerance > 0)) s.fail("household_tolerance", "must be > 0");
  wc.options.household.value_tolerance = wc.options.household.tolerance;
  wc.options.distribution.tolerance =
      s.number("distribution_tolerance", wc.options.distribution.tolerance);
  if (!(wc.options.distribution.tolerance > 0)) s.fail("distribution_tolerance", "must be > 0");
  wc.options.max_evaluations =
      s.integer_in("max_evaluations", wc.options.max_evaluations, 1, 1000000, "an evaluation cap");
  wc.options.fd_step = s.number("fd_step", wc.options.fd_step);
  if (!(wc.options.fd_step > 0 && wc.options.fd_step <= 0.1))
    s.fail("fd_step", "must be in (0, 0.1] (a step in log unknowns)");
  wc.options.jacobian = s.choice("jacobian", kJacobianNames, wc.options.jacobian);
  wc.options.jacobian_refreshes = s.integer_in("jacobian_refreshes", wc.options.jacobian_refreshes,
                                               0, 1000, "a number of fresh Jacobians");
  wc.options.jacobian_refresh_factor =
      s.number("jacobian_refresh_factor", wc.options.jacobian_refresh_factor);
  if (!(wc.options.jacobian_refresh_factor > 0 && wc.options.jacobian_refresh_factor < 1))
    s.fail("jacobian_refresh_factor", "must be in (0, 1)");
  wc.options.fd_household_tolerance =
      s.number("jacobian_household_tolerance", wc.options.fd_household_tolerance);
  if (!(wc.options.fd_household_tolerance > 0))
    s.fail("jacobian_household_tolerance", "must be > 0");
  wc.options.jacobian_price_directions =
      s.boolean("jacobian_price_directions", wc.options.jacobian_price_directions);
  wc.options.jacobian_impact_savings =
      s.boolean("jacobian_impact_savings", wc.options.jacobian_impact_savings);
  wc.options.jacobian_linearised = s.boolean("jacobian_linearised", wc.options.jacobian_linearised);
  wc.options.rate_coordinate =
      s.choice("rate_coordinate", kRateCoordinateNames, wc.options.rate_coordinate);
  wc.options.inexact_factor = s.number("inexact_factor", wc.options.inexact_factor);
  if (!(wc.options.inexact_factor >= 0)) s.fail("inexact_factor", "must be >= 0 (0 = off)");
  wc.options.inexact_max_tolerance =
      s.number("inexact_max_tolerance", wc.options.inexact_max_tolerance);
  if (!(wc.options.inexact_max_tolerance > 0)) s.fail("inexact_max_tolerance", "must be > 0");
  wc.threads = s.integer_in("threads", 0, 0, 1024, "0 = OMP_NUM_THREADS or all cores");
  s.reject_unknown();
}

// The initial guess must give every household a feasible problem (the solver starts there).
void check_start(const io::ConfigFile& f, const WorldConfig& wc) {
  const World& w = wc.world;
  try {
    w.validate();
  } catch (const InputError& ex) {
    throw InputError(f.path() + ": " + ex.what());
  }
  const io::ConfigTable e = f.root().table("equilibrium");
  for (int i = 0; i < w.size(); ++i) {
    try {
      country_problem(w, i, wc.start).validate();
    } catch (const InputError& ex) {
      e.fail(e.has("R") ? "R" : "wages",
             "the initial guess leaves " + w.names[i] + " no feasible choice: " + ex.what());
    }
  }
}

}  // namespace

// A world config, table by table (docs/cli.md lists the keys); every table rejects unknown keys.
WorldConfig read_world_tables(const io::ConfigFile& f, const DataWorld& dw) {
  const io::ConfigTable r = f.root();
  WorldConfig wc;
  read_countries(f, dw, wc.world);
  read_model(r, wc.world);
  read_grid(r, wc.world);
  read_trade_costs(f, dw, wc.world);
  read_equilibrium(r, wc.world, wc);
  read_solver(r, wc);
  r.table("counterfactual");  // read and checked by `hat counterfactual` (analysis/shocks.hpp)
  r.reject_unknown();
  check_start(f, wc);
  return wc;
}

namespace {
std::string toml_vec(const Eigen::VectorXd& v) {
  std::string s = "[";
  for (int i = 0; i < v.size(); ++i) s += (i ? ", " : "") + fmt::format("{}", v(i));
  return s + "]";
}
std::string toml_mat(const Eigen::MatrixXd& m) {
  std::string s = "[\n";
  for (int i = 0; i < m.rows(); ++i) s += "  " + toml_vec(m.row(i).transpose()) + ",\n";
  return s + "]";
}
}  // namespace

std::string world_to_toml(const World& w, const Prices& p, const EquilibriumOptions& opt) {
  std::string s = "# A world economy for `hat solve` (written by hat).\n\n[model]\n";
  s += fmt::format("gamma = {}\nbeta = {}\nsigma_eps = {}\nquality_slope = {}\n", w.gamma, p.beta,
                   w.sigma, w.quality_slope);
  s += fmt::format("borrowing_limit = {}\nasset_max = {}\nscaling = \"{}\"\n\n", w.borrowing_limit,
                   w.asset_max, to_string(w.scaling));
  s += fmt::format("[grid]\nassets = {}\nspacing = \"{}\"\ncurvature = {}\n\n", w.assets,
                   numerics::to_string(w.spacing), w.grid_curvature);
  s += "[income]\nz = " + toml_vec(w.income.z) + "\ntransition = " + toml_mat(w.income.P) +
       "\nlog_persistent = " + toml_vec(w.income.log_persistent) + "\nnormalize = false\n\n";
  s += "[countries]\nnames = [";
  for (int i = 0; i < w.size(); ++i) s += (i ? ", \"" : "\"") + w.names[i] + "\"";
  s += "]\nlabor = " + toml_vec(w.L) + "\ntfp = " + toml_vec(w.A) + "\n\n";
  s += "[trade_costs]\nmatrix = " + toml_mat(w.d) + "\n\n";
  if (w.tariff.size()) s += "[tariffs]\nmatrix = " + toml_mat(w.tariff) + "\n\n";
  s += fmt::format("[equilibrium]\nfinancial = \"{}\"\nunknown = \"{}\"\n",
                   to_string(opt.financial), to_string(opt.unknown));
  if (opt.financial == Financial::Autarky)
    s += "R = " + toml_vec(p.R) + "\n";
  else
    s += fmt::format("R = {}\n", p.R(0));
  s += "wages = " + toml_vec(p.W) + "\n";
  if (w.tariff.size()) s += "transfers = " + toml_vec(p.tau) + "\n";
  if (opt.numeraire >= 0) s += "numeraire = \"" + w.names[opt.numeraire] + "\"\n";
  s += fmt::format("\n[solver]\ntolerance = {}\nhousehold_tolerance = {}\n", opt.tolerance,
                   opt.household.tolerance);
  return s;
}

}  // namespace hat::world
