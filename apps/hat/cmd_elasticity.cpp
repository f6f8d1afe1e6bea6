// `hat elasticity WORLD.toml --country USA [--partner X] [--distribution fixed|adjusts]
//  [--no-solve] [--out DIR] [--json]`: partial-equilibrium trade elasticities of one country
// (Proposition 1) at the world's equilibrium prices, with micro elasticities by state.
#include <fmt/format.h>

#include <algorithm>

#include "baseline.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "hat/analysis/elasticity.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/output.hpp"
#include "hat/io/svg_plot.hpp"

namespace hat::cli {

namespace {

struct ElasticityArgs {
  std::string config, out, country, partner, distribution = "fixed";
  bool json = false, quiet = false, no_solve = false, richardson = false;
  double step = 1e-5, tolerance = 1e-13;
  int threads = -1;
};

void add_outputs(io::OutputDir& out, const world::World& w, const world::CountryState& cs,
                 const analysis::CountryElasticities& ce, analysis::DistributionMode mode,
                 int figure_partner) {
  const int i = ce.home;
  const auto& hp = cs.problem;
  const int Na = hp.Na(), Nz = hp.Nz();
  const char* dist = analysis::to_string(mode);

  io::CsvWriter el(
      {"importer", "exporter", "distribution", "import_share", "margin", "elasticity"});
  for (const auto& b : ce.partners) {
    const std::pair<const char*, double> rows[] = {
        {"total", b.theta},
        {"intensive", b.intensive},
        {"extensive", b.extensive},
        {"distribution", b.distribution},
        {"decomposition_residual", b.decomposition_residual}};
    for (const auto& [m, v] : rows) {
      el.cell(w.names[i]).cell(w.names[b.partner]).cell(dist).cell(b.import_share).cell(m).cell(v);
      el.end_row();
    }
  }
  out.add("elasticities.csv", el.str());

  io::CsvWriter mi({"importer", "exporter", "distribution", "income_state", "z", "asset_index",
                    "assets", "mass", "weight_exporter", "weight_home", "intensive_exporter",
                    "extensive_exporter", "intensive_home", "extensive_home", "distribution_margin",
                    "relative"});
  for (const auto& b : ce.partners) {
    const auto& m = b.micro;
    for (int s = 0; s < Nz; ++s)
      for (int a = 0; a < Na; ++a) {
        const int k = s * Na + a;
        const double rel = m.intensive_partner(k) + m.extensive_partner(k) - m.intensive_home(k) -
                           m.extensive_home(k);
        mi.cell(w.names[i]).cell(w.names[b.partner]).cell(dist).cell(s).cell(hp.z(s)).cell(a);
        mi.cell(hp.grid(a)).cell(cs.distribution.mass(k)).cell(m.weight_partner(k));
        mi.cell(m.weight_home(k)).cell(m.intensive_partner(k)).cell(m.extensive_partner(k));
        mi.cell(m.intensive_home(k)).cell(m.extensive_home(k)).cell(m.distribution(k)).cell(rel);
        mi.end_row();
      }
  }
  out.add("micro_elasticities.csv", mi.str());

  const Eigen::MatrixXd sh = analysis::expenditure_shares_by_state(hp, cs.solution);
  io::CsvWriter hs({"importer", "income_state", "z", "asset_index", "assets", "mass", "exporter",
                    "expenditure_share"});
  for (int s = 0; s < Nz; ++s)
    for (int a = 0; a < Na; ++a)
      for (int j = 0; j < hp.M(); ++j) {
        const int k = s * Na + a;
        hs.cell(w.names[i]).cell(s).cell(hp.z(s)).cell(a).cell(hp.grid(a));
        hs.cell(cs.distribution.mass(k)).cell(w.names[j]).cell(sh(k, j));
        hs.end_row();
      }
  out.add("expenditure_shares_by_state.csv", hs.str());

  // Figures. Elasticities by partner (as positive numbers, like the paper's -theta figure).
  io::BarChart bar;
  bar.title =
      fmt::format("{}: trade elasticities by partner (-theta, distribution {})", w.names[i], dist);
  bar.ylabel = "-d log(M_ij/M_ii) / d log d_ij";
  bar.group_labels = {"total", "intensive", "extensive"};
  if (mode == analysis::DistributionMode::Adjusts) bar.group_labels.push_back("distribution");
  bar.values.assign(bar.group_labels.size(), {});
  for (const auto& b : ce.partners) {
    bar.categories.push_back(w.names[b.partner]);
    bar.values[0].push_back(-b.theta);
    bar.values[1].push_back(-b.intensive);
    bar.values[2].push_back(-b.extensive);
    if (bar.values.size() > 3) bar.values[3].push_back(-b.distribution);
  }
  out.add("elasticities_by_partner.svg", bar.render());

  // Micro elasticities by asset and income state, for one partner.
  const auto it = std::find_if(ce.partners.begin(), ce.partners.end(),
                               [&](const auto& b) { return b.partner == figure_partner; });
  if (it != ce.partners.end()) {
    io::Plot p;
    p.title = fmt::format("{} imports from {}: micro trade elasticity by state", w.names[i],
                          w.names[figure_partner]);
    p.xlabel = "assets a";
    p.ylabel = "d log(M_ij(a,s) / M_ii(a,s)) / d log d_ij";
    for (int s = 0; s < Nz; ++s) {
      io::Series ser;
      ser.label = fmt::format("s={} (z={:.3f})", s, hp.z(s));
      for (int a = 0; a < Na; ++a) {
        const int k = s * Na + a;
        const auto& m = it->micro;
        ser.x.push_back(hp.grid(a));
        ser.y.push_back(m.intensive_partner(k) + m.extensive_partner(k) - m.intensive_home(k) -
                        m.extensive_home(k));
      }
      p.series.push_back(std::move(ser));
    }
    out.add("micro_elasticities.svg", p.render());
  }
  io::Plot h;
  h.title = fmt::format("{}: home expenditure share by state", w.names[i]);
  h.xlabel = "assets a";
  h.ylabel = "p_ii c_ii pi_ii / sum_j p_ij c_ij pi_ij";
  for (int s = 0; s < Nz; ++s) {
    io::Series ser;
    ser.label = fmt::format("s={} (z={:.3f})", s, hp.z(s));
    for (int a = 0; a < Na; ++a) {
      ser.x.push_back(hp.grid(a));
      ser.y.push_back(sh(s * Na + a, i));
    }
    h.series.push_back(std::move(ser));
  }
  out.add("home_share_by_state.svg", h.render());
}

void run_elasticity(const ElasticityArgs& args) {
  Timer timer;
  io::ConfigFile file = io::ConfigFile::load(args.config);
  world::WorldConfig wc = world::read_world_config(file);
  set_threads(args.threads >= 0 ? args.threads : wc.threads);
  const world::World& w = wc.world;
  const int i = world::country_index(w, args.country, "--country");
  std::vector<int> partners;
  if (!args.partner.empty()) {
    const int j = world::country_index(w, args.partner, "--partner");
    if (j == i) throw InputError("--partner: must differ from --country");
    partners.push_back(j);
  } else {
    for (int j = 0; j < w.size(); ++j)
      if (j != i) partners.push_back(j);
  }
  if (partners.empty()) throw InputError("--country: the world has no trading partners");
  analysis::ElasticityOptions opt;
  opt.distribution = analysis::parse_distribution_mode(args.distribution, "--distribution");
  if (!(args.step > 0 && args.step <= 0.1)) throw InputError("--step: expected 0 < step <= 0.1");
  opt.step = args.step;
  if (!(args.tolerance > 0 && args.tolerance < 1e-6))
    throw InputError("--tolerance: expected 0 < tolerance < 1e-6");
  opt.household.tolerance = opt.household.value_tolerance = args.tolerance;
  opt.richardson = args.richardson;

  Baseline base = baseline_world(wc, !args.no_solve, args.quiet || args.json);
  if (!base.report.converged()) exit_status() = 3;
  const double baseline_seconds = timer.seconds();
  const world::CountryState& cs = base.state.countries[i];
  Timer et;
  analysis::CountryElasticities ce = analysis::country_elasticities(
      cs.problem, cs.solution, cs.distribution.mass, i, partners, opt);
  const double elasticity_seconds = et.seconds();
  if (!ce.report.converged()) exit_status() = 3;
  const SolverStatus status = worse_status(ce.report.status, base.report.status);

  nlohmann::json summary;
  summary["country"] = w.names[i];
  summary["distribution"] = analysis::to_string(opt.distribution);
  summary["baseline"] = baseline_json(base);
  nlohmann::json theta, dec, shares;
  for (const auto& b : ce.partners) {
    theta[w.names[b.partner]] = b.theta;
    dec[w.names[b.partner]] = {{"intensive", b.intensive},
                               {"extensive", b.extensive},
                               {"distribution", b.distribution},
                               {"residual", b.decomposition_residual}};
    shares[w.names[b.partner]] = b.import_share;
  }
  summary["theta"] = theta;
  summary["theta_trade_weighted"] = ce.theta_trade_weighted;
  summary["decomposition"] = dec;
  summary["import_shares"] = shares;
  summary["status"] = to_string(status);
  summary["message"] = ce.report.message;
  summary["step"] = opt.step;
  summary["richardson"] = opt.richardson;
  summary["elasticity_seconds"] = elasticity_seconds;
  summary["seconds"] = timer.seconds();

  if (!args.out.empty()) {
    int figure_partner = partners.front();
    if (args.partner.empty()) {
      double best = -1;
      for (const auto& b : ce.partners)
        if (b.import_share > best) best = b.import_share, figure_partner = b.partner;
    }
    io::OutputDir out(args.out);
    add_outputs(out, w, cs, ce, opt.distribution, figure_partner);
    nlohmann::json man = io::manifest("elasticity");
    io::manifest_add_input(man, file.path(), file.text());
    man["status"] = to_string(status);
    man["solver"] = io::to_json(ce.report);
    man["baseline"] = baseline_json(base);
    man["options"] = {{"country", w.names[i]},
                      {"partner", args.partner},
                      {"distribution", analysis::to_string(opt.distribution)},
                      {"step", opt.step},
                      {"richardson", opt.richardson},
                      {"household_tolerance", opt.household.tolerance},
                      {"solved", !args.no_solve}};
    man["timings"] = {{"total_seconds", timer.seconds()},
                      {"baseline_seconds", baseline_seconds},
                      {"elasticity_seconds", elasticity_seconds}};
    man["summary"] = summary;
    out.add_json("summary.json", io::without_timings(summary));
    man["files"] = out.names();
    out.add_json("manifest.json", man);
    out.commit();
  }
  if (args.json) {
    print_json(summary);
    return;
  }
  fmt::print("trade elasticities of {} (distribution {}, {}; {:.2f}s for {} partners)\n",
             w.names[i], analysis::to_string(opt.distribution), ce.report.message,
             elasticity_seconds, ce.partners.size());
  fmt::print("  baseline: {}; R = {:.10f}\n", base.report.message, base.state.prices.R(i));
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
  sub->add_option("config", a->config, "world TOML (see examples/two_country.toml)")
      ->required()
      ->check(CLI::ExistingFile);
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
  sub->add_option("--out", a->out, "write CSV tables, SVG figures and manifest.json here");
  sub->add_flag("--json", a->json, "print a JSON summary on stdout");
  sub->add_flag("--quiet", a->quiet, "no progress lines on stderr");
  sub->add_option("--threads", a->threads, "OpenMP threads (default: [solver] threads)");
  sub->callback(
      [a]() { marking_failure(a->out, "elasticity", a->config, [&] { run_elasticity(*a); }); });
}

}  // namespace hat::cli
