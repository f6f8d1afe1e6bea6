// CSV reading and writing.
#include "hat/io/csv.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>

#include "hat/core/error.hpp"

namespace hat::io {

namespace {
std::vector<std::string> split_line(const std::string& line, const std::string& path,
                                    size_t lineno) {
  std::vector<std::string> cells;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char ch = line[i];
    if (quoted) {
      if (ch == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      cells.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (quoted) throw InputError(path + ": line " + std::to_string(lineno) + ": unterminated quote");
  cells.push_back(cur);
  for (auto& c : cells) {  // trim spaces
    size_t b = c.find_first_not_of(" \t");
    size_t e = c.find_last_not_of(" \t");
    c = (b == std::string::npos) ? std::string() : c.substr(b, e - b + 1);
  }
  return cells;
}

bool parse_double(const std::string& s, double& out) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (*b == '+') ++b;
  auto r = std::from_chars(b, e, out);
  return r.ec == std::errc() && r.ptr == e;
}
}  // namespace

CsvTable parse_csv(const std::string& text_in, const std::string& name) {
  CsvTable t;
  t.path = name;
  std::string text = text_in;
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF)
    text = text.substr(3);
  std::istringstream in(text);
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto cells = split_line(line, name, lineno);
    if (t.header.empty()) {
      t.header = cells;
      continue;
    }
    if (cells.size() != t.header.size())
      throw InputError(name + ": line " + std::to_string(lineno) + ": " +
                       std::to_string(cells.size()) + " cells, header has " +
                       std::to_string(t.header.size()));
    t.rows.push_back(std::move(cells));
  }
  if (t.header.empty()) throw InputError(name + ": empty CSV file (no header)");
  return t;
}

CsvTable read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open CSV file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_csv(ss.str(), path);
}

bool CsvTable::has_column(const std::string& name) const {
  for (const auto& h : header)
    if (h == name) return true;
  return false;
}

size_t CsvTable::column_index(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  throw InputError(path + ": missing column '" + name + "'");
}

double CsvTable::number(size_t row, size_t col) const {
  double v = 0;
  if (!parse_double(rows.at(row)[col], v) || !std::isfinite(v))
    throw InputError(path + ": data row " + std::to_string(row + 1) + ", column '" + header[col] +
                     "': not a finite number ('" + rows[row][col] + "')");
  return v;
}

std::vector<double> CsvTable::numbers(size_t col) const {
  std::vector<double> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) out[r] = number(r, col);
  return out;
}

std::vector<double> CsvTable::numbers(const std::string& name) const {
  return numbers(column_index(name));
}

LabelledMatrix read_labelled_matrix(const std::string& path) {
  CsvTable t = read_csv(path);
  LabelledMatrix m;
  const size_t n = t.header.size() - 1;
  if (t.header.size() < 2) throw InputError(path + ": expected a label column and data columns");
  m.col_names.assign(t.header.begin() + 1, t.header.end());
  if (t.rows.size() != n)
    throw InputError(path + ": matrix must be square: " + std::to_string(t.rows.size()) +
                     " rows but " + std::to_string(n) + " columns");
  m.values.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  for (size_t r = 0; r < n; ++r) {
    m.row_names.push_back(t.rows[r][0]);
    for (size_t c = 0; c < n; ++c)
      m.values(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = t.number(r, c + 1);
  }
  for (size_t i = 0; i < n; ++i)
    if (m.row_names[i] != m.col_names[i])
      throw InputError(path + ": row " + std::to_string(i + 1) + " is '" + m.row_names[i] +
                       "' but column " + std::to_string(i + 1) + " is '" + m.col_names[i] +
                       "' (rows = importers and columns = exporters must be in the same order)");
  return m;
}

std::string format_number(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Inf" : "-Inf";
  return fmt::format("{}", x);
}

namespace {

// "{}" formatted (shortest round-trip for doubles) through a compiled format into a stack
// buffer: the same characters as fmt::format_to(back_inserter(out), "{}", x) without the
// format string's parsing and the per-character appends (large tables have millions of cells).
template <typename T>
void append_formatted(std::string& out, T x) {
  char buf[40];
  const char* end = fmt::format_to(buf, FMT_COMPILE("{}"), x);
  out.append(buf, static_cast<size_t>(end - buf));
}

}  // namespace

CsvWriter::CsvWriter(std::vector<std::string> header) : ncols_(header.size()) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (i) out_ += ',';
    out_ += header[i];
  }
  out_ += '\n';
}

CsvWriter& CsvWriter::cell(const std::string& s) {
  if (in_row_++) out_ += ',';
  if (s.find_first_of(",\"\n") != std::string::npos) {
    out_ += '"';
    for (char c : s) {
      if (c == '"') out_ += '"';
      out_ += c;
    }
    out_ += '"';
  } else {
    out_ += s;
  }
  return *this;
}
// Numbers are formatted straight into the table (as format_number would, without a string per
// cell: large tables such as a world's policies have millions of cells); they never need quotes.
CsvWriter& CsvWriter::cell(double x) {
  if (in_row_++) out_ += ',';
  // A missing value (NaN, or an infinite one that no number can stand for) is an empty cell,
  // which pandas, R and Stata all read as missing; "NaN"/"Inf" would be read as text by some.
  if (std::isfinite(x)) append_formatted(out_, x);
  return *this;
}
CsvWriter& CsvWriter::cell(int x) {
  return cell(static_cast<long>(x));
}
CsvWriter& CsvWriter::cell(long x) {
  if (in_row_++) out_ += ',';
  append_formatted(out_, x);
  return *this;
}
CsvWriter& CsvWriter::cell(size_t x) {
  if (in_row_++) out_ += ',';
  append_formatted(out_, x);
  return *this;
}

void CsvWriter::end_row() {
  if (in_row_ != ncols_)
    throw std::logic_error("CsvWriter: row has " + std::to_string(in_row_) + " cells, expected " +
                           std::to_string(ncols_));
  out_ += '\n';
  in_row_ = 0;
}

}  // namespace hat::io
