// Welfare measures of the HAT model (MODEL.md §1 "Welfare"; hat-slides-2023 Proposition 2):
// per household state (a, s) and aggregated (utilitarian mean and exact distribution-weighted
// quintiles of income, wealth and expenditure):
//   (i)   the proportional equivalent variation on period wealth: lambda(a, s) such that
//         V_old(a, s; lambda) = V_new(a, s), where lambda scales R a + W z at old prices;
//   (ii)  the consumption equivalent: the proportional change x(a, s) in consumption in every
//         period under the old policies that yields V_new(a, s);
//   (i')  the lump-sum equivalent variation: the transfer tau(a, s) (numeraire, every period, at
//         old prices) with V_old(a, s; tau) = V_new(a, s), reported over mean labour income;
//   (iii) the ACR benchmark (pi_ii'/pi_ii)^(1/theta) - 1 with theta = -1/sigma_i, and as the
//         paper computes it, (1/theta_tw) log(pi_ii'/pi_ii) with theta_tw the model's
//         trade-weighted average PE elasticity (elasticity.hpp);
//   (iv)  the decomposition of the change in utilitarian welfare into household values and
//         reallocation across states (Proposition 2).
// All welfare numbers are fractions (0.01 = 1%).
#pragma once

#include <Eigen/Dense>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "hat/core/status.hpp"
#include "hat/household/household.hpp"

namespace hat::analysis {

// ---- Exact distribution-weighted quantiles -------------------------------------------------

// W(k, q) = mass of state k that falls in quantile group q (q = 0 poorest) of `value` under
// the distribution `mass`: states are ordered by value, each group holds exactly 1/groups of
// the total mass, a state whose mass straddles a boundary is split between groups, and states
// with equal values form one atom split in the same proportions (so ties never depend on the
// state order). Rows sum to mass(k); columns sum to sum(mass)/groups.
Eigen::MatrixXd quantile_weights(const Eigen::VectorXd& value, const Eigen::VectorXd& mass,
                                 int groups);

// The paper's bins: households binned by the expenditure of the variety they choose. Over the
// (state k, variety j) pairs with value(k, j) (e.g. p_j c_j(k)) and mass mass(k) pi(k, j), the
// exact quantile weights of quantile_weights, summed over j: W(k, q) = mass of state k whose
// chosen-variety expenditure falls in group q. Rows sum to mass(k) when the rows of pi sum to
// one; columns sum to sum(mass)/groups. No simulation: each pair is an atom of the
// distribution. With one variety it equals quantile_weights(value, mass, groups).
Eigen::MatrixXd pair_quantile_weights(const Eigen::MatrixXd& value, const Eigen::VectorXd& mass,
                                      const Eigen::MatrixXd& pi, int groups);

// Weighted group means sum_k W(k,q) x_k / sum_k W(k,q), skipping states where x is NaN.
Eigen::VectorXd group_means(const Eigen::MatrixXd& weights, const Eigen::VectorXd& x);

// ---- Policy evaluation under fixed policies ------------------------------------------------

// Solves X = payoff + beta T (X P') for the policies (a', pi) of `sol` (T = the lottery
// operator): the expected discounted sum of `payoff` along the household's future path.
Eigen::VectorXd evaluate_policy(const household::HouseholdProblem& hp,
                                const household::HouseholdSolution& sol,
                                const Eigen::VectorXd& payoff, double tolerance = 1e-14,
                                int max_iterations = 100000, SolverReport* report = nullptr);

// V = U + S under the solution's policies: U = E sum beta^t sum_j pi_j u(c_j) (utility from
// consumption), S = V - U (quality shifters and the expected taste shocks,
// E sum beta^t sum_j pi_j (psi_j - sigma log pi_j)).
struct ValueSplit {
  Eigen::VectorXd utility, taste;
  SolverReport report;
};
ValueSplit split_value(const household::HouseholdProblem& hp,
                       const household::HouseholdSolution& sol, double tolerance = 1e-14);

// Consumption equivalent x(k) with consumption scaled by (1+x) in every period under the old
// policies: gamma != 1: (1+x)^(1-gamma) U + S = V_new  =>  x = ((V_new - S)/U)^(1/(1-gamma)) - 1;
// gamma = 1: log(1+x)/(1-beta) + V_old = V_new  =>  x = exp((1-beta)(V_new - V_old)) - 1.
// NaN where no finite x exists (gamma != 1 and (V_new - S)/U <= 0). Exactly 0 where
// V_new == V_old.
Eigen::VectorXd consumption_equivalent(double gamma, double beta, const Eigen::VectorXd& V_old,
                                       const Eigen::VectorXd& V_new, const ValueSplit& split);

// ---- Equivalent variation ------------------------------------------------------------------

struct WelfareOptions {
  // Tight household solves: policies and values (MODEL.md: policy-only rules bias welfare).
  household::SolveOptions household{.tolerance = 1e-12,
                                    .value_tolerance = 1e-13,
                                    .max_iterations = 100000,
                                    .howard_steps = 25,
                                    .upper_envelope = true};
  household::DistributionOptions distribution{.tolerance = 1e-14, .max_iterations = 400000};
  double policy_tolerance = 1e-14;            // policy evaluation (CE, derivative guesses)
  double node_spacing = 0.0025;               // spacing h of the lambda nodes in the core range
  int extension_stride = 4;                   // node spacing stride * h beyond the core range
  double core_quantile = 0.05;                // core range: these quantiles of first-order guesses
  double lambda_min = 0.2, lambda_max = 5.0;  // search range for lambda
  int max_nodes = 600;
  int groups = 5;  // quantile groups (5 quintiles, 10 deciles, 20 bins of 5%)
  // Lump-sum EV: node spacing and search range in units of mean labour income W E[z];
  // lump_sum_polish > 0 refines every root by direct household solves until
  // |V_old(k; tau) - V_new(k)| <= lump_sum_polish * max(1, |V_new(k)|) (0: interpolated roots).
  double lump_sum_spacing = 0.0025;
  double lump_sum_max = 2.0;
  double lump_sum_polish = 0.0;
  // Throws InputError naming the first invalid field ("WelfareOptions.field must be ...").
  void validate() const;
};

struct EvReport {
  int nodes = 0;                        // household solves at lambda nodes (excluding lambda = 1)
  double lambda_lo = 1, lambda_hi = 1;  // node range searched
  double check_lambda = 1;              // off-node lambda of the interpolation check
  double check_error_value = 0;         // max_k |V_interp - V_direct| at check_lambda (utils)
  double check_error_lambda = 0;        // the same in lambda units (states with R a + W z > 0)
  int unresolved = 0;                   // (state, target) pairs without a root in the range
  int multiple_roots = 0;               // (state, target) pairs with more than one root
  SolverReport report;                  // worst household solve
};

struct EvResult {
  Eigen::VectorXd lambda;  // per state; NaN where no root was found in the searched range
  Eigen::VectorXi roots;   // number of roots found
};

// For each target value function V_new (one per scenario, on the old grid), the wealth scale
// lambda(k) with V_old(k; lambda) = V_new(k). The old-price household problem is solved at
// nodes lambda = 1 + m h (two warm-started chains, up and down, run in parallel), each state's
// root is bracketed between nodes and located on the local cubic interpolant through four
// nodes; where there are several roots (possible where R a + W z <= 0), the one nearest 1 is
// taken. `sol_old` must be the solution at lambda = 1 (hp_old.lambda = 1).
std::vector<EvResult> equivalent_variation(const household::HouseholdProblem& hp_old,
                                           const household::HouseholdSolution& sol_old,
                                           const std::vector<Eigen::VectorXd>& targets,
                                           const WelfareOptions& opt, EvReport* report = nullptr);

// ---- Lump-sum equivalent variation ---------------------------------------------------------

// Mean labour income per period W E[z], E[z] under the stationary distribution of the income
// chain P (= the mean of W z under any stationary household distribution, z being exogenous).
double mean_labour_income(const household::HouseholdProblem& hp);

struct LumpSumReport {
  int nodes = 0;                   // household solves at tau nodes (excluding tau = 0)
  double labour_income = 0;        // W E[z]: the unit of the node spacing and search range
  double tau_lo = 0, tau_hi = 0;   // node range searched (numeraire)
  double check_tau = 0;            // off-node tau of the interpolation check
  double check_error_value = 0;    // max_k |V_interp - V_direct| at check_tau (utils)
  double check_error_tau = 0;      // the same in units of W E[z] (value error / local slope)
  int unresolved = 0;              // (state, target) pairs without a root in the range
  int multiple_roots = 0;          // (state, target) pairs with more than one sign change
  int polish_solves = 0;           // direct household solves of the refinement
  double polish_max_residual = 0;  // max |V_old(k; tau_k) - target(k)| after refinement (utils)
  SolverReport report;             // worst household solve
};

struct LumpSumResult {
  Eigen::VectorXd tau;       // per state, numeraire per period; NaN where no root in the range
  Eigen::VectorXi roots;     // sign changes found (1: V_old(k; .) is increasing in tau)
  Eigen::VectorXd residual;  // |V_old(k; tau(k)) - target(k)| of a direct solve (refined
                             // roots), NaN without refinement
};

// For each target value function V_new (one per scenario, on the old grid), the transfer
// tau(k) added to hp_old.tau in every period with V_old(k; tau) = V_new(k) (budget
// p_j c_j + a' = lambda (R a + W z) + hp_old.tau + tau at the old prices). V_old(k; .) is
// strictly increasing, so each state has one root. Method as equivalent_variation: nodes
// tau = m h W E[z] (two warm-started chains), cubic interpolation between nodes, range
// extended towards unbracketed roots; then, if opt.lump_sum_polish > 0, secant refinement of
// every root by direct solves. `sol_old` must be the solution of `hp_old`. Independent of any
// counterfactual: targets may come from anywhere (e.g. a transition path's V_0).
std::vector<LumpSumResult> lump_sum_ev(const household::HouseholdProblem& hp_old,
                                       const household::HouseholdSolution& sol_old,
                                       const std::vector<Eigen::VectorXd>& targets,
                                       const WelfareOptions& opt, LumpSumReport* report = nullptr);

// ---- Proposition 2 -------------------------------------------------------------------------

// W = sum_k mass(k) V(k) per household. W_new - W_old = household + reallocation + interaction:
// household = sum mass_old (V_new - V_old), reallocation = sum V_old (mass_new - mass_old),
// interaction = sum (V_new - V_old)(mass_new - mass_old).
struct Decomposition {
  double W_old = 0, W_new = 0, household = 0, reallocation = 0, interaction = 0;
};
Decomposition decompose(const Eigen::VectorXd& V_old, const Eigen::VectorXd& mass_old,
                        const Eigen::VectorXd& V_new, const Eigen::VectorXd& mass_new);

// ---- Everything for one country ------------------------------------------------------------

// A household block solved at some prices: problem, (tight) solution, stationary distribution.
struct HouseholdState {
  household::HouseholdProblem problem;
  household::HouseholdSolution solution;
  Eigen::VectorXd mass;
  household::Aggregates aggregates;
  SolverReport report;  // worst of the household and distribution solves
};

// Re-solves a household block to the welfare tolerances, warm-started from `warm`/`warm_mass`.
HouseholdState solve_tight(const household::HouseholdProblem& hp, const WelfareOptions& opt,
                           const household::HouseholdSolution* warm = nullptr,
                           const Eigen::VectorXd* warm_mass = nullptr);

struct ScenarioWelfare {
  std::string scenario;      // "pe" or "ge"
  Eigen::VectorXd V_new;     // on the old grid
  Eigen::VectorXd mass_new;  // on the old grid
  Eigen::VectorXd ev;        // lambda - 1 (NaN: no root in the searched range)
  Eigen::VectorXi ev_roots;
  Eigen::VectorXd ce;                  // NaN: no finite consumption equivalent
  Eigen::VectorXd ev_lump_sum;         // tau / (W E[z]) (NaN: no root in the searched range)
  double mean_ev_lump_sum = 0;         // utilitarian mean of ev_lump_sum
  double mean_ev = 0, mean_ce = 0;     // utilitarian means over the old distribution
  double mean_ev_positive_wealth = 0;  // mean EV over states with R a + W z > 0
  // Mean EV over the well-posed states (R a + W z > 0, so a larger lambda raises current
  // resources and V_old(k; .) is increasing: exactly one root) and their old-distribution mass.
  double mean_ev_well_posed = 0, well_posed_mass = 0;
  double multiple_roots_mass = 0;  // mass of states with more than one EV root
  double acr = 0, theta = 0, home_share_old = 0, home_share_new = 0;
  // (1/theta_tw) log(pi_ii'/pi_ii) (log form, as the paper); NaN when theta_tw is not given.
  double acr_trade_weighted = std::numeric_limits<double>::quiet_NaN();
  double theta_trade_weighted = std::numeric_limits<double>::quiet_NaN();
  std::map<std::string, Eigen::VectorXd> ev_groups, ce_groups,
      ev_lump_sum_groups;  // by "income"/"wealth"/"expenditure"
  Decomposition decomposition;
  double unresolved_mass = 0;  // old-distribution mass of states without an EV root
  bool grid_changed = false;   // V_new, mass_new interpolated from a different asset grid
};

struct CountryWelfare {
  int country = 0;
  Eigen::VectorXd assets, z, income, expenditure, mass_old, V_old;
  std::vector<unsigned char> nonpositive_wealth;  // R a + W z <= 0 at old prices
  // +1: a larger lambda raises the state's current resources (R a + W z > 0), -1: lowers them
  // (< 0), 0: no effect (= 0).
  Eigen::VectorXi ev_direction;
  double nonpositive_wealth_mass = 0;
  std::vector<ScenarioWelfare> scenarios;
  EvReport ev_report;
  LumpSumReport lump_sum_report;
  ValueSplit split;
  double seconds = 0;
};

// Welfare of the households of country `home` (the index of the home variety) for each new
// state (scenario name, state). `theta`: the ACR elasticity, < 0 (0: -1/sigma_i; InputError
// if positive). `theta_trade_weighted` (< 0; NaN: not computed): the elasticity of
// acr_trade_weighted.
CountryWelfare measure_welfare(
    const HouseholdState& old_state,
    const std::vector<std::pair<std::string, const HouseholdState*>>& news, int home, double theta,
    const WelfareOptions& opt,
    double theta_trade_weighted = std::numeric_limits<double>::quiet_NaN());

// Groupings used for quantiles, in output order: income, wealth, expenditure (expected
// expenditure of the state, sum_j pi_j p_j c_j) and expenditure_choice (the paper's bins:
// (state, variety) pairs by p_j c_j, pair_quantile_weights).
const std::vector<std::string>& welfare_groupings();

}  // namespace hat::analysis
