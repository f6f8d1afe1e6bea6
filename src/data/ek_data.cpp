// Readers for the Eaton–Kortum (2002) data (Econometrica 70(5), 1741-1779) as distributed in
// ../shared/data (see its README) and for the generic tidy gravity format.
#include "hat/data/ek_data.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "hat/core/error.hpp"
#include "hat/io/csv.hpp"

namespace hat::data {
namespace fs = std::filesystem;

const std::vector<std::string>& ek_countries() {
  static const std::vector<std::string> c = {"AUS", "AUT", "BEL", "CAN", "DNK", "FIN", "FRA",
                                             "DEU", "GRC", "ITA", "JPN", "NLD", "NZL", "NOR",
                                             "PRT", "ESP", "SWE", "GBR", "USA"};
  return c;
}

const std::vector<std::string>& ek_two_letter_codes() {
  static const std::vector<std::string> c = {"AL", "AU", "BE", "CA", "DK", "FI", "FR",
                                             "GE", "GR", "IT", "JP", "NE", "NZ", "NO",
                                             "PO", "SP", "SW", "UK", "US"};
  return c;
}

namespace {
// `dir` if it holds the EK data; otherwise bad input naming where `dir` came from.
std::string checked_data_dir(const std::string& dir, const std::string& source) {
  if (!fs::is_directory(dir)) throw InputError(source + ": no such directory " + dir);
  if (!fs::is_directory(fs::path(dir) / "ek2002") &&
      !fs::is_directory(fs::path(dir) / "ek2002-raw"))
    throw InputError(source + ": " + dir + " holds neither ek2002/ nor ek2002-raw/");
  return dir;
}
}  // namespace

DataDirArg choose_data_dir(const std::string& option, const char* env) {
  if (!option.empty()) return {option, "--data"};
  if (env && *env) return {env, "HAT_DATA_DIR"};
  return {};
}

std::string resolve_data_dir(const std::string& option, const std::string& source) {
  if (!option.empty()) return checked_data_dir(option, source);
  if (fs::is_directory("../shared/data/ek2002") || fs::is_directory("../shared/data/ek2002-raw"))
    return "../shared/data";
  throw InputError(
      "no data directory: pass --data DIR (the directory holding ek2002/ and ek2002-raw/), "
      "set HAT_DATA_DIR, or run from a directory with ../shared/data");
}

namespace {

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw InputError(file + ": " + what);
}

std::string line_of(long row) {
  return "line " + std::to_string(row + 2);
}

void require_rows(const io::CsvTable& t, long n) {
  if (static_cast<long>(t.rows.size()) != n)
    fail(t.path,
         "expected " + std::to_string(n) + " data rows, found " + std::to_string(t.rows.size()));
}

// A column of finite numbers (the CSV layer reports unparsable cells; we add NaN/inf).
std::vector<double> finite_column(const io::CsvTable& t, const std::string& name) {
  std::vector<double> v = t.numbers(name);
  for (size_t r = 0; r < v.size(); ++r)
    if (!std::isfinite(v[r]))
      fail(t.path,
           line_of(static_cast<long>(r)) + ", column '" + name + "': missing or non-finite value");
  return v;
}

std::vector<double> dummy_column(const io::CsvTable& t, const std::string& name) {
  std::vector<double> v = finite_column(t, name);
  for (size_t r = 0; r < v.size(); ++r)
    if (v[r] != 0.0 && v[r] != 1.0)
      fail(t.path, line_of(static_cast<long>(r)) + ", column '" + name +
                       "': expected 0 or 1, got " + io::format_number(v[r]));
  return v;
}

// Checks that id columns enumerate the N x N pairs importer-major; returns the off-diagonal
// row indices.
std::vector<long> check_pair_order(const io::CsvTable& t, const std::string& imp_col,
                                   const std::string& exp_col, int n) {
  std::vector<double> imp = finite_column(t, imp_col), ex = finite_column(t, exp_col);
  std::vector<long> off;
  for (long r = 0; r < static_cast<long>(imp.size()); ++r) {
    const int want_n = static_cast<int>(r / n) + 1, want_i = static_cast<int>(r % n) + 1;
    if (imp[r] != want_n || ex[r] != want_i)
      fail(t.path, line_of(r) + ": expected importer " + std::to_string(want_n) + " and exporter " +
                       std::to_string(want_i) +
                       " (rows must be importer-major in the EK country order)");
    if (want_n != want_i) off.push_back(r);
  }
  return off;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string require_file(const fs::path& p) {
  if (!fs::is_regular_file(p)) throw InputError(p.string() + ": file not found");
  return p.string();
}

fs::path ek_dir(const std::string& data_dir, const char* sub) {
  fs::path d(data_dir);
  if (fs::is_directory(d / sub)) return d / sub;
  return d;  // allow pointing at the sub-directory itself
}

}  // namespace

void GravityData::validate(const std::string& what) const {
  const int n = n_countries();
  const long p = n_pairs();
  if (n < 3) fail(what, "need at least 3 countries, found " + std::to_string(n));
  if (p != static_cast<long>(n) * (n - 1))
    fail(what, "expected all " + std::to_string(n * (n - 1)) + " ordered pairs of " +
                   std::to_string(n) + " countries, found " + std::to_string(p));
  const long K = static_cast<long>(covariate_names.size());
  if (static_cast<long>(exporter.size()) != p || y.size() != p ||
      (has_bins() && static_cast<long>(distbin.size()) != p) || (K > 0 && covariates.rows() != p) ||
      covariates.cols() != K)
    fail(what, "pair columns have different lengths");
  for (long s : {border.size(), language.size(), ec.size(), efta.size()})
    if (s != 0 && s != p) fail(what, "pair columns have different lengths");
  for (long j = 0; j < K; ++j)
    for (long k = 0; k < j; ++k)
      if (covariate_names[j] == covariate_names[k])
        fail(what, "covariate '" + covariate_names[j] + "' listed twice");
  std::vector<char> seen(static_cast<size_t>(n) * n, 0);
  for (long k = 0; k < p; ++k) {
    const int a = importer[k], b = exporter[k];
    if (a < 0 || a >= n || b < 0 || b >= n)
      fail(what, "pair " + std::to_string(k) + ": bad country index");
    if (a == b)
      fail(what, "pair " + std::to_string(k) + ": importer equals exporter (" + countries[a] + ")");
    if (seen[a * n + b]++) fail(what, "duplicate pair " + countries[a] + "-" + countries[b]);
    if (!std::isfinite(y(k)))
      fail(what, "pair " + countries[a] + "-" + countries[b] + ": y is not finite");
    if (has_bins() && (distbin[k] < 0 || distbin[k] > 5))
      fail(what, "pair " + countries[a] + "-" + countries[b] + ": distance bin outside 1..6");
    for (long j = 0; j < K; ++j)
      if (!std::isfinite(covariates(k, j)))
        fail(what, "pair " + countries[a] + "-" + countries[b] + ": covariate '" +
                       covariate_names[j] + "' is not finite");
  }
}

void GravityData::set_ek_covariates() {
  covariate_names = {"border", "language", "ec", "efta"};
  covariates.resize(n_pairs(), 4);
  covariates << border, language, ec, efta;
}

GravityData read_ek_gravity(const std::string& data_dir) {
  const fs::path dir = ek_dir(data_dir, "ek2002");
  const std::string f_data = require_file(dir / "ek-data.csv");
  const std::string f_lang = require_file(dir / "ek-language.csv");
  const int n = 19;
  io::CsvTable t = io::read_csv(f_data);
  require_rows(t, n * n);
  std::vector<long> off = check_pair_order(t, "importer", "exporter", n);
  std::vector<double> y = finite_column(t, "trade"), db = finite_column(t, "distbin"),
                      border = dummy_column(t, "border");
  const char* bins[] = {"bin375", "bin750", "bin1500", "bin3000", "bin6000", "binmax"};
  std::vector<std::vector<double>> bincols;
  for (const char* b : bins) bincols.push_back(dummy_column(t, b));
  io::CsvTable l = io::read_csv(f_lang);
  require_rows(l, n * (n - 1));
  std::vector<double> lang = dummy_column(l, "sharedlanguage"), ec = dummy_column(l, "europeancom"),
                      efta = dummy_column(l, "efta");

  GravityData g;
  g.countries = ek_countries();
  g.files = {f_data, f_lang};
  const long p = static_cast<long>(off.size());
  g.y.resize(p);
  g.border.resize(p);
  g.language.resize(p);
  g.ec.resize(p);
  g.efta.resize(p);
  for (long k = 0; k < p; ++k) {
    const long r = off[k];
    g.importer.push_back(static_cast<int>(r / n));
    g.exporter.push_back(static_cast<int>(r % n));
    const int bin = static_cast<int>(db[r]);
    if (db[r] != bin || bin < 1 || bin > 6)
      fail(f_data, line_of(r) + ", column 'distbin': expected an integer 1..6");
    for (int b = 0; b < 6; ++b)
      if (bincols[b][r] != (b == bin - 1 ? 1.0 : 0.0))
        fail(f_data, line_of(r) + ", column '" + bins[b] + "': disagrees with distbin " +
                         std::to_string(bin));
    g.distbin.push_back(bin - 1);
    g.y(k) = y[r];
    g.border(k) = border[r];
    g.language(k) = lang[k];
    g.ec(k) = ec[k];
    g.efta(k) = efta[k];
  }
  for (int i = 0; i < n; ++i)
    if (y[static_cast<size_t>(i) * n + i] != 0.0)
      fail(f_data, line_of(i * n + i) + ", column 'trade': diagonal entries must be 0");
  g.set_ek_covariates();
  g.validate(f_data);
  return g;
}

namespace {

// The countries of a pairs file in order of first appearance as importer, and each row's
// importer and exporter index; rejects unknown exporters and duplicate pairs by line.
void read_pair_ids(const io::CsvTable& t, GravityData& g) {
  const size_t ci = t.column_index("importer"), ce = t.column_index("exporter");
  std::map<std::string, int> index;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const std::string& c = t.rows[r][ci];
    if (c.empty()) fail(t.path, line_of(static_cast<long>(r)) + ", column 'importer': empty code");
    if (!index.count(c)) {
      index[c] = static_cast<int>(g.countries.size());
      g.countries.push_back(c);
    }
  }
  std::map<std::pair<int, int>, long> seen;
  for (long r = 0; r < static_cast<long>(t.rows.size()); ++r) {
    auto it = index.find(t.rows[r][ce]);
    if (it == index.end())
      fail(t.path, line_of(r) + ", column 'exporter': country '" + t.rows[r][ce] +
                       "' never appears as an importer");
    const int a = index.at(t.rows[r][ci]), b = it->second;
    if (a == b) fail(t.path, line_of(r) + ": importer equals exporter (" + g.countries[a] + ")");
    auto [pos, fresh] = seen.emplace(std::make_pair(a, b), r);
    if (!fresh)
      fail(t.path, line_of(r) + ": duplicate pair " + g.countries[a] + "-" + g.countries[b] +
                       " (first on " + line_of(pos->second) + ")");
    g.importer.push_back(a);
    g.exporter.push_back(b);
  }
}

std::vector<int> distbin_column(const io::CsvTable& t) {
  std::vector<double> db = finite_column(t, "distbin");
  std::vector<int> out;
  for (long r = 0; r < static_cast<long>(db.size()); ++r) {
    const int bin = static_cast<int>(db[r]);
    if (db[r] != bin || bin < 1 || bin > 6)
      fail(t.path, line_of(r) + ", column 'distbin': expected an integer 1..6");
    out.push_back(bin - 1);
  }
  return out;
}

}  // namespace

GravityData read_gravity_pairs(const std::string& csv_path,
                               const std::vector<std::string>& covariates) {
  io::CsvTable t = io::read_csv(require_file(csv_path));
  const bool legacy = covariates.empty();
  std::vector<std::string> need = {"importer", "exporter", "y"};
  if (legacy)
    need.insert(need.end(), {"distbin", "border", "language", "ec", "efta"});
  else
    need.insert(need.end(), covariates.begin(), covariates.end());
  for (const auto& c : need)
    if (!t.has_column(c)) fail(csv_path, "missing column '" + c + "'");
  GravityData g;
  g.files = {csv_path};
  read_pair_ids(t, g);
  const long p = static_cast<long>(t.rows.size());
  std::vector<double> y = finite_column(t, "y");
  g.y = Eigen::Map<Eigen::VectorXd>(y.data(), p);
  if (legacy) {
    g.distbin = distbin_column(t);
    std::vector<double> border = dummy_column(t, "border"), lang = dummy_column(t, "language"),
                        ec = dummy_column(t, "ec"), efta = dummy_column(t, "efta");
    g.border = Eigen::Map<Eigen::VectorXd>(border.data(), p);
    g.language = Eigen::Map<Eigen::VectorXd>(lang.data(), p);
    g.ec = Eigen::Map<Eigen::VectorXd>(ec.data(), p);
    g.efta = Eigen::Map<Eigen::VectorXd>(efta.data(), p);
    g.set_ek_covariates();
  } else {
    for (const auto& c : covariates) {
      if (c == "importer" || c == "exporter" || c == "y")
        fail(csv_path, "covariate '" + c + "': not a covariate (an id or the regressand)");
      if (std::count(covariates.begin(), covariates.end(), c) > 1)
        fail(csv_path, "covariate '" + c + "' listed twice");
      if (c == "distbin") {
        g.distbin = distbin_column(t);
        continue;
      }
      std::vector<double> v = finite_column(t, c);
      if (p > 0 && std::all_of(v.begin(), v.end(), [&](double x) { return x == v[0]; }))
        fail(csv_path,
             "column '" + c + "': constant, so collinear with the fixed effects (drop it)");
      g.covariate_names.push_back(c);
      g.covariates.conservativeResize(p, g.covariates.cols() + 1);
      g.covariates.rightCols(1) = Eigen::Map<Eigen::VectorXd>(v.data(), p);
    }
  }
  g.validate(csv_path);
  return g;
}

EkRawData read_ek_raw(const std::string& data_dir) {
  const fs::path dir = ek_dir(data_dir, "ek2002-raw");
  const int n = 19;
  EkRawData d;
  d.countries = ek_countries();

  // country_code.csv: the order of everything else
  const std::string f_cc = require_file(dir / "country_code.csv");
  io::CsvTable cc = io::read_csv(f_cc);
  require_rows(cc, n);
  for (int r = 0; r < n; ++r) {
    const auto& row = cc.rows[r];
    if (row[cc.column_index("id")] != std::to_string(r + 1) ||
        row[cc.column_index("code")] != ek_two_letter_codes()[r])
      fail(f_cc, line_of(r) + ": expected id " + std::to_string(r + 1) + " code " +
                     ek_two_letter_codes()[r] + " (" + ek_countries()[r] + ")");
    d.names.push_back(row[cc.column_index("name")]);
  }

  const std::string f_sc = require_file(dir / "scalar.json");
  try {
    auto js = nlohmann::json::parse(read_text(f_sc));
    d.beta = js.at("beta").get<double>();
    d.thetas = js.at("theta").get<std::vector<double>>();
    if (js.at("N").get<int>() != n) fail(f_sc, "N must be 19");
  } catch (const nlohmann::json::exception& e) {
    fail(f_sc, std::string("malformed: ") + e.what());
  }
  if (!(d.beta > 0 && d.beta < 1)) fail(f_sc, "beta must lie in (0, 1)");
  for (double t : d.thetas)
    if (!(t > 0) || !std::isfinite(t)) fail(f_sc, "theta values must be positive");

  const std::string f_nv = require_file(dir / "nominal_variable.csv");
  io::CsvTable nv = io::read_csv(f_nv);
  require_rows(nv, n);
  std::vector<double> id = finite_column(nv, "n");
  for (int r = 0; r < n; ++r)
    if (id[r] != r + 1) fail(f_nv, line_of(r) + ", column 'n': expected " + std::to_string(r + 1));
  auto positive = [&](const std::string& col) {
    std::vector<double> v = finite_column(nv, col);
    for (int r = 0; r < n; ++r)
      if (!(v[r] > 0)) fail(f_nv, line_of(r) + ", column '" + col + "': must be positive");
    return Eigen::VectorXd(Eigen::Map<Eigen::VectorXd>(v.data(), n));
  };
  d.gdp = positive("gdp");
  d.exchange_rate = positive("exchange_rate");
  d.manuf_labor = positive("industrial_labor");
  d.wage = positive("nominal_wage");
  d.edu_years = positive("edu_year");
  d.trade.resize(n, n);
  for (int i = 0; i < n; ++i) d.trade.col(i) = positive("trade_" + std::to_string(i + 1));

  const std::string f_pr = require_file(dir / "price.csv");
  io::CsvTable pr = io::read_csv(f_pr);
  require_rows(pr, n);
  if (pr.header.size() != 51) fail(f_pr, "expected a country column and 50 goods");
  std::vector<double> pid = finite_column(pr, "country");
  d.log_price.resize(n, 50);
  for (int j = 0; j < 50; ++j) {
    std::vector<double> v = finite_column(pr, "good" + std::to_string(j + 1));
    for (int r = 0; r < n; ++r) d.log_price(r, j) = v[r];
  }
  for (int r = 0; r < n; ++r)
    if (pid[r] != r + 1)
      fail(f_pr, line_of(r) + ", column 'country': expected " + std::to_string(r + 1));

  const std::string f_rd = require_file(dir / "regression_data.csv");
  io::CsvTable rd = io::read_csv(f_rd);
  require_rows(rd, n * n);
  std::vector<long> off = check_pair_order(rd, "import_country", "export_country", n);
  const long p = static_cast<long>(off.size());
  auto pick = [&](const std::vector<double>& v) {
    Eigen::VectorXd out(p);
    for (long k = 0; k < p; ++k) out(k) = v[off[k]];
    return out;
  };
  GravityData& g = d.gravity;
  g.countries = d.countries;
  g.files = {f_rd};
  g.y = pick(finite_column(rd, "trade_prime"));
  d.ln_trade = pick(finite_column(rd, "trade"));
  g.border = pick(dummy_column(rd, "border"));
  g.language = pick(dummy_column(rd, "common_language"));
  g.ec = pick(dummy_column(rd, "both_in_EU"));
  g.efta = pick(dummy_column(rd, "both_in_EFTA"));
  d.rd = pick(finite_column(rd, "r_and_d"));
  d.human_capital = pick(finite_column(rd, "human_capital"));
  d.density = pick(finite_column(rd, "density"));
  d.labor = pick(finite_column(rd, "labor"));
  d.wage_term = pick(finite_column(rd, "wage"));
  std::vector<std::vector<double>> dist;
  for (int b = 1; b <= 6; ++b) dist.push_back(dummy_column(rd, "dist" + std::to_string(b)));
  for (long k = 0; k < p; ++k) {
    const long r = off[k];
    g.importer.push_back(static_cast<int>(r / n));
    g.exporter.push_back(static_cast<int>(r % n));
    int bin = -1, count = 0;
    for (int b = 0; b < 6; ++b)
      if (dist[b][r] == 1.0) bin = b, ++count;
    if (count != 1) fail(f_rd, line_of(r) + ": exactly one of dist1..dist6 must be 1");
    g.distbin.push_back(bin);
  }
  g.set_ek_covariates();
  g.validate(f_rd);
  d.files = {f_cc, f_sc, f_nv, f_pr, f_rd};
  return d;
}

Eigen::VectorXd read_ek_labor(const std::string& data_dir) {
  const fs::path dir = ek_dir(data_dir, "ek2002");
  const std::string f = require_file(dir / "ek-labor.csv");
  io::CsvTable t = io::read_csv(f);
  require_rows(t, 19);
  std::vector<double> v = finite_column(t, "L");
  for (size_t r = 0; r < v.size(); ++r)
    if (!(v[r] > 0)) fail(f, line_of(static_cast<long>(r)) + ", column 'L': must be positive");
  return Eigen::Map<Eigen::VectorXd>(v.data(), 19);
}

}  // namespace hat::data
