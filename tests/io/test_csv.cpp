// io/csv: the tidy CSV reader (errors naming file, line and column) and writer (shortest
// round-trip numbers, missing values as empty cells).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "error_of.hpp"
#include "hat/core/error.hpp"
#include "hat/io/csv.hpp"

using hat::InputError;
using hat::io::CsvWriter;
using hat::io::parse_csv;

using hat::test::error_of;

TEST(Csv, ReadsBomCrlfAndQuotedCells) {
  const auto t =
      parse_csv("\xEF\xBB\xBFname,value\r\n\"a, b\",1.5\r\n\"say \"\"hi\"\"\",-2\r\n", "t.csv");
  ASSERT_EQ(t.header.size(), 2u);
  EXPECT_EQ(t.header[0], "name");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][0], "a, b");
  EXPECT_EQ(t.rows[1][0], "say \"hi\"");
  EXPECT_EQ(t.numbers("value"), (std::vector<double>{1.5, -2.0}));
  EXPECT_TRUE(t.has_column("value"));
  EXPECT_FALSE(t.has_column("missing"));
}

TEST(Csv, ErrorsNameTheFileLineAndColumn) {
  EXPECT_NE(error_of([] { parse_csv("a,b\n1,2\n3\n", "ragged.csv"); }).find("ragged.csv"),
            std::string::npos);
  const auto t = parse_csv("x,y\n1,2\n3,abc\n", "bad.csv");
  const std::string m = error_of([&] { t.numbers("y"); });
  EXPECT_NE(m.find("bad.csv"), std::string::npos) << m;
  EXPECT_NE(m.find("'y'"), std::string::npos) << m;
  EXPECT_NE(m.find("data row 2"), std::string::npos) << m;  // the second row under the header
  EXPECT_NE(error_of([&] { t.column_index("z"); }).find("z"), std::string::npos);
  // Non-finite cells are not numbers.
  const auto n = parse_csv("x\nnan\n", "nan.csv");
  EXPECT_NE(error_of([&] { n.numbers("x"); }), "");
  EXPECT_NE(error_of([] { hat::io::read_csv("/nonexistent/file.csv"); }).find("file.csv"),
            std::string::npos);
}

// Numbers are written in the shortest form that reads back to the same double; non-finite
// values are empty cells (missing in pandas, R and Stata).
TEST(Csv, WriterRoundTripsNumbersAndLeavesMissingCellsEmpty) {
  const double values[] = {0.1, 1.0 / 3.0, 1e-300, -2.5e17, 1.0141938128};
  for (double v : values) EXPECT_EQ(std::stod(hat::io::format_number(v)), v) << v;
  CsvWriter w({"a", "b", "c"});
  w.cell(std::numeric_limits<double>::quiet_NaN()).cell(std::numeric_limits<double>::infinity());
  w.cell(0.5);
  w.end_row();
  EXPECT_EQ(w.str(), "a,b,c\n,,0.5\n");
  const auto back = parse_csv(w.str(), "w.csv");
  EXPECT_EQ(back.rows[0][0], "");
  CsvWriter short_row({"a", "b"});
  short_row.cell(1.0);
  EXPECT_THROW(short_row.end_row(), std::exception);
}
