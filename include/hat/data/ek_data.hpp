// Readers for the Eaton–Kortum (2002) data sets and for the generic tidy gravity format.
// Every reader validates shapes, the country order (MODEL.md: AUS, AUT, ..., GBR, USA), value
// ranges and missing values, and throws hat::InputError naming the file, line and field.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <utility>
#include <vector>

namespace hat::data {

// The 19 EK countries in the order of all EK data files (ISO three-letter codes).
const std::vector<std::string>& ek_countries();
// EK's own two-letter codes (country_code.csv), same order.
const std::vector<std::string>& ek_two_letter_codes();

// A data directory chosen by the caller, and where it came from (errors name `source`).
// The library never reads the environment: the command line and the Python package pick
// --data / data_dir over $HAT_DATA_DIR and pass the winner here (source "HAT_DATA_DIR" for the
// environment). A plain path converts implicitly, as given by --data.
struct DataDirArg {
  std::string dir;                // empty: none chosen
  std::string source = "--data";  // "--data", "HAT_DATA_DIR", "data_dir", ...
  DataDirArg() = default;
  DataDirArg(std::string d, std::string s = "--data") : dir(std::move(d)), source(std::move(s)) {}
  DataDirArg(const char* d) : dir(d) {}
};

// The documented precedence of a front end's choice: `option` (the command line's --data, the
// Python data_dir argument) if non-empty, else `env` (the value of $HAT_DATA_DIR, read by the
// caller; null or empty: unset), else none. The library itself never reads the environment.
DataDirArg choose_data_dir(const std::string& option, const char* env);

// The data directory: `option` if non-empty, else ../shared/data relative to the working
// directory; throws InputError if neither holds ek2002/ or ek2002-raw/, naming where the
// directory came from: `source` for `option` ("--data", "HAT_DATA_DIR", "<file>: [data] dir").
// Does not read $HAT_DATA_DIR (callers pass it as `option`, see DataDirArg).
std::string resolve_data_dir(const std::string& option, const std::string& source = "--data");

// Off-diagonal country pairs with a log normalised trade share and the pair covariates: the
// input of the gravity regression (MODEL.md §2). Pairs are in the file's order.
struct GravityData {
  std::vector<std::string> countries;   // N codes; indices below refer to this order
  std::vector<int> importer, exporter;  // per pair, 0-based, importer != exporter
  Eigen::VectorXd y;                    // ln normalised share (EK: ln X'_ni / X'_nn)
  // EK's six distance bins, 0..5: [0,375), [375,750), ..., [6000,max] miles. Empty: no bins
  // (the regression then has a constant in their place).
  std::vector<int> distbin;
  // The regressors beside the fixed effects and the bins (pairs x K, any names). The EK readers
  // and the legacy pairs format set them to border, language, ec, efta.
  std::vector<std::string> covariate_names;
  Eigen::MatrixXd covariates;
  // EK's 0/1 dummies as named vectors (EK readers and the legacy pairs format only; empty
  // otherwise): the EK module's estimation uses them.
  Eigen::VectorXd border, language, ec, efta;
  std::vector<std::string> files;  // files read (for manifests)

  int n_countries() const { return static_cast<int>(countries.size()); }
  long n_pairs() const { return static_cast<long>(importer.size()); }
  bool has_bins() const { return !distbin.empty(); }
  // Throws InputError if any pair is missing, duplicated or on the diagonal, or if values are
  // out of range. `what` names the source in messages.
  void validate(const std::string& what) const;
  // Sets the covariates to EK's four dummies (border, language, ec, efta), in that order.
  void set_ek_covariates();
};

// data_dir/ek2002/ek-data.csv + ek-language.csv (the 342 regression observations of EK
// Table III in importer-major order; `trade` is EK's beta-adjusted ln X'_ni/X'_nn).
GravityData read_ek_gravity(const std::string& data_dir);

// Generic tidy format: one CSV row per ordered pair (importer != exporter). Without
// `covariates` the legacy EK-style columns
//   importer, exporter, y, distbin, border, language, ec, efta
// (distbin 1..6, 0/1 dummies); with `covariates` the columns importer, exporter, y and the
// listed ones (any names, finite numbers, none constant; other columns are ignored), no distance
// bins unless "distbin" is listed (then 1..6 as above). Codes are free-form strings; all N(N-1)
// pairs must be present once. Countries are ordered by first appearance in the importer column.
// Errors name the file, line and column.
GravityData read_gravity_pairs(const std::string& csv_path,
                               const std::vector<std::string>& covariates = {});

// EK's raw 1990 data (data_dir/ek2002-raw/): flows, prices, wages and the pair regressors.
struct EkRawData {
  std::vector<std::string> countries;  // ISO codes, EK order
  std::vector<std::string> names;      // English names from country_code.csv
  double beta = 0.0;                   // labour share (scalar.json)
  std::vector<double> thetas;          // EK's three theta values (scalar.json)
  Eigen::VectorXd gdp;                 // local currency, millions
  Eigen::VectorXd exchange_rate;       // local currency per US$
  Eigen::VectorXd manuf_labor;         // manufacturing employment
  Eigen::VectorXd wage;                // manufacturing wage, US$
  Eigen::VectorXd edu_years;           // average years of schooling
  Eigen::MatrixXd trade;               // X(n, i): n's purchases from i, local currency millions
  Eigen::MatrixXd log_price;           // 19 x 50 log retail prices relative to the US
  // Pair variables of regression_data.csv restricted to the 342 off-diagonal pairs
  // (importer-major), with y = trade_prime:
  GravityData gravity;
  Eigen::VectorXd ln_trade;                                      // ln(X_ni / X_nn) as stored
  Eigen::VectorXd rd, human_capital, density, labor, wage_term;  // Table V regressors (i - n)
  std::vector<std::string> files;
};
EkRawData read_ek_raw(const std::string& data_dir);

// data_dir/ek2002/ek-labor.csv: 19 labour forces relative to the US.
Eigen::VectorXd read_ek_labor(const std::string& data_dir);

}  // namespace hat::data
