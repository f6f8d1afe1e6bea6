// Reading `hat dynamic` configuration files (TOML): model parameters or elasticity estimates,
// countries, trade costs, tariffs, the shock and the transition settings.
#include "hat/io/config.hpp"

#include <cmath>
#include <filesystem>
#include <string>

#include "hat/core/error.hpp"
#include "hat/io/csv.hpp"
#include "hat/models/dynamic.hpp"

namespace hat::dynamic {

namespace {
// Re-throws a library InputError ("[model] sigma: ...") with the file name in front.
template <typename F>
auto with_file(const std::string& file, F&& f) {
  try {
    return f();
  } catch (const InputError& e) {
    throw InputError(file + ": " + e.what());
  }
}
}  // namespace

Economy Config::shocked() const {
  Economy e = scale_trade_costs(economy, trade_cost_factor);
  if (shock_tariffs) e.tariff = new_tariff;
  return e;
}

namespace {

// [model] and [elasticities]: the variant and its parameters, given directly or from short- and
// long-run elasticity estimates.
void read_model(io::ConfigTable& root, const std::string& path, Config& c) {
  io::ConfigTable model = root.table("model");
  if (model.empty()) root.fail("model", "missing table [model]");
  io::ConfigTable el = root.table("elasticities");
  Parameters& p = c.params;
  p.variant =
      with_file(path, [&] { return variant_from_string(model.string("variant", "krugman")); });
  const bool melitz = p.variant == Variant::MelitzPareto;
  if (!el.empty()) {
    c.from_elasticities = true;
    c.short_run = el.number("short_run");
    c.long_run = el.number("long_run");
    c.measure = with_file(path, [&] { return flow_measure_from_string(el.string("flows")); });
    el.reject_unknown();
    if (melitz) {
      // sigma is not identified by the elasticities: theta and chi are.
      if (model.has("theta") || model.has("chi"))
        model.fail(model.has("theta") ? "theta" : "chi",
                   "give either [model] theta and chi or an [elasticities] table, not both");
      p.sigma = model.number("sigma");
      ThetaChi tc = with_file(path, [&] {
        return melitz_from_elasticities(c.short_run, c.long_run, c.measure, p.sigma);
      });
      p.theta = tc.theta;
      p.chi = tc.chi;
    } else {
      if (model.has("sigma") || model.has("chi"))
        model.fail(model.has("sigma") ? "sigma" : "chi",
                   "give either [model] sigma and chi or an [elasticities] table, not both");
      SigmaChi sc = with_file(
          path, [&] { return structural_from_elasticities(c.short_run, c.long_run, c.measure); });
      p.sigma = sc.sigma;
      p.chi = sc.chi;
    }
  } else {
    p.sigma = model.number("sigma");
    p.chi = model.number("chi");
    if (melitz) p.theta = model.number("theta");
  }
  p.delta = model.number("delta");
  p.beta = model.number("beta");
  p.gamma = model.number("gamma");
  if (p.variant == Variant::CustomerBase) {
    p.zeta = model.number("zeta");
  } else {
    p.b = model.number("b");
  }
  if (melitz) p.fixed_cost = model.number("fixed_cost");
  model.reject_unknown();
  with_file(path, [&] {
    validate(p);
    return 0;
  });
}

// [countries], [calibration], [trade_costs] and [tariffs]: the economy before the shock.
void read_economy(io::ConfigTable& root, const io::ConfigFile& file, Config& c) {
  const std::string& path = file.path();
  const Parameters& p = c.params;
  io::ConfigTable countries = root.table("countries");
  if (countries.empty()) root.fail("countries", "missing table [countries]");
  c.names = countries.strings("names");
  if (c.names.empty()) countries.fail("names", "at least one country is required");
  for (size_t i = 0; i < c.names.size(); ++i)
    for (size_t k = 0; k < i; ++k)
      if (c.names[k] == c.names[i]) countries.fail("names", "duplicate country name " + c.names[i]);
  const int J = static_cast<int>(c.names.size());
  io::ConfigTable cal = root.table("calibration");
  io::ConfigTable tc = root.table("trade_costs");
  io::ConfigTable tar = root.table("tariffs");
  io::CsvTable data;
  std::string labor_column;
  if (!cal.empty()) {
    std::filesystem::path f(cal.string("file"));
    if (f.is_relative()) f = std::filesystem::path(file.directory()) / f;
    c.calibration_file = f.lexically_normal().string();
    const std::string prefix = cal.string("flow_prefix", "trade_");
    labor_column = cal.string("labor_column", "");
    cal.reject_unknown();
    if (!std::filesystem::exists(f)) cal.fail("file", "cannot open " + c.calibration_file);
    data = io::read_csv(c.calibration_file);
    if (data.rows.size() != static_cast<size_t>(J))
      cal.fail("file", c.calibration_file + " has " + std::to_string(data.rows.size()) +
                           " rows, [countries] names has " + std::to_string(J));
    if (!tc.empty())
      tc.fail("matrix", "give either [trade_costs] or [calibration] (which calibrates them)");
    c.calibration_flows.resize(J, J);
    for (int o = 0; o < J; ++o) {
      const std::string col = prefix + std::to_string(o + 1);
      if (!data.has_column(col))
        cal.fail("flow_prefix", c.calibration_file + " has no column '" + col + "'");
      std::vector<double> v = data.numbers(col);
      for (int d = 0; d < J; ++d) c.calibration_flows(d, o) = v[d];
    }
  }
  std::vector<double> labor;
  if (!labor_column.empty()) {
    if (countries.has("labor"))
      countries.fail("labor", "give either [countries] labor or [calibration] labor_column");
    if (!data.has_column(labor_column))
      cal.fail("labor_column", c.calibration_file + " has no column '" + labor_column + "'");
    labor = data.numbers(labor_column);
  } else {
    labor = countries.numbers("labor");
  }
  countries.reject_unknown();
  if (labor.size() != c.names.size())
    countries.fail("labor", "has " + std::to_string(labor.size()) + " entries but names has " +
                                std::to_string(c.names.size()));
  c.economy.labor = Eigen::Map<Eigen::VectorXd>(labor.data(), J);
  c.economy.tariff = tar.empty() ? Eigen::MatrixXd::Ones(J, J) : tar.matrix("matrix");
  tar.reject_unknown();
  if (!cal.empty()) {
    with_file(path, [&] {
      validate(Economy{c.economy.labor, Eigen::MatrixXd::Ones(J, J), c.economy.tariff});
      c.economy = calibrate_trade_costs(p, c.economy.labor, c.economy.tariff, c.calibration_flows);
      return 0;
    });
  } else {
    if (tc.empty()) root.fail("trade_costs", "missing table [trade_costs] (or [calibration])");
    c.economy.kappa = tc.matrix("matrix");
    tc.reject_unknown();
  }
  with_file(path, [&] {
    validate(c.economy);
    return 0;
  });
}

// [shock]: a trade-cost factor and new tariffs.
void read_shock(io::ConfigTable& root, const std::string& path, Config& c) {
  io::ConfigTable shock = root.table("shock");
  c.trade_cost_factor = shock.number("trade_cost_factor", 1.0);
  if (shock.has("tariffs")) {
    c.shock_tariffs = true;
    c.new_tariff = shock.matrix("tariffs");
  }
  shock.reject_unknown();
  if (!(c.trade_cost_factor > 0)) shock.fail("trade_cost_factor", "must be positive");
  with_file(path, [&] {
    Economy e = c.shocked();
    try {
      validate(e);
    } catch (const InputError& err) {
      throw InputError(std::string("[shock] tariffs: ") + err.what());
    }
    return 0;
  });
}

// [transition]: horizon and stopping rule of the transition path.
void read_transition(io::ConfigTable& root, Config& c) {
  io::ConfigTable tr = root.table("transition");
  c.transition.periods =
      tr.integer_in("periods", 200, 2, 100000, "memory and time grow with the horizon");
  c.transition.tolerance = tr.number("tolerance", 1e-10);
  if (!(c.transition.tolerance > 0)) tr.fail("tolerance", "must be positive");
  c.transition.max_sweeps =
      tr.integer_in("max_sweeps", 5000, 1, 1000000, "a sweep cap, not a count to be reached");
  tr.reject_unknown();
}

// [steady_state]: stopping rule of the steady-state solves (Powell's hybrid method).
void read_steady_state(io::ConfigTable& root, Config& c) {
  io::ConfigTable ss = root.table("steady_state");
  c.steady_state.tolerance = ss.number("tolerance", 1e-12);
  if (!(c.steady_state.tolerance > 0)) ss.fail("tolerance", "must be positive");
  c.steady_state.max_evaluations = ss.integer_in("max_evaluations", 2000, 1, 1000000,
                                                 "an evaluation cap, not a count to be reached");
  ss.reject_unknown();
}

}  // namespace

Config load_config(const io::ConfigFile& file) {
  const std::string& path = file.path();
  io::ConfigTable root = file.root();
  Config c;
  read_model(root, path, c);
  read_economy(root, file, c);
  read_shock(root, path, c);
  read_steady_state(root, c);
  read_transition(root, c);
  root.reject_unknown();
  return c;
}

}  // namespace hat::dynamic
