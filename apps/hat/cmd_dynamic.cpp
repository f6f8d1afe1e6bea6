// `hat dynamic gft|steady-state|transition CONFIG.toml --out DIR [--json]`: dynamic gains from
// trade (Boehm, Levchenko, Pandalai-Nayar and Toma 2024; docs/dynamic.md).
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "commands.hpp"
#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/config.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/models/dynamic_study.hpp"
#include "hat/reports/dynamic.hpp"

namespace hat::cli {

namespace {

using nlohmann::json;
namespace dyn = hat::dynamic;

struct DynamicOptions {
  std::string config, out;
  bool json = false;
};

struct Loaded {
  io::ConfigFile file;
  dyn::Config config;
};

Loaded load(const std::string& path) {
  Loaded l{io::ConfigFile::load(path), {}};
  l.config = dyn::load_config(l.file);
  return l;
}

json base_manifest(const std::string& command, const Loaded& l) {
  json m = io::manifest("dynamic " + command);
  io::manifest_add_input(m, l.file.path(), l.file.text());
  if (!l.config.calibration_file.empty()) {
    std::ifstream in(l.config.calibration_file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    io::manifest_add_input(m, l.config.calibration_file, text.str());
  }
  m["parameters"] = reports::dynamic_parameters_json(l.config);
  m["countries"] = l.config.names;
  return m;
}

// A study that did not converge is written marked (its manifest status) and exits 3.
void mark_unconverged(const std::string& command, SolverStatus status) {
  if (status == SolverStatus::Converged) return;
  exit_status() = 3;
  warning("warning: dynamic {} did not converge ({}); outputs written marked, exit 3", command,
          to_string(status));
}

void run_steady_state(const DynamicOptions& o) {
  Timer timer;
  Loaded l = load(o.config);
  const dyn::Config& c = l.config;
  progress("dynamic steady-state: {} countries, {} model", c.names.size(),
           dyn::to_string(c.params.variant));
  const dyn::SteadyStateStudy st = dyn::run_steady_state_study(c, o.config);
  const dyn::SteadyState& ss = st.steady_state;
  json m = base_manifest("steady-state", l);
  m["solvers"] = {{"steady_state", io::to_json(ss.report)}};
  m["status"] = to_string(st.status());
  m["structural_residual"] = st.structural_residual;
  m["seconds"] = timer.seconds();
  io::OutputDir out(o.out);
  reports::add_dynamic_steady_state_outputs(out, st);
  out.add_json("manifest.json", m);
  out.commit();
  progress("wrote {} ({:.3f} s, residual {:.2e})", o.out, timer.seconds(), ss.report.residual);
  mark_unconverged("steady-state", st.status());
  if (o.json) print_json(reports::dynamic_steady_state_json(st));
}

void run_gft(const DynamicOptions& o) {
  Timer timer;
  Loaded l = load(o.config);
  const dyn::Config& c = l.config;
  progress("dynamic gft: {} countries, sigma {:.6g}, chi {:.6g}", c.names.size(), c.params.sigma,
           c.params.chi);
  const dyn::GftStudy st = dyn::run_gft_study(c, o.config);
  json m = base_manifest("gft", l);
  m["solvers"] = {{"steady_state", io::to_json(st.steady_state.report)},
                  {"autarky", io::to_json(st.autarky.report)}};
  m["status"] = to_string(st.status());
  m["max_relative_gap_computed_vs_formula"] = st.gap;
  m["seconds"] = timer.seconds();
  io::OutputDir out(o.out);
  reports::add_gft_outputs(out, st);
  out.add_json("manifest.json", m);
  out.commit();
  progress("wrote {} ({:.3f} s; computed vs formula gap {:.2e})", o.out, timer.seconds(), st.gap);
  mark_unconverged("gft", st.status());
  if (o.json) print_json(reports::dynamic_gft_json(st));
}

void run_transition(const DynamicOptions& o) {
  Timer timer;
  Loaded l = load(o.config);
  const dyn::Config& c = l.config;
  progress("dynamic transition: {} countries, T = {}, trade_cost_factor {:.6g}", c.names.size(),
           c.transition.periods, c.trade_cost_factor);
  const dyn::TransitionStudy st = dyn::run_transition_study(c, o.config);
  const dyn::TransitionPath& tp = st.path;
  json m = base_manifest("transition", l);
  m["shock"] = {{"trade_cost_factor", c.trade_cost_factor}, {"tariffs_changed", c.shock_tariffs}};
  m["periods"] = c.transition.periods;
  m["solvers"] = {{"steady_state_before", io::to_json(st.before.report)},
                  {"steady_state_after", io::to_json(st.after.report)},
                  {"transition", io::to_json(tp.report)}};
  m["status"] = to_string(st.status());
  m["max_period_residual"] = tp.max_period_residual;
  m["terminal_gap_log_mass"] = tp.terminal_gap;
  m["seconds"] = timer.seconds();
  io::OutputDir out(o.out);
  reports::add_dynamic_path_outputs(out, st);
  out.add_json("manifest.json", m);
  out.commit();
  progress("wrote {} ({:.3f} s, {} sweeps, terminal gap {:.2e})", o.out, timer.seconds(),
           tp.report.iterations, tp.terminal_gap);
  if (!tp.report.converged())
    warning(
        "warning: dynamic transition: {} after {} sweeps (residual {:.3g}); raise [transition] "
        "max_sweeps or periods",
        tp.report.message, tp.report.iterations, tp.report.residual);
  mark_unconverged("transition", st.status());
  if (tp.terminal_gap > 1e-4)
    warning(
        "warning: n_T is {:.2e} (log) away from the new steady state; raise [transition] periods",
        tp.terminal_gap);
  if (o.json) print_json(reports::dynamic_path_json(st));
}

void add(CLI::App& parent, const std::string& name, const std::string& help,
         void (*run)(const DynamicOptions&)) {
  auto opts = std::make_shared<DynamicOptions>();
  CLI::App* sub = parent.add_subcommand(name, help);
  add_config_argument(sub, opts->config, "TOML configuration (docs/dynamic.md)");
  sub->add_option("--out", opts->out, "output directory (written atomically)")->required();
  sub->add_flag("--json", opts->json, "print a JSON summary on stdout");
  sub->callback([opts, run, name] {
    marking_failure(opts->out, "dynamic " + name, opts->config, [&] { run(*opts); });
  });
}

}  // namespace

void register_dynamic(CLI::App& app) {
  CLI::App* dynamic = app.add_subcommand(
      "dynamic", "dynamic gains from trade (Boehm, Levchenko, Pandalai-Nayar and Toma)");
  dynamic->require_subcommand(1);
  add(*dynamic, "gft", "steady-state gains from trade vs autarky, formula and static ACR", run_gft);
  add(*dynamic, "steady-state", "steady state of the dynamic model", run_steady_state);
  add(*dynamic, "transition", "transition path after the [shock], welfare comparison",
      run_transition);
}

}  // namespace hat::cli
