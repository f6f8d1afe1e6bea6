// Atomic file and directory output.
#include "hat/io/output.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "hat/core/error.hpp"

namespace fs = std::filesystem;

namespace hat::io {

void write_file_atomic(const std::string& path, const std::string& content) {
  fs::path p(path);
  fs::path tmp = p;
  tmp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path + ": cannot write (directory missing or not writable?)");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw InputError(path + ": write failed (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw InputError(path + ": cannot rename temporary file into place");
  }
}

void OutputDir::add(const std::string& name, std::string content) {
  for (auto& f : files_)
    if (f.first == name) {
      f.second = std::move(content);
      return;
    }
  files_.emplace_back(name, std::move(content));
}

void OutputDir::add_json(const std::string& name, const nlohmann::json& j) {
  add(name, j.dump(2) + "\n");
}

std::vector<std::string> OutputDir::names() const {
  std::vector<std::string> n;
  for (const auto& f : files_) n.push_back(f.first);
  return n;
}

void OutputDir::merge(OutputDir&& other, const std::string& prefix) {
  for (auto& [name, content] : other.files_) add(prefix + name, std::move(content));
  other.files_.clear();
}

void OutputDir::commit() {
  fs::path dir(dir_);
  std::error_code ec;
  if (!fs::exists(dir)) {
    fs::path parent = dir.parent_path();
    if (!parent.empty() && !fs::exists(parent)) {
      fs::create_directories(parent, ec);
      if (ec) throw InputError(dir_ + ": cannot create parent directory");
    }
    fs::path tmp = dir;
    tmp += ".partial." + std::to_string(::getpid());
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec) throw InputError(dir_ + ": cannot create output directory");
    try {
      for (const auto& [name, content] : files_) {
        fs::path fp = tmp / name;
        fs::create_directories(fp.parent_path(), ec);
        std::ofstream out(fp, std::ios::binary);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        if (!out) throw InputError((dir / name).string() + ": write failed");
      }
    } catch (...) {
      fs::remove_all(tmp, ec);
      throw;
    }
    fs::rename(tmp, dir, ec);
    if (ec) {
      fs::remove_all(tmp, ec);
      throw InputError(dir_ + ": cannot move finished output into place");
    }
    return;
  }
  if (!fs::is_directory(dir)) throw InputError(dir_ + ": exists and is not a directory");
  for (const auto& [name, content] : files_) {
    fs::path fp = dir / name;
    fs::create_directories(fp.parent_path(), ec);
    write_file_atomic(fp.string(), content);
  }
}

}  // namespace hat::io
