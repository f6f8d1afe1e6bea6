// Calibration by "gravity as a guide" (MODEL.md §2): choose TFPs and trade-cost parameters so
// that the gravity regression run on model-generated trade reproduces the regression run on
// the data. 2(N-1) + L + K parameters (46 for the EK data): log A_i (A of the last country = 1),
// importer effects m_n (the last = minus the sum of the others), the L level effects (EK's 6
// distance bins, or a constant for data without bins) and the K covariates' coefficients (EK:
// border, language, EC, EFTA); the same number of moments: S_i, m_n, levels, covariates. The
// model is solved jointly with the equilibrium prices (wages and beta at fixed R).
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <string>
#include <vector>

#include "hat/core/progress.hpp"
#include "hat/core/status.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/estimation/gravity.hpp"
#include "hat/estimation/trade_costs.hpp"
#include "hat/world/system.hpp"
#include "hat/world/world.hpp"

namespace hat::calibration {

struct CalibrationParameters {
  Eigen::VectorXd log_tfp;            // N, last = 0
  estimation::TradeCostParams costs;  // m (N, sums to 0), bins (6, or the constant), covariates
};

// Layout of the parameter vector: the order of estimation::GravityRegression::moment_names().
Eigen::VectorXd pack_parameters(const CalibrationParameters& p);
// `levels`: 6 with distance bins, 1 (the constant) without; the rest are covariates.
CalibrationParameters unpack_parameters(const Eigen::VectorXd& x, int n_countries, int levels);
// log_tfp_*, importer_effect_* (all but the last country), distance_bin_1..6 (or constant),
// then the data's covariate names.
std::vector<std::string> parameter_names(const std::vector<std::string>& countries,
                                         const data::GravityData& data);

// The natural starting point: trade-cost parameters = data coefficients, log A_i = (S_i -
// S_last) / theta (exact for log utility with sigma = 1/theta at equal wages).
CalibrationParameters initial_parameters(const estimation::GravityEstimates& data, double theta);

// The state of a calibration between two steps of its solver: resuming from it continues the
// solve exactly as the uninterrupted one (bit-identical results).
struct CalibrationCheckpoint {
  int stage = 1;          // 1: clearing markets at the starting parameters; 2: the joint solve
  Eigen::VectorXd start;  // the starting point (parameters and equilibrium unknowns)
  int stage1_evaluations = 0, stage1_jacobians = 0;  // of a finished stage 1
  world::SystemSnapshot system;                      // the stage's solver
  // Summary: the best point so far (parameters and unknowns; the start's parameters in stage 1),
  // evaluations in all, and the scaled residual norm there (infinite in stage 1, which
  // measures no moments).
  Eigen::VectorXd x;
  int evaluations = 0;
  double norm = 0;
};

struct CalibrationSetup {
  world::World world;                     // fixed parameters; countries in the data's order
  world::Prices start;                    // initial wages and beta; R fixed
  world::EquilibriumOptions equilibrium;  // unknown must be beta or R (globalisation)
  // Fresh Jacobians of the joint solve (stage 2); stage 1 uses equilibrium.jacobian. Logit
  // impact with the savings correction (world::EquilibriumOptions::jacobian_impact_savings) is
  // the fastest there; without the correction its asset row is too far off and finite
  // differences win (docs/performance.md).
  world::JacobianMethod joint_jacobian = world::JacobianMethod::LogitImpact;
  bool joint_impact_savings = true;
  data::GravityData data;  // geography and the data's log normalised shares
  double theta = 4.0;      // units of the gravity coefficients
  double moment_tolerance = 1e-6;
  int max_evaluations = 500;
  double fd_step = 1e-6;
  // Stage 1 starts from the static world's wages at the starting parameters
  // (world/static_start.hpp) instead of start's; set when the config gives no wages.
  bool static_start = false;
  // After each evaluation: {"calibration", evaluations, residual = scaled norm (max of the
  // moment error and the equilibrium residual over their tolerances), elapsed seconds, x =
  // parameters and unknowns, moment_error, equilibrium_residual}. In stage 1 (markets cleared at
  // the starting parameters) moment_error is NaN; r is the system's residual vector (stage 1:
  // market clearing only; stage 2: moments, then market clearing). kStop (e.g. on SIGINT) ends
  // the run after that evaluation: status IterationLimit, message "calibration: interrupted",
  // CalibrationResult::interrupted; the checkpoints written so far resume it.
  ProgressCallback progress;
  // Called before the first evaluation and after every step of the solver, or (with
  // checkpoint_every > 1) after the first step that ends at least that many evaluations after
  // the last checkpoint (each stage starts with one): a checkpoint serialises the solver's whole
  // state (tens of MB on the EK data) and costs about an evaluation, so after every step it took
  // half of a calibration's time. One is always written when the progress callback stops the run.
  std::function<void(const CalibrationCheckpoint&)> on_checkpoint;
  int checkpoint_every = 1;
  // Continue from a checkpoint of the same setup (x0 is then ignored; max_evaluations is
  // this run's).
  const CalibrationCheckpoint* resume = nullptr;
};

struct CalibrationResult {
  SolverReport report;
  Eigen::VectorXd x;  // parameters followed by the equilibrium unknowns
  std::vector<std::string> unknown_names;
  CalibrationParameters parameters;
  world::World world;
  world::Evaluation state;
  Eigen::VectorXd data_moments, model_moments;
  std::vector<std::string> moment_names;
  double max_moment_error = 0, equilibrium_residual = 0;
  int evaluations = 0, jacobians = 0;
  bool interrupted = false;  // stopped by setup.progress
};

// The equilibrium options both stages solve with: the setup's, with R or beta in the Log
// coordinate (with the Softplus coordinate of world solves the joint stage took more
// evaluations: EK19 log utility 38 against 29, synthetic40 0.2 s longer). Checkpoints thus keep
// their meaning.
world::EquilibriumOptions calibration_equilibrium(const world::EquilibriumOptions& eq);

// Solves model moments = data moments jointly with market clearing, from x0 (size
// n_parameters + n_equilibrium_unknowns) or, if x0 is empty, from initial_parameters and the
// setup's start prices.
CalibrationResult calibrate(const CalibrationSetup& setup, const Eigen::VectorXd& x0 = {});

}  // namespace hat::calibration
