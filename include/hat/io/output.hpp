// Atomic outputs: a run's files are collected in memory and written together at the end, into
// a fresh temporary sibling directory (".NAME.partial.PID") that is renamed into place. An
// existing directory is replaced only as a whole (atomic exchange), so a failed or interrupted
// run leaves either the previous directory or nothing, never a mixture; SIGINT/SIGTERM while
// writing remove the temporary, and temporaries of dead processes are removed by the next run.
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
  // Moves the files of `other` into this directory, their names prefixed (e.g. "log/").
  void merge(OutputDir&& other, const std::string& prefix);
  // Carries `name` over from the existing directory (unless this run adds its own), e.g. the
  // checkpoint that a calibration keeps in its output directory.
  void keep_existing(const std::string& name);
  // Writes every file into a temporary directory and puts it in place of dir() as a whole;
  // manifests get the common keys and the list of files with their checksums first.
  void commit();
  const std::string& dir() const { return dir_; }
  std::vector<std::string> names() const;
  // The collected files (name, content) in the order added; nothing is written (for callers
  // that hand the tables on in memory, e.g. the Python package).
  const std::vector<std::pair<std::string, std::string>>& files() const { return files_; }

 private:
  void complete_manifests();

  std::string dir_;
  std::vector<std::pair<std::string, std::string>> files_;
  std::vector<std::string> keep_;
};

}  // namespace hat::io
