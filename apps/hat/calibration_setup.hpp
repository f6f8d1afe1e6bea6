// The calibration setup of a config with a [data] table, shared by `hat calibrate` and
// `hat replicate`: the [calibration] keys, the world, and the data's gravity moments.
#pragma once

#include "hat/calibration/calibrate.hpp"
#include "hat/core/error.hpp"
#include "hat/io/config.hpp"
#include "hat/world/config.hpp"

namespace hat::cli {

// `config_threads` receives the config's [solver] threads (applied by the caller).
inline calibration::CalibrationSetup read_calibration_setup(const io::ConfigFile& file,
                                                            int& config_threads) {
  io::ConfigTable ct = file.root().table("calibration");
  calibration::CalibrationSetup setup;
  setup.moment_tolerance = ct.number("moment_tolerance", 1e-6);
  if (!(setup.moment_tolerance > 0)) ct.fail("moment_tolerance", "must be > 0");
  setup.max_evaluations = ct.integer_in("max_evaluations", 500, 1, 1000000, "an evaluation cap");
  setup.fd_step = ct.number("fd_step", 1e-6);
  if (!(setup.fd_step > 0)) ct.fail("fd_step", "must be > 0");
  ct.reject_unknown();
  if (!file.root().has("data"))
    throw InputError(file.path() + ": calibration needs a [data] table (the data set)");
  world::WorldConfig wc = world::read_world_config(file);
  config_threads = wc.threads;
  setup.world = wc.world;
  setup.start = wc.start;
  setup.equilibrium = wc.options;
  // The data's own log normalised shares and geography.
  world::DataTable dtab = world::read_data_table(file);
  setup.data = std::move(dtab.gravity);
  setup.theta = dtab.theta;
  return setup;
}

}  // namespace hat::cli
