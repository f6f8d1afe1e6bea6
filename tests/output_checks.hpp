// Reading what a run wrote: a file's bytes, and whether any output holds a non-finite number
// written as text (outputs write missing values as empty cells or null, never NaN/Inf).
#pragma once

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace hat::test {

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// True if any file under `dir` (figures aside) has "nan", "inf" or "Infinity" as a value.
inline bool has_nonfinite_text(const std::filesystem::path& dir) {
  static const std::regex bad("(^|[,:\\[ ])-?(nan|NaN|inf|Inf|Infinity)\\b", std::regex::multiline);
  if (!std::filesystem::exists(dir)) return false;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() != ".svg" &&
        std::regex_search(read_text(e.path()), bad))
      return true;
  return false;
}

}  // namespace hat::test
