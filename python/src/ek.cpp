// hat._hat.ek_estimate and hat._hat.ek_counterfactual: the Eaton-Kortum (2002) studies of
// models::ek (eaton_kortum/study.hpp), as `hat ek estimate` and `hat ek counterfactual` run
// them. Option errors raise hat.ConfigError, errors of the data hat.DataError.
#include "hat/reports/ek.hpp"

#include "common.hpp"
#include "hat/core/error.hpp"
#include "hat/models/eaton_kortum/study.hpp"

namespace hat::python {

namespace {

namespace ek = models::ek;

// EK's raw data without the GIL; its input errors raise hat.DataError.
ek::EkData load(const std::string& data_dir) {
  try {
    py::gil_scoped_release nogil;
    return ek::load_data(data_dir_arg(data_dir));
  } catch (const InputError& e) {
    PyErr_SetString(data_error().ptr(), e.what());
    throw py::error_already_set();
  }
}

py::dict named_texts(const std::vector<ek::NamedText>& texts) {
  py::dict t;
  for (const auto& [name, text] : texts) t[py::str(name)] = text;
  return t;
}

py::dict ek_estimate(const std::string& data_dir) {
  const ek::EkData data = load(data_dir);
  ek::EstimateStudy st;
  {
    py::gil_scoped_release nogil;
    st = ek::run_estimate_study(data);
  }
  py::dict d;
  d["summary"] = to_python(reports::ek_estimate_json(st));
  d["tables"] = named_texts(reports::ek_estimate_tables(st));
  d["data_dir"] = st.data_dir;
  return d;
}

py::dict ek_counterfactual(const std::string& data_dir, const std::string& scenario,
                           const std::string& labor, const std::string& baseline, double theta,
                           double alpha, double tol, int max_iter, py::object progress) {
  ek::CounterfactualRequest req;
  req.scenario = scenario;
  req.labor = labor;
  req.baseline = baseline;
  req.theta = theta;
  req.alpha = alpha;
  req.tol = tol;
  req.max_iter = max_iter;
  req.validate();  // before the data, as on the command line
  const ek::EkData data = load(data_dir);
  ek::ScenarioStudy st;
  {
    py::gil_scoped_release nogil;
    st = ek::run_scenario_study(req, data, message_hook(progress));
  }
  py::dict d;
  d["summary"] = to_python(reports::ek_counterfactual_json(st));
  d["tables"] = named_texts(reports::ek_counterfactual_tables(st));
  d["status"] = hat::to_string(st.status());
  return d;
}

}  // namespace

void register_ek(py::module_& m) {
  m.def("ek_counterfactual", &ek_counterfactual, py::arg("data_dir"), py::arg("scenario"),
        py::arg("labor"), py::arg("baseline"), py::arg("theta"), py::arg("alpha"), py::arg("tol"),
        py::arg("max_iter"), py::arg("progress") = py::none(),
        "Eaton-Kortum (2002) section 6 counterfactuals (as `hat ek counterfactual`)");
  m.def("ek_estimate", &ek_estimate, py::arg("data_dir") = "",
        "Eaton-Kortum (2002) estimates from EK's raw data (as `hat ek estimate`)");
}

}  // namespace hat::python
