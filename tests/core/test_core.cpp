// Core utilities: the enum name tables (core/enum_names.hpp).
#include <gtest/gtest.h>

#include "hat/analysis/shocks.hpp"
#include "hat/core/enum_names.hpp"
#include "hat/numerics/grid.hpp"

namespace {
enum class Colour { Red, Green, Blue };
constexpr hat::EnumNames<Colour, 4> kColours{
    {{{Colour::Red, "red"}, {Colour::Green, "green"}, {Colour::Blue, "blue"}, {Colour::Red, "r"}}}};
}  // namespace

// Both directions from one table; the first name of an enumerator is the one written, later
// entries are accepted spellings; unknown names are one-line bad input naming the field.
TEST(EnumNames, NamesParseAliasesAndRejections) {
  EXPECT_STREQ(kColours.name(Colour::Red), "red");
  EXPECT_STREQ(kColours.name(Colour::Blue), "blue");
  EXPECT_EQ(kColours.parse("green", "colour"), Colour::Green);
  EXPECT_EQ(kColours.parse("r", "colour"), Colour::Red);
  try {
    kColours.parse("mauve", "[paint] colour");
    FAIL() << "no exception";
  } catch (const hat::InputError& e) {
    EXPECT_STREQ(e.what(),
                 "[paint] colour: 'mauve' is not one of \"red\", \"green\", \"blue\" or \"r\"");
  }
  // Every module's table round-trips its names.
  for (auto s : {hat::numerics::GridSpacing::Uniform, hat::numerics::GridSpacing::Power})
    EXPECT_EQ(hat::numerics::parse_grid_spacing(hat::numerics::to_string(s)), s);
  EXPECT_STREQ(hat::analysis::to_string(hat::analysis::ShockKind::Tariff), "tariff");
}
