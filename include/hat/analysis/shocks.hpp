// Counterfactual shocks to a world economy: proportional changes of iceberg trade costs d_ij for
// chosen importer/exporter pairs (one pair, all of one country's imports or exports, all pairs),
// tariff changes, and trade autarky. Written on the command line as
// `importer=USA,exporter=JPN,factor=0.9` or in TOML as [[shock]] tables
// (docs/counterfactual-welfare.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hat/io/config.hpp"
#include "hat/world/world.hpp"

namespace hat::analysis {

enum class ShockKind { TradeCost, Tariff, Autarky };
const char* to_string(ShockKind k);

struct Shock {
  ShockKind kind = ShockKind::TradeCost;
  std::string importer = "*";           // country name or "*" (every importer)
  std::string exporter = "*";           // country name or "*" (every exporter)
  double factor = 1.0;                  // trade_cost: d_ij -> max(1, factor * d_ij), i != j
  std::optional<double> tariff;         // tariff: new level t_ij
  std::optional<double> tariff_change;  // tariff: t_ij -> t_ij + change
  std::string country = "*";  // autarky: this country's imports and exports ("*": all pairs)
  double cost = 1e4;          // autarky: the prohibitive iceberg cost given to the pairs
  std::string text;           // the specification as written (for reports)
  // Timing along a transition path (`hat transition` only; periods t = 0, 1, ...): the shock
  // is announced at t = 0, takes effect from period `start`, is phased in linearly (in logs of
  // d_ij, in levels of t_ij) over `phase_in` periods and, if `end` >= 0, is undone from period
  // `end` on (a temporary shock).
  int start = 0, phase_in = 1, end = -1;
  bool timed() const { return start != 0 || phase_in != 1 || end >= 0; }
  // Share of the shock in effect in period t (0 before `start` and from `end`, 1 when fully in).
  double fraction(int t) const;
};

// One counterfactual experiment: shocks applied in order to the baseline world.
struct Experiment {
  std::string name = "counterfactual";
  std::string description;
  std::string country;  // reporting country suggested by the file (may be empty)
  std::vector<Shock> shocks;
  std::string source;  // "--shock", a file path or "[counterfactual]"
};

// Parses `key=value,key=value` (keys: kind, importer, exporter, factor, tariff, tariff_change,
// country, cost). Throws InputError "--shock '<spec>': <what>".
Shock parse_shock_spec(const std::string& spec);

// Reads one [[shock]] table (same keys as the command-line form).
Shock read_shock(const io::ConfigTable& t);

// Reads an experiment: keys name, description, country and an array of [[shock]] tables
// (`shock_key`, "shock" in shock files). Rejects unknown keys.
Experiment read_experiment(const io::ConfigTable& t, const std::string& default_name,
                           const std::string& source, const std::string& shock_key = "shock");

struct ShockedWorld {
  world::World world;
  int pairs_changed = 0;  // (i, j) entries of d or t that changed
  int pairs_clamped = 0;  // trade-cost entries clamped at d_ij = 1
  std::vector<std::string> notes;
};

// Applies the shocks in order. Unknown country names throw InputError naming the shock.
ShockedWorld apply_shocks(const world::World& w, const std::vector<Shock>& shocks);

// True when two worlds have bitwise-identical trade costs and tariffs (and equal everything
// else that a shock can change).
bool same_trade_frictions(const world::World& a, const world::World& b);

}  // namespace hat::analysis
