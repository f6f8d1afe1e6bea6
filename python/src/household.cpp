// hat._hat.household_solve: one household block at given prices, as `hat household` solves it
// (EGM, stationary distribution, aggregates, Euler errors), with the same JSON summary.
#include "hat/reports/household.hpp"

#include "common.hpp"
#include "hat/analysis/household_study.hpp"
#include "hat/household/config.hpp"

namespace hat::python {

namespace {

py::dict household_solve(const Source& src, int threads) {
  analysis::HouseholdStudy r;
  nlohmann::json summary;
  {
    py::gil_scoped_release nogil;
    set_threads(threads);
    r = analysis::run_household_study(household::read_household_config(src.load()));
    summary = reports::household_summary(r);
  }
  const auto& hp = r.config.problem;
  py::dict d;
  d["Na"] = hp.Na();
  d["Nz"] = hp.Nz();
  d["M"] = hp.M();
  d["grid"] = hp.grid;
  d["z"] = hp.z;
  d["P"] = hp.P;
  d["prices"] = hp.prices;
  // (Na*Nz) x M with state k = s * Na + i; the Python layer reshapes to Na x Nz x M.
  d["c"] = r.solution.c;
  d["a_next"] = r.solution.a_next;
  d["v"] = r.solution.v;
  d["pi"] = r.solution.pi;
  d["V"] = r.solution.V;
  d["mu"] = r.solution.mu;
  d["mass"] = r.distribution.mass;
  d["expenditure"] = r.aggregates.expenditure;
  d["summary"] = to_python(summary);
  return d;
}

}  // namespace

void register_household(py::module_& m) {
  m.def("household_solve", &household_solve, py::arg("source"), py::arg("threads") = 0,
        "Solve one household block (the `hat household` config); returns a dict of arrays");
}

}  // namespace hat::python
