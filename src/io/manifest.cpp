// Run manifests.
#include "hat/io/manifest.hpp"

#include <omp.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>

#include "hat/core/build_info.hpp"
#include "hat/core/parallel.hpp"
#include "hat/core/sha256.hpp"

namespace hat::io {
namespace {

std::vector<std::string>& command_line() {
  static std::vector<std::string> argv;
  return argv;
}

// Statuses found under `j` (objects with a string "status"), depth first.
void collect_statuses(const nlohmann::json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    if (auto it = j.find("status"); it != j.end() && it->is_string()) out.push_back(*it);
    for (const auto& v : j) collect_statuses(v, out);
  } else if (j.is_array()) {
    for (const auto& v : j) collect_statuses(v, out);
  }
}

std::string status_from_solvers(const nlohmann::json& solvers) {
  std::vector<std::string> found;
  collect_statuses(solvers, found);
  if (found.empty()) return "ok";
  for (const auto& s : found)
    if (s != "converged" && s != "ok") return s;
  return "converged";
}

// Adds bytes and sha256 to an input entry: from its recorded text, else from the file itself.
void checksum_input(nlohmann::json& in) {
  if (!in.is_object() || in.contains("sha256")) return;
  std::string text;
  if (auto c = in.find("content"); c != in.end() && c->is_string()) {
    text = c->get<std::string>();
  } else if (auto p = in.find("path"); p != in.end() && p->is_string()) {
    std::ifstream f(p->get<std::string>(), std::ios::binary);
    if (!f) return;
    std::ostringstream ss;
    ss << f.rdbuf();
    text = ss.str();
  } else {
    return;
  }
  in["bytes"] = text.size();
  in["sha256"] = sha256_hex(text);
}

}  // namespace

void set_command_line(int argc, const char* const* argv) {
  command_line().assign(argv, argv + argc);
}

nlohmann::json manifest(const std::string& command) {
  nlohmann::json m;
  m["program"] = "hat";
  m["command"] = command;
  m["version"] = hat::version();
  m["git_commit"] = hat::git_commit();
  m["threads"] = omp_get_max_threads();
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  m["created_utc"] = buf;
  m["inputs"] = nlohmann::json::array();
  m["argv"] = command_line();
  m["schema_version"] = kManifestSchemaVersion;
  return m;
}

void manifest_add_input(nlohmann::json& m, const std::string& path, const std::string& text) {
  m["inputs"].push_back(
      {{"path", path}, {"content", text}, {"bytes", text.size()}, {"sha256", sha256_hex(text)}});
}

void complete_manifest(nlohmann::json& m,
                       const std::vector<std::pair<std::string, std::string_view>>& outputs) {
  if (!m.is_object()) return;
  if (!m.contains("schema_version")) m["schema_version"] = kManifestSchemaVersion;
  if (!m.contains("argv")) m["argv"] = command_line();
  if (!m.contains("solvers")) {
    m["solvers"] = m.contains("solver") ? m["solver"] : nlohmann::json::object();
    m.erase("solver");
  }
  if (!m.contains("timings")) {
    m["timings"] = nlohmann::json::object();
    if (m.contains("seconds")) m["timings"]["total_seconds"] = m["seconds"];
    m.erase("seconds");
  }
  if (!m.contains("status")) m["status"] = status_from_solvers(m["solvers"]);
  if (!m.contains("inputs") || !m["inputs"].is_array()) m["inputs"] = nlohmann::json::array();
  for (auto& in : m["inputs"]) checksum_input(in);
  // The checksums in parallel (a world's policies.csv alone has tens of megabytes).
  std::vector<std::string> sums(outputs.size());
  const long n = static_cast<long>(outputs.size());
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (long k = 0; k < n; ++k) errors.run(k, [&] { sums[k] = sha256_hex(outputs[k].second); });
  errors.rethrow();
  nlohmann::json files = nlohmann::json::array();
  for (size_t k = 0; k < outputs.size(); ++k)
    files.push_back({{"name", outputs[k].first},
                     {"bytes", outputs[k].second.size()},
                     {"sha256", std::move(sums[k])}});
  m["files"] = std::move(files);
}

nlohmann::json to_json(const SolverReport& r) {
  return {{"status", to_string(r.status)},
          {"iterations", r.iterations},
          {"residual", r.residual},
          {"seconds", r.seconds},
          {"message", r.message}};
}

nlohmann::json without_timings(nlohmann::json j) {
  auto timing = [](const std::string& k) {
    return k == "seconds" || (k.size() > 8 && k.compare(k.size() - 8, 8, "_seconds") == 0);
  };
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = j.begin(); it != j.end(); ++it)
      if (!timing(it.key())) out[it.key()] = without_timings(it.value());
    return out;
  }
  if (j.is_array())
    for (auto& e : j) e = without_timings(e);
  return j;
}

void add_summary_and_manifest(OutputDir& out, nlohmann::json manifest,
                              const nlohmann::json& summary) {
  manifest["summary"] = summary;
  nlohmann::json file_summary = without_timings(summary);
  if (file_summary.is_object()) file_summary.erase("timings");
  out.add_json("summary.json", file_summary);
  out.add_json("manifest.json", manifest);
}

}  // namespace hat::io
