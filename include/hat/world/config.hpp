// Reading a world economy from TOML (`hat solve`, `hat residuals` and the analysis commands).
// Tables: [model] [grid] [income] [countries] [trade_costs] [tariffs] [equilibrium] [solver];
// see docs/cli.md for every key.
#pragma once

#include <string>

#include "hat/io/config.hpp"
#include "hat/world/world.hpp"

namespace hat::data {
struct DataDirArg;  // hat/data/ek_data.hpp (a layer above: declared, not included)
}  // namespace hat::data

namespace hat::world {

struct WorldConfig {
  World world;
  Prices start;  // initial guess (or evaluation point for `hat residuals`)
  EquilibriumOptions options;
  int threads = 0;  // 0: OpenMP default
};

// What a [data] table implies for the world (estimation::read_data_world computes it with the
// gravity regression): the data's countries, labour (empty for a pairs file), TFP and trade
// costs. Explicit [countries] / [trade_costs] entries take precedence.
struct DataWorld {
  bool present = false;  // the config has a [data] table
  std::vector<std::string> names;
  Eigen::VectorXd L, A;
  Eigen::MatrixXd d;
};

// The world from a config's tables, with `data` filling in what [countries] / [trade_costs]
// leave out (and checked against them). Without data.present a [data] table is an unknown key.
WorldConfig read_world_tables(const io::ConfigFile& f, const DataWorld& data);

// read_world_tables with the [data] table's world (data::read_data_table, then the gravity
// regression): the reader every command and the Python package use. `data_dir`, when not
// empty, is the EK data directory for a `[data] set = "ek2002"` table (the command line's
// --data, else $HAT_DATA_DIR, as the caller chose; the environment is not read here); it wins
// over `[data] dir`. Defined above the world layer, in src/estimation/world_from_data.cpp,
// since it runs the gravity regression; the world layer itself never includes data/ or
// estimation/ (data::DataDirArg is only declared here: callers that pass one include
// hat/data/ek_data.hpp).
WorldConfig read_world_config(const io::ConfigFile& f);
WorldConfig read_world_config(const io::ConfigFile& f, const data::DataDirArg& data_dir);

// Reads an M x M matrix from a [trade_costs]/[tariffs]-style table: `file = "x.csv"` (header =
// exporter names, first column = importer names, in the order of `names`) or `matrix = [[...]]`.
Eigen::MatrixXd read_country_matrix(const io::ConfigTable& t, const std::vector<std::string>& names,
                                    const std::string& base_dir);

// Writes a world back as TOML that read_world_config accepts (used by calibration outputs).
std::string world_to_toml(const World& w, const Prices& p, const EquilibriumOptions& opt);

}  // namespace hat::world
