// Shared helpers of the extension module hat._hat: configs given as a path or as TOML text,
// JSON objects handed to Python as dicts, in-memory output tables and the error types.
#pragma once

#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hat/core/progress.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/io/config.hpp"
#include "hat/io/output.hpp"

namespace hat::python {

namespace py = pybind11;

// A config as the Python layer passes it: a file path, or TOML text (from a dict) with the
// name that error messages give it.
struct Source {
  std::string text_or_path;
  bool is_path = true;
  std::string name;
  io::ConfigFile load() const {
    return is_path ? io::ConfigFile::load(text_or_path) : io::ConfigFile::parse(text_or_path, name);
  }
};

// The data directory of a call: its `data_dir` argument if given, else $HAT_DATA_DIR (the one
// place the extension reads it; the library does not), else none (then [data] dir or
// ../shared/data). Errors name "--data" for the argument, as the command line does.
data::DataDirArg data_dir_arg(const std::string& given = "");

// nlohmann JSON -> Python dict/list (through the json module: the exact object the command
// line prints with --json).
py::object to_python(const nlohmann::json& j);

// Every file an OutputDir collected, as {name: text} (CSV and TOML only; figures skipped).
py::dict tables(const io::OutputDir& out);

// Hooks for a solve running without the GIL, called between its steps: each takes the GIL,
// passes a progress line to `callback` (unless None) and checks for Ctrl-C; a KeyboardInterrupt,
// or any exception of the callback, is thrown out of the solve as py::error_already_set. They
// hold the callback as a plain handle (the caller's argument keeps it alive), so the library
// may copy them on any thread.
// (evaluation_hook formats an equilibrium solve's reports as "WHAT evaluation ..." lines;
// message_hook passes the reports that carry a message.)
ProgressCallback evaluation_hook(py::handle callback, std::string what);
ProgressCallback message_hook(py::handle callback);

// Sets the OpenMP thread count when threads > 0 (0: leave the runtime default).
void set_threads(int threads);

// hat.DataError: raised instead of ConfigError for input errors of data directories.
py::object data_error();

// Registration of each part of the module.
void register_errors(py::module_& m);
void register_household(py::module_& m);
void register_world(py::module_& m);
void register_transition(py::module_& m);
void register_gravity(py::module_& m);
void register_elasticity(py::module_& m);
void register_ek(py::module_& m);
void register_planner(py::module_& m);
void register_calibrate(py::module_& m);
void register_dynamic(py::module_& m);

}  // namespace hat::python
