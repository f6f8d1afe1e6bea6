// The calibration study: set-up from a config, checkpoints and resume, and the result tables.
#include "hat/calibration/study.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hat/core/bytes.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/data/data_table.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/world/config.hpp"
#include "hat/world/outputs.hpp"
#include "hat/world/study.hpp"

namespace hat::calibration {

namespace fs = std::filesystem;

CalibrationSetup read_calibration_setup(const io::ConfigFile& file, int* threads,
                                        const data::DataDirArg& data_dir) {
  io::ConfigTable ct = file.root().table("calibration");
  CalibrationSetup setup;
  setup.moment_tolerance = ct.number("moment_tolerance", 1e-6);
  if (!(setup.moment_tolerance > 0)) ct.fail("moment_tolerance", "must be > 0");
  setup.max_evaluations = ct.integer_in("max_evaluations", 500, 1, 1000000, "an evaluation cap");
  setup.fd_step = ct.number("fd_step", 1e-6);
  if (!(setup.fd_step > 0)) ct.fail("fd_step", "must be > 0");
  setup.joint_jacobian = ct.choice("jacobian", world::kJacobianNames, setup.joint_jacobian);
  ct.reject_unknown();
  if (!file.root().has("data"))
    throw InputError(file.path() + ": calibration needs a [data] table (the data set)");
  world::WorldConfig wc = world::read_world_config(file, data_dir);
  if (threads) *threads = wc.threads;
  setup.world = wc.world;
  setup.start = wc.start;
  setup.equilibrium = wc.options;
  // The data's own log normalised shares and geography.
  data::DataTable dtab = data::read_data_table(file, data_dir);
  setup.data = std::move(dtab.gravity);
  setup.theta = dtab.theta;
  return setup;
}

std::string config_fingerprint(const std::string& text) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return fmt::format("{:016x}", h);
}

namespace {

constexpr const char* kStateMagic = "hat calibration state 1";

std::vector<std::string> unknown_names(const CalibrationSetup& setup) {
  std::vector<std::string> names = parameter_names(setup.world.names, setup.data);
  for (const auto& s : world::unknown_names(setup.world, setup.equilibrium)) names.push_back(s);
  return names;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw InputError(path + ": not valid JSON (" + std::string(e.what()) + ")");
  }
}

Eigen::VectorXd read_x(const std::string& path, long expected) {
  const nlohmann::json j = read_json(path);
  if (!j.is_object() || !j.contains("x") || !j["x"].is_array())
    throw InputError(path + ": no array \"x\" (expected a checkpoint.json or result.json)");
  std::vector<double> v;
  for (const auto& e : j["x"]) {
    if (!e.is_number()) throw InputError(path + ": \"x\" has a non-numeric entry");
    v.push_back(e.get<double>());
  }
  if (static_cast<long>(v.size()) != expected)
    throw InputError(path + ": \"x\" has " + std::to_string(v.size()) +
                     " entries, this config needs " + std::to_string(expected));
  return Eigen::Map<Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes checkpoints into a directory: the state file first (the slot not named by the current
// checkpoint.json), then checkpoint.json naming it.
class CheckpointWriter {
 public:
  CheckpointWriter(std::string dir, const io::ConfigFile& file, std::vector<std::string> names)
      : dir_(std::move(dir)), file_(file), names_(std::move(names)) {
    const std::string json = dir_ + "/checkpoint.json";
    std::ifstream in(json);
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_object() && j.value("state", std::string()) == "checkpoint.state.0") slot_ = 1;
  }
  void write(const CalibrationCheckpoint& c) {
    ByteWriter b;
    b.put(std::string(kStateMagic));
    b.put(c.stage);
    b.put(c.start);
    b.put(c.stage1_evaluations);
    b.put(c.stage1_jacobians);
    b.put(c.system.bytes);
    b.put(c.system.evaluations);
    b.put(c.system.best_x);
    b.put(c.system.best_norm);
    const std::string state = "checkpoint.state." + std::to_string(slot_);
    io::write_file_atomic(dir_ + "/" + state, b.bytes());
    nlohmann::json j = {{"program", "hat calibrate"},
                        {"config", file_.path()},
                        {"config_fingerprint", config_fingerprint(file_.text())},
                        {"evaluations", c.evaluations},
                        {"stage", c.stage},
                        {"names", names_},
                        {"x", std::vector<double>(c.x.data(), c.x.data() + c.x.size())},
                        {"state", state},
                        {"state_bytes", b.bytes().size()},
                        {"state_fnv1a", config_fingerprint(b.bytes())}};
    j["scaled_residual_norm"] = std::isfinite(c.norm) ? nlohmann::json(c.norm) : nullptr;
    io::write_file_atomic(dir_ + "/checkpoint.json", j.dump(1) + "\n");
    slot_ = 1 - slot_;
  }

 private:
  std::string dir_;
  const io::ConfigFile& file_;
  std::vector<std::string> names_;
  int slot_ = 0;
};

// The checkpoint of `dir` for this config; false if it holds no solver state (a checkpoint of
// an older version: only its point can be used).
bool read_checkpoint(const std::string& dir, const io::ConfigFile& file, CalibrationCheckpoint& c) {
  const std::string path = dir + "/checkpoint.json";
  if (!fs::exists(path)) throw InputError(path + ": no checkpoint to resume from");
  const nlohmann::json j = read_json(path);
  if (!j.is_object()) throw InputError(path + ": not a checkpoint (no JSON object)");
  // --resume refuses a checkpoint written for another config (its point would be resumed
  // under different data or model settings without notice); --init is the way to start from it.
  if (j.contains("config_fingerprint") &&
      j["config_fingerprint"] != config_fingerprint(file.text()))
    throw InputError(path + ": written for another config (" + j.value("config", std::string("?")) +
                     ", not this text of " + file.path() +
                     "); run without --resume, or start from its point with --init " + path);
  if (!j.contains("state") || !j["state"].is_string()) return false;
  const std::string name = j["state"];
  if (name != "checkpoint.state.0" && name != "checkpoint.state.1")
    throw InputError(path + ": \"state\" must name checkpoint.state.0 or .1");
  const std::string bytes = read_bytes(dir + "/" + name);
  if (j.value("state_bytes", std::uint64_t{0}) != bytes.size() ||
      j.value("state_fnv1a", std::string()) != config_fingerprint(bytes))
    throw InputError(dir + "/" + name + ": does not match " + path +
                     " (size or hash); start from its point with --init " + path);
  ByteReader b(bytes, dir + "/" + name);
  if (b.get_string() != kStateMagic)
    throw InputError(dir + "/" + name + ": not a calibration state of this version");
  c.stage = b.get<int>();
  c.start = b.get_vector();
  c.stage1_evaluations = b.get<int>();
  c.stage1_jacobians = b.get<int>();
  c.system.bytes = b.get_string();
  c.system.evaluations = b.get<int>();
  c.system.best_x = b.get_vector();
  c.system.best_norm = b.get<double>();
  if (c.stage != 1 && c.stage != 2) throw InputError(dir + "/" + name + ": corrupt stage");
  return true;
}

// Progress line of an evaluation; the ETA once the best norm falls geometrically (evaluations
// to reach 1 at the recent rate).
struct ProgressLines {
  std::vector<double> history;  // best scaled norm after each evaluation
  double best = INFINITY;
  std::string line(int it, double mom, double eq, double nrm, double sec) {
    if (std::isfinite(mom)) best = std::min(best, nrm);
    history.push_back(best);
    std::string eta = "unknown";
    const size_t h = history.size();
    if (h >= 6 && history[h - 1] < history[h - 6] && history[h - 1] > 1.0) {
      const double rate = std::log(history[h - 6] / history[h - 1]) / 5.0;
      const double remaining = std::log(history[h - 1]) / rate;
      if (std::isfinite(remaining) && remaining < 1e4)
        eta = fmt::format("{:.0f}s", remaining * sec / std::max(it, 1));
    }
    if (!std::isfinite(mom))
      return fmt::format(
          "evaluation {:4d}  clearing markets at the starting parameters  equilibrium residual "
          "{:.3e}  elapsed {:.1f}s",
          it, eq, sec);
    return fmt::format(
        "evaluation {:4d}  max moment error {:.3e}  equilibrium residual {:.3e}  elapsed {:.1f}s  "
        "ETA {}",
        it, mom, eq, sec, eta);
  }
};

}  // namespace

void StudyOptions::validate() const {
  check_option(max_evaluations >= 0, "StudyOptions.max_evaluations", ">= 0 (0: the config's cap)");
  check_option(!resume || !checkpoint_dir.empty(), "StudyOptions.checkpoint_dir",
               "given with resume (it holds the checkpoint)");
  check_option(init.empty() || init_x.size() == 0, "StudyOptions.init",
               "empty when init_x is given (they are alternatives)");
  check_option(init_x.allFinite(), "StudyOptions.init_x", "finite");
}

Study run_study(const io::ConfigFile& file, CalibrationSetup setup, const StudyOptions& o) {
  o.validate();
  Timer timer;
  Study s;
  if (o.max_evaluations > 0) setup.max_evaluations = o.max_evaluations;
  s.names = unknown_names(setup);
  const long n = static_cast<long>(s.names.size());
  auto say = [&](const std::string& line) {
    Progress p;
    p.solver = "calibration";
    p.message = line;
    report(o.progress, p);  // a stop takes effect after the next evaluation
  };
  Eigen::VectorXd x0;
  CalibrationCheckpoint resume;
  if (o.resume) {
    const std::string path = o.checkpoint_dir + "/checkpoint.json";
    if (read_checkpoint(o.checkpoint_dir, file, resume)) {
      if (resume.start.size() != n)
        throw InputError(path + ": its starting point has " + std::to_string(resume.start.size()) +
                         " entries, this config needs " + std::to_string(n));
      setup.resume = &resume;
      say(fmt::format("resuming from {} (evaluation {})", path,
                      resume.stage == 2 ? resume.stage1_evaluations + resume.system.evaluations
                                        : resume.system.evaluations));
    } else {
      x0 = read_x(path, n);
      say("resuming from the point of " + path + " (it holds no solver state)");
    }
  } else if (!o.init.empty()) {
    x0 = read_x(o.init, n);
    say("starting from " + o.init);
  } else if (o.init_x.size()) {
    if (o.init_x.size() != n)
      throw InputError("init: " + std::to_string(o.init_x.size()) + " entries, this config needs " +
                       std::to_string(n));
    x0 = o.init_x;
  }
  std::unique_ptr<CheckpointWriter> ckpt;
  if (!o.checkpoint_dir.empty()) {
    fs::create_directories(o.checkpoint_dir);
    ckpt = std::make_unique<CheckpointWriter>(o.checkpoint_dir, file, s.names);
    setup.on_checkpoint = [&](const CalibrationCheckpoint& c) { ckpt->write(c); };
  }
  ProgressLines lines;
  if (o.progress)
    setup.progress = [&](const Progress& p) {
      const std::string line =
          lines.line(p.iteration, p.moment_error, p.equilibrium_residual, p.residual, p.seconds);
      Progress q = p;
      q.message = line;
      return o.progress(q);
    };
  s.result = calibrate(setup, x0);
  setup.progress = nullptr;
  setup.on_checkpoint = nullptr;
  setup.resume = nullptr;
  s.setup = std::move(setup);
  s.seconds = timer.seconds();
  if (!s.result.state.countries.empty())
    s.euler = world::country_euler_errors(s.result.state, household::EulerGrid::Solution);
  return s;
}

nlohmann::json study_summary(const Study& s) {
  const auto& res = s.result;
  const auto& cp = res.parameters;
  const auto& names = s.setup.world.names;
  nlohmann::json params, ltfp, meff;
  for (int i = 0; i < s.setup.world.size(); ++i) {
    ltfp[names[i]] = cp.log_tfp(i);
    meff[names[i]] = cp.costs.m(i);
  }
  params["log_tfp"] = ltfp;
  params["importer_effect"] = meff;
  if (s.setup.data.has_bins())
    params["bins"] = std::vector<double>(cp.costs.bins.data(), cp.costs.bins.data() + 6);
  else
    params["constant"] = cp.costs.bins(0);
  for (size_t j = 0; j < s.setup.data.covariate_names.size(); ++j)
    params[s.setup.data.covariate_names[j]] = cp.costs.coef(static_cast<Eigen::Index>(j));
  return {{"status", to_string(res.report.status)},
          {"message", res.report.message},
          {"max_moment_error", res.max_moment_error},
          {"equilibrium_residual", res.equilibrium_residual},
          {"evaluations", res.evaluations},
          {"jacobians", res.jacobians},
          {"seconds", s.seconds},
          {"R", res.state.prices.R(0)},
          {"beta", res.state.prices.beta},
          {"parameters", params}};
}

nlohmann::json result_json(const io::ConfigFile& file, const Study& s) {
  const auto& res = s.result;
  const double norm = std::max(res.max_moment_error / s.setup.moment_tolerance,
                               res.equilibrium_residual / s.setup.equilibrium.tolerance);
  return {{"program", "hat calibrate"},
          {"config", file.path()},
          {"config_fingerprint", config_fingerprint(file.text())},
          {"evaluations", res.evaluations},
          {"scaled_residual_norm", norm},
          {"names", s.names},
          {"x", std::vector<double>(res.x.data(), res.x.data() + res.x.size())}};
}

// parameters.csv: value and, for trade-cost parameters, the cost factor exp(-x/theta).
std::string parameters_csv(const Study& s) {
  const auto& cp = s.result.parameters;
  const int N = s.setup.world.size();
  const double theta = s.setup.theta;
  io::CsvWriter pc({"name", "kind", "value", "cost_factor"});
  const Eigen::VectorXd xp = pack_parameters(cp);
  for (int k = 0; k < xp.size(); ++k) {
    const bool tfp = k < N - 1;
    pc.cell(s.names[k])
        .cell(tfp ? "log_tfp" : "trade_cost")
        .cell(xp(k))
        .cell(tfp ? NAN : std::exp(-xp(k) / theta));
    pc.end_row();
  }
  pc.cell("importer_effect_" + s.setup.world.names[N - 1])
      .cell("trade_cost")
      .cell(cp.costs.m(N - 1))
      .cell(std::exp(-cp.costs.m(N - 1) / theta));
  pc.end_row();
  return pc.str();
}

std::string fit_csv(const Study& s) {
  const auto& res = s.result;
  io::CsvWriter fit({"moment", "data", "model", "difference"});
  for (int k = 0; k < res.data_moments.size(); ++k) {
    fit.cell(res.moment_names[k])
        .cell(res.data_moments(k))
        .cell(res.model_moments(k))
        .cell(res.model_moments(k) - res.data_moments(k));
    fit.end_row();
  }
  return fit.str();
}

// Row labels of the trade-cost parameters in table1.md: EK's words for EK's design.
std::vector<std::string> barrier_labels(const data::GravityData& d) {
  std::vector<std::string> out;
  if (d.has_bins())
    for (const char* b : {"[0, 375) miles", "[375, 750)", "[750, 1500)", "[1500, 3000)",
                          "[3000, 6000)", "[6000, max]"})
      out.push_back(std::string("distance ") + b);
  else
    out.push_back("constant");
  for (const auto& c : d.covariate_names) {
    if (c == "border")
      out.push_back("shared border");
    else if (c == "language")
      out.push_back("shared language");
    else if (c == "ec")
      out.push_back("European Community");
    else if (c == "efta")
      out.push_back("EFTA");
    else
      out.push_back(c);
  }
  return out;
}

// A table in the style of the paper's Table 1.
std::string table1_markdown(const Study& s) {
  const auto& res = s.result;
  const auto& cp = res.parameters;
  const int N = s.setup.world.size();
  const Eigen::VectorXd xp = pack_parameters(cp);
  std::string md = "| barrier | data moment | model fit | parameter | cost factor exp(-x/" +
                   fmt::format("{}", s.setup.theta) + ") |\n|---|---:|---:|---:|---:|\n";
  const int b0 = 2 * (N - 1);
  const std::vector<std::string> labels = barrier_labels(s.setup.data);
  for (int k = 0; k < static_cast<int>(labels.size()); ++k) {
    const std::string& label = labels[k];
    md +=
        fmt::format("| {} | {:.4f} | {:.4f} | {:.4f} | {:.4f} |\n", label, res.data_moments(b0 + k),
                    res.model_moments(b0 + k), xp(b0 + k), std::exp(-xp(b0 + k) / s.setup.theta));
  }
  md +=
      "\n| country | S_i data | S_i model | log A_i | m_n data | m_n model | importer effect |\n"
      "|---|---:|---:|---:|---:|---:|---:|\n";
  estimation::GravityRegression reg(s.setup.data);
  estimation::GravityEstimates de = reg.estimates(res.data_moments),
                               me = reg.estimates(res.model_moments);
  for (int i = 0; i < N; ++i)
    md += fmt::format("| {} | {:.4f} | {:.4f} | {:.4f} | {:.4f} | {:.4f} | {:.4f} |\n",
                      s.setup.world.names[i], de.S(i), me.S(i), cp.log_tfp(i), de.m(i), me.m(i),
                      cp.costs.m(i));
  return md;
}

void add_study_outputs(io::OutputDir& out, const io::ConfigFile& file, const Study& s,
                       bool policies) {
  const auto& res = s.result;
  const auto& setup = s.setup;
  out.keep_existing("checkpoint.json");  // --resume continues from it
  out.keep_existing("checkpoint.state.0");
  out.keep_existing("checkpoint.state.1");
  out.add("parameters.csv", parameters_csv(s));
  out.add("fit.csv", fit_csv(s));
  out.add("table1.md", table1_markdown(s));
  // Model vs data normalised trade shares.
  estimation::GravityRegression reg(setup.data);
  io::Plot fig;
  fig.title =
      "Normalised trade shares: model vs data (" + std::to_string(setup.data.n_pairs()) + " pairs)";
  fig.xlabel = "data  log(X_ni / X_nn)";
  fig.ylabel = "model  log(M_ni / M_nn)";
  fig.diagonal = true;
  io::Series se;
  se.line = false;
  se.label = "country pairs";
  const Eigen::VectorXd ym = reg.log_normalised_flows(res.state.imports);
  for (long q = 0; q < setup.data.n_pairs(); ++q) {
    se.x.push_back(setup.data.y(q));
    se.y.push_back(ym(q));
  }
  fig.series.push_back(se);
  out.add("trade_shares_model_vs_data.svg", fig.render());
  io::CsvWriter pairs({"importer", "exporter", "data_log_share", "model_log_share"});
  for (long q = 0; q < setup.data.n_pairs(); ++q) {
    pairs.cell(setup.data.countries[setup.data.importer[q]])
        .cell(setup.data.countries[setup.data.exporter[q]])
        .cell(setup.data.y(q))
        .cell(ym(q));
    pairs.end_row();
  }
  out.add("pair_fit.csv", pairs.str());
  world::add_world_outputs(out, res.world, res.state,
                           world::residual_names(res.world, setup.equilibrium), s.euler, policies);
  out.add("calibrated_world.toml",
          world::world_to_toml(res.world, res.state.prices, setup.equilibrium));
  out.add_json("result.json", result_json(file, s));
  const nlohmann::json summary = study_summary(s);
  nlohmann::json man = io::manifest("calibrate");
  io::manifest_add_input(man, file.path(), file.text());
  for (const auto& f : setup.data.files) man["inputs"].push_back({{"path", f}});
  man["status"] = summary["status"];
  man["solvers"]["calibration"] = io::to_json(res.report);
  man["solvers"]["calibration"]["evaluations"] = res.evaluations;
  man["solvers"]["calibration"]["jacobians"] = res.jacobians;
  man["timings"] = {{"total_seconds", s.seconds}};
  man["summary"] = summary;
  out.add_json("summary.json", io::without_timings(summary));
  out.add_json("manifest.json", man);
}

}  // namespace hat::calibration
