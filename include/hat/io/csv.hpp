// Tidy CSV reading (with file/line/column error messages) and writing (shortest round-trip
// number formatting, so values reload bit-exactly in pandas/R/Stata).
#pragma once

#include <Eigen/Dense>
#include <string>
#include <utility>
#include <vector>

namespace hat::io {

struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each row has header.size() cells

  size_t column_index(const std::string& name) const;  // throws InputError if absent
  bool has_column(const std::string& name) const;
  // A numeric column; throws InputError "<path>: line L, column 'name': ..." on bad cells.
  std::vector<double> numbers(const std::string& name) const;
  std::vector<double> numbers(size_t col) const;
  double number(size_t row, size_t col) const;
};

// Reads a comma-separated file with a header line. Handles a UTF-8 BOM, CRLF line ends and
// double-quoted cells; rejects ragged rows.
CsvTable read_csv(const std::string& path);
CsvTable parse_csv(const std::string& text, const std::string& name);

// Reads a square matrix in "labelled" form: header = [label, col names...], first column = row
// names. Returns the matrix and the names; checks that row and column names agree.
struct LabelledMatrix {
  Eigen::MatrixXd values;
  std::vector<std::string> row_names, col_names;
};
LabelledMatrix read_labelled_matrix(const std::string& path);

// Formats a double with the shortest representation that round-trips.
std::string format_number(double x);

class CsvWriter {
 public:
  explicit CsvWriter(std::vector<std::string> header);
  CsvWriter& cell(const std::string& s);
  CsvWriter& cell(const char* s) { return cell(std::string(s)); }
  CsvWriter& cell(double x);  // non-finite x: an empty cell (a missing value)
  CsvWriter& cell(int x);
  CsvWriter& cell(long x);
  CsvWriter& cell(size_t x);
  void end_row();  // checks the row has header.size() cells
  const std::string& str() const { return out_; }
  std::string release() { return std::move(out_); }  // the text; the writer is left empty

 private:
  size_t ncols_, in_row_ = 0;
  std::string out_;
};

}  // namespace hat::io
