// Reading a world economy from TOML (`hat solve`, `hat residuals` and the analysis commands).
// Tables: [model] [grid] [income] [countries] [trade_costs] [tariffs] [equilibrium] [solver];
// see docs/cli.md for every key.
#pragma once

#include <string>

#include "hat/data/ek_data.hpp"
#include "hat/io/config.hpp"
#include "hat/world/world.hpp"

namespace hat::world {

struct WorldConfig {
  World world;
  Prices start;  // initial guess (or evaluation point for `hat residuals`)
  EquilibriumOptions options;
  int threads = 0;  // 0: OpenMP default
};

// `data_dir`, when not empty, is the EK data directory for a `[data] set = "ek2002"` table (the
// command line's --data, else $HAT_DATA_DIR, as the caller chose); it wins over `[data] dir`.
// The environment is not read here.
WorldConfig read_world_config(const io::ConfigFile& f, const data::DataDirArg& data_dir = {});

// The [data] table: `set = "ek2002"` (EK's files from `dir`, relative to the config file;
// a non-empty `data_dir` overrides; labour from ek-labor.csv) or `set = "pairs"` with `pairs =
// "file.csv"` and optionally `covariates = ["log_distance", ...]` (the tidy pairs format of
// data::read_gravity_pairs: without covariates its legacy EK-style columns; labour then comes
// from [countries] labor); `theta` = units of the gravity coefficients (4).
struct DataTable {
  data::GravityData gravity;
  Eigen::VectorXd labor;  // empty for "pairs"
  double theta = 4.0;
};
DataTable read_data_table(const io::ConfigFile& f, const data::DataDirArg& data_dir = {});

// Reads an M x M matrix from a [trade_costs]/[tariffs]-style table: `file = "x.csv"` (header =
// exporter names, first column = importer names, in the order of `names`) or `matrix = [[...]]`.
Eigen::MatrixXd read_country_matrix(const io::ConfigTable& t, const std::vector<std::string>& names,
                                    const std::string& base_dir);

// Writes a world back as TOML that read_world_config accepts (used by calibration outputs).
std::string world_to_toml(const World& w, const Prices& p, const EquilibriumOptions& opt);

}  // namespace hat::world
