// The calibration study: set-up from a config, checkpoints and resume, and the result tables.
#include "hat/calibration/study.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hat/core/bytes.hpp"
#include "hat/core/error.hpp"
#include "hat/core/timer.hpp"
#include "hat/data/data_table.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/world/config.hpp"
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
  setup.joint_impact_savings = ct.boolean("impact_savings", setup.joint_impact_savings);
  setup.checkpoint_every =
      ct.integer_in("checkpoint_every", 20, 1, 1000000, "evaluations between checkpoints");
  ct.reject_unknown();
  if (!file.root().has("data"))
    throw InputError(file.path() + ": calibration needs a [data] table (the data set)");
  world::WorldConfig wc = estimation::read_world_config(file, data_dir);
  if (threads) *threads = wc.threads;
  setup.world = wc.world;
  setup.start = wc.start;
  setup.static_start = !wc.wages_given;
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

// The checkpoint state's hash: FNV-1a's step over 8-byte words (then the tail bytes), about
// eight times faster than config_fingerprint's byte loop, which took half the cost of a 30 MB
// checkpoint. Checkpoints before it carry "state_fnv1a" (the byte loop), still accepted.
std::string state_hash(const std::string& bytes) {
  std::uint64_t h = 1469598103934665603ull;
  const size_t words = bytes.size() / 8;
  for (size_t k = 0; k < words; ++k) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + 8 * k, 8);
    h = (h ^ w) * 1099511628211ull;
  }
  for (size_t k = 8 * words; k < bytes.size(); ++k)
    h = (h ^ static_cast<unsigned char>(bytes[k])) * 1099511628211ull;
  return fmt::format("{:016x}", h);
}

constexpr const char* kStateMagic = "hat calibration state 1";

std::vector<std::string> unknown_names(const CalibrationSetup& setup) {
  std::vector<std::string> names = parameter_names(setup.world.names, setup.data);
  for (const auto& s :
       world::unknown_names(setup.world, calibration_equilibrium(setup.equilibrium)))
    names.push_back(s);
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
                        {"state_hash", state_hash(b.bytes())}};
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
  const std::string hash = j.contains("state_hash") ? state_hash(bytes) : config_fingerprint(bytes);
  if (j.value("state_bytes", std::uint64_t{0}) != bytes.size() ||
      j.value(j.contains("state_hash") ? "state_hash" : "state_fnv1a", std::string()) != hash)
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

}  // namespace hat::calibration
