// Atomic outputs: a run's files are collected in memory and written together at the end, into
// a temporary sibling directory that is renamed into place, so a failed run never leaves a
// half-written output directory, and a single file is never left half-written either.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace hat::io {

// Writes `content` to `path` via a temporary file in the same directory and rename(2).
void write_file_atomic(const std::string& path, const std::string& content);

class OutputDir {
 public:
  explicit OutputDir(std::string dir) : dir_(std::move(dir)) {}
  void add(const std::string& name, std::string content);
  void add_json(const std::string& name, const nlohmann::json& j);
  // Writes every file. If the directory does not exist it appears complete or not at all; if
  // it exists, each file is replaced atomically.
  void commit();
  const std::string& dir() const { return dir_; }
  std::vector<std::string> names() const;
  // The collected files (name, content) in the order added; nothing is written (for callers
  // that hand the tables on in memory, e.g. the Python package).
  const std::vector<std::pair<std::string, std::string>>& files() const { return files_; }

 private:
  std::string dir_;
  std::vector<std::pair<std::string, std::string>> files_;
};

}  // namespace hat::io
