// A calibration study as `hat calibrate` and `hat.calibrate` run it: the [calibration] set-up
// of a config with a [data] table, the solve with checkpoints in a directory (resumable
// bit-identically). The command line and the Python package are adapters over this; the tables
// of the result are in reports/calibration.hpp.
//
// Checkpoint format (in the checkpoint directory): checkpoint.json (readable: the config and
// its fingerprint, evaluations, the best point so far "x" with "names", the stage) names one of
// two solver-state files, checkpoint.state.0 / .1 (binary: the solver's complete state, doubles
// bit-exact), with its size and FNV-1a hash. The state file not named is the one written next,
// so a kill at any moment leaves a checkpoint.json whose state file is complete.
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hat/calibration/calibrate.hpp"
#include "hat/core/progress.hpp"
#include "hat/io/config.hpp"

namespace hat::calibration {

// The [calibration], world and [data] tables of a config (InputError naming the key);
// `threads` receives the config's [solver] threads.
// `data_dir`: the EK data directory when not empty (see estimation::read_world_config).
CalibrationSetup read_calibration_setup(const io::ConfigFile& file, int* threads = nullptr,
                                        const data::DataDirArg& data_dir = {});

// FNV-1a (64 bit, hex) of a config's text: a checkpoint belongs to the config that wrote it.
std::string config_fingerprint(const std::string& text);

struct StudyOptions {
  std::string checkpoint_dir;  // holds the checkpoint; empty: no checkpoints
  bool resume = false;         // continue from checkpoint_dir's checkpoint (same config only)
  std::string init;            // start from the point of this result.json or checkpoint.json
  Eigen::VectorXd init_x;      // or from this point
  int max_evaluations = 0;     // > 0: replaces the config's cap
  // One report per evaluation (CalibrationSetup::progress, with message = the progress line)
  // and notes (message only). kStop (e.g. on SIGINT) ends the run after the current
  // evaluation (a note's kStop: after the next one), with result.interrupted.
  ProgressCallback progress;
  // Throws InputError naming the first invalid field ("StudyOptions.field must be ...");
  // run_study calls it.
  void validate() const;
};

struct Study {
  CalibrationSetup setup;
  CalibrationResult result;
  std::vector<std::string> names;  // of result.x: parameters, then equilibrium unknowns
  double seconds = 0;
  // The calibrated world's Euler errors by country (solution grid; world::country_euler_errors),
  // for countries.csv; not part of `seconds`.
  std::vector<household::EulerErrors> euler;
};

// Runs the calibration of `file` (its setup already read), writing a checkpoint before the
// first evaluation and after every step when options.checkpoint_dir is set. An interrupted run
// returns with result.interrupted.
Study run_study(const io::ConfigFile& file, CalibrationSetup setup, const StudyOptions& options);

}  // namespace hat::calibration
