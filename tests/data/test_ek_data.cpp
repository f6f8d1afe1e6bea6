// Tests of the EK data readers (src/data/ek_data.cpp): the Table III observations, the raw
// files, and malformed files rejected with the file and field named.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "hat/core/error.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/estimation/gravity.hpp"
#include "hat/io/csv.hpp"
#include "test_support.hpp"

using hat::data::GravityData;
using hat::estimation::GravityFit;
using hat::estimation::GravityRegression;
using hat::test::read_text;
using hat::test::scratch_dir;
using hat::test::write_text;
namespace fs = std::filesystem;

TEST(EkData, ReadsTheTableIIIObservations) {
  HAT_REQUIRE_DATA(dir);
  GravityData d = hat::data::read_ek_gravity(dir);
  ASSERT_EQ(d.n_countries(), 19);
  ASSERT_EQ(d.n_pairs(), 342);
  EXPECT_EQ(d.countries.front(), "AUS");
  EXPECT_EQ(d.countries.back(), "USA");
  // first off-diagonal row of ek-data.csv: importer AUS, exporter AUT, trade -7.41, bin 6
  EXPECT_EQ(d.importer[0], 0);
  EXPECT_EQ(d.exporter[0], 1);
  EXPECT_DOUBLE_EQ(d.y(0), -7.41);
  EXPECT_EQ(d.distbin[0], 5);
  // data/README.md: the border dummy is asymmetric for FIN (importer) / SWE (exporter) only
  int asymmetric = 0;
  for (long k = 0; k < d.n_pairs(); ++k)
    for (long q = 0; q < d.n_pairs(); ++q)
      if (d.importer[q] == d.exporter[k] && d.exporter[q] == d.importer[k] &&
          d.border(k) != d.border(q))
        ++asymmetric;
  EXPECT_EQ(asymmetric, 2);
}

// regression_data.csv stores ln(X_ni/X_nn) rounded to 3 decimals; it must agree with the flows
// of nominal_variable.csv (data/README.md describes both as EK's 1990 data).
TEST(EkData, RawFlowsAgreeWithTheRegressionFile) {
  HAT_REQUIRE_DATA(dir);
  hat::data::EkRawData raw = hat::data::read_ek_raw(dir);
  EXPECT_NEAR(raw.beta, 0.21221, 1e-12);
  ASSERT_EQ(raw.trade.rows(), 19);
  ASSERT_EQ(raw.log_price.cols(), 50);
  const auto& g = raw.gravity;
  double worst = 0;
  for (long k = 0; k < g.n_pairs(); ++k) {
    const int n = g.importer[k], i = g.exporter[k];
    worst =
        std::max(worst, std::abs(std::log(raw.trade(n, i) / raw.trade(n, n)) - raw.ln_trade(k)));
  }
  EXPECT_LT(worst, 6e-4);
  // the Table III regressand is the same in both distributions of the data
  GravityData e = hat::data::read_ek_gravity(dir);
  EXPECT_LT((e.y - g.y).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_EQ(e.distbin, g.distbin);
}

TEST(EkData, MalformedFilesAreRejectedWithFileAndField) {
  HAT_REQUIRE_DATA(dir);
  const std::string src = read_text(dir + "/ek2002/ek-data.csv");
  const std::string lang = read_text(dir + "/ek2002/ek-language.csv");
  auto expect_error = [&](const std::string& text, const std::string& needle) {
    const std::string d = scratch_dir("bad");
    fs::create_directories(d + "/ek2002");
    write_text(d + "/ek2002/ek-data.csv", text);
    write_text(d + "/ek2002/ek-language.csv", lang);
    try {
      hat::data::read_ek_gravity(d);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const hat::InputError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("ek-data.csv"), std::string::npos) << msg;
      EXPECT_NE(msg.find(needle), std::string::npos) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << "one-line message: " << msg;
    }
  };
  // missing value in `trade` (line 3 = second data row)
  std::string t = src;
  t.replace(t.find("-7.41"), 5, "");
  expect_error(t, "'trade'");
  t = src;
  t.replace(t.find("-7.41"), 5, "nan");
  expect_error(t, "trade");
  // a dropped row
  t = src.substr(0, src.rfind('\n', src.size() - 2) + 1);
  expect_error(t, "361");
  // swapped country order
  t = src;
  const size_t a = t.find('\n') + 1, b = t.find('\n', a) + 1, c = t.find('\n', b) + 1;
  t = t.substr(0, a) + t.substr(b, c - b) + t.substr(a, b - a) + t.substr(c);
  expect_error(t, "importer-major");
  // a bin dummy contradicting distbin
  t = src;
  const std::string row = "-7.41,9891.0,0,0,0,0,0,0,1";
  t.replace(t.find(row), row.size(), "-7.41,9891.0,0,1,0,0,0,0,1");
  expect_error(t, "bin375");
  EXPECT_THROW(hat::data::read_ek_gravity(scratch_dir("empty")), hat::InputError);
  EXPECT_THROW(hat::data::resolve_data_dir("/nonexistent/hat"), hat::InputError);
}

// The raw-data reader rejects impossible values, a wrong country order and missing prices with
// a message naming the file and the field.
TEST(EkData, RawDataValidation) {
  HAT_REQUIRE_DATA(dir);
  const char* files[] = {"country_code.csv", "nominal_variable.csv", "price.csv",
                         "regression_data.csv", "scalar.json"};
  auto corrupted = [&](const std::string& file, const std::string& from, const std::string& to) {
    const std::string d = scratch_dir("raw");
    fs::create_directories(d + "/ek2002-raw");
    for (const char* f : files) {
      std::string text = read_text(dir + "/ek2002-raw/" + f);
      if (file == f) {
        const size_t at = text.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        if (at != std::string::npos) text.replace(at, from.size(), to);
      }
      write_text(d + "/ek2002-raw/" + f, text);
    }
    return d;
  };
  auto expect_error = [&](const std::string& d, const std::string& file, const std::string& field) {
    try {
      hat::data::read_ek_raw(d);
      ADD_FAILURE() << "accepted corrupted " << file;
    } catch (const hat::InputError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(file), std::string::npos) << msg;
      EXPECT_NE(msg.find(field), std::string::npos) << msg;
    }
  };
  EXPECT_NO_THROW(hat::data::read_ek_raw(corrupted("", "", "")));
  expect_error(corrupted("nominal_variable.csv", ",21873.1,", ",-21873.1,"), "nominal_variable.csv",
               "nominal_wage");
  expect_error(corrupted("country_code.csv", "8,GE,Germany", "8,FR,Germany"), "country_code.csv",
               "line 9");
  expect_error(corrupted("price.csv", "0.16198921", "NaN"), "price.csv", "good1");
  expect_error(corrupted("scalar.json", "0.21221", "1.5"), "scalar.json", "beta");
}
