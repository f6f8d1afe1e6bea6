// `hat gravity`: the gravity regression of Eaton & Kortum (2002) Table III (MODEL.md §2) on EK's
// data (--data DIR) or on a tidy pairs file (--pairs FILE).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "common.hpp"
#include "ek_output.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/estimation/gravity.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/reports/gravity.hpp"

namespace hat::cli {

std::string gravity_table(const estimation::GravityFit& f) {
  const auto& e = f.estimates;
  const auto& s = f.std_errors;
  std::string out = "Gravity regression (Eaton-Kortum 2002, Table III, OLS)\n";
  const char* bins[] = {"[0,375)",     "[375,750)",   "[750,1500)",
                        "[1500,3000)", "[3000,6000)", "[6000,max]"};
  out += fmt::format("{:<22}{:>12}{:>12}\n", "", "estimate", "s.e.");
  const bool ek_bins = e.bins.size() == estimation::kDistanceBins;
  for (int b = 0; b < e.bins.size(); ++b)
    out += fmt::format("{:<22}{:>12.5f}{:>12.5f}\n",
                       ek_bins ? std::string("distance ") + bins[b] : std::string("constant"),
                       e.bins(b), s.bins(b));
  for (int j = 0; j < e.coef.size(); ++j) {
    const std::string& c = e.covariate_names[j];
    const std::string label = c == "language" ? "shared language"
                              : c == "ec"     ? "European Community"
                              : c == "efta"   ? "EFTA"
                                              : c;
    out += fmt::format("{:<22}{:>12.5f}{:>12.5f}\n", label, e.coef(j), s.coef(j));
  }
  out += fmt::format("\n{:<10}{:>12}{:>10}{:>12}{:>10}\n", "country", "S_i", "s.e.", "m_n", "s.e.");
  for (size_t i = 0; i < e.countries.size(); ++i)
    out += fmt::format("{:<10}{:>12.5f}{:>10.5f}{:>12.5f}{:>10.5f}\n", e.countries[i], e.S(i),
                       s.S(i), e.m(i), s.m(i));
  out += fmt::format("\nobservations {}, parameters {}, RSS {:.5f}, sigma^2 {:.5f}, R^2 {:.5f}\n",
                     f.n_obs, f.n_params, f.rss, f.sigma2, f.r2);
  return out;
}

void register_gravity(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "gravity", "Gravity regression of EK (2002) Table III with the MODEL.md normalisation");
  struct Opts {
    std::string data, pairs, out;
    std::vector<std::string> covariates;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("--data", o->data,
                  "data directory holding ek2002/ (default: $HAT_DATA_DIR, else ../shared/data)");
  sub->add_option("--pairs", o->pairs,
                  "tidy pairs CSV instead of EK's data (importer,exporter,y,distbin,border,"
                  "language,ec,efta, or importer,exporter,y and the --covariates)");
  sub->add_option("--covariates", o->covariates,
                  "with --pairs: the covariate columns, comma-separated (e.g. "
                  "log_distance,contiguity,rta); no distance bins unless distbin is listed")
      ->delimiter(',');
  sub->add_option("--out", o->out,
                  "output directory (gravity.csv, gravity_fit.csv, figure, manifest)");
  sub->add_flag("--json", o->json, "print one JSON object with the estimates on stdout");
  sub->callback([o] {
    Timer timer;
    if (!o->pairs.empty() && !o->data.empty())
      throw InputError("--data and --pairs are alternatives; give one");
    if (o->pairs.empty() && !o->covariates.empty()) throw InputError("--covariates needs --pairs");
    const data::DataDirArg dir = data_dir_arg(o->data);
    data::GravityData d = o->pairs.empty()
                              ? data::read_ek_gravity(data::resolve_data_dir(dir.dir, dir.source))
                              : data::read_gravity_pairs(o->pairs, o->covariates);
    estimation::GravityRegression reg(d);
    estimation::GravityFit fit = reg.fit(d.y);
    if (o->json) {
      print_json(reports::gravity_fit_json(fit));
    } else {
      fmt::print("{}", gravity_table(fit));
    }
    if (!o->out.empty()) {
      io::OutputDir out(o->out);
      out.add("gravity.csv", reports::gravity_estimates_csv(fit));
      out.add("gravity_fit.csv", reports::gravity_fit_csv(d, fit));
      out.add("gravity_fit.svg", reports::gravity_fit_figure(d, fit));
      nlohmann::json m = io::manifest("gravity");
      for (const auto& f : d.files) manifest_add_file(m, f);
      m["results"] = reports::gravity_fit_json(fit);
      m["seconds"] = timer.seconds();
      out.add_json("manifest.json", m);
      out.commit();
      progress("wrote {}", o->out);
    }
  });
}

}  // namespace hat::cli
