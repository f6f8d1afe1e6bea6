// Finite Markov chains for idiosyncratic income.
// Rouwenhorst (1995) as in Kopecky & Suen (2010): matches the AR(1) mean, variance and
// autocorrelation exactly. Tauchen (1986). Stationary distributions by a dense linear solve
// (no eigen-decomposition). The HAT income process is the product of a persistent and a
// transitory chain (persistent index outer, transitory inner), rescaled so E[z] = 1.
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace hat::numerics {

struct MarkovChain {
  Eigen::VectorXd states;  // grid of the (log) process
  Eigen::MatrixXd P;       // P(s, s') transition probabilities, rows sum to 1
};

// AR(1) y' = rho y + e, e ~ N(0, innovation_variance). n >= 1 (n = 1: the single state 0).
MarkovChain rouwenhorst(int n, double rho, double innovation_variance);
// Tauchen with grid +- m unconditional standard deviations.
MarkovChain tauchen(int n, double rho, double innovation_variance, double m = 3.0);

// Stationary distribution pi P = pi by solving (P' - I) pi = 0 with sum(pi) = 1 replacing one
// equation (column-pivoted QR). Throws NumericalError if the result is not a distribution.
Eigen::VectorXd stationary_distribution(const Eigen::MatrixXd& P);

// Throws InputError if P is not square, has negative or non-finite entries, or a row whose sum
// differs from 1 by more than tol.
void validate_transition_matrix(const Eigen::MatrixXd& P, double tol = 1e-12);

struct IncomeProcess {
  Eigen::VectorXd z;               // efficiency units, E[z] = 1 under `stationary`
  Eigen::VectorXd log_persistent;  // zero-mean log persistent component of each state
  Eigen::MatrixXd P;               // transition matrix
  Eigen::VectorXd stationary;      // stationary distribution
  int persistent_states = 1, transitory_states = 1;
};

struct IncomeSpec {
  int persistent_states = 5;
  double persistent_rho = 0.90;
  double persistent_variance = 0.039;  // innovation variance
  int transitory_states = 2;
  double transitory_variance = 0.0522;
  bool tauchen = false;  // Rouwenhorst by default
};

// Product chain, state index = persistent * transitory_states + transitory, rescaled to E[z]=1.
IncomeProcess make_income_process(const IncomeSpec& spec);

// Income states with identical transition rows have identical expectations E[f(s') | s]
// (all transitory states of a persistent x i.i.d. product chain share a row). Returns, for
// each state, the first state with the same row (exact comparison).
std::vector<int> first_identical_row(const Eigen::MatrixXd& P);

// out = F P for F of Na x Nz (column s: a function of assets for state s), computed as
// (sum of F's columns over states with identical rows) x (the distinct rows): Nz x Nd x Na
// multiply-adds instead of Nz^2 Na. `rep` from first_identical_row; `work` is scratch.
void mix_by_rows(const Eigen::Ref<const Eigen::MatrixXd>& F, const Eigen::MatrixXd& P,
                 const std::vector<int>& rep, Eigen::MatrixXd& out, Eigen::MatrixXd& work);

}  // namespace hat::numerics
