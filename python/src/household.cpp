// hat._hat.household_solve: one household block at given prices, as `hat household` solves it
// (EGM, stationary distribution, aggregates, Euler errors), with the same JSON summary.
#include "hat/household/household.hpp"

#include <fmt/format.h>

#include <cmath>

#include "common.hpp"
#include "hat/core/timer.hpp"
#include "hat/household/config.hpp"
#include "hat/io/manifest.hpp"

namespace hat::python {

namespace {

struct HouseholdRun {
  household::HouseholdConfig config;
  household::HouseholdSolution sol;
  household::StationaryDistribution dist;
  household::Aggregates ag;
  household::EulerErrors ee;
  int euler_refine = 0;
  nlohmann::json summary;
};

std::vector<double> to_vec(const Eigen::VectorXd& v) {
  return {v.data(), v.data() + v.size()};
}

// The work of `hat household` without its outputs; runs without the GIL.
void solve(const Source& src, HouseholdRun& r) {
  Timer timer;
  io::ConfigFile file = src.load();
  r.config = household::read_household_config(file);
  const auto& hp = r.config.problem;
  r.sol = household::solve_household(hp, r.config.solve);
  if (r.sol.report.status != SolverStatus::Failed) {
    r.dist = household::stationary_distribution(hp, r.sol, r.config.distribution);
    r.ag = household::aggregate(hp, r.sol, r.dist.mass);
    // As `hat household`: the Euler-error check on the solution grid, bounded by its cost.
    r.euler_refine = household::euler_error_refine(hp, household::EulerGrid::Solution);
    r.ee.log10_mean = r.ee.log10_max = NAN;  // skipped (too costly): missing values
    if (r.euler_refine > 0) r.ee = household::euler_errors(hp, r.sol, r.euler_refine);
  }
  const double seconds = timer.seconds();
  std::vector<std::string> warnings;
  if (!r.sol.report.converged()) warnings.push_back(r.sol.report.message);
  if (r.sol.report.status != SolverStatus::Failed && r.euler_refine < 1)
    warnings.push_back(
        household::euler_refine_warning(r.euler_refine, household::EulerGrid::Solution));
  if (r.sol.report.status != SolverStatus::Failed && !r.dist.report.converged())
    warnings.push_back(r.dist.report.message);
  if (r.dist.mass_at_amax > 1e-3)
    warnings.push_back(
        fmt::format("mass at a_max is {:.3g} (> 1e-3): raise asset_max", r.dist.mass_at_amax));
  const bool ok = r.sol.report.converged() && r.dist.report.converged();
  r.summary = {{"status", ok ? "converged"
                             : to_string(r.sol.report.converged() ? r.dist.report.status
                                                                  : r.sol.report.status)},
               {"iterations", r.sol.report.iterations},
               {"seconds", seconds},
               {"household", io::to_json(r.sol.report)},
               {"distribution", io::to_json(r.dist.report)},
               {"sup_dc", r.sol.sup_dc},
               {"sup_dv", r.sol.sup_dv},
               {"aggregate_assets", r.ag.assets},
               {"efficiency_units", r.ag.efficiency_units},
               {"choice_probabilities", to_vec(r.ag.choice_probability)},
               {"expenditure_shares", to_vec(r.ag.expenditure_share)},
               {"total_expenditure", r.ag.total_expenditure},
               {"euler_error_log10_mean", r.ee.log10_mean},
               {"euler_error_log10_max", r.ee.log10_max},
               {"euler_error_refine", r.euler_refine},
               {"euler_grid", "solution"},
               {"mass_at_amax", r.dist.mass_at_amax},
               {"warnings", warnings}};
}

py::dict household_solve(const Source& src, int threads) {
  HouseholdRun r;
  {
    py::gil_scoped_release nogil;
    set_threads(threads);
    solve(src, r);
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
  d["c"] = r.sol.c;
  d["a_next"] = r.sol.a_next;
  d["v"] = r.sol.v;
  d["pi"] = r.sol.pi;
  d["V"] = r.sol.V;
  d["mu"] = r.sol.mu;
  d["mass"] = r.dist.mass;
  d["expenditure"] = r.ag.expenditure;
  d["summary"] = to_python(r.summary);
  return d;
}

}  // namespace

void register_household(py::module_& m) {
  m.def("household_solve", &household_solve, py::arg("source"), py::arg("threads") = 0,
        "Solve one household block (the `hat household` config); returns a dict of arrays");
}

}  // namespace hat::python
