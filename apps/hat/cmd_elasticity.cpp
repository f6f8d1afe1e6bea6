// `hat elasticity WORLD.toml --country USA [--partner X] [--distribution fixed|adjusts]
//  [--no-solve] [--out DIR] [--json]`: partial-equilibrium trade elasticities of one country
// (Proposition 1) at the world's equilibrium prices, with micro elasticities by state.
#include <fmt/format.h>

#include <functional>

#include "commands.hpp"
#include "common.hpp"
#include "hat/analysis/elasticity_study.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/reports/baseline.hpp"
#include "hat/reports/elasticity.hpp"
#include "hat/world/config.hpp"

namespace hat::cli {

namespace {

struct ElasticityArgs {
  std::string config, out, country, partner, distribution = "fixed";
  bool json = false, quiet = false, no_solve = false, richardson = false;
  double step = 1e-5, tolerance = 1e-13;
  int threads = -1;
};

void run_elasticity(const ElasticityArgs& args) {
  io::ConfigFile file = io::ConfigFile::load(args.config);
  world::WorldConfig wc = estimation::read_world_config(file, data_dir_arg());
  set_threads(args.threads >= 0 ? args.threads : wc.threads);
  const analysis::ElasticityStudyOptions so{.country = args.country,
                                            .partner = args.partner,
                                            .distribution = args.distribution,
                                            .solve = !args.no_solve,
                                            .richardson = args.richardson,
                                            .step = args.step,
                                            .tolerance = args.tolerance};
  ProgressCallback say;
  if (!args.quiet && !args.json)
    say = message_callback([](std::string_view m) { progress("{}", m); });
  const analysis::ElasticityStudy st = analysis::run_elasticity_study(wc, so, say);
  if (st.status != SolverStatus::Converged) exit_status() = 3;
  const world::World& w = st.world;
  const int i = st.country;
  const analysis::CountryElasticities& ce = st.result;
  const analysis::ElasticityOptions& opt = st.options;
  const nlohmann::json summary = reports::elasticity_summary(st);

  if (!args.out.empty()) {
    io::OutputDir out(args.out);
    reports::add_elasticity_outputs(out, st);
    nlohmann::json man = io::manifest("elasticity");
    io::manifest_add_input(man, file.path(), file.text());
    man["status"] = to_string(st.status);
    man["solvers"] = {{"elasticities", io::to_json(ce.report)}};
    man["baseline"] = reports::baseline_json(st.baseline);
    man["options"] = {{"country", w.names[i]},
                      {"partner", args.partner},
                      {"distribution", analysis::to_string(opt.distribution)},
                      {"step", opt.step},
                      {"richardson", opt.richardson},
                      {"household_tolerance", opt.household.tolerance},
                      {"solved", !args.no_solve}};
    man["timings"] = {{"total_seconds", st.seconds},
                      {"baseline_seconds", st.seconds_baseline},
                      {"elasticity_seconds", st.seconds_elasticities}};
    io::add_summary_and_manifest(out, man, summary);
    out.commit();
  }
  if (args.json) {
    print_json(summary);
    return;
  }
  fmt::print("trade elasticities of {} (distribution {}, {}; {:.2f}s for {} partners)\n",
             w.names[i], analysis::to_string(opt.distribution), ce.report.message,
             st.seconds_elasticities, ce.partners.size());
  fmt::print("  baseline: {}; R = {:.10f}\n", st.baseline.report.message,
             st.baseline.state.prices.R(i));
  fmt::print("  {:<10} {:>12} {:>12} {:>12} {:>12} {:>10}\n", "partner", "theta", "intensive",
             "extensive", "distrib.", "imp.share");
  for (const auto& b : ce.partners)
    fmt::print("  {:<10} {:>12.7f} {:>12.7f} {:>12.7f} {:>12.7f} {:>10.6f}\n", w.names[b.partner],
               b.theta, b.intensive, b.extensive, b.distribution, b.import_share);
  fmt::print("  trade-weighted theta: {:.7f}\n", ce.theta_trade_weighted);
  if (!args.out.empty()) fmt::print("  outputs written to {}/\n", args.out);
}

}  // namespace

void register_elasticity(CLI::App& app) {
  auto a = std::make_shared<ElasticityArgs>();
  CLI::App* sub = app.add_subcommand(
      "elasticity", "Partial-equilibrium trade elasticities of one country (Proposition 1)");
  add_config_argument(sub, a->config, "world TOML (see examples/two_country.toml)");
  sub->add_option("--country", a->country, "importer i (a name from [countries] names)")
      ->required();
  sub->add_option("--partner", a->partner, "one exporter j (default: every partner)");
  sub->add_option("--distribution", a->distribution,
                  "fixed (baseline distribution weights the new policies) or adjusts");
  sub->add_flag("--no-solve", a->no_solve,
                "use the config's [equilibrium] prices as they are instead of solving first");
  sub->add_option("--step", a->step, "central-difference step in log d_ij (default 1e-5)");
  sub->add_flag("--richardson", a->richardson, "Richardson-extrapolate steps h and h/2");
  sub->add_option("--tolerance", a->tolerance,
                  "policy and value tolerance of the perturbed household solves (default 1e-13)");
  add_run_options(sub, a->out, a->json, a->quiet, a->threads);
  sub->callback(
      [a]() { marking_failure(a->out, "elasticity", a->config, [&] { run_elasticity(*a); }); });
}

}  // namespace hat::cli
