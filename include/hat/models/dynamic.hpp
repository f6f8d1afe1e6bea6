// Dynamic gains from trade (Boehm, Levchenko, Pandalai-Nayar and Toma 2024; MODEL.md §4):
// dynamic Krugman, customer-base and Melitz-Pareto models with sunk market-entry costs, their
// steady states, the steady-state gains-from-trade formula (Propositions 3.1-3.2, with the
// tariff exponent derived in docs/dynamic.md), the short- and long-run trade elasticities and
// the perfect-foresight transition after a permanent change of trade costs or tariffs.
//
// Matrix convention (as everywhere in hat): entry (d, o) refers to goods shipped from the
// exporter o (column) to the importer d (row). Country 0's wage is the numeraire.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "hat/core/status.hpp"

namespace hat::io {
class ConfigFile;
}

namespace hat::dynamic {

enum class Variant {
  Krugman,       // homogeneous firms, sunk costs ~ inverse Pareto (b, chi)   (paper §2)
  CustomerBase,  // customer capital with convex cost f(a) (zeta, chi)        (paper §3.1)
  MelitzPareto,  // Pareto productivity (theta), fixed cost, sunk costs (b, chi) (paper §3.1)
};
const char* to_string(Variant v);
Variant variant_from_string(const std::string& s);  // throws InputError

struct Parameters {
  Variant variant = Variant::Krugman;
  double sigma = 4.0;       // CES elasticity of substitution, > 1
  double chi = 1.0;         // curvature of the entry distribution / customer-cost function, > 0
  double delta = 0.1;       // exit (customer depreciation) probability, in (0, 1]
  double beta = 0.96;       // discount factor, in (0, 1)
  double gamma = 2.0;       // CRRA coefficient, > 0
  double b = 0.01;          // inverse-Pareto scale of sunk costs (Krugman, Melitz), > 0
  double zeta = 0.01;       // efficiency of customer-base investment (CustomerBase), > 0
  double theta = 5.0;       // Pareto shape of productivity (Melitz), > sigma - 1
  double fixed_cost = 0.1;  // per-period fixed cost of serving a market, labor units (Melitz)
};

// Throws InputError naming the parameter ("[model] sigma: ...") when a value is impossible.
void validate(const Parameters& p);

// The model written in the form of Proposition 3.2. Sales per unit mass satisfy
//   x_do = k tau_do^-psi kappa_do^-epsilon w_o^-(epsilon + a) P_d^epsilon Y_d^(1 + a),
// the flow profit of a unit mass is mu x_do, steady-state aggregate profits are s * sales, and
// entry is e_do = (scale * v_do / w_o)^chi with v the value of a unit mass.
struct ReducedForm {
  double epsilon;  // partial elasticity of x w.r.t. iceberg costs (short-run trade elasticity)
  double psi;      // partial elasticity of x (tariff-exclusive) w.r.t. gross tariffs
  double a;        // exponent on Y_d / w_o (0 in Krugman; (theta-sigma+1)/(sigma-1) in Melitz)
  double k;        // level constant of x
  double mu;       // flow profit per unit of sales
  double annuity;  // beta / (1 - beta (1 - delta)): steady-state value per unit of flow profit
  double s;        // steady-state aggregate profit share of sales, mu (1 - chi/(1+chi) delta A)
  double scale;    // b (Krugman, Melitz) or zeta (customer base)
  double chi;
  double eta;  // exponent of (1 - R/Y) in the gains formula: sigma/(sigma-1) - 1/((1+chi) eps)
};
ReducedForm reduced_form(const Parameters& p);

// Partial trade elasticities (paper eqs. 2.17, 4.1-4.3), of tariff-exclusive flows X_do.
struct Elasticities {
  double short_run_iceberg;  // -epsilon (= 1 - sigma in Krugman)
  double long_run_iceberg;   // -(1 + chi) epsilon
  double short_run_tariff;   // -psi (= -sigma in Krugman)
  double long_run_tariff;    // -(1 + chi) psi
};
Elasticities elasticities(const Parameters& p);

// Backing sigma and chi out of estimated short- and long-run elasticities (Krugman mapping).
enum class FlowMeasure {
  TariffExclusive,  // elasticities of X w.r.t. tau: SR = -sigma, LR = -sigma (1 + chi)
  TariffInclusive,  // of tau X w.r.t. tau: SR = 1 - sigma, LR = 1 - sigma (1 + chi)
  Iceberg,          // of X w.r.t. kappa: SR = 1 - sigma, LR = (1 - sigma)(1 + chi)
};
FlowMeasure flow_measure_from_string(const std::string& s);  // throws InputError
struct SigmaChi {
  double sigma, chi;
};
// Throws InputError explaining which inequality fails when the pair maps to sigma <= 1 or
// chi <= 0 (or is not finite).
SigmaChi structural_from_elasticities(double short_run, double long_run, FlowMeasure measure);
// Melitz-Pareto mapping (sigma given): tariff elasticities are -psi and -psi (1 + chi) with
// psi = sigma theta / (sigma - 1) (tariff-inclusive: 1 - psi, 1 - psi (1 + chi)); iceberg
// elasticities -theta and -theta (1 + chi). Throws InputError unless theta > sigma - 1, chi > 0.
struct ThetaChi {
  double theta, chi;
};
ThetaChi melitz_from_elasticities(double short_run, double long_run, FlowMeasure measure,
                                  double sigma);

struct Economy {
  Eigen::VectorXd labor;   // L_j > 0
  Eigen::MatrixXd kappa;   // iceberg costs (importer, exporter), >= 1 off the diagonal
  Eigen::MatrixXd tariff;  // gross tariffs (importer, exporter), >= 1, diagonal exactly 1
  int size() const { return static_cast<int>(labor.size()); }
};
// Throws InputError on wrong dimensions, non-finite or non-positive entries, tariff diagonal
// different from 1.
void validate(const Economy& e);
Economy scale_trade_costs(const Economy& e, double factor);  // kappa_do *= factor for d != o

// Iceberg costs (kappa_dd = 1) that make the model's steady-state expenditure shares equal the
// observed ones, lambda_do = tau_do X_do / sum_o' tau_do' X_do' for tariff-exclusive flows
// `flows` (importer rows; any currency per row). Sales follow from the column-stochastic
// market-clearing system S = M S, wages from w_o L_o = (1 - s) S_o, and kappa from the
// gravity ratios lambda_do / lambda_dd. Throws InputError on non-positive flows.
Economy calibrate_trade_costs(const Parameters& p, const Eigen::VectorXd& labor,
                              const Eigen::MatrixXd& tariff, const Eigen::MatrixXd& flows);

struct DynamicSolverOptions {
  double tolerance = 1e-12;  // sup-norm of relative market-clearing residuals
  int max_evaluations = 2000;
  // Throws InputError naming the first invalid field ("DynamicSolverOptions.field must be ...").
  void validate() const;
};

struct SteadyState {
  Eigen::VectorXd wages, price_index, expenditure, consumption, profits, tariff_revenue,
      entry_labor, domestic_share;
  Eigen::MatrixXd mass;            // n_do
  Eigen::MatrixXd sales_per_firm;  // x_do (expected sales per unit mass in Melitz)
  Eigen::MatrixXd flows;           // X_do = n_do x_do, tariff-exclusive
  Eigen::MatrixXd shares;          // lambda_do = tau_do X_do / Y_d (tariff-inclusive)
  Eigen::MatrixXd value;           // v_do
  Eigen::MatrixXd entry_rate;      // e_do = G(xi_bar) (Krugman/Melitz) or a_do (customer base)
  Eigen::MatrixXd cutoff;          // Melitz productivity cutoff phi*_do (phi_L = 1); else 0
  SolverReport report;
};

// Steady state of the dynamic model with balanced trade (Powell's hybrid method on the J-1
// relative wages). Throws InputError when the solution violates an assumption of the model
// (all potential entrants enter, b xi_bar >= 1; Melitz cutoff below the productivity floor;
// checked at a converged solution), NumericalError when the wages or sales are not finite.
// A solve that stops unconverged (report.status iteration_limit or failed) returns its last
// iterate with that status.
SteadyState solve_steady_state(const Parameters& p, const Economy& e,
                               const DynamicSolverOptions& opt = {});
// Each country in isolation (lambda_jj = 1, no tariff revenue); wages normalised to 1. The
// report has the worst country's status.
SteadyState solve_autarky(const Parameters& p, const Economy& e,
                          const DynamicSolverOptions& opt = {});

// Largest relative violation of the model's equilibrium conditions written from first
// principles (CES price index summed over varieties, labor demand by use, entry condition,
// value of a unit mass, budget constraint, balanced trade). Independent of the solver's
// reduced form: tests use it to check the reduction.
double structural_residual(const Parameters& p, const Economy& e, const SteadyState& ss);

// Steady-state gains formula: C_j / C_j^autarky = lambda_jj^(-1/((1+chi) eps)) (1-R_j/Y_j)^-eta.
Eigen::VectorXd gains_formula(const Parameters& p, const SteadyState& ss);
// Static ACR benchmark with the short-run elasticity (the same model with chi = 0, i.e. masses
// that do not respond): lambda_jj^(-1/eps) (1 - R_j/Y_j)^-(sigma/(sigma-1) - 1/eps).
Eigen::VectorXd static_acr_gains(const Parameters& p, const SteadyState& ss);
// Ratio of two steady states predicted by the formulas (new over old).
Eigen::VectorXd gains_formula_change(const Parameters& p, const SteadyState& from,
                                     const SteadyState& to);
Eigen::VectorXd static_acr_change(const Parameters& p, const SteadyState& from,
                                  const SteadyState& to);

struct PathOptions {
  int periods = 200;         // T: the economy is at the new steady state from T on
  double tolerance = 1e-10;  // sup-norm of relative change of the value path between sweeps
  int max_sweeps = 5000;
  double damping = 1.0;  // weight on the new value path (reduced automatically on failure)
  DynamicSolverOptions period_solver{.tolerance = 1e-12, .max_evaluations = 2000};
  // Throws InputError naming the first invalid field ("PathOptions.field must be ...").
  void validate() const;
};

struct TransitionPath {
  // Rows are periods t = 0..T-1, columns countries.
  Eigen::MatrixXd wages, price_index, expenditure, consumption, domestic_share;
  // Masses n_t and values v_t, one J x J matrix per period; mass has T + 1 entries (n_T).
  std::vector<Eigen::MatrixXd> mass, value, flows;
  // Welfare changes as fractions (0.01 = 1%).
  Eigen::VectorXd welfare_transition;    // consumption equivalent
  Eigen::VectorXd welfare_steady_state;  // C_new / C_old - 1
  Eigen::VectorXd welfare_static_acr;    // static ACR with the short-run elasticity
  Eigen::VectorXd welfare_formula;       // dynamic steady-state formula
  double terminal_gap = 0;         // max |log n_T - log n_new| (distance from the new steady state)
  double max_period_residual = 0;  // worst market-clearing residual over all periods
  SolverReport report;
};

// Perfect-foresight transition from the steady state `before` of economy `from` after an
// unexpected permanent change to economy `to` at t = 0 (masses n_0 are predetermined).
// Method: Fair-Taylor iteration on the path of unit-mass values v_t (forward: static
// equilibria given n_t, v_t and entry; backward: Bellman recursion with each country's
// nominal stochastic discount factor), terminal condition v_T = new steady state.
TransitionPath solve_path(const Parameters& p, const Economy& from, const Economy& to,
                          const SteadyState& before, const SteadyState& after,
                          const PathOptions& opt = {});

// Consumption-equivalent welfare of a path: the permanent proportional change of consumption
// (a fraction, 0.01 = 1%) from c_old giving the same lifetime utility as c_path (t = 0..T-1)
// followed by c_new.
double path_consumption_equivalent(double beta, double gamma, double c_old,
                                   const Eigen::VectorXd& c_path, double c_new);

// A `hat dynamic` configuration file (keys in docs/dynamic.md). Every table is checked for
// unknown keys; errors name the file and the field.
struct Config {
  Parameters params;
  bool from_elasticities = false;  // sigma and chi backed out of [elasticities]
  double short_run = 0, long_run = 0;
  FlowMeasure measure = FlowMeasure::TariffExclusive;
  std::vector<std::string> names;
  Economy economy;
  std::string calibration_file;       // [calibration] file, when trade costs were calibrated
  Eigen::MatrixXd calibration_flows;  // the observed flows read from it (importer rows)
  double trade_cost_factor = 1;       // [shock]: kappa_do *= factor for d != o
  bool shock_tariffs = false;         // [shock] tariffs given: the new gross tariff matrix
  Eigen::MatrixXd new_tariff;
  DynamicSolverOptions steady_state;  // [steady_state]: the steady-state (and autarky) solves
  PathOptions transition;
  Economy shocked() const;  // the economy after the [shock]
};
Config load_config(const io::ConfigFile& file);

}  // namespace hat::dynamic
