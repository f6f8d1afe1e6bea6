// End-to-end tests of `hat dynamic gft|steady-state|transition`: JSON summaries, output files
// and the one-line errors for bad input (exit status 2, no output directory left behind).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/dynamic_fixture.hpp"
#include "hat/io/csv.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("hat_dyn_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

std::string cmd(const std::string& args) {
  return hat::test::hat_binary() + " dynamic " + args;
}
std::string example(const std::string& name) {
  return hat::test::source_dir() + "/examples/" + name;
}

const std::string kTwoCountry = hat::test::dynamic_two_country(120);

// Replaces the first occurrence of `from` in the two-country config.
std::string variant(const std::string& from, const std::string& to) {
  std::string s = kTwoCountry;
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

}  // namespace

// gft: computed C/C_autarky equals the steady-state formula (3.24) (1e-9) and the reported
// elasticities are -(1+chi)(sigma-1) and 1 - sigma (eq. 2.17) for the example's sigma 4, chi 1.
TEST(DynamicCli, GftJsonAndFiles) {
  TempDir tmp;
  const std::string out = (tmp.path / "gft").string();
  std::string stdout_text;
  ASSERT_EQ(
      hat::test::run(cmd("gft " + example("dynamic_krugman.toml") + " --out " + out + " --json"),
                     &stdout_text),
      0)
      << hat::test::last_stderr();
  json j = json::parse(stdout_text);
  ASSERT_EQ(j["gains"].size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(j["gains"][i].get<double>() / j["gains_formula"][i].get<double>(), 1, 1e-9);
    EXPECT_GT(j["gains"][i].get<double>(), 1.0);
  }
  EXPECT_DOUBLE_EQ(j["long_run_elasticity"].get<double>(), -(1 + 1.0) * (4.0 - 1));
  EXPECT_DOUBLE_EQ(j["short_run_elasticity"].get<double>(), 1 - 4.0);
  for (const char* f : {"gains.csv", "dynamic_elasticities.csv", "gains.svg", "manifest.json"})
    EXPECT_TRUE(fs::exists(fs::path(out) / f)) << f;
  hat::io::CsvTable t = hat::io::read_csv((fs::path(out) / "gains.csv").string());
  EXPECT_EQ(t.header, (std::vector<std::string>{"country", "measure", "value"}));
  EXPECT_EQ(t.rows.size(), 4u * 5u);
}

// The BLPN (2023) elasticities read as tariff-inclusive flows: sigma = 1 - (-0.76) = 1.76 and
// 1 + chi = (1 + 1.75) / 1.76, so the iceberg elasticities are -0.76 and -0.76 (2.75 / 1.76).
TEST(DynamicCli, BlpnElasticitiesExample) {
  TempDir tmp;
  std::string s;
  ASSERT_EQ(hat::test::run(cmd("gft " + example("dynamic_blpn.toml") + " --out " +
                               (tmp.path / "o").string() + " --json"),
                           &s),
            0)
      << hat::test::last_stderr();
  json j = json::parse(s);
  EXPECT_NEAR(j["short_run_elasticity"].get<double>(), -0.76, 1e-14);
  EXPECT_NEAR(j["long_run_elasticity"].get<double>(), -0.76 * 2.75 / 1.76, 1e-14);
  EXPECT_NEAR(j["short_run_tariff_elasticity"].get<double>(), -1.76, 1e-14);
  EXPECT_NEAR(j["long_run_tariff_elasticity"].get<double>(), -2.75, 1e-14);
}

// steady-state: numeraire, shares in (0, 1), C = Y/P consistent with the CSV output.
TEST(DynamicCli, SteadyStateJson) {
  TempDir tmp;
  const std::string cfg = tmp.file("c.toml", kTwoCountry);
  const std::string out = (tmp.path / "ss").string();
  std::string s;
  ASSERT_EQ(hat::test::run(cmd("steady-state " + cfg + " --out " + out + " --json"), &s), 0)
      << hat::test::last_stderr();
  json j = json::parse(s);
  EXPECT_DOUBLE_EQ(j["wages"][0].get<double>(), 1.0);
  for (int i = 0; i < 2; ++i) {
    EXPECT_GT(j["domestic_share"][i].get<double>(), 0.5);
    EXPECT_LT(j["domestic_share"][i].get<double>(), 1.0);
  }
  hat::io::CsvTable t = hat::io::read_csv(out + "/dynamic_countries.csv");
  double Y = 0, P = 0, C = 0;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    if (t.rows[r][0] != "A") continue;
    const double v = std::stod(t.rows[r][2]);
    if (t.rows[r][1] == "expenditure") Y = v;
    if (t.rows[r][1] == "price_index") P = v;
    if (t.rows[r][1] == "consumption") C = v;
  }
  EXPECT_NEAR(C, Y / P, 1e-12 * C);
  EXPECT_NEAR(C, j["consumption"][0].get<double>(), 1e-12 * C);
  EXPECT_TRUE(fs::exists(out + "/bilateral.csv"));
  EXPECT_TRUE(fs::exists(out + "/manifest.json"));
}

// transition: welfare arrays by country; the steady-state welfare change equals the formula
// (Prop. 3.1) in welfare.csv; a flat shock gives zero welfare change on every measure.
TEST(DynamicCli, TransitionJsonAndFlatShock) {
  TempDir tmp;
  const std::string out = (tmp.path / "tr").string();
  std::string s;
  ASSERT_EQ(
      hat::test::run(
          cmd("transition " + tmp.file("c.toml", kTwoCountry) + " --out " + out + " --json"), &s),
      0)
      << hat::test::last_stderr();
  json j = json::parse(s);
  ASSERT_EQ(j["welfare_transition"].size(), 2u);
  for (int i = 0; i < 2; ++i) EXPECT_GT(j["welfare_steady_state"][i].get<double>(), 0);
  hat::io::CsvTable w = hat::io::read_csv(out + "/welfare.csv");
  std::map<std::string, double> m;
  for (auto& row : w.rows) m[row[0] + "/" + row[1]] = std::stod(row[2]);
  for (const char* c : {"A", "B"})
    EXPECT_NEAR(m[std::string(c) + "/welfare_steady_state"],
                m[std::string(c) + "/welfare_steady_state_formula"], 1e-10);
  for (const char* f : {"path.csv", "welfare.svg", "consumption.svg", "manifest.json"})
    EXPECT_TRUE(fs::exists(fs::path(out) / f)) << f;

  std::string flat;
  ASSERT_EQ(
      hat::test::run(
          cmd("transition " +
              tmp.file("flat.toml", variant("trade_cost_factor = 0.9", "trade_cost_factor = 1.0")) +
              " --out " + (tmp.path / "flat").string() + " --json"),
          &flat),
      0);
  json k = json::parse(flat);
  for (const char* key : {"welfare_transition", "welfare_steady_state", "welfare_static_acr"})
    for (int i = 0; i < 2; ++i) EXPECT_NEAR(k[key][i].get<double>(), 0.0, 1e-10) << key;
}

// Bad input: one-line error naming the file and field, exit status 2, no output directory.
TEST(DynamicCli, BadInputIsRejected) {
  TempDir tmp;
  struct Case {
    std::string name, text, expect;
  } cases[] = {
      {"typo", variant("b = 0.02", "b = 0.02\nbb = 1.0"), "unknown key [model] bb"},
      {"sigma", variant("sigma = 3.0", "sigma = 0.9"), "[model] sigma"},
      {"dims", variant("[[1.0, 1.5], [1.5, 1.0]]", "[[1.0, 1.5, 2.0], [1.5, 1.0, 2.0]]"),
       "[trade_costs] matrix"},
      {"labor", variant("labor = [1.0, 1.5]", "labor = [1.0, -1.5]"), "[countries] labor"},
      {"nan", variant("beta = 0.95", "beta = nan"), "[model] beta"},
      {"tariff", variant("[shock]", "[tariffs]\nmatrix = [[1.0, 0.9], [1.0, 1.0]]\n[shock]"),
       "[tariffs] matrix"},
      {"b", variant("b = 0.02", "b = 50.0"), "[model] b"},
      {"blpn",
       variant("sigma = 3.0\nchi = 1.0\n", "") +
           "[elasticities]\nshort_run = -0.76\nlong_run = -1.75\nflows = "
           "\"tariff_exclusive\"\n",
       "sigma = 0.76"},
      {"chi",
       variant("sigma = 3.0\nchi = 1.0\n", "") +
           "[elasticities]\nshort_run = -2.0\nlong_run = -1.5\nflows = \"iceberg\"\n",
       "[elasticities] long_run"},
      {"toml", "[model\nsigma = 3", "TOML parse error"},
      {"calfile",
       variant("[trade_costs]\nmatrix = [[1.0, 1.5], [1.5, 1.0]]",
               "[calibration]\nfile = \"no-such-file.csv\""),
       "[calibration] file"},
  };
  for (const Case& c : cases) {
    const std::string cfg = tmp.file(c.name + ".toml", c.text);
    const std::string out = (tmp.path / ("out_" + c.name)).string();
    EXPECT_EQ(hat::test::run(cmd("gft " + cfg + " --out " + out)), 2) << c.name;
    const std::string err = hat::test::last_stderr();
    // the error is the last line on stderr (progress lines may precede it)
    const size_t at = err.rfind("hat: error: ");
    ASSERT_NE(at, std::string::npos) << c.name << ": " << err;
    const std::string line = err.substr(at);
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << c.name << ": " << err;
    EXPECT_NE(line.find(c.expect), std::string::npos) << c.name << ": " << err;
    EXPECT_NE(line.find(cfg), std::string::npos) << c.name << ": " << err;
    EXPECT_FALSE(fs::exists(out)) << c.name;
  }
  EXPECT_EQ(hat::test::run(cmd("gft " + (tmp.path / "missing.toml").string() + " --out " +
                               (tmp.path / "x").string())),
            2);
  // The same one-line message as every other command's missing config (CLI11's file check).
  EXPECT_NE(hat::test::last_stderr().find("does not exist"), std::string::npos);
}

// Eaton-Kortum (2002) 19-country data: trade costs calibrated to the observed flows make the
// model's domestic shares equal the data's X_nn / sum_i X_ni (computed here from the CSV), and
// the gains equal the formula (3.24) evaluated at the observed shares.
TEST(DynamicCli, CalibratedToEkDataReproducesSharesAndFormula) {
  HAT_REQUIRE_DATA(data);
  TempDir tmp;
  const std::string csv = data + "/ek2002-raw/nominal_variable.csv";
  std::string text = R"([model]
delta = 0.1
beta = 0.96
gamma = 2.0
b = 1e-9
[elasticities]
short_run = -0.76
long_run = -2.0
flows = "tariff_inclusive"
[countries]
names = ["AUS", "AUT", "BEL", "CAN", "DNK", "FIN", "FRA", "DEU", "GRC", "ITA",
         "JPN", "NLD", "NZL", "NOR", "PRT", "ESP", "SWE", "GBR", "USA"]
[calibration]
file = ")" + csv + R"("
labor_column = "industrial_labor"
)";
  std::string s;
  ASSERT_EQ(hat::test::run(cmd("gft " + tmp.file("ek.toml", text) + " --out " +
                               (tmp.path / "o").string() + " --json"),
                           &s),
            0)
      << hat::test::last_stderr();
  json j = json::parse(s);
  hat::io::CsvTable t = hat::io::read_csv(csv);
  const double sigma = 1.76, chi = (1 + 2.0) / 1.76 - 1;
  for (int n = 0; n < 19; ++n) {
    double total = 0;
    for (int i = 0; i < 19; ++i) total += t.numbers("trade_" + std::to_string(i + 1))[n];
    const double share = t.numbers("trade_" + std::to_string(n + 1))[n] / total;
    EXPECT_NEAR(j["domestic_share"][n].get<double>(), share, 1e-12) << n;
    EXPECT_NEAR(j["gains"][n].get<double>() / std::pow(share, -1 / ((1 + chi) * (sigma - 1))), 1,
                1e-9)
        << n;
  }
}
