// The HAT household block (MODEL.md §1): an incomplete-markets household with idiosyncratic
// efficiency units z (finite Markov chain), one bond with gross return R, a borrowing limit
// a_min, and each period a discrete choice of one of M national varieties under Gumbel taste
// shocks of scale sigma. Solved by the endogenous grid method with the generalised Euler
// equation (see src/household/egm.cpp for the method and references).
//
// Layout of all state arrays: state index k = s * Na + i (income state s outer, asset grid
// point i inner); matrices over (state, variety) are (Na*Nz) x M, column j = variety j.
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <optional>

#include "hat/core/status.hpp"

namespace hat::household {

struct HouseholdProblem {
  double gamma = 1.5;       // CRRA; gamma = 1 is exact log utility
  double beta = 0.92;       // discount factor, in (0, 1)
  double R = 1.01;          // gross interest rate
  double W = 1.0;           // wage per efficiency unit
  double sigma = 0.25;      // taste-shock scale (sigma_eps)
  double tau = 0.0;         // lump-sum transfer (tariff rebate)
  double lambda = 1.0;      // wealth scale on R a + W z (welfare measurement)
  Eigen::VectorXd prices;   // p_1..p_M > 0
  Eigen::MatrixXd quality;  // psi_j(s): Nz x M, or empty (= 0). Enters the choice only.
  Eigen::VectorXd grid;     // asset grid, increasing; grid(0) = a_min, grid(Na-1) = a_max
  Eigen::VectorXd z;        // efficiency units by income state
  Eigen::MatrixXd P;        // income transition matrix, Nz x Nz

  int Na() const { return static_cast<int>(grid.size()); }
  int Nz() const { return static_cast<int>(z.size()); }
  int M() const { return static_cast<int>(prices.size()); }
  double a_min() const { return grid(0); }
  double a_max() const { return grid(grid.size() - 1); }
  double psi(int s, int j) const { return quality.size() ? quality(s, j) : 0.0; }
  // Throws InputError with the offending parameter's name (gamma, beta, sigma, prices, ...).
  void validate() const;
};

struct SolveOptions {
  double tolerance = 1e-10;        // sup |c_n - c_{n-1}|
  double value_tolerance = 1e-10;  // sup |v_n - v_{n-1}| / max(1, sup |v|)
  int max_iterations = 20000;
  int howard_steps = 6;            // policy-evaluation steps per EGM iteration
  bool upper_envelope = true;      // resolve non-monotone endogenous grids by an upper envelope
                                   // (false: plain interpolation, for comparison only)
  int anderson_depth = 10;         // Anderson acceleration of the (marginal value, value) state;
                                   // 0 = plain iteration
  bool gauss_seidel = true;        // sweep asset points upwards using this sweep's marginal values
                                   // below (false: plain Jacobi sweeps; same fixed point)
  bool newton = true;              // Newton steps (GMRES on the sweep's analytic Jacobian) from
                                   // the start of a warm start, or once the residual is small
  double newton_threshold = 1e-2;  // sup |G(x) - x| below which Newton steps take over
  int newton_neumann_terms = 2;    // polynomial preconditioner degree of the GMRES solves
  int newton_max_products = 240;   // Jacobian products per Newton step
  double newton_chord_below = 1e-6;  // reuse the last Jacobian once sup |G(x) - x| is below this
  // Before each iteration: (iteration, sup |dc| of the last one; infinite at first), e.g. for
  // progress lines of long solves. It may throw to abandon the solve.
  std::function<void(int, double)> on_iteration = nullptr;
};

struct HouseholdSolution {
  int Na = 0, Nz = 0, M = 0;
  Eigen::MatrixXd c;              // consumption of the chosen variety, (Na*Nz) x M
  Eigen::MatrixXd a_next;         // savings a'_j(a, s)
  Eigen::MatrixXd v;              // choice-specific values v_j(a, s) (without psi)
  Eigen::MatrixXd pi;             // choice probabilities pi_j(a, s)
  Eigen::VectorXd V;              // ex-ante value sigma log sum_j exp((v_j + psi_j)/sigma)
  Eigen::VectorXd mu;             // marginal value of wealth sum_j pi_j u'(c_j) / p_j
  SolverReport report;            // residual = sup |Δc| at the last iteration
  double sup_dc = 0, sup_dv = 0;  // final changes of policies and values
  int envelope_steps = 0;         // EGM steps that needed the upper envelope (last iteration)
  int newton_failures = 0;        // Newton steps that raised the residual (each handed the solve
                                  // back to accelerated sweeps for a while)
};

// Solves the household problem. `warm` (same grid sizes) starts from a previous solution.
HouseholdSolution solve_household(const HouseholdProblem& hp, const SolveOptions& opt = {},
                                  const HouseholdSolution* warm = nullptr);

struct DistributionOptions {
  double tolerance = 1e-12;  // L1 change between iterations
  int max_iterations = 100000;
  bool extrapolate = true;  // Aitken extrapolation once one slow mode dominates (safeguarded)
};

struct StationaryDistribution {
  Eigen::VectorXd mass;     // lambda(a, s), index k = s * Na + i, sums to 1
  SolverReport report;      // residual = L1 change at the last iteration
  double mass_at_amax = 0;  // mass at the top grid point (warn if > 1e-3)
};

// Young's (2010) lottery: from (a, s) the household picks j with pi_j, moves to a'_j split
// between the bracketing grid points, then s' ~ P(s, .). Warm-startable.
StationaryDistribution stationary_distribution(const HouseholdProblem& hp,
                                               const HouseholdSolution& sol,
                                               const DistributionOptions& opt = {},
                                               const Eigen::VectorXd* warm = nullptr);

// Per-capita aggregates of one household block (multiply by L for a country).
struct Aggregates {
  double assets = 0;                   // sum lambda sum_j pi_j a'_j  (next-period asset demand)
  double efficiency_units = 0;         // sum lambda z
  Eigen::VectorXd expenditure;         // sum lambda pi_j p_j c_j, by variety
  Eigen::VectorXd choice_probability;  // sum lambda pi_j
  Eigen::VectorXd expenditure_share;   // expenditure / total
  double total_expenditure = 0;
};

Aggregates aggregate(const HouseholdProblem& hp, const HouseholdSolution& sol,
                     const Eigen::VectorXd& mass);

struct EulerErrors {
  double log10_mean = 0, log10_max = 0;
  long points = 0;  // unconstrained (state, variety) points evaluated
};

// Relative consumption Euler-equation errors |c_implied/c - 1| over unconstrained states on a
// grid `refine` times finer than the solution grid (policies interpolated linearly).
EulerErrors euler_errors(const HouseholdProblem& hp, const HouseholdSolution& sol, int refine = 10);

// The refinement the Euler-error check can afford: its cost is about refine x grid points x
// varieties^2 x nonzero transition probabilities, which for large income chains and many
// varieties would dwarf the solve (a 100-state chain with 19 varieties: half a minute at
// refine 10). Returns 10 when that cost is below 4e8, fewer (down to 1) above, and 0 (skip
// the check) when even refine 1 costs more than 2e9.
int euler_error_refine(const HouseholdProblem& hp);

}  // namespace hat::household
