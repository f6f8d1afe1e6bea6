// The world a [data] table implies: the step from a data set to a world economy, which runs the
// gravity regression, and the world-config reader every command uses (it needs that step, so it
// sits here, above the world layer, which depends on neither data/ nor estimation/).
#pragma once

#include <string>

#include "hat/data/data_table.hpp"
#include "hat/world/config.hpp"

namespace hat::estimation {

// The countries, labour, TFP and trade costs of a data set: A_i = exp(S_i / theta) and d from
// MODEL.md §2 with the data's own OLS gravity coefficients; L from ek-labor.csv (none for a
// pairs file).
world::DataWorld world_from_data(const data::DataTable& data);

// world_from_data of the config's [data] table (data::read_data_table); present = false and
// nothing read when the config has no [data] table.
world::DataWorld read_data_world(const io::ConfigFile& f, const data::DataDirArg& data_dir = {});

// world::read_world_tables with the [data] table's world (read_data_world): the reader every
// command and the Python package use. `data_dir`, when not empty, is the EK data directory for
// a `[data] set = "ek2002"` table (the command line's --data, else $HAT_DATA_DIR, as the caller
// chose; the environment is not read here); it wins over `[data] dir`.
world::WorldConfig read_world_config(const io::ConfigFile& f,
                                     const data::DataDirArg& data_dir = {});

}  // namespace hat::estimation
