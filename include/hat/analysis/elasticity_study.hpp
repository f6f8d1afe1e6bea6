// An elasticity study as `hat elasticity` and `hat.elasticity` run it: the baseline world
// (solved, or the config's prices), then the partial-equilibrium trade elasticities of one
// country's imports from every partner or one (Proposition 1), with the tables and figures.
// The command line and the Python package are adapters over this; its outputs are in
// reports/elasticity.hpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hat/analysis/baseline.hpp"
#include "hat/analysis/elasticity.hpp"
#include "hat/core/progress.hpp"
#include "hat/world/config.hpp"

namespace hat::analysis {

struct ElasticityStudyOptions {
  std::string country{};               // importer i
  std::string partner{};               // one exporter j; empty: every partner
  std::string distribution = "fixed";  // "fixed" or "adjusts"
  bool solve = true;                   // false: the config's prices as they are (--no-solve)
  bool richardson = false;             // Richardson-extrapolate the steps h and h/2
  double step = 1e-5;                  // central-difference step in log d_ij
  double tolerance = 1e-13;            // policy and value tolerance of the perturbed solves
  // InputError naming the option (--distribution, --step, --tolerance).
  void validate() const;
};

struct ElasticityStudy {
  world::World world;
  Baseline baseline;
  int country = 0;
  std::vector<int> partners;
  int figure_partner = 0;  // the partner of the micro-elasticity figure (largest import share)
  ElasticityOptions options;
  CountryElasticities result;
  // The baseline households' expenditure shares, rows by state s * Na + a, columns by variety
  // (expenditure_shares_by_state).
  Eigen::MatrixXd expenditure_shares;
  SolverStatus status = SolverStatus::Failed;  // worse of the baseline and the elasticities
  double seconds = 0, seconds_baseline = 0, seconds_elasticities = 0;
};

// InputError for an unknown country or partner; `progress` receives the baseline's lines.
ElasticityStudy run_elasticity_study(const world::WorldConfig& wc, const ElasticityStudyOptions& o,
                                     const ProgressCallback& progress = {});

}  // namespace hat::analysis
