// Strict TOML configuration access on top of toml++.
#include "hat/io/config.hpp"

#include <toml++/toml.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hat/core/error.hpp"

namespace hat::io {

ConfigTable::ConfigTable(const toml::table* table, std::string file, std::string where)
    : table_(table), file_(std::move(file)), where_(std::move(where)) {}

std::string ConfigTable::qualified(const std::string& key) const {
  return where_.empty() ? key : where_ + " " + key;
}

void ConfigTable::fail(const std::string& key, const std::string& what) const {
  throw InputError(file_ + ": " + qualified(key) + ": " + what);
}

bool ConfigTable::has(const std::string& key) const {
  return table_ != nullptr && table_->contains(key);
}

namespace {
std::optional<double> as_double(const toml::node& n) {
  if (auto v = n.value<double>()) return *v;  // toml++ converts integers to double here
  return std::nullopt;
}
}  // namespace

double ConfigTable::number(const std::string& key) const {
  if (!has(key)) fail(key, "missing (required)");
  used_->insert(key);
  auto v = as_double(*table_->get(key));
  if (!v) fail(key, "expected a number");
  if (!std::isfinite(*v)) fail(key, "must be finite");
  return *v;
}

double ConfigTable::number(const std::string& key, double fallback) const {
  return has(key) ? number(key) : fallback;
}

long ConfigTable::integer(const std::string& key) const {
  if (!has(key)) fail(key, "missing (required)");
  used_->insert(key);
  const toml::node& n = *table_->get(key);
  if (auto v = n.as_integer()) return static_cast<long>(v->get());
  if (auto d = n.as_floating_point()) {
    double x = d->get();
    if (std::isfinite(x) && x == std::floor(x) && std::abs(x) < 1e15) return static_cast<long>(x);
  }
  fail(key, "expected an integer");
}

long ConfigTable::integer(const std::string& key, long fallback) const {
  return has(key) ? integer(key) : fallback;
}

int ConfigTable::integer_in(const std::string& key, long fallback, long lo, long hi,
                            const std::string& why) const {
  const long v = integer(key, fallback);
  if (v < lo || v > hi)
    fail(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
                  std::to_string(v) + (why.empty() ? "" : " (" + why + ")"));
  return static_cast<int>(v);
}

bool ConfigTable::boolean(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  used_->insert(key);
  auto v = table_->get(key)->value_exact<bool>();
  if (!v) fail(key, "expected true or false");
  return *v;
}

std::string ConfigTable::string(const std::string& key) const {
  if (!has(key)) fail(key, "missing (required)");
  used_->insert(key);
  auto v = table_->get(key)->value<std::string>();
  if (!v) fail(key, "expected a string");
  return *v;
}

std::string ConfigTable::string(const std::string& key, const std::string& fallback) const {
  return has(key) ? string(key) : fallback;
}

std::vector<double> ConfigTable::numbers(const std::string& key) const {
  if (!has(key)) fail(key, "missing (required)");
  used_->insert(key);
  const toml::array* arr = table_->get(key)->as_array();
  if (!arr) fail(key, "expected an array of numbers");
  std::vector<double> out;
  out.reserve(arr->size());
  for (size_t i = 0; i < arr->size(); ++i) {
    auto v = as_double(*arr->get(i));
    if (!v) fail(key, "element " + std::to_string(i + 1) + " is not a number");
    if (!std::isfinite(*v)) fail(key, "element " + std::to_string(i + 1) + " is not finite");
    out.push_back(*v);
  }
  return out;
}

std::vector<std::string> ConfigTable::strings(const std::string& key) const {
  if (!has(key)) fail(key, "missing (required)");
  used_->insert(key);
  const toml::array* arr = table_->get(key)->as_array();
  if (!arr) fail(key, "expected an array of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < arr->size(); ++i) {
    auto v = arr->get(i)->value<std::string>();
    if (!v) fail(key, "element " + std::to_string(i + 1) + " is not a string");
    out.push_back(*v);
  }
  return out;
}

Eigen::MatrixXd ConfigTable::matrix(const std::string& key) const {
  if (!has(key)) fail(key, "missing (required)");
  used_->insert(key);
  const toml::array* arr = table_->get(key)->as_array();
  if (!arr || arr->empty()) fail(key, "expected a non-empty array of arrays (rows)");
  size_t ncol = 0;
  Eigen::MatrixXd m;
  for (size_t i = 0; i < arr->size(); ++i) {
    const toml::array* row = arr->get(i)->as_array();
    if (!row) fail(key, "row " + std::to_string(i + 1) + " is not an array");
    if (i == 0) {
      ncol = row->size();
      m.resize(static_cast<Eigen::Index>(arr->size()), static_cast<Eigen::Index>(ncol));
    } else if (row->size() != ncol) {
      fail(key, "row " + std::to_string(i + 1) + " has " + std::to_string(row->size()) +
                    " entries, row 1 has " + std::to_string(ncol));
    }
    for (size_t j = 0; j < ncol; ++j) {
      auto v = as_double(*row->get(j));
      if (!v || !std::isfinite(*v))
        fail(key, "entry (" + std::to_string(i + 1) + "," + std::to_string(j + 1) +
                      ") is not a finite number");
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = *v;
    }
  }
  return m;
}

ConfigTable ConfigTable::table(const std::string& key) const {
  if (!has(key)) return ConfigTable(nullptr, file_, "[" + key + "]");
  used_->insert(key);
  const toml::table* t = table_->get(key)->as_table();
  if (!t) fail(key, "expected a table");
  std::string w =
      where_.empty() ? "[" + key + "]" : where_.substr(0, where_.size() - 1) + "." + key + "]";
  return ConfigTable(t, file_, w);
}

std::vector<ConfigTable> ConfigTable::tables(const std::string& key) const {
  std::vector<ConfigTable> out;
  if (!has(key)) return out;
  used_->insert(key);
  const toml::array* arr = table_->get(key)->as_array();
  if (!arr) fail(key, "expected an array of tables ([[" + key + "]])");
  const std::string base = where_.empty() ? key : where_.substr(1, where_.size() - 2) + "." + key;
  for (size_t i = 0; i < arr->size(); ++i) {
    const toml::table* t = arr->get(i)->as_table();
    if (!t) fail(key, "element " + std::to_string(i + 1) + " is not a table");
    out.emplace_back(t, file_, "[" + base + "." + std::to_string(i + 1) + "]");
  }
  return out;
}

void ConfigTable::reject_unknown() const {
  if (!table_) return;
  for (const auto& [k, v] : *table_) {
    std::string key(k.str());
    if (!used_->count(key)) {
      throw InputError(file_ + ": unknown key " + qualified(key) +
                       " (see docs/cli.md for the accepted keys)");
    }
  }
}

ConfigFile ConfigFile::parse(const std::string& text, const std::string& name) {
  ConfigFile f;
  f.path_ = name;
  f.text_ = text;
  try {
    f.table_ = std::make_shared<toml::table>(toml::parse(text, name));
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw InputError(name + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
                     ": TOML parse error: " + std::string(e.description()));
  }
  f.root_ = ConfigTable(f.table_.get(), name, "");
  return f;
}

ConfigFile ConfigFile::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open config file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

std::string ConfigFile::directory() const {
  auto p = std::filesystem::path(path_).parent_path();
  return p.empty() ? std::string(".") : p.string();
}

void require_finite(const ConfigTable& t, const std::string& key, double v) {
  if (!std::isfinite(v)) t.fail(key, "must be finite");
}

}  // namespace hat::io
