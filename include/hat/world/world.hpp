// World general equilibrium of the HAT model (MODEL.md §1): M countries of heterogeneous
// households, Armington varieties priced p_ij = d_ij (1 + t_ij) W_j / A_j, goods-market
// clearing on factory-gate values, bond-market clearing under financial globalisation (one R)
// or financial autarky (R_i per country), tariff revenue rebated lump sum.
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <string>
#include <vector>

#include "hat/core/enum_names.hpp"
#include "hat/core/progress.hpp"
#include "hat/core/status.hpp"
#include "hat/household/household.hpp"
#include "hat/household/steady_state_derivative.hpp"
#include "hat/numerics/grid.hpp"
#include "hat/numerics/markov.hpp"

namespace hat::world {

enum class Financial { Globalization, Autarky };
enum class Unknown { R, Beta };  // globalisation: solve for R given beta, or beta given R
// The coordinate in which the solver moves R or beta, whichever is the unknown
// (src/world/equilibrium.cpp, softplus_coordinate): Softplus, in which asset demand is nearly
// linear as beta R -> 1; Log, log R and logit(beta) = log(beta / (1 - beta)).
enum class RateCoordinate { Softplus, Log };
enum class Scaling { Tfp, Income };
// How fresh Jacobians of the market-clearing residuals are computed: implicit derivatives of
// each country's stationary household block (household/steady_state_derivative.hpp); finite
// differences that re-solve the households at perturbed prices; or finite differences only for
// the countries whose own wage, return or transfer an unknown moves, and for the others (whose
// import prices alone move) the logit choice's impact response at their solved policies and
// distribution (world/system.hpp, residual_jacobian).
enum class JacobianMethod { Analytic, FiniteDifference, LogitImpact };

// The names of the options, for outputs and for the config reader (the accepted values of
// [equilibrium] financial and unknown, [model] scaling, [solver] jacobian come from here).
inline constexpr EnumNames<Financial, 3> kFinancialNames{
    {{{Financial::Globalization, "globalization"},
      {Financial::Autarky, "autarky"},
      {Financial::Globalization, "globalisation"}}}};
inline constexpr EnumNames<Unknown, 2> kUnknownNames{
    {{{Unknown::R, "R"}, {Unknown::Beta, "beta"}}}};
inline constexpr EnumNames<Scaling, 2> kScalingNames{
    {{{Scaling::Tfp, "tfp"}, {Scaling::Income, "income"}}}};
inline constexpr EnumNames<JacobianMethod, 3> kJacobianNames{
    {{{JacobianMethod::LogitImpact, "logit-impact"},
      {JacobianMethod::FiniteDifference, "finite-difference"},
      {JacobianMethod::Analytic, "analytic"}}}};
inline constexpr EnumNames<RateCoordinate, 2> kRateCoordinateNames{
    {{{RateCoordinate::Softplus, "softplus"}, {RateCoordinate::Log, "log"}}}};

const char* to_string(Financial f);
const char* to_string(Unknown u);
const char* to_string(Scaling s);
const char* to_string(JacobianMethod m);

struct World {
  std::vector<std::string> names;
  Eigen::VectorXd L;       // labour (mass of households)
  Eigen::VectorXd A;       // TFP
  Eigen::MatrixXd d;       // iceberg costs, importer row, exporter column, d_ii = 1
  Eigen::MatrixXd tariff;  // ad-valorem tariffs t_ij (importer i on goods from j), >= 0

  // Common household parameters (scaled by country, see `scaling`).
  double gamma = 1.45, beta = 0.92, sigma = 0.25, quality_slope = 0.0;
  double borrowing_limit = 0.5;  // phi: a_min = -phi * scale_i
  double asset_max = 8.0;        // a_max = asset_max * scale_i
  int assets = 100;
  numerics::GridSpacing spacing = numerics::GridSpacing::Uniform;
  double grid_curvature = 2.0;
  numerics::IncomeProcess income;
  Scaling scaling = Scaling::Tfp;

  int size() const { return static_cast<int>(names.size()); }
  bool has_tariffs() const { return tariff.size() && tariff.cwiseAbs().maxCoeff() > 0; }
  // Throws InputError naming the field (dimensions, d >= 1, d_ii = 1, L > 0, A > 0, ...).
  void validate() const;
};

// Equilibrium prices (and the discount factor when it is the unknown).
struct Prices {
  Eigen::VectorXd W;    // wage per efficiency unit
  Eigen::VectorXd R;    // gross interest rate by country (all equal under globalisation)
  Eigen::VectorXd tau;  // lump-sum transfer per household (tariff rebate)
  double beta = 0.92;
};

struct EquilibriumOptions {
  Financial financial = Financial::Globalization;
  Unknown unknown = Unknown::R;
  int numeraire = -1;         // -1: mean wage = 1; otherwise this country's wage = 1
  double tolerance = 1e-10;   // sup-norm of the scaled market-clearing residuals
  int max_evaluations = 400;  // residual evaluations (excluding Jacobian columns)
  // Fresh Jacobians (docs/performance.md compares the three): logit-impact costs about one
  // evaluation instead of N + 1 and steers the solve as well as finite differences do.
  JacobianMethod jacobian = JacobianMethod::LogitImpact;
  // With logit-impact Jacobians, a fresh one after an accepted step that leaves the residual
  // norm above jacobian_refresh_factor times its previous value, at most jacobian_refreshes
  // times per solve (0 = only where Powell's method asks for one).
  int jacobian_refreshes = 2;
  double jacobian_refresh_factor = 0.1;
  double fd_step = 1e-6;  // finite-difference step in the log unknowns (both methods: the
                          // analytic one differences the one-period maps over it)
  // Household tolerance of the finite-difference columns (derivative error ~ this / fd_step;
  // the household tolerance applies if it is looser).
  double fd_household_tolerance = 1e-10;
  // Finite-difference columns that move only a country's consumer prices (trade costs, TFP,
  // other countries' wages) share its re-solves: one per moved variety, combined by the chain
  // rule, when that is fewer than one per column (calibration's parameter columns).
  bool jacobian_price_directions = true;
  // Without jacobian_linearised: logit-impact Jacobians with each importer's savings and
  // distribution response to its import prices, fitted from two more re-solves per country
  // (src/world/jacobian.cpp, SavingsCorrection). Off in world solves (the extra re-solves cost
  // more than the evaluations they save); on in the calibration's joint stage
  // (calibration::CalibrationSetup).
  bool jacobian_impact_savings = false;
  // Logit-impact Jacobians from each country's linearised household block
  // (household::StationaryLinearisation, src/world/jacobian.cpp): the exact asset row (one
  // adjoint solve per country), the rest of the savings response as one rank-one correction
  // along it, and the columns that re-solved a country (own wage, beta, R, transfer) as exact
  // forward derivatives; a TFP move (grid, sigma and quality scaled together) too. Columns that
  // move the grid or sigma otherwise (income scaling's wages) are still re-solved.
  bool jacobian_linearised = true;
  // Inexact evaluations far from the solution: the household tolerance of an evaluation is
  // inexact_factor x (best residual norm so far), between household.tolerance and
  // inexact_max_tolerance; only a full-tolerance evaluation can end the solve. 0 = off.
  // 1e-5 (1e-8 before) makes the cold first evaluations and the Jacobian built there about
  // 15 ms cheaper on EK19 with the same number of evaluations (the residual there is 0.2, far
  // above what a 1e-5 household error moves), and the calibrations 0.05-0.1 s faster.
  double inexact_factor = 1e-3;
  double inexact_max_tolerance = 1e-5;
  // Return a finite-difference Jacobian at the solution (costs one Jacobian; makes re-solves
  // near this equilibrium, e.g. counterfactuals, converge in fewer evaluations).
  bool jacobian_at_solution = false;
  bool solve_transfers = false;  // treat transfers as unknowns even without tariffs
  // Softplus: the cold 19-country solve takes one Jacobian and 8 evaluations instead of two
  // and 7 (0.49 s against 0.59 s); with R the unknown 0.57 s against 0.73 s. The calibration
  // keeps Log (calibration_equilibrium), where Softplus cost more evaluations in the joint stage.
  RateCoordinate rate_coordinate = RateCoordinate::Softplus;
  household::SolveOptions household{.tolerance = 1e-12,
                                    .value_tolerance = 1e-12,
                                    .max_iterations = 20000,
                                    .howard_steps = 5,
                                    .upper_envelope = true};
  household::DistributionOptions distribution{.tolerance = 1e-13, .max_iterations = 200000};
  household::DerivativeOptions derivative;  // the analytic Jacobian's linear solves
  // After each residual evaluation: {"world", evaluations, residual sup-norm, elapsed seconds,
  // x = the log unknowns, r = the residuals}. kStop ends the solve after that evaluation:
  // status IterationLimit, message "equilibrium: interrupted", Equilibrium::interrupted.
  ProgressCallback progress;
  // Throws InputError naming the first invalid field ("EquilibriumOptions.field must be ...").
  void validate() const;
};

// Everything computed for one country at given prices.
struct CountryState {
  household::HouseholdProblem problem;
  household::HouseholdSolution solution;
  household::StationaryDistribution distribution;
  household::Aggregates aggregates;  // per capita
};

struct Evaluation {
  Prices prices;
  std::vector<CountryState> countries;
  Eigen::MatrixXd imports;         // M_ij = L_i * expenditure_ij (value at consumer prices)
  Eigen::VectorXd output;          // Y_i = W_i N_i
  Eigen::VectorXd net_assets;      // A'_i = L_i * assets_i
  Eigen::VectorXd efficiency;      // N_i
  Eigen::VectorXd revenue;         // tariff revenue per household of i
  Eigen::VectorXd goods_residual;  // (W_j N_j - sum_i M_ij/(1+t_ij)) / world output, all j
  Eigen::VectorXd residuals;       // the solver's residual vector (scaled)
  bool ok = true;                  // every household/distribution solve converged
  std::string message;
};

// Index of the country called `name`; InputError "<what>: '<name>' is not a country of this
// world (<names>)" otherwise.
int country_index(const World& w, const std::string& name, const std::string& what);

// The household problem of country i at given prices (cross-country scaling applied).
household::HouseholdProblem country_problem(const World& w, int i, const Prices& p);

// Solves every country's household block at the given prices (parallel over countries;
// `warm`, if given, supplies warm starts) and computes aggregates and residuals.
Evaluation evaluate(const World& w, const Prices& p, const EquilibriumOptions& opt,
                    const Evaluation* warm = nullptr);

// Trade shares M_ij / sum_k M_ik.
Eigen::MatrixXd trade_shares(const Evaluation& ev);

struct Equilibrium {
  Evaluation state;          // at the solution
  Eigen::MatrixXd jacobian;  // a Jacobian of the residuals near the solution (reusable): a
                             // finite-difference one at the solution if jacobian_at_solution
  SolverReport report;       // residual = sup-norm of the residuals at the returned prices
  int evaluations = 0, jacobians = 0;
  std::vector<std::string> unknown_names, residual_names;
  bool interrupted = false;  // stopped by options.progress
};

// Solves for equilibrium prices from the initial guess `start` (W, R, beta used as guesses,
// or fixed where they are not unknowns). Powell's hybrid method (MINPACK hybrj via Eigen) on the
// log unknowns with finite-difference Jacobians computed in parallel.
// `jacobian` (e.g. a previous Equilibrium's) replaces the first finite-difference Jacobian,
// which makes re-solves near a known equilibrium (counterfactuals) much cheaper.
Equilibrium solve_equilibrium(const World& w, const Prices& start, const EquilibriumOptions& opt,
                              const Evaluation* warm = nullptr,
                              const Eigen::MatrixXd* jacobian = nullptr);

// Building blocks of the equilibrium system (also used by calibration and analysis).
// One country's household block, distribution and aggregates at given prices.
CountryState solve_country(const World& w, int i, const Prices& p, const EquilibriumOptions& opt,
                           const CountryState* warm = nullptr);
// The same for a given problem (country_problem's, possibly with moved prices).
CountryState solve_country_problem(household::HouseholdProblem hp, const EquilibriumOptions& opt,
                                   const CountryState* warm = nullptr);
bool country_converged(const CountryState& cs);
// The unknown vector of solve_equilibrium (log wages, R or beta in EquilibriumOptions::
// rate_coordinate, transfers).
int n_unknowns(const World& w, const EquilibriumOptions& opt);
Eigen::VectorXd pack_unknowns(const World& w, const EquilibriumOptions& opt, const Prices& p);
Prices unpack_unknowns(const World& w, const EquilibriumOptions& opt, const Eigen::VectorXd& x,
                       const Prices& base);
std::vector<std::string> unknown_names(const World& w, const EquilibriumOptions& opt);
std::vector<std::string> residual_names(const World& w, const EquilibriumOptions& opt);
// Country aggregates -> trade flows, outputs, net assets and the residual vector in `ev`.
void assemble(const World& w, const EquilibriumOptions& opt, const Prices& p,
              const std::vector<const household::Aggregates*>& ag, Evaluation& ev);

// One evaluation at given prices (for `hat residuals`): the households solved at `p`, no
// equilibrium solve; the transfers are p.tau as given (with tariffs, the rebate residuals
// measure their gap to the revenue at these prices).
Evaluation residuals_at(const World& w, const Prices& p, const EquilibriumOptions& opt);

}  // namespace hat::world
