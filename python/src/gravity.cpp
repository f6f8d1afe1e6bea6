// hat._hat.gravity: the gravity regression of Eaton & Kortum (2002) Table III (as `hat
// gravity`) on EK's data directory or a tidy pairs file. Input errors of the data raise
// hat.DataError.
#include "hat/estimation/gravity.hpp"

#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/reports/gravity.hpp"

namespace hat::python {

namespace {

struct GravityRun {
  nlohmann::json summary;
  std::string estimates_csv, fit_csv;
  std::string data_dir;
};

void run_gravity(const std::string& data_dir, const std::string& pairs, GravityRun& r) {
  if (!pairs.empty() && !data_dir.empty())
    throw InputError("--data and --pairs are alternatives; give one");
  data::GravityData d;
  if (pairs.empty()) {
    const data::DataDirArg dir = data_dir_arg(data_dir);
    r.data_dir = data::resolve_data_dir(dir.dir, dir.source);
    d = data::read_ek_gravity(r.data_dir);
  } else {
    d = data::read_gravity_pairs(pairs);
  }
  estimation::GravityRegression reg(d);
  estimation::GravityFit fit = reg.fit(d.y);
  r.summary = reports::gravity_fit_json(fit);
  r.estimates_csv = reports::gravity_estimates_csv(fit);
  r.fit_csv = reports::gravity_fit_csv(d, fit);
}

py::dict gravity(const std::string& data_dir, const std::string& pairs) {
  GravityRun r;
  try {
    py::gil_scoped_release nogil;
    run_gravity(data_dir, pairs, r);
  } catch (const InputError& e) {
    PyErr_SetString(data_error().ptr(), e.what());
    throw py::error_already_set();
  }
  py::dict d;
  d["summary"] = to_python(r.summary);
  py::dict t;
  t["gravity.csv"] = r.estimates_csv;
  t["gravity_fit.csv"] = r.fit_csv;
  d["tables"] = t;
  d["data_dir"] = r.data_dir;
  return d;
}

}  // namespace

void register_gravity(py::module_& m) {
  m.def("gravity", &gravity, py::arg("data_dir") = "", py::arg("pairs") = "",
        "Gravity regression of EK (2002) Table III: summary and CSV tables");
}

}  // namespace hat::python
