// Counterfactual shock specifications: parsing (command line and TOML) and application to a
// world's trade-cost and tariff matrices.
#include "hat/analysis/shocks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>

#include "hat/core/enum_names.hpp"
#include "hat/core/error.hpp"

namespace hat::analysis {

namespace {
// The first name of each kind is the one written; the others are accepted spellings.
constexpr EnumNames<ShockKind, 6> kShockKindNames{{{{ShockKind::TradeCost, "trade_cost"},
                                                    {ShockKind::Tariff, "tariff"},
                                                    {ShockKind::Autarky, "autarky"},
                                                    {ShockKind::TradeCost, "trade_costs"},
                                                    {ShockKind::TradeCost, "iceberg"},
                                                    {ShockKind::Tariff, "tariffs"}}}};
}  // namespace

const char* to_string(ShockKind k) {
  return kShockKindNames.name(k);
}

namespace {

// Checks the keys that make sense for the kind and the value ranges; `fail(key, what)` reports.
template <typename Fail>
void check_shock(const Shock& s, const std::map<std::string, bool>& given, Fail fail) {
  auto allowed = [&](std::initializer_list<const char*> keys) {
    for (const auto& [k, v] : given) {
      if (!v) continue;
      bool ok = false;
      for (const char* a : keys) ok = ok || k == a;
      if (!ok) fail(k, std::string("not allowed for kind = ") + to_string(s.kind));
    }
  };
  switch (s.kind) {
    case ShockKind::TradeCost:
      allowed({"kind", "importer", "exporter", "factor", "start", "phase_in", "end"});
      if (!given.count("factor"))
        fail("factor", "missing (the proportional change of d_ij, e.g. 0.9)");
      if (!(s.factor > 0) || !std::isfinite(s.factor))
        fail("factor", "must be a finite number > 0");
      break;
    case ShockKind::Tariff:
      allowed(
          {"kind", "importer", "exporter", "tariff", "tariff_change", "start", "phase_in", "end"});
      if (s.tariff.has_value() == s.tariff_change.has_value())
        fail("tariff", "give exactly one of tariff (new level) or tariff_change (added to t_ij)");
      if (s.tariff && (!std::isfinite(*s.tariff) || !(*s.tariff > -1.0)))
        fail("tariff", "must be a finite number > -1");
      if (s.tariff_change && !std::isfinite(*s.tariff_change))
        fail("tariff_change", "must be a finite number");
      break;
    case ShockKind::Autarky:
      allowed({"kind", "country", "cost", "start", "phase_in", "end"});
      if (!(s.cost >= 1.0) || !std::isfinite(s.cost)) fail("cost", "must be a finite number >= 1");
      break;
  }
  if (s.start < 0) fail("start", "must be a period >= 0");
  if (s.phase_in < 1) fail("phase_in", "must be a number of periods >= 1");
  if (s.end >= 0 && s.end <= s.start) fail("end", "must be a period after start");
  for (const char* k : {"importer", "exporter", "country"}) {
    const std::string& v = std::string(k) == "importer"   ? s.importer
                           : std::string(k) == "exporter" ? s.exporter
                                                          : s.country;
    if (v.empty()) fail(k, "empty country name (use a name from countries.names or *)");
  }
}

ShockKind parse_kind(const std::string& v, bool& ok) {
  ShockKind k = ShockKind::TradeCost;
  ok = kShockKindNames.find(v, k);
  return k;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

Shock parse_shock_spec(const std::string& spec) {
  auto fail = [&](const std::string& key, const std::string& what) -> void {
    throw InputError("--shock '" + spec + "': " + (key.empty() ? "" : key + ": ") + what);
  };
  Shock s;
  s.text = spec;
  std::map<std::string, bool> given;
  std::map<std::string, std::string> values;
  if (trim(spec).empty()) fail("", "empty specification (expected key=value,...)");
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    const std::string item = trim(spec.substr(pos, comma - pos));
    pos = comma + 1;
    if (item.empty()) fail("", "empty item between commas");
    const size_t eq = item.find('=');
    if (eq == std::string::npos) fail("", "item '" + item + "' is not key=value");
    const std::string key = trim(item.substr(0, eq)), value = trim(item.substr(eq + 1));
    if (key.empty()) fail("", "item '" + item + "' has no key");
    if (value.empty()) fail(key, "empty value");
    if (given.count(key)) fail(key, "given twice");
    static const char* known[] = {"kind",   "importer",      "exporter", "factor",
                                  "tariff", "tariff_change", "country",  "cost",
                                  "start",  "phase_in",      "end"};
    if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return key == k; }) ==
        std::end(known))
      fail(key,
           "unknown key (known: kind, importer, exporter, factor, tariff, tariff_change, "
           "country, cost, start, phase_in, end)");
    given[key] = true;
    values[key] = value;
    if (comma == spec.size()) break;
  }
  auto number = [&](const std::string& key) {
    const std::string& v = values[key];
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end != '\0') fail(key, "'" + v + "' is not a number");
    return x;
  };
  if (given.count("kind")) {
    bool ok;
    s.kind = parse_kind(values["kind"], ok);
    if (!ok) fail("kind", "'" + values["kind"] + "' (expected trade_cost, tariff or autarky)");
  }
  if (given.count("importer")) s.importer = values["importer"];
  if (given.count("exporter")) s.exporter = values["exporter"];
  if (given.count("country")) s.country = values["country"];
  if (given.count("factor")) s.factor = number("factor");
  if (given.count("tariff")) s.tariff = number("tariff");
  if (given.count("tariff_change")) s.tariff_change = number("tariff_change");
  if (given.count("cost")) s.cost = number("cost");
  auto period = [&](const std::string& key) {
    const double x = number(key);
    if (!(x == std::floor(x)) || std::abs(x) > 1e6) fail(key, "must be a whole number of periods");
    return static_cast<int>(x);
  };
  if (given.count("start")) s.start = period("start");
  if (given.count("phase_in")) s.phase_in = period("phase_in");
  if (given.count("end")) s.end = period("end");
  check_shock(s, given, fail);
  return s;
}

Shock read_shock(const io::ConfigTable& t) {
  Shock s;
  std::map<std::string, bool> given;
  for (const char* k : {"kind", "importer", "exporter", "factor", "tariff", "tariff_change",
                        "country", "cost", "start", "phase_in", "end"})
    if (t.has(k)) given[k] = true;
  if (t.has("kind")) {
    bool ok;
    s.kind = parse_kind(t.string("kind"), ok);
    if (!ok) t.fail("kind", "expected \"trade_cost\", \"tariff\" or \"autarky\"");
  }
  s.importer = t.string("importer", "*");
  s.exporter = t.string("exporter", "*");
  s.country = t.string("country", "*");
  if (t.has("factor")) s.factor = t.number("factor");
  if (t.has("tariff")) s.tariff = t.number("tariff");
  if (t.has("tariff_change")) s.tariff_change = t.number("tariff_change");
  if (t.has("cost")) s.cost = t.number("cost");
  auto period = [&](const char* key) {
    const double x = t.number(key);
    if (!(x == std::floor(x)) || std::abs(x) > 1e6)
      t.fail(key, "must be a whole number of periods");
    return static_cast<int>(x);
  };
  if (t.has("start")) s.start = period("start");
  if (t.has("phase_in")) s.phase_in = period("phase_in");
  if (t.has("end")) s.end = period("end");
  t.reject_unknown();
  check_shock(s, given, [&](const std::string& k, const std::string& what) { t.fail(k, what); });
  // A readable one-line form for reports.
  s.text = std::string("kind=") + to_string(s.kind);
  if (s.kind == ShockKind::Autarky) {
    s.text += ",country=" + s.country + fmt::format(",cost={}", s.cost);
  } else {
    s.text += ",importer=" + s.importer + ",exporter=" + s.exporter;
    if (s.kind == ShockKind::TradeCost) s.text += fmt::format(",factor={}", s.factor);
    if (s.tariff) s.text += fmt::format(",tariff={}", *s.tariff);
    if (s.tariff_change) s.text += fmt::format(",tariff_change={}", *s.tariff_change);
  }
  if (s.start != 0) s.text += fmt::format(",start={}", s.start);
  if (s.phase_in != 1) s.text += fmt::format(",phase_in={}", s.phase_in);
  if (s.end >= 0) s.text += fmt::format(",end={}", s.end);
  return s;
}

double Shock::fraction(int t) const {
  if (t < start || (end >= 0 && t >= end)) return 0.0;
  return std::min(1.0, static_cast<double>(t - start + 1) / phase_in);
}

Experiment read_experiment(const io::ConfigTable& t, const std::string& default_name,
                           const std::string& source, const std::string& shock_key) {
  Experiment e;
  e.source = source;
  e.name = t.string("name", default_name);
  if (e.name.empty()) t.fail("name", "must not be empty");
  for (char ch : e.name)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-'))
      t.fail("name", "'" + e.name + "': use letters, digits, '_' or '-' (it names output files)");
  e.description = t.string("description", "");
  e.country = t.string("country", "");
  for (const io::ConfigTable& st : t.tables(shock_key)) e.shocks.push_back(read_shock(st));
  t.reject_unknown();
  if (e.shocks.empty())
    t.fail(shock_key, "no shocks: add at least one [[" + shock_key + "]] table");
  return e;
}

namespace {

int country_index(const world::World& w, const std::string& name, const std::string& field,
                  const Shock& s) {
  if (name == "*") return -1;
  auto it = std::find(w.names.begin(), w.names.end(), name);
  if (it == w.names.end()) {
    std::string known;
    for (size_t k = 0; k < w.names.size(); ++k) known += (k ? ", " : "") + w.names[k];
    throw InputError("shock '" + s.text + "': " + field + " '" + name +
                     "' is not a country of this world (" + known + ")");
  }
  return static_cast<int>(it - w.names.begin());
}

}  // namespace

ShockedWorld apply_shocks(const world::World& w, const std::vector<Shock>& shocks) {
  ShockedWorld out;
  out.world = w;
  world::World& nw = out.world;
  const int M = w.size();
  for (const Shock& s : shocks) {
    if (s.kind == ShockKind::Autarky) {
      const int c = country_index(w, s.country, "country", s);
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < M; ++j) {
          if (i == j || (c >= 0 && i != c && j != c)) continue;
          const double d = std::max(nw.d(i, j), s.cost);
          if (d != nw.d(i, j)) ++out.pairs_changed;
          nw.d(i, j) = d;
        }
      continue;
    }
    const int imp = country_index(w, s.importer, "importer", s);
    const int exp = country_index(w, s.exporter, "exporter", s);
    if (imp >= 0 && imp == exp)
      throw InputError("shock '" + s.text +
                       "': importer and exporter are the same country (d_ii = 1 is fixed)");
    if (s.kind == ShockKind::Tariff && !nw.tariff.size()) nw.tariff = Eigen::MatrixXd::Zero(M, M);
    for (int i = 0; i < M; ++i) {
      if (imp >= 0 && i != imp) continue;
      for (int j = 0; j < M; ++j) {
        if (i == j || (exp >= 0 && j != exp)) continue;
        if (s.kind == ShockKind::TradeCost) {
          double d = nw.d(i, j) * s.factor;
          if (d < 1.0) {
            d = 1.0;
            ++out.pairs_clamped;
          }
          if (d != nw.d(i, j)) ++out.pairs_changed;
          nw.d(i, j) = d;
        } else {
          const double t = s.tariff ? *s.tariff : nw.tariff(i, j) + *s.tariff_change;
          if (!(t > -1.0))
            throw InputError(fmt::format("shock '{}': tariff t({},{}) = {} would be <= -1", s.text,
                                         w.names[i], w.names[j], t));
          if (t != nw.tariff(i, j)) ++out.pairs_changed;
          nw.tariff(i, j) = t;
        }
      }
    }
  }
  if (out.pairs_clamped)
    out.notes.push_back(fmt::format("{} trade cost(s) would fall below 1 and were set to d_ij = 1",
                                    out.pairs_clamped));
  if (out.pairs_changed == 0)
    out.notes.push_back("the shocks leave trade costs and tariffs unchanged");
  nw.validate();
  return out;
}

bool same_trade_frictions(const world::World& a, const world::World& b) {
  if (a.d.rows() != b.d.rows() || a.d.cols() != b.d.cols() || a.d != b.d) return false;
  const bool ta = a.tariff.size() && a.tariff.cwiseAbs().maxCoeff() > 0;
  const bool tb = b.tariff.size() && b.tariff.cwiseAbs().maxCoeff() > 0;
  if (ta != tb) return false;
  if (ta && a.tariff != b.tariff) return false;
  return true;
}

}  // namespace hat::analysis
