// The Eaton–Kortum (2002) Ricardian model of trade ("Technology, Geography, and Trade",
// Econometrica 70(5)); MODEL.md §3.
//
//  * Structural gravity (Fréchet technology T_i, dispersion theta; also the Armington/CES
//    gravity with theta = sigma - 1, and the HAT log-utility limit with theta = 1/sigma):
//      pi_ni = T_i (c_i d_ni)^-theta / Phi_n,  Phi_n = sum_i T_i (c_i d_ni)^-theta,
//      p_n = gamma Phi_n^(-1/theta).
//  * Full EK general equilibrium: c_i = w_i^beta p_i^(1-beta), manufactures a share alpha of
//    final spending, X_n = alpha Y_n + (1-beta) Q_n, welfare W_n = Y_n / p_n^alpha, with mobile
//    labour (wage fixed by the outside sector) or immobile labour (manufacturing employment
//    fixed, wage adjusts); ad-valorem tariffs with revenue rebated to the importer's consumers.
//  * Estimation of theta and of the gravity/technology parameters from EK's raw 1990 data.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "hat/core/status.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/estimation/gravity.hpp"
#include "hat/numerics/ols.hpp"

namespace hat::models::ek {

// ---------------------------------------------------------------- structural gravity -----
// log Phi_n = log sum_i T_i (c_i d_ni)^-theta, by log-sum-exp (d_ni = +inf: no trade).
// Throws InputError on non-positive T, c or d, theta <= 0, or a row with no finite d.
Eigen::VectorXd log_price_parameter(const Eigen::VectorXd& T, const Eigen::VectorXd& c,
                                    const Eigen::MatrixXd& d, double theta);
// pi(n, i) = T_i (c_i d_ni)^-theta / Phi_n (rows sum to one).
Eigen::MatrixXd trade_shares(const Eigen::VectorXd& T, const Eigen::VectorXd& c,
                             const Eigen::MatrixXd& d, double theta);
// p_n = gamma Phi_n^(-1/theta).
Eigen::VectorXd price_index(const Eigen::VectorXd& T, const Eigen::VectorXd& c,
                            const Eigen::MatrixXd& d, double theta, double gamma = 1.0);
// EK's gamma = Gamma((theta + 1 - sigma)/theta)^(1/(1-sigma)); requires theta > sigma - 1.
double gamma_constant(double theta, double sigma);

// --------------------------------------------------------------- general equilibrium -----
enum class Labor { Mobile, Immobile };
const char* to_string(Labor l);
Labor parse_labor(const std::string& s);  // "mobile" | "immobile"; InputError otherwise

struct Economy {
  std::vector<std::string> countries;
  double theta = 8.28, beta = 0.21221, alpha = 0.13481359, gamma = 1.0;
  Eigen::VectorXd T;             // states of technology
  Eigen::MatrixXd d;             // iceberg costs d(n, i) >= 0, d(n, n) = 1; +inf = prohibitive
  Eigen::MatrixXd tariff;        // ad-valorem tariff t(n, i) on n's imports from i (diag 0)
  Eigen::VectorXd wage;          // mobile: the fixed wage; immobile: the starting guess
  Eigen::VectorXd labor_income;  // mobile: w_n x total labour (final income before tariffs)
  Eigen::VectorXd manuf_labor;   // immobile: fixed manufacturing employment
  Eigen::VectorXd other_income;  // immobile: fixed non-manufacturing income
  int size() const { return static_cast<int>(T.size()); }
  void validate(Labor labor) const;  // InputError on inconsistent sizes or impossible values
};

struct Equilibrium {
  Eigen::VectorXd wage, price, input_cost;  // w_n, p_n, c_n
  Eigen::MatrixXd shares;                   // pi(n, i)
  Eigen::MatrixXd flows;                    // X(n, i) = pi_ni X_n (buyer's prices)
  Eigen::VectorXd absorption;               // X_n: spending on manufactures
  Eigen::VectorXd output;                   // Q_i: manufacturing gross output (producer prices)
  Eigen::VectorXd income;                   // Y_n: final income incl. tariff revenue
  Eigen::VectorXd tariff_revenue;           // R_n
  Eigen::VectorXd manuf_labor;              // L_n = beta Q_n / w_n
  Eigen::VectorXd welfare;                  // W_n = Y_n / p_n^alpha
  double world_trade = 0.0;                 // sum over n != i of X(n, i)
  SolverReport report;
};

struct EkSolverOptions {
  double tol = 1e-11;  // sup-norm of the log residual (prices; wages when immobile)
  int max_iter = 200;  // Newton iterations (each price solve has its own cap of 5000)
  // Throws InputError naming the first invalid field ("EkSolverOptions.field must be ...").
  void validate() const;
};

// Solves the price system (and, with immobile labour, the wages). Never throws on
// non-convergence: the report says what happened; throws InputError on invalid economies.
Equilibrium solve_ek_equilibrium(const Economy& e, Labor labor, const EkSolverOptions& opt = {});

// ------------------------------------------------------------------------ estimation -----
// Pair data for the theta estimates: normalised import share ln[(X_ni/X_n)/(X_ii/X_i)] and
// the price measure D_ni = 2nd-largest_j r_ni(j) - mean_j r_ni(j), r_ni(j) = ln p_n(j) - ln p_i(j)
// (EK eq. 13 and Figure 2), for the 342 off-diagonal pairs (importer-major).
struct PriceTradePairs {
  std::vector<int> importer, exporter;
  Eigen::VectorXd log_share, price_measure;
};
PriceTradePairs price_trade_pairs(const data::EkRawData& raw);

struct ThetaEstimates {
  double mom = 0, ols_origin = 0, ols_dummies = 0, tsls = 0;  // EK §5.1-5.2
  double se_ols_origin = 0, se_ols_dummies = 0, se_tsls = 0;
};
ThetaEstimates estimate_theta(const data::EkRawData& raw);

// Table V: source effects S_i (Table III, GLS column) regressed on R&D, human capital and
// schooling-adjusted wages: S_i = a0 + aR ln R_i - aH (1/H_i) - theta ln w~_i with
// ln w~_i = ln w_i - g H_i (H_i = years of schooling, g = return to a year of schooling).
// OLS, and 2SLS with the wage instrumented by the schooling-adjusted labour force
// (ln L_i + g H_i) and population density (ln R and 1/H exogenous). All country variables are
// relative to the last country (USA).
struct SourceEffectsFit {
  numerics::RegressionResult ols, tsls;  // coefficients: const, ln R, 1/H, ln w~
  double theta_ols = 0, theta_tsls = 0;
};
SourceEffectsFit estimate_source_effects(const data::EkRawData& raw, const Eigen::VectorXd& S,
                                         double schooling_return = 0.06);

// Table VI: T_i / T_last = exp(beta [S_i - S_last + theta (ln w~_i - ln w~_last)]) with
// schooling-adjusted wages w~_i = w_i exp(-g H_i) (g = return to a year of schooling).
Eigen::VectorXd relative_technology(const data::EkRawData& raw, const Eigen::VectorXd& S,
                                    double theta, double schooling_return = 0.06);

// Table VII: proportional effect on cost, exp(-coefficient / theta) - 1, a fraction (EK print
// it in percent, 100 times this).
double cost_effect(double coefficient, double theta);

// ----------------------------------------------------------------------- calibration -----
// The baseline economy of EK §6 for a given theta: T from Table VI (relative technology from
// the Table III source effects and schooling-adjusted wages), wages w_i (US$), final income
// = GDP in US$, and iceberg costs d chosen so that the model reproduces the observed 1990
// bilateral shares exactly. Manufacturing employment (for the immobile closure) is the
// model's beta Q / w at the baseline, so the baseline is an equilibrium under both closures.
struct Calibration {
  Economy economy;                 // mobile-labour baseline (and immobile unless `immobile` set)
  bool separate_immobile = false;  // true: the immobile closure starts from `immobile`
  Economy immobile;
  // The economy a closure starts from.
  const Economy& base(Labor l) const {
    return l == Labor::Immobile && separate_immobile ? immobile : economy;
  }
  Eigen::MatrixXd data_shares;  // observed X_ni / X_n
  Eigen::VectorXd S;            // Table III source effects used
};
Calibration calibrate_economy(const data::EkRawData& raw, const Eigen::VectorXd& S, double theta,
                              double alpha = 0.13481359, double schooling_return = 0.06);

// The baseline of EK's own programs (EK §6): T_i as above, the schooling-adjusted wage
// w~_i = w_i exp(-g H_i) as the model's wage (with manufacturing employment L_i exp(g H_i),
// so the wage bill is unchanged), final income = GDP in US$, and iceberg costs from the
// fitted gravity equation without its residual,
//   -theta ln d_ni = dist_k(n,i) + b border + l language + e1 EC + e2 EFTA + m_n,
// from the estimates `g` (the same fit whose S gives T). By construction the mobile baseline
// reproduces the gravity-fitted ln(X'_ni / X'_nn) = S_i - S_n - theta ln d_ni exactly, not the
// observed shares. Immobile labour, as in EK's programs: manufacturing employment is the
// data's (in efficiency units), income stays GDP and the baseline wages clear the labour
// market (so the two closures have different baselines). Throws NumericalError if a
// baseline does not converge.
Calibration calibrate_economy_ek(const data::EkRawData& raw, const estimation::GravityEstimates& g,
                                 double theta, double alpha = 0.13481359,
                                 double schooling_return = 0.06);

// Iceberg costs that make the model's shares equal `shares` for given T, w (exact inversion
// of the gravity equation; EK eq. 11 with intermediate inputs).
Eigen::MatrixXd implied_trade_costs(const Eigen::MatrixXd& shares, const Eigen::VectorXd& T,
                                    const Eigen::VectorXd& wage, double theta, double beta,
                                    double gamma = 1.0);

// -------------------------------------------------------------------- counterfactuals -----
enum class Scenario {
  Autarky,
  ZeroGravity,
  DoubleTrade,
  TariffRemoval,
  TariffRemovalUs,
  TechnologyUs,
  TechnologyDeu
};
const char* to_string(Scenario s);
Scenario parse_scenario(const std::string& s);  // InputError listing the valid names
std::vector<Scenario> all_scenarios();

struct CounterfactualResult {
  Scenario scenario;
  Labor labor;
  Equilibrium baseline, counterfactual;
  Eigen::VectorXd welfare_change;  // log(W'/W), a fraction (EK print 100 log(W'/W), percent)
  Eigen::VectorXd price_change;    // log(p'/p), a fraction
  double world_trade_ratio = 1.0;
  double trade_cost_factor = 1.0;  // double_trade: d' - 1 = factor (d - 1)
  std::vector<std::string> countries;
};

// Runs one scenario on the calibrated baseline. Tariff scenarios start from a uniform 5%
// tariff contained in d (d = 1.05 d~), with revenue rebated; removal sets it to zero.
// Technology scenarios raise T of the USA or Germany by 20%. Throws NumericalError if the
// baseline (or a step of the double_trade bisection) cannot be solved; a counterfactual
// equilibrium that does not converge is returned with its report (counterfactual.report).
CounterfactualResult run_counterfactual(const Calibration& cal, Scenario s, Labor labor,
                                        const EkSolverOptions& opt = {});

}  // namespace hat::models::ek
