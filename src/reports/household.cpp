// The household study's outputs (see household.hpp).
#include "hat/reports/household.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "hat/io/csv.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/svg_plot.hpp"
#include "json_values.hpp"

namespace hat::reports {

namespace {

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

}  // namespace

nlohmann::json household_summary(const analysis::HouseholdStudy& st) {
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
          {"choice_probabilities", to_vector(ag.choice_probability)},
          {"expenditure_shares", to_vector(ag.expenditure_share)},
          {"total_expenditure", ag.total_expenditure},
          {"euler_error_log10_mean", st.euler.log10_mean},
          {"euler_error_log10_max", st.euler.log10_max},
          {"euler_error_refine", st.euler_refine},
          {"euler_grid", household::to_string(st.euler_grid)},
          {"mass_at_amax", dist.mass_at_amax},
          {"warnings", st.warnings}};
}

void add_household_outputs(io::OutputDir& out, const analysis::HouseholdStudy& st) {
  if (st.solved())
    add_solution_files(out, st.config.problem, st.solution, st.distribution, st.aggregates);
}

}  // namespace hat::reports
