// Output helpers shared by the gravity and Eaton-Kortum subcommands.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "hat/calibration/gravity.hpp"

namespace hat::cli {

// Records an input file in a manifest by path, size and FNV-1a 64-bit checksum.
inline void manifest_add_file(nlohmann::json& m, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string s = ss.str();
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  m["inputs"].push_back({{"path", std::filesystem::absolute(path).lexically_normal().string()},
                         {"bytes", s.size()},
                         {"fnv1a64", fmt::format("{:016x}", h)}});
}

inline nlohmann::json gravity_json(const calibration::GravityEstimates& e) {
  nlohmann::json j;
  j["bins"] = std::vector<double>(e.bins.data(), e.bins.data() + e.bins.size());
  j["border"] = e.border;
  j["language"] = e.language;
  j["ec"] = e.ec;
  j["efta"] = e.efta;
  nlohmann::json S = nlohmann::json::object(), m = nlohmann::json::object();
  for (size_t i = 0; i < e.countries.size(); ++i) {
    S[e.countries[i]] = e.S(i);
    m[e.countries[i]] = e.m(i);
  }
  j["S"] = S;
  j["m"] = m;
  return j;
}

// Tidy CSV of a gravity fit: parameter, country, estimate, std_error (cmd_gravity.cpp).
std::string gravity_csv(const calibration::GravityFit& f);

}  // namespace hat::cli
