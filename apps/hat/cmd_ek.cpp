// `hat ek estimate` and `hat ek counterfactual`: the Eaton–Kortum (2002) model on EK's own
// 1990 data (MODEL.md §3): estimates of theta and of Tables III, V, VI, VII, and the
// counterfactuals of their §6 under mobile or immobile labour, on the observed shares or on
// EK's gravity baseline. An adapter over models::ek's studies (eaton_kortum/study.hpp).
#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "ek_output.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/models/eaton_kortum/study.hpp"
#include "hat/reports/ek.hpp"

namespace hat::cli {
namespace {

namespace ek = models::ek;

void run_estimate(const std::string& data_opt, const std::string& out_dir, bool json) {
  Timer timer;
  const ek::EkData data = ek::load_data(data_dir_arg(data_opt));
  const ek::EstimateStudy st = ek::run_estimate_study(data);
  if (json)
    print_json(reports::ek_estimate_json(st));
  else
    fmt::print("{}", reports::ek_estimate_text(st));
  if (out_dir.empty()) return;
  io::OutputDir out(out_dir);
  for (const auto& [name, text] : reports::ek_estimate_tables(st)) out.add(name, text);
  out.add("trade_prices.svg", reports::ek_estimate_figure(st));
  nlohmann::json m = io::manifest("ek estimate");
  for (const auto& f : data.raw.files) manifest_add_file(m, f);
  m["results"] = reports::ek_estimate_results(st);
  m["seconds"] = timer.seconds();
  out.add_json("manifest.json", m);
  out.commit();
  progress("wrote {}", out_dir);
}

// A counterfactual that does not converge still writes its outputs, marked with its solver
// status (e.g. "iteration_limit") in the manifest and in scenarios.csv, and the run exits 3; a
// baseline that cannot be solved leaves a manifest marked "failed" (exit 3).
void run_counterfactual(const ek::CounterfactualRequest& req, const std::string& data_opt,
                        const std::string& out_dir, bool json) {
  Timer timer;
  req.validate();
  const ek::EkData data = ek::load_data(data_dir_arg(data_opt));
  ek::ScenarioStudy st;
  marking_failure(out_dir, "ek counterfactual", "", [&] {
    st = ek::run_scenario_study(req, data,
                                message_callback([](std::string_view m) { progress("{}", m); }));
  });
  if (!st.converged()) exit_status() = 3;
  if (json)
    print_json(reports::ek_counterfactual_json(st));
  else
    fmt::print("{}", reports::ek_counterfactual_text(st));
  if (out_dir.empty()) return;
  io::OutputDir out(out_dir);
  for (const auto& [name, text] : reports::ek_counterfactual_tables(st)) out.add(name, text);
  out.add("welfare.svg", reports::ek_counterfactual_figure(st));
  nlohmann::json m = io::manifest("ek counterfactual");
  for (const auto& f : data.raw.files) manifest_add_file(m, f);
  reports::add_ek_counterfactual_manifest(m, st, data.raw.beta);
  m["seconds"] = timer.seconds();
  out.add_json("manifest.json", m);
  out.commit();
  progress("wrote {}", out_dir);
}

}  // namespace

void register_ek(CLI::App& app) {
  auto* ek = app.add_subcommand("ek", "Eaton-Kortum (2002): estimation and counterfactuals");
  ek->require_subcommand(1);
  struct Opts {
    std::string data, out;
    ek::CounterfactualRequest cf;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* est = ek->add_subcommand("estimate", "theta and Tables III, V, VI, VII from EK's raw data");
  est->add_option(
      "--data", o->data,
      "data directory holding ek2002-raw/ (default: $HAT_DATA_DIR, else ../shared/data)");
  est->add_option("--out", o->out, "output directory (CSV, figure, manifest)");
  est->add_flag("--json", o->json, "print one JSON object on stdout");
  est->callback([o] { run_estimate(o->data, o->out, o->json); });

  auto* cf = ek->add_subcommand("counterfactual", "EK section 6 counterfactuals");
  cf->add_option(
      "--data", o->data,
      "data directory holding ek2002-raw/ (default: $HAT_DATA_DIR, else ../shared/data)");
  cf->add_option("--scenario", o->cf.scenario,
                 "autarky | zero_gravity | double_trade | tariff_removal | tariff_removal_us | "
                 "technology_us | technology_deu | all")
      ->required();
  cf->add_option("--labor", o->cf.labor, "mobile | immobile | both (default mobile)");
  cf->add_option("--baseline", o->cf.baseline,
                 "data (observed 1990 shares, default) | ek (EK's gravity-fitted trade costs)");
  cf->add_option("--theta", o->cf.theta,
                 "Fréchet dispersion theta > 0 (trade elasticity -theta; default 8.28)");
  cf->add_option("--alpha", o->cf.alpha,
                 "manufacturing share of final spending (default 0.13481359)");
  cf->add_option("--tolerance", o->cf.tol,
                 "solver tolerance, sup-norm of log residuals (default 1e-11)");
  cf->add_option("--max-iterations", o->cf.max_iter,
                 "Newton iterations of the immobile-labour wage solver (default 200)");
  cf->add_option("--out", o->out, "output directory (CSV, figure, manifest)");
  cf->add_flag("--json", o->json, "print one JSON object on stdout");
  cf->callback([o] { run_counterfactual(o->cf, o->data, o->out, o->json); });
}

}  // namespace hat::cli
