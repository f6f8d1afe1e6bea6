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
#include <cmath>
#include <functional>
#include <optional>
#include <string>

#include "hat/core/progress.hpp"
#include "hat/core/status.hpp"

namespace hat::household {

// CRRA utility u(c) = c^(1-gamma) / (1-gamma), exactly log c at gamma = 1 (MODEL.md §1).
inline double utility(double c, double gamma) {
  return gamma == 1.0 ? std::log(c) : std::pow(c, 1.0 - gamma) / (1.0 - gamma);
}

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

// Options of solve_household. The defaults are those the benchmarks and the test suite were
// tuned and checked with (docs/performance.md). All but the tolerances and upper_envelope change
// only the path to the fixed point, not the fixed point.
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
  // Cold start: keep this fraction of wealth above the borrowing limit (values of keeping the
  // policy forever). 0.9 is closer to the solution than consuming everything above a_min and
  // saves 1-3 iterations on the benchmark problems.
  double initial_savings_fraction = 0.9;
  // Newton steps that fail to lower the residual hand the solve back to accelerated sweeps.
  // After this many failures they are not tried again, so the two cannot alternate without
  // progress; two allows one retry after an early attempt far from the fixed point.
  int newton_max_failures = 2;
  // After a failure Newton steps resume only at a residual this factor times smaller: one order
  // of magnitude puts the retry well inside the region where the first attempt fell short.
  double newton_retry_factor = 0.1;
  // Fraction of `tolerance` that Newton steps aim at. A residual below it needs no linear solve
  // and leaves only a check sweep (confirming that c and v no longer move); it also bounds the
  // accuracy asked of GMRES. 1% leaves the check sweep a margin of two orders of magnitude.
  double newton_check_fraction = 1e-2;
  // Relative accuracy of the GMRES solves: the step's own quadratic error (about the residual)
  // clamped to [min, max]. 1e-10 is near what GMRES in double precision reaches on these
  // systems; 0.1 keeps the first, coarse Newton steps descent steps.
  double gmres_tolerance_min = 1e-10;
  double gmres_tolerance_max = 0.1;
  // A GMRES solve that ends above this relative residual is not trusted: the step falls back to
  // the plain sweep. One half still guarantees the step removes most of the linear residual.
  double newton_accept_residual = 0.5;

  // Throws InputError naming the first invalid field (e.g. "SolveOptions.tolerance must be > 0").
  void validate() const;
  // Before each iteration: {"household", iteration, residual = sup |dc| of the last one
  // (infinite at first), seconds}, e.g. for progress lines of long solves. kStop ends the solve
  // before that iteration (but after the first, whose sweep the closing step needs): status
  // IterationLimit, message "household: interrupted ...", the policies of the last sweep (see
  // core/progress.hpp).
  ProgressCallback progress = nullptr;
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
  // Throws InputError naming the first invalid field ("DistributionOptions.field must be ...").
  void validate() const;
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

// The aggregates when the consumer prices change from hp.prices to `prices`, to first order in
// the log price changes, with savings a'_j and the distribution held: the logit choice's impact
// response (src/distribution/impact.cpp). `at` = aggregate(hp, sol, mass).
Aggregates logit_impact(const HouseholdProblem& hp, const HouseholdSolution& sol,
                        const Eigen::VectorXd& mass, const Aggregates& at,
                        const Eigen::VectorXd& prices);

// The same response as slopes in the log prices, for every variety at once: logit_impact is
// linear in log(prices / hp.prices), so one pass over the states (two M x M products) serves
// the moves of any number of prices, where logit_impact costs a pass per move.
struct LogitImpactSlopes {
  Eigen::VectorXd log_prices;   // log hp.prices (the point of the slopes)
  Eigen::MatrixXd expenditure;  // (l, j): d expenditure_l / d log p_j
  Eigen::MatrixXd choice;       // (l, j): d choice_probability_l / d log p_j
  Eigen::VectorXd assets;       // (j): d assets / d log p_j
};
LogitImpactSlopes logit_impact_slopes(const HouseholdProblem& hp, const HouseholdSolution& sol,
                                      const Eigen::VectorXd& mass);
// logit_impact from the slopes (equal to rounding): `at` moved by the slopes times the change of
// the log prices.
Aggregates logit_impact(const LogitImpactSlopes& slopes, const Aggregates& at,
                        const Eigen::VectorXd& prices);

struct EulerErrors {
  double log10_mean = 0, log10_max = 0;
  long points = 0;  // unconstrained (state, variety) points evaluated
};

// Relative consumption Euler-equation errors |c_implied/c - 1| over unconstrained states on a
// grid `refine` times finer than the solution grid (policies interpolated linearly).
// The expectations come from per-cell interpolants checked against the direct computation to
// `interpolant_tolerance` (relative); a cell that misses it, and every cell when the tolerance is
// negative (the reference the tests compare with), is computed directly.
EulerErrors euler_errors(const HouseholdProblem& hp, const HouseholdSolution& sol, int refine = 10,
                         double interpolant_tolerance = 1e-14);

// The refinement the Euler-error check can afford: its cost is about refine x grid points x
// varieties^2 x nonzero transition probabilities, which for large income chains and many
// varieties would dwarf the solve (a 100-state chain with 19 varieties: half a minute at
// refine 10). Returns 10 when that cost is below 4e8, fewer (down to 1) above, and 0 (skip
// the check) when even refine 1 costs more than 2e9.
int euler_error_refine(const HouseholdProblem& hp);

// The grid of the Euler-error check: the solution grid (the default; it costs about as much as
// one sweep of the solve and tests the policies where they were solved) or a grid 10x finer
// (it also tests the linear interpolation between the nodes, at ten times the cost).
enum class EulerGrid { Solution, Fine };
// "solution" or "fine"; anything else throws InputError naming `what`.
EulerGrid parse_euler_grid(const std::string& s, const std::string& what);
const char* to_string(EulerGrid g);
// The refinement the check uses on that grid: 1 on the solution grid and euler_error_refine(hp)
// on the fine one; 0 (skip the check) when even refine 1 costs more than 2e9.
int euler_error_refine(const HouseholdProblem& hp, EulerGrid grid);
// The refinement asked for (1 or 10): a smaller euler_error_refine() deserves a warning.
int requested_refine(EulerGrid grid);
// The warning for a check run with `refine` below the grid's request ("" when there is none).
std::string euler_refine_warning(int refine, EulerGrid grid);

}  // namespace hat::household
