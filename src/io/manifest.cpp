// Run manifests.
#include "hat/io/manifest.hpp"

#include <omp.h>

#include <chrono>
#include <ctime>

#include "hat/core/build_info.hpp"

namespace hat::io {

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
  return m;
}

void manifest_add_input(nlohmann::json& m, const std::string& path, const std::string& text) {
  m["inputs"].push_back({{"path", path}, {"content", text}});
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

}  // namespace hat::io
