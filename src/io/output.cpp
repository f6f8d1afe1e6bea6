// Atomic file and directory output.
#include "hat/io/output.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hat/core/error.hpp"
#include "hat/io/manifest.hpp"

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

namespace {

// Paths of the temporary directory being written (files first, then directories deepest
// first), NUL-separated, for the signal handler: unlink(2) and rmdir(2) are async-signal-safe,
// so a run interrupted while writing removes its temporary directory and dies of the signal.
std::vector<char> g_cleanup;
volatile std::sig_atomic_t g_cleanup_armed = 0;

extern "C" void remove_temporary_and_reraise(int sig) {
  if (g_cleanup_armed) {
    for (const char* p = g_cleanup.data(); p < g_cleanup.data() + g_cleanup.size();
         p += std::strlen(p) + 1) {
      ::unlink(p);
      ::rmdir(p);
    }
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// Installs the handler for SIGINT and SIGTERM while a directory is written; restores the
// previous handlers (e.g. the calibration's Ctrl-C flag) afterwards.
class CleanupOnSignal {
 public:
  CleanupOnSignal(const fs::path& tmp, const std::vector<std::string>& names) {
    std::vector<std::string> paths, dirs;
    for (const auto& n : names) {
      fs::path f = tmp / n;
      paths.push_back(f.string());
      for (fs::path d = f.parent_path(); d != tmp && d.string().size() > tmp.string().size();
           d = d.parent_path())
        dirs.push_back(d.string());
    }
    std::sort(dirs.begin(), dirs.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    dirs.push_back(tmp.string());
    paths.insert(paths.end(), dirs.begin(), dirs.end());
    std::vector<char> buf;
    for (const auto& p : paths) buf.insert(buf.end(), p.c_str(), p.c_str() + p.size() + 1);
    g_cleanup.swap(buf);
    g_cleanup_armed = 1;
    struct sigaction sa {};
    sa.sa_handler = remove_temporary_and_reraise;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
    // A signal the process was started to ignore (nohup, background jobs) stays ignored.
    if (old_int_.sa_handler == SIG_IGN) sigaction(SIGINT, &old_int_, nullptr);
    if (old_term_.sa_handler == SIG_IGN) sigaction(SIGTERM, &old_term_, nullptr);
  }
  ~CleanupOnSignal() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_cleanup_armed = 0;
  }
  CleanupOnSignal(const CleanupOnSignal&) = delete;
  CleanupOnSignal& operator=(const CleanupOnSignal&) = delete;

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

// ".NAME.KIND.PID" (appended piecewise: GCC 12 warns falsely on chained operator+).
std::string temporary_name(const std::string& name, const char* kind) {
  std::string s = ".";
  s.append(name).append(".").append(kind).append(".").append(std::to_string(::getpid()));
  return s;
}

// Temporaries of runs that no longer exist (killed with SIGKILL, power loss): ".NAME.partial.PID"
// and ".NAME.old.PID" beside the target, removed when their process is gone.
void remove_stale_temporaries(const fs::path& parent, const std::string& name) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(parent.empty() ? fs::path(".") : parent, ec)) {
    const std::string f = e.path().filename().string();
    std::string partial = ".", old = ".";
    partial.append(name).append(".partial.");
    old.append(name).append(".old.");
    for (const std::string& prefix : {partial, old}) {
      if (f.rfind(prefix, 0) != 0) continue;
      const std::string pid = f.substr(prefix.size());
      if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
      const long p = std::strtol(pid.c_str(), nullptr, 10);
      if (p > 0 && p != ::getpid() && ::kill(static_cast<pid_t>(p), 0) == -1 && errno == ESRCH)
        fs::remove_all(e.path(), ec);
    }
  }
}

// Puts the finished directory `tmp` in place of `dir`: a plain rename if `dir` does not exist,
// otherwise an atomic exchange (renameat2 RENAME_EXCHANGE), falling back to two renames where
// the file system cannot exchange. The previous contents are removed afterwards.
void move_into_place(const fs::path& tmp, const fs::path& dir, const std::string& shown) {
  std::error_code ec;
  if (!fs::exists(dir)) {
    fs::rename(tmp, dir, ec);
    if (ec) throw InputError(shown + ": cannot move finished output into place");
    return;
  }
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(tmp, ec);  // now holds the previous contents
    return;
  }
  fs::path old = dir.parent_path() / temporary_name(dir.filename().string(), "old");
  fs::remove_all(old, ec);
  fs::rename(dir, old, ec);
  if (ec) throw InputError(shown + ": cannot replace the existing directory");
  fs::rename(tmp, dir, ec);
  if (ec) {
    fs::rename(old, dir, ec);
    throw InputError(shown + ": cannot move finished output into place");
  }
  fs::remove_all(old, ec);
}

}  // namespace

// Every manifest ("manifest.json" at any depth) gets the common keys and lists the files of its
// own directory and below.
void OutputDir::complete_manifests() {
  for (auto& [mname, mcontent] : files_) {
    const std::string base = "manifest.json";
    if (mname.size() < base.size() || mname.compare(mname.size() - base.size(), base.size(), base))
      continue;
    if (mname.size() > base.size() && mname[mname.size() - base.size() - 1] != '/') continue;
    const std::string prefix = mname.substr(0, mname.size() - base.size());
    nlohmann::json m = nlohmann::json::parse(mcontent, nullptr, false);
    if (m.is_discarded() || !m.is_object()) continue;
    std::vector<std::pair<std::string, std::string_view>> listed;  // no copies of the contents
    for (const auto& [fname, content] : files_)
      if (fname != mname && fname.rfind(prefix, 0) == 0)
        listed.emplace_back(fname.substr(prefix.size()), content);
    complete_manifest(m, listed);
    mcontent = m.dump(2) + "\n";
  }
}

void OutputDir::keep_existing(const std::string& name) {
  keep_.push_back(name);
}

void OutputDir::commit() {
  fs::path dir(dir_);
  if (!dir.has_filename()) dir = dir.parent_path();  // "out/" -> "out"
  std::error_code ec;
  if (fs::exists(dir) && !fs::is_directory(dir))
    throw InputError(dir_ + ": exists and is not a directory");
  const fs::path parent = dir.parent_path();
  if (!parent.empty() && !fs::exists(parent)) {
    fs::create_directories(parent, ec);
    if (ec) throw InputError(dir_ + ": cannot create parent directory (" + ec.message() + ")");
  }
  const std::string name = dir.filename().string();
  remove_stale_temporaries(parent, name);
  // Files of the previous run that this one carries over (e.g. a calibration checkpoint).
  for (const auto& k : keep_) {
    bool have = false;
    for (const auto& f : files_) have = have || f.first == k;
    std::ifstream in(dir / k, std::ios::binary);
    if (!have && in) {
      std::stringstream ss;
      ss << in.rdbuf();
      files_.emplace_back(k, ss.str());
    }
  }
  complete_manifests();
  const fs::path tmp = (parent.empty() ? fs::path(".") : parent) / temporary_name(name, "partial");
  fs::remove_all(tmp, ec);
  fs::create_directory(tmp, ec);
  if (ec) throw InputError(dir_ + ": cannot create output directory (" + ec.message() + ")");
  {
    CleanupOnSignal guard(tmp, names());
    try {
      for (const auto& [fname, content] : files_) {
        fs::path fp = tmp / fname;
        fs::create_directories(fp.parent_path(), ec);
        std::ofstream out(fp, std::ios::binary);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) throw InputError((dir / fname).string() + ": write failed (disk full?)");
      }
      move_into_place(tmp, parent.empty() ? fs::path(name) : dir, dir_);
    } catch (...) {
      fs::remove_all(tmp, ec);
      throw;
    }
  }
}

}  // namespace hat::io
