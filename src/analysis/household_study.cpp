// The household study shared by the command line and the Python package (see
// household_study.hpp).
#include "hat/analysis/household_study.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "hat/core/timer.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/svg_plot.hpp"

namespace hat::analysis {

namespace {

std::vector<double> to_vec(const Eigen::VectorXd& v) {
  return {v.data(), v.data() + v.size()};
}

// household_policies.csv, household_distribution.csv, aggregates.csv and the figures of a solved
// block.
void add_solution_files(io::OutputDir& out, const household::HouseholdProblem& hp,
                        const household::HouseholdSolution& sol,
                        const household::StationaryDistribution& dist,
                        const household::Aggregates& ag) {
  const int Na = hp.Na(), Nz = hp.Nz(), M = hp.M();
  io::CsvWriter pol({"income_state_1", "z", "asset_index_1", "a", "variety_1", "price", "c",
                     "a_next", "v", "pi"});
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i)
      for (int j = 0; j < M; ++j) {
        const int k = s * Na + i;
        pol.cell(s + 1)
            .cell(hp.z(s))
            .cell(i + 1)
            .cell(hp.grid(i))
            .cell(j + 1)
            .cell(hp.prices(j))
            .cell(sol.c(k, j))
            .cell(sol.a_next(k, j))
            .cell(sol.v(k, j))
            .cell(sol.pi(k, j));
        pol.end_row();
      }
  out.add("household_policies.csv", pol.str());
  io::CsvWriter dcsv({"income_state_1", "z", "asset_index_1", "a", "mass", "value"});
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i) {
      const int k = s * Na + i;
      dcsv.cell(s + 1)
          .cell(hp.z(s))
          .cell(i + 1)
          .cell(hp.grid(i))
          .cell(dist.mass.size() ? dist.mass(k) : NAN)
          .cell(sol.V(k));
      dcsv.end_row();
    }
  out.add("household_distribution.csv", dcsv.str());
  io::CsvWriter acsv(
      {"variety_1", "price", "choice_probability", "expenditure", "expenditure_share"});
  for (int j = 0; j < M; ++j) {
    acsv.cell(j + 1)
        .cell(hp.prices(j))
        .cell(ag.choice_probability(j))
        .cell(ag.expenditure(j))
        .cell(ag.expenditure_share(j));
    acsv.end_row();
  }
  out.add("aggregates.csv", acsv.str());
  // Figures: savings policy of variety 1 and the marginal asset distribution.
  io::Plot pp;
  pp.title = "Savings policy a'(a, s), variety 1";
  pp.xlabel = "assets a";
  pp.ylabel = "a'";
  for (int s = 0; s < Nz; s += std::max(1, Nz / 5)) {
    io::Series se;
    se.label = fmt::format("z = {:.3g}", hp.z(s));
    for (int i = 0; i < Na; ++i) {
      se.x.push_back(hp.grid(i));
      se.y.push_back(sol.a_next(s * Na + i, 0));
    }
    pp.series.push_back(se);
  }
  out.add("policy.svg", pp.render());
  if (dist.mass.size()) {
    io::Plot dp;
    dp.title = "Stationary distribution of assets";
    dp.xlabel = "assets a";
    dp.ylabel = "mass";
    io::Series se;
    se.label = "all income states";
    for (int i = 0; i < Na; ++i) {
      double m = 0;
      for (int s = 0; s < Nz; ++s) m += dist.mass(s * Na + i);
      se.x.push_back(hp.grid(i));
      se.y.push_back(m);
    }
    dp.series.push_back(se);
    out.add("distribution.svg", dp.render());
  }
}

std::vector<std::string> warnings_of(const HouseholdStudy& st) {
  const household::HouseholdSolution& sol = st.solution;
  const household::StationaryDistribution& dist = st.distribution;
  std::vector<std::string> warnings;
  if (!sol.report.converged()) warnings.push_back(sol.report.message);
  if (sol.report.status != SolverStatus::Failed &&
      st.euler_refine < household::requested_refine(st.euler_grid))
    warnings.push_back(household::euler_refine_warning(st.euler_refine, st.euler_grid));
  if (sol.report.status != SolverStatus::Failed && !dist.report.converged())
    warnings.push_back(dist.report.message);
  if (dist.mass_at_amax > 1e-3)
    warnings.push_back(
        fmt::format("mass at a_max is {:.3g} (> 1e-3): raise asset_max", dist.mass_at_amax));
  return warnings;
}

}  // namespace

bool HouseholdStudy::converged() const {
  return solution.report.converged() && distribution.report.converged();
}

bool HouseholdStudy::solved() const {
  return solution.report.status != SolverStatus::Failed &&
         distribution.report.status != SolverStatus::Failed;
}

std::string HouseholdStudy::status() const {
  if (converged()) return "converged";
  return to_string(solution.report.converged() ? distribution.report.status
                                               : solution.report.status);
}

HouseholdStudy run_household_study(household::HouseholdConfig hc, household::EulerGrid euler_grid,
                                   const ProgressCallback& stage) {
  const auto say = [&stage](const std::string& what) { report_stage(stage, "household", what); };
  Timer timer;
  HouseholdStudy st;
  st.config = std::move(hc);
  st.euler_grid = euler_grid;
  const auto& hp = st.config.problem;
  st.solution = household::solve_household(hp, st.config.solve);
  if (st.solution.report.status != SolverStatus::Failed) {
    say(fmt::format("household solved in {} iterations; stationary distribution",
                    st.solution.report.iterations));
    st.distribution = household::stationary_distribution(hp, st.solution, st.config.distribution);
    st.aggregates = household::aggregate(hp, st.solution, st.distribution.mass);
    st.euler_refine = household::euler_error_refine(hp, euler_grid);
    st.euler.log10_mean = st.euler.log10_max = NAN;  // skipped (too costly): missing values
    say(fmt::format("Euler errors (refinement {})", st.euler_refine));
    if (st.euler_refine > 0) st.euler = household::euler_errors(hp, st.solution, st.euler_refine);
  }
  st.seconds = timer.seconds();
  st.warnings = warnings_of(st);
  return st;
}

nlohmann::json household_summary(const HouseholdStudy& st) {
  const household::HouseholdSolution& sol = st.solution;
  const household::StationaryDistribution& dist = st.distribution;
  const household::Aggregates& ag = st.aggregates;
  return {{"status", st.status()},
          {"iterations", sol.report.iterations},
          {"seconds", st.seconds},
          {"household", io::to_json(sol.report)},
          {"distribution", io::to_json(dist.report)},
          {"sup_dc", sol.sup_dc},
          {"sup_dv", sol.sup_dv},
          {"aggregate_assets", ag.assets},
          {"efficiency_units", ag.efficiency_units},
          {"choice_probabilities", to_vec(ag.choice_probability)},
          {"expenditure_shares", to_vec(ag.expenditure_share)},
          {"total_expenditure", ag.total_expenditure},
          {"euler_error_log10_mean", st.euler.log10_mean},
          {"euler_error_log10_max", st.euler.log10_max},
          {"euler_error_refine", st.euler_refine},
          {"euler_grid", household::to_string(st.euler_grid)},
          {"mass_at_amax", dist.mass_at_amax},
          {"warnings", st.warnings}};
}

void add_household_outputs(io::OutputDir& out, const HouseholdStudy& st) {
  if (st.solved())
    add_solution_files(out, st.config.problem, st.solution, st.distribution, st.aggregates);
}

}  // namespace hat::analysis
