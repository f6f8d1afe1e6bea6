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

#include "hat/estimation/gravity.hpp"

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

}  // namespace hat::cli
