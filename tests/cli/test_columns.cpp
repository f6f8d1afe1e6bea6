// docs/columns.md against the files the commands write: every CSV header written by the fast
// commands must be, column for column, the list of its section in the column dictionary (so the
// dictionary cannot go stale), a file name has one column list in the whole tool, no cell
// may be NaN or Inf text (missing values are empty), and every index column is 1-based and named
// `<name>_1` (periods are dates).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "hat/io/csv.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using hat::test::hat_binary;
using hat::test::run;
using hat::test::source_dir;

namespace {

// One `### \`file.csv\` — \`hat cmd\`, ...` section of docs/columns.md.
struct Section {
  std::string file;
  std::vector<std::string> commands;
  std::vector<std::string> columns;
  std::vector<std::string> bases;  // per column, its "index base" cell: "", "1-based" or "date"
};

// The last cell of a table row "| `name` | meaning | base |", trimmed.
std::string last_cell(const std::string& line) {
  const size_t end = line.find_last_of('|');
  const size_t begin = line.find_last_of('|', end - 1);
  std::string c = line.substr(begin + 1, end - begin - 1);
  c.erase(0, c.find_first_not_of(' '));
  c.erase(c.find_last_not_of(' ') + 1);
  return c;
}

std::vector<std::string> backticked(const std::string& line) {
  std::vector<std::string> out;
  size_t p = 0;
  while ((p = line.find('`', p)) != std::string::npos) {
    const size_t q = line.find('`', p + 1);
    if (q == std::string::npos) break;
    out.push_back(line.substr(p + 1, q - p - 1));
    p = q + 1;
  }
  return out;
}

// Sections start at "### `file`" headings; their columns are the table rows "| `name` | ...".
std::vector<Section> parse_dictionary(const std::string& path) {
  std::ifstream in(path);
  std::vector<Section> sections;
  bool open = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("### `", 0) == 0) {
      const auto toks = backticked(line);
      Section s;
      s.file = toks.at(0);
      for (size_t k = 1; k < toks.size(); ++k)
        if (toks[k].rfind("hat ", 0) == 0) s.commands.push_back(toks[k]);
      sections.push_back(s);
      open = true;
    } else if (line.rfind("## ", 0) == 0) {
      open = false;
    } else if (open && line.rfind("| `", 0) == 0) {
      sections.back().columns.push_back(backticked(line).at(0));
      sections.back().bases.push_back(last_cell(line));
    }
  }
  return sections;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
  return cells;
}

bool is_nonfinite_text(std::string c) {
  std::transform(c.begin(), c.end(), c.begin(), [](unsigned char x) { return std::tolower(x); });
  if (!c.empty() && (c[0] == '-' || c[0] == '+')) c.erase(0, 1);
  return c == "nan" || c == "inf" || c == "infinity";
}

const std::vector<Section>& dictionary() {
  static const std::vector<Section> d = parse_dictionary(source_dir() + "/docs/columns.md");
  return d;
}

bool ends_with_1(const std::string& name) {
  return name.size() > 2 && name.compare(name.size() - 2, 2, "_1") == 0;
}

// The index bases the written values show: a column documented `1-based` holds integers whose
// smallest is 1; a column whose values are integers numbering positions (every value of 0..n-1
// or 1..n, n >= 3, each equally often, as a key of a tidy table is) must be documented as an
// index (`1-based`, so named `<name>_1`) or as a date, so that no index goes unnamed.
void check_index_columns(const fs::path& file, const Section& s) {
  static const std::regex integer("-?[0-9]+");
  const hat::io::CsvTable t = hat::io::read_csv(file.string());
  for (size_t c = 0; c < t.header.size(); ++c) {
    const auto doc = std::find(s.columns.begin(), s.columns.end(), t.header[c]);
    const std::string base = doc == s.columns.end() ? "" : s.bases[doc - s.columns.begin()];
    std::map<long, long> counts;
    bool all_integer = !t.rows.empty();
    for (const auto& row : t.rows) {
      if (!std::regex_match(row[c], integer)) {
        all_integer = false;
        break;
      }
      ++counts[std::stol(row[c])];
    }
    const std::string& name = t.header[c];
    if (base == "1-based") {
      ASSERT_TRUE(all_integer) << file << ": index column " << name << " has a non-integer cell";
      EXPECT_EQ(counts.begin()->first, 1) << file << ": index column " << name << " is not 1-based";
      continue;
    }
    if (!all_integer || counts.size() < 3 || base == "date") continue;
    const long first = counts.begin()->first, last = counts.rbegin()->first;
    const bool positions =
        (first == 0 || first == 1) && last - first + 1 == static_cast<long>(counts.size()) &&
        std::all_of(counts.begin(), counts.end(),
                    [&](const auto& kv) { return kv.second == counts.begin()->second; });
    EXPECT_FALSE(positions) << file << ": column " << name << " numbers positions " << first << ".."
                            << last << " but docs/columns.md does not document it as an "
                            << "index (`1-based`, named `<name>_1`) or a date";
  }
}

// Checks every CSV file under `dir` against the dictionary sections naming `command`.
void check_outputs(const std::string& dir, const std::string& command) {
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".csv") continue;
    ++files;
    const std::string name = e.path().filename().string();
    std::ifstream in(e.path());
    std::string header;
    std::getline(in, header);
    if (!header.empty() && header.back() == '\r') header.pop_back();
    std::vector<const Section*> match;
    for (const Section& s : dictionary())
      if (s.file == name &&
          std::find(s.commands.begin(), s.commands.end(), command) != s.commands.end())
        match.push_back(&s);
    ASSERT_EQ(match.size(), 1u) << "docs/columns.md: no unique section for " << name << " of `"
                                << command << "`";
    EXPECT_EQ(split(header), match[0]->columns) << "docs/columns.md: the columns of " << name
                                                << " (`" << command << "`) differ from " << header;
    check_index_columns(e.path(), *match[0]);
    int line_no = 1;
    for (std::string line; std::getline(in, line);) {
      ++line_no;
      for (const std::string& c : split(line))
        ASSERT_FALSE(is_nonfinite_text(c)) << name << " line " << line_no << ": " << c;
    }
  }
  EXPECT_GT(files, 0) << command << " wrote no CSV file into " << dir;
}

// Runs `hat ARGS --out DIR --quiet` and checks its files against the dictionary.
void run_and_check(const std::string& command, const std::string& args, const std::string& tag) {
  const std::string dir = hat::test::tmp_path("columns_" + tag);
  fs::remove_all(dir);
  ASSERT_EQ(run(hat_binary() + " " + args + " --quiet --out " + dir), 0)
      << args << "\n"
      << hat::test::last_stderr();
  check_outputs(dir, command);
  fs::remove_all(dir);
}

}  // namespace

// The dictionary itself: every section names a CSV file, at least one command and its columns,
// and no file has two sections for the same command.
TEST(Columns, DictionaryIsWellFormed) {
  const auto& d = dictionary();
  ASSERT_GT(d.size(), 40u);
  for (size_t a = 0; a < d.size(); ++a) {
    EXPECT_TRUE(d[a].file.size() > 4 && d[a].file.substr(d[a].file.size() - 4) == ".csv")
        << d[a].file;
    EXPECT_FALSE(d[a].commands.empty()) << d[a].file;
    EXPECT_FALSE(d[a].columns.empty()) << d[a].file;
    for (size_t b = a + 1; b < d.size(); ++b) {
      if (d[a].file != d[b].file) continue;
      for (const auto& c : d[a].commands) {
        EXPECT_EQ(std::count(d[b].commands.begin(), d[b].commands.end(), c), 0)
            << d[a].file << " documented twice for " << c;
      }
    }
  }
}

// One schema per file name: a name documented in two sections must have the same columns in
// both (together with the header checks below, every command writing a name writes the same
// columns, so a table loads the same way whichever command wrote it).
TEST(Columns, OneSchemaPerFileName) {
  const auto& d = dictionary();
  for (size_t a = 0; a < d.size(); ++a)
    for (size_t b = a + 1; b < d.size(); ++b) {
      if (d[a].file != d[b].file) continue;
      EXPECT_EQ(d[a].columns, d[b].columns)
          << "docs/columns.md: " << d[a].file << " has two column lists (`" << d[a].commands.at(0)
          << "` and `" << d[b].commands.at(0) << "`); give one of the tables its own name";
    }
}

// One index base, stated in the name: a column documented as an index is 1-based and named
// `<name>_1`, a name ending in `_1` is documented as a 1-based index, and the only other base is
// `date` (periods: signed, t = 0 the announcement or shock period, -1 the old steady state).
TEST(Columns, EveryIndexIsOneBasedAndSaysSo) {
  int indices = 0, dates = 0;
  for (const Section& s : dictionary()) {
    ASSERT_EQ(s.bases.size(), s.columns.size()) << s.file;
    for (size_t c = 0; c < s.columns.size(); ++c) {
      const std::string& name = s.columns[c];
      const std::string& base = s.bases[c];
      EXPECT_TRUE(base.empty() || base == "1-based" || base == "date")
          << "docs/columns.md: " << s.file << " column " << name << ": index base '" << base
          << "' (an index is `1-based`, a period is a `date`)";
      EXPECT_EQ(base == "1-based", ends_with_1(name))
          << "docs/columns.md: " << s.file << " column " << name << " (" << base
          << "): an index column is 1-based and named <name>_1, and only an index column is";
      indices += base == "1-based";
      dates += base == "date";
    }
  }
  EXPECT_GE(indices, 20);  // income_state_1, asset_index_1, state_1, bin_1, shock_1, variety_1
  EXPECT_GE(dates, 8);     // period, horizon, start, end
}

TEST(Columns, HouseholdAndWorldCommands) {
  const std::string ex = source_dir() + "/examples/";
  run_and_check("hat household", "household " + ex + "household.toml", "household");
  run_and_check("hat solve", "solve " + ex + "two_country.toml --policies", "solve");
  run_and_check("hat residuals", "residuals " + ex + "two_country.toml", "residuals");
  run_and_check("hat elasticity", "elasticity " + ex + "two_country.toml --country HOME",
                "elasticity");
  run_and_check("hat planner", "planner " + ex + "two_country.toml --country HOME", "planner");
}

TEST(Columns, CounterfactualAndTransition) {
  const std::string world = source_dir() + "/examples/two_country.toml";
  run_and_check("hat counterfactual",
                "counterfactual " + world + " --shock importer=HOME,exporter=FOREIGN,factor=0.9",
                "counterfactual");
  run_and_check(
      "hat transition",
      "transition " + world + " --shock 'importer=HOME,exporter=*,factor=0.9' --periods 60",
      "transition");
}

TEST(Columns, DynamicCommands) {
  const std::string ex = source_dir() + "/examples/";
  // Melitz adds the productivity_cutoff rows (same columns); ek19 is the 19-country example.
  for (const char* cfg : {"dynamic_ek19", "dynamic_melitz"}) {
    run_and_check("hat dynamic steady-state",
                  std::string("dynamic steady-state ") + ex + cfg + ".toml", "ss");
    run_and_check("hat dynamic gft", std::string("dynamic gft ") + ex + cfg + ".toml", "gft");
  }
}

TEST(Columns, GravityAndEatonKortum) {
  HAT_REQUIRE_DATA(dir);
  run_and_check("hat gravity", "gravity --data " + dir, "gravity");
  run_and_check("hat ek estimate", "ek estimate --data " + dir, "ek_estimate");
  run_and_check("hat ek counterfactual", "ek counterfactual --scenario all --data " + dir,
                "ek_counterfactual");
}
