// TOML configuration access with strict checking: every value read names its file, table and
// key in error messages, and keys that no reader asked for are reported as unknown (a typo in a
// config must not be silently ignored).
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hat/core/enum_names.hpp"

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace hat::io {

class ConfigTable {
 public:
  ConfigTable() = default;
  ConfigTable(const toml::table* table, std::string file, std::string where);

  bool has(const std::string& key) const;
  bool empty() const { return table_ == nullptr; }
  // "[model]" or "" for the top level; used in messages.
  const std::string& where() const { return where_; }
  const std::string& file() const { return file_; }

  double number(const std::string& key) const;  // required
  double number(const std::string& key, double fallback) const;
  long integer(const std::string& key) const;
  long integer(const std::string& key, long fallback) const;
  // An integer in [lo, hi], checked before any narrowing; otherwise an InputError giving the
  // range and `why` (the reason for the limit, e.g. "memory grows with it").
  int integer_in(const std::string& key, long fallback, long lo, long hi,
                 const std::string& why = "") const;
  bool boolean(const std::string& key, bool fallback) const;
  std::string string(const std::string& key) const;
  std::string string(const std::string& key, const std::string& fallback) const;
  // The enumerator that string `key` names in `names` (`fallback` when absent), so that the
  // accepted values come from the enum's one name table; otherwise an InputError
  // "<file>: <where> <key>: 'x' is not one of "a" or "b"".
  template <typename E, std::size_t N>
  E choice(const std::string& key, const EnumNames<E, N>& names, E fallback) const {
    return names.parse(string(key, names.name(fallback)), file_ + ": " + qualified(key));
  }
  std::vector<double> numbers(const std::string& key) const;  // array of numbers
  std::vector<std::string> strings(const std::string& key) const;
  Eigen::MatrixXd matrix(const std::string& key) const;  // array of equal-length arrays
  // Sub-table; returns an empty ConfigTable when absent.
  ConfigTable table(const std::string& key) const;
  // Array of tables ([[key]] or key = [{...}, ...]); empty when absent. Each element is named
  // "[key.N]" (1-based) in messages.
  std::vector<ConfigTable> tables(const std::string& key) const;

  // Throws InputError naming every key of this table that was never read.
  void reject_unknown() const;
  // Throws InputError "<file>: <where> <key>: <what>".
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
  std::string qualified(const std::string& key) const;

 private:
  const toml::table* table_ = nullptr;
  std::string file_;
  std::string where_;
  std::shared_ptr<std::set<std::string>> used_ = std::make_shared<std::set<std::string>>();
};

// A parsed TOML file; keeps the raw text for manifests.
class ConfigFile {
 public:
  static ConfigFile load(const std::string& path);
  static ConfigFile parse(const std::string& text, const std::string& name);
  ConfigTable root() const { return root_; }
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  // Directory of the file, for resolving relative paths given inside it.
  std::string directory() const;

 private:
  std::shared_ptr<toml::table> table_;
  ConfigTable root_;
  std::string path_;
  std::string text_;
};

// Throws an InputError unless v is finite (message names the key).
void require_finite(const ConfigTable& t, const std::string& key, double v);

}  // namespace hat::io
