// The outputs of an elasticity study (analysis/elasticity_study.hpp): the --json object of
// `hat elasticity` and `hat.elasticity`, and the tidy tables and figures.
#pragma once

#include <nlohmann/json.hpp>

#include "hat/analysis/elasticity_study.hpp"
#include "hat/io/output.hpp"

namespace hat::reports {

// The --json object: country, distribution, baseline, theta, theta_trade_weighted,
// decomposition, import_shares, status, message, step, richardson, timings.
nlohmann::json elasticity_summary(const analysis::ElasticityStudy& st);

// elasticities.csv, micro_elasticities.csv, expenditure_shares_by_state.csv and the figures
// elasticities_by_partner.svg, micro_elasticities.svg, home_share_by_state.svg.
void add_elasticity_outputs(io::OutputDir& out, const analysis::ElasticityStudy& st);

}  // namespace hat::reports
