// Reading a world economy from TOML (`hat solve`, `hat residuals` and the analysis commands).
// Tables: [model] [grid] [income] [countries] [trade_costs] [tariffs] [equilibrium] [solver];
// see docs/cli.md for every key.
#pragma once

#include <string>

#include "hat/io/config.hpp"
#include "hat/world/world.hpp"

namespace hat::world {

struct WorldConfig {
  World world;
  Prices start;              // initial guess (or evaluation point for `hat residuals`)
  bool wages_given = false;  // [equilibrium] wages set (else cold solves start from
                             // static_start.hpp's wages, `hat residuals` from unit wages)
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
// Commands read a config with estimation::read_world_config (hat/estimation/world_from_data.hpp),
// which computes `data` from the [data] table first.
WorldConfig read_world_tables(const io::ConfigFile& f, const DataWorld& data);

// Reads an M x M matrix from a [trade_costs]/[tariffs]-style table: `file = "x.csv"` (header =
// exporter names, first column = importer names, in the order of `names`) or `matrix = [[...]]`.
Eigen::MatrixXd read_country_matrix(const io::ConfigTable& t, const std::vector<std::string>& names,
                                    const std::string& base_dir);

// Writes a world back as TOML that estimation::read_world_config accepts (used by calibration
// outputs).
std::string world_to_toml(const World& w, const Prices& p, const EquilibriumOptions& opt);

}  // namespace hat::world
