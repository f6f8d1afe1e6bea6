// The outputs of a household study (analysis/household_study.hpp): the --json object of `hat
// household` and `hat.Household(...).solve()`, and the tidy tables and figures.
#pragma once

#include <nlohmann/json.hpp>

#include "hat/analysis/household_study.hpp"
#include "hat/io/output.hpp"

namespace hat::reports {

// The --json object: status, iterations, solver reports, aggregates, Euler errors, warnings.
nlohmann::json household_summary(const analysis::HouseholdStudy& st);

// household_policies.csv, household_distribution.csv, aggregates.csv, policy.svg and
// distribution.svg (for a solved block only; a failed one has nothing to write).
void add_household_outputs(io::OutputDir& out, const analysis::HouseholdStudy& st);

}  // namespace hat::reports
