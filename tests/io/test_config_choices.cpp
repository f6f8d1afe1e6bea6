// Option values read from configs through the enums' name tables (core/enum_names.hpp): the
// accepted values come from one table per enum, and a bad value is one line naming the file,
// table and key and listing the accepted names. Also where a data directory came from.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "error_of.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/household/config.hpp"
#include "hat/io/config.hpp"
#include "hat/models/dynamic.hpp"
#include "hat/models/eaton_kortum/study.hpp"
#include "hat/world/config.hpp"
#include "test_support.hpp"

using hat::io::ConfigFile;
using hat::test::error_of;
using hat::test::kTwoCountryWorld;

namespace {
// Sets (or, given nullopt, unsets) HAT_DATA_DIR for the lifetime of the object.
class DataDirEnv {
 public:
  explicit DataDirEnv(const std::optional<std::string>& value) {
    if (const char* old = std::getenv("HAT_DATA_DIR")) old_ = old;
    if (value)
      ::setenv("HAT_DATA_DIR", value->c_str(), 1);
    else
      ::unsetenv("HAT_DATA_DIR");
  }
  ~DataDirEnv() {
    if (old_)
      ::setenv("HAT_DATA_DIR", old_->c_str(), 1);
    else
      ::unsetenv("HAT_DATA_DIR");
  }

 private:
  std::optional<std::string> old_;
};

// kTwoCountryWorld with `line` added to its table `table` (TOML allows a table only once).
std::string world_with(const std::string& table, const std::string& line) {
  std::string text = kTwoCountryWorld;
  const std::string header = "[" + table + "]\n";
  const size_t at = text.find(header);
  return at == std::string::npos ? text + header + line : text.insert(at + header.size(), line);
}

std::string world_error(const std::string& table, const std::string& line) {
  return error_of([&] {
    hat::estimation::read_world_config(ConfigFile::parse(world_with(table, line), "w.toml"));
  });
}
}  // namespace

TEST(ConfigChoices, ChoiceReadsTheTableAndListsItsNamesOnBadValues) {
  const ConfigFile f =
      ConfigFile::parse("[grid]\nspacing = \"power\"\nbad = \"cubic\"\n", "g.toml");
  const auto g = f.root().table("grid");
  using hat::numerics::GridSpacing;
  using hat::numerics::kGridSpacingNames;
  EXPECT_EQ(g.choice("spacing", kGridSpacingNames, GridSpacing::Uniform), GridSpacing::Power);
  EXPECT_EQ(g.choice("absent", kGridSpacingNames, GridSpacing::Power), GridSpacing::Power);
  EXPECT_EQ(error_of([&] { g.choice("bad", kGridSpacingNames, GridSpacing::Uniform); }),
            "g.toml: [grid] bad: 'cubic' is not one of \"uniform\" or \"power\"");
}

// Each string option of a world config: the accepted names are the table's, both ways.
TEST(ConfigChoices, WorldOptionsComeFromTheNameTables) {
  EXPECT_EQ(
      world_error("solver", "jacobian = \"x\"\n"),
      "w.toml: [solver] jacobian: 'x' is not one of " + hat::world::kJacobianNames.accepted());
  for (const char* name : {"\"finite-difference\"", "\"analytic\""})
    EXPECT_NE(hat::world::kJacobianNames.accepted().find(name), std::string::npos) << name;
  EXPECT_EQ(world_error("equilibrium", "unknown = \"gamma\"\n"),
            "w.toml: [equilibrium] unknown: 'gamma' is not one of \"R\" or \"beta\"");
  const std::string fin = world_error("equilibrium", "financial = \"closed\"\n");
  EXPECT_EQ(
      fin.rfind("w.toml: [equilibrium] financial: 'closed' is not one of \"globalization\"", 0), 0u)
      << fin;
  EXPECT_NE(world_error("model", "scaling = \"gdp\"\n").find("\"tfp\" or \"income\""),
            std::string::npos);
  EXPECT_NE(world_error("grid", "spacing = \"log\"\n").find("\"uniform\" or \"power\""),
            std::string::npos);
  EXPECT_EQ(
      error_of([] {
        hat::estimation::read_world_config(ConfigFile::parse("[data]\nset = \"csv\"\n", "d.toml"));
      }),
      "d.toml: [data] set: 'csv' is not one of \"ek2002\" or \"pairs\"");
  // Names written in outputs are read back; the British spelling is accepted.
  const auto wc = hat::estimation::read_world_config(ConfigFile::parse(
      std::string(kTwoCountryWorld) + "financial = \"globalisation\"\nunknown = \"R\"\n" +
          "[solver]\njacobian = \"" + hat::world::to_string(hat::world::JacobianMethod::Analytic) +
          "\"\nrate_coordinate = \"log\"\n",
      "w.toml"));
  EXPECT_EQ(wc.options.financial, hat::world::Financial::Globalization);
  EXPECT_EQ(wc.options.jacobian, hat::world::JacobianMethod::Analytic);
  EXPECT_EQ(wc.options.rate_coordinate, hat::world::RateCoordinate::Log);
  EXPECT_EQ(world_error("solver", "rate_coordinate = \"logit\"\n"),
            "w.toml: [solver] rate_coordinate: 'logit' is not one of \"softplus\" or \"log\"");
}

TEST(ConfigChoices, HouseholdAndDynamicOptionsListTheirNames) {
  const std::string hh =
      "gamma = 1.5\nbeta = 0.92\nsigma_eps = 0.25\nR = 1.01\nprices = [1.0, 1.5]\n"
      "borrowing_limit = 0.5\nasset_max = 8.0\n";
  auto household_error = [&](const std::string& extra) {
    return error_of(
        [&] { hat::household::read_household_config(ConfigFile::parse(hh + extra, "h.toml")); });
  };
  EXPECT_EQ(household_error("grid_spacing = \"log\"\n"),
            "h.toml: grid_spacing: 'log' is not one of \"uniform\" or \"power\"");
  EXPECT_EQ(household_error("[income]\nmethod = \"markov\"\n"),
            "h.toml: [income] method: 'markov' is not one of \"rouwenhorst\" or \"tauchen\"");
  EXPECT_EQ(household_error("grid_spacing = \"power\"\n"), "");
  EXPECT_EQ(error_of([] { hat::dynamic::variant_from_string("melitz"); }),
            "[model] variant: 'melitz' is not one of \"krugman\", \"customer_base\" or "
            "\"melitz_pareto\"");
  EXPECT_EQ(hat::dynamic::flow_measure_from_string("iceberg"), hat::dynamic::FlowMeasure::Iceberg);
  EXPECT_NE(error_of([] {
              hat::dynamic::flow_measure_from_string("cif");
            }).find("\"tariff_exclusive\", \"tariff_inclusive\" or \"iceberg\""),
            std::string::npos);
}

// A data directory that does not hold the EK data is named by where it came from: the option,
// the environment (as the caller labels it), or the config's [data] dir.
TEST(ConfigChoices, DataDirectoryErrorsNameTheirSource) {
  const std::string missing = "/nonexistent/hat-data";
  {
    DataDirEnv env(std::nullopt);
    EXPECT_EQ(error_of([&] { hat::data::resolve_data_dir(missing); }),
              "--data: no such directory " + missing);
    EXPECT_EQ(error_of([&] { hat::data::resolve_data_dir(missing, "data_dir"); }),
              "data_dir: no such directory " + missing);
    EXPECT_EQ(error_of([&] { hat::data::resolve_data_dir(hat::test::source_dir()); }),
              "--data: " + hat::test::source_dir() + " holds neither ek2002/ nor ek2002-raw/");
    const std::string cfg = "[data]\ndir = \"" + missing + "\"\n";
    EXPECT_EQ(
        error_of([&] { hat::estimation::read_world_config(ConfigFile::parse(cfg, "d.toml")); }),
        "d.toml: [data] dir: no such directory " + missing);
    EXPECT_EQ(error_of([&] {
                hat::estimation::read_world_config(ConfigFile::parse(cfg, "d.toml"), missing + "2");
              }),
              "--data: no such directory " + missing + "2");
  }
  // The command line and the Python package pass $HAT_DATA_DIR labelled as such.
  const hat::data::DataDirArg from_env{missing, "HAT_DATA_DIR"};
  EXPECT_EQ(error_of([&] { hat::data::resolve_data_dir(from_env.dir, from_env.source); }),
            "HAT_DATA_DIR: no such directory " + missing);
  EXPECT_EQ(error_of([&] {
              hat::estimation::read_world_config(ConfigFile::parse("[data]\n", "d.toml"), from_env);
            }),
            "HAT_DATA_DIR: no such directory " + missing);
}

// The library never reads $HAT_DATA_DIR (the data directory is an argument; the command line
// and the Python package read the variable and pass it): with the variable pointing nowhere, calls
// given the directory read the data, and calls given none never name the variable.
TEST(ConfigChoices, LibraryIgnoresHatDataDir) {
  HAT_REQUIRE_DATA(real);  // read before the variable is changed
  const std::string bogus = "/nonexistent/hat-env-data";
  const std::string missing = "/nonexistent/hat-data";
  DataDirEnv env(bogus);
  // No directory given: ../shared/data or "no data directory", never the variable.
  const std::string none = error_of([] { hat::data::resolve_data_dir(""); });
  EXPECT_EQ(none.find(bogus), std::string::npos) << none;
  EXPECT_EQ(none.find("HAT_DATA_DIR:"), std::string::npos) << none;
  // A config's [data] dir is not overridden by the variable.
  EXPECT_EQ(error_of([&] {
              hat::estimation::read_world_config(
                  ConfigFile::parse("[data]\ndir = \"" + missing + "\"\n", "d.toml"));
            }),
            "d.toml: [data] dir: no such directory " + missing);
  const auto from_dir = hat::estimation::read_world_config(
      ConfigFile::parse("[data]\ndir = \"" + real + "\"\n", "d.toml"));
  EXPECT_EQ(from_dir.world.size(), 19);
  // An explicit directory works.
  EXPECT_EQ(hat::data::resolve_data_dir(real), real);
  const auto given =
      hat::estimation::read_world_config(ConfigFile::parse("[data]\n", "d.toml"), real);
  EXPECT_EQ(given.world.names, from_dir.world.names);
  EXPECT_EQ(hat::models::ek::load_data(real).raw.countries.size(), 19u);
}

// The front ends' precedence (docs/cli.md: --data over $HAT_DATA_DIR over [data] dir), as one
// library function that takes the variable's value instead of reading it.
TEST(ConfigChoices, DataDirPrecedence) {
  const hat::data::DataDirArg opt = hat::data::choose_data_dir("/a", "/b");
  EXPECT_EQ(opt.dir, "/a");
  EXPECT_EQ(opt.source, "--data");
  const hat::data::DataDirArg env = hat::data::choose_data_dir("", "/b");
  EXPECT_EQ(env.dir, "/b");
  EXPECT_EQ(env.source, "HAT_DATA_DIR");
  EXPECT_EQ(hat::data::choose_data_dir("", "").dir, "");
  EXPECT_EQ(hat::data::choose_data_dir("", nullptr).dir, "");
}
