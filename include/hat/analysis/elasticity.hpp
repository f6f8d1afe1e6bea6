// Partial-equilibrium trade elasticities of the HAT model (MODEL.md §1 "Trade elasticity";
// hat-paper-draft-a.md §A, Proposition 1 of hat-slides-2023.md).
//
// theta_ij = d log(M_ij / M_ii) / d log d_ij with wages, interest rates and transfers held at
// their baseline values, steady state to steady state. A change in d_ij only moves the price
// p_ij = d_ij (1 + t_ij) W_j / A_j faced by country i's households, so only i's household block
// is re-solved. The aggregate elasticity is decomposed (Proposition 1, eq. 43) into the
// expenditure-weighted intensive (p c), extensive (pi) and distribution (lambda) margins:
//
//   theta_ij = sum_k omega_ij(k) [I_ij + E_ij + D](k) - sum_k omega_ii(k) [I_ii + E_ii + D](k),
//   omega_ij(k) = p_ij c_ij(k) pi_ij(k) lambda(k) / M_ij,
//
// with k = (a, s) the household state and every micro elasticity taken with respect to
// log d_ij. "Distribution held fixed" weights the new policies with the baseline stationary
// distribution (D = 0); "distribution adjusts" recomputes the stationary distribution.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "hat/core/status.hpp"
#include "hat/household/household.hpp"

namespace hat::analysis {

enum class DistributionMode { Fixed, Adjusts };
const char* to_string(DistributionMode m);
// "fixed" | "adjusts"; throws InputError naming `field` otherwise.
DistributionMode parse_distribution_mode(const std::string& s, const std::string& field);

struct ElasticityOptions {
  DistributionMode distribution = DistributionMode::Fixed;
  // Central-difference step in log d_ij. The truncation error is O(step^2) and the round-off
  // error O(tolerance / step): 1e-5 with 1e-13 tolerances gives about 1e-8. The EGM policies
  // are only piecewise smooth in prices (linear interpolation), so a wide step (>= 1e-4) can
  // straddle a kink and mix left and right derivatives at the 1e-6 level
  // (docs/elasticity-planner.md).
  double step = 1e-5;
  // Richardson extrapolation of the steps h and h/2 (error O(h^4); twice the solves).
  bool richardson = false;
  household::SolveOptions household{.tolerance = 1e-13,
                                    .value_tolerance = 1e-13,
                                    .max_iterations = 20000,
                                    .howard_steps = 5,
                                    .upper_envelope = true};
  household::DistributionOptions distribution_options{.tolerance = 1e-14, .max_iterations = 400000};
  bool micro = true;  // keep the micro elasticities by state
  // Throws InputError naming the first invalid field ("ElasticityOptions.field must be ...").
  void validate() const;
};

// Micro elasticities by household state k = s * Na + i (vectors of length Na * Nz), all with
// respect to log d_ij. Where a weight is zero the elasticity is reported as 0.
struct MicroElasticities {
  Eigen::VectorXd intensive_partner;  // d log(p_ij c_ij(k))
  Eigen::VectorXd extensive_partner;  // d log pi_ij(k)
  Eigen::VectorXd intensive_home;     // d log(p_ii c_ii(k))
  Eigen::VectorXd extensive_home;     // d log pi_ii(k)
  Eigen::VectorXd distribution;       // d log lambda(k) (0 with the distribution held fixed)
  Eigen::VectorXd weight_partner;     // omega_ij(k)
  Eigen::VectorXd weight_home;        // omega_ii(k)
};

struct BilateralElasticity {
  int home = 0, partner = 0;  // i and j (indices into the household's varieties)
  double theta = 0;           // d log(M_ij/M_ii) / d log d_ij (direct difference)
  // Proposition 1 margins: sum omega_ij X_ij - sum omega_ii X_ii for X = I, E, D.
  double intensive = 0, extensive = 0, distribution = 0;
  double decomposition_residual = 0;  // theta - (intensive + extensive + distribution)
  double import_share = 0;            // M_ij / sum_k M_ik at the baseline
  MicroElasticities micro;
  SolverReport report;  // worst of the perturbed solves (residual = largest final sup|dc|)
};

// The elasticity of a household block with respect to the price of variety `partner`
// (= d log d_ij, since p_ij is proportional to d_ij), relative to variety `home`.
// `base` and `mass` are the baseline solution and stationary distribution of `hp`.
BilateralElasticity bilateral_elasticity(const household::HouseholdProblem& hp,
                                         const household::HouseholdSolution& base,
                                         const Eigen::VectorXd& mass, int home, int partner,
                                         const ElasticityOptions& opt = {});

struct CountryElasticities {
  int home = 0;
  std::vector<BilateralElasticity> partners;  // in the order requested
  double theta_trade_weighted = 0;            // sum_j M_ij theta_ij / sum_j M_ij over the partners
  SolverReport report;                        // worst status over the partners; seconds = wall time
};

// All requested partners of one country (parallel over partners with OpenMP; each partner's
// result is independent of the schedule, so results do not depend on the thread count).
CountryElasticities country_elasticities(const household::HouseholdProblem& hp,
                                         const household::HouseholdSolution& base,
                                         const Eigen::VectorXd& mass, int home,
                                         const std::vector<int>& partners,
                                         const ElasticityOptions& opt = {});

// Expenditure share of each variety by household state: p_j c_j(k) pi_j(k) / sum_l p_l c_l(k)
// pi_l(k), an (Na*Nz) x M matrix (rows sum to one).
Eigen::MatrixXd expenditure_shares_by_state(const household::HouseholdProblem& hp,
                                            const household::HouseholdSolution& sol);

}  // namespace hat::analysis
