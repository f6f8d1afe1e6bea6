// The [data] table of a config: which data set a world or a calibration reads.
#pragma once

#include <Eigen/Dense>
#include <string>

#include "hat/data/ek_data.hpp"
#include "hat/io/config.hpp"

namespace hat::data {

// The [data] table: `set = "ek2002"` (EK's files from `dir`, relative to the config file;
// a non-empty `data_dir` overrides; labour from ek-labor.csv) or `set = "pairs"` with `pairs =
// "file.csv"` and optionally `covariates = ["log_distance", ...]` (the tidy pairs format of
// read_gravity_pairs: without covariates its legacy EK-style columns; labour then comes
// from [countries] labor); `theta` = units of the gravity coefficients (4).
struct DataTable {
  GravityData gravity;
  Eigen::VectorXd labor;  // empty for "pairs"
  double theta = 4.0;
};
// `data_dir`, when not empty, is the EK data directory (the command line's --data, else
// $HAT_DATA_DIR, as the caller chose; the environment is not read here); it wins over
// `[data] dir`. InputError when the config has no [data] table.
DataTable read_data_table(const io::ConfigFile& f, const DataDirArg& data_dir = {});

}  // namespace hat::data
