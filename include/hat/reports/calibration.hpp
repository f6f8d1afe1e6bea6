// The tables, figures and JSON of a calibration study (`hat calibrate`, `hat.calibrate`).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "hat/calibration/study.hpp"
#include "hat/io/config.hpp"
#include "hat/io/output.hpp"

namespace hat::reports {

// The --json object of `hat calibrate` (with the run's seconds).
nlohmann::json calibration_summary(const calibration::Study& s);
// The {"x", "names", ...} object of result.json (a starting point for --init;
// calibration::run_study reads it back).
nlohmann::json calibration_result_json(const io::ConfigFile& file, const calibration::Study& s);
// parameters.csv, fit.csv and the Table 1 style markdown.
std::string parameters_csv(const calibration::Study& s);
std::string fit_csv(const calibration::Study& s);
std::string table1_markdown(const calibration::Study& s);
// Every file `hat calibrate` writes (tables, figures, world outputs, calibrated_world.toml,
// result.json, summary.json, manifest.json); the checkpoint is kept.
void add_calibration_outputs(io::OutputDir& out, const io::ConfigFile& file,
                             const calibration::Study& s, bool policies);

}  // namespace hat::reports
