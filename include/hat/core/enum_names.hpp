// One table of names per enumeration, for both directions: the name written in outputs and
// manifests (to_string) and the name read from configs and command lines (parse). Each module
// keeps its table beside its enum:
//
//   constexpr hat::EnumNames<GridSpacing, 2> kGridSpacingNames{{
//       {GridSpacing::Uniform, "uniform"}, {GridSpacing::Power, "power"}}};
//   const char* to_string(GridSpacing s) { return kGridSpacingNames.name(s); }
//   GridSpacing parse_grid_spacing(const std::string& s) { return kGridSpacingNames.parse(s,
//   "..."); }
//
// A table that config readers need sits in the enum's header (inline constexpr), and
// io::ConfigTable::choice(key, table, fallback) reads the option through it, so an option's
// accepted values are listed in one place.
//
// Unknown names are bad input: one line naming the field, the value and the accepted names.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "hat/core/error.hpp"

namespace hat {

template <typename E, std::size_t N>
struct EnumNames {
  std::array<std::pair<E, const char*>, N> entries;

  // The name of `value` (the first entry for it: later entries may be accepted spellings).
  constexpr const char* name(E value) const {
    for (const auto& [v, n] : entries)
      if (v == value) return n;
    return "unknown";
  }
  // Whether `s` names an enumerator (then stored in `out`).
  bool find(std::string_view s, E& out) const {
    for (const auto& [v, n] : entries)
      if (s == n) {
        out = v;
        return true;
      }
    return false;
  }
  // The enumerator named `s`; InputError "FIELD: 's' is not one of a, b, c" otherwise.
  E parse(std::string_view s, const std::string& field) const {
    E v{};
    if (find(s, v)) return v;
    throw InputError(field + ": '" + std::string(s) + "' is not one of " + accepted());
  }
  // "a, b or c" (distinct names, in table order).
  std::string accepted() const {
    std::string out;
    for (std::size_t k = 0; k < N; ++k) {
      if (k > 0) out += k + 1 == N ? " or " : ", ";
      out += '"' + std::string(entries[k].second) + '"';
    }
    return out;
  }
};

}  // namespace hat
