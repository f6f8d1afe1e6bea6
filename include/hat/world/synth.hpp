// Synthetic worlds for benchmarks and tests (`hat synth-world`): N countries placed at random on
// a 10,000 km square, with random TFP and labour and trade costs from distance, contiguity and
// regional trade agreements. Deterministic for a seed on every platform: the random numbers
// come from xoshiro256** seeded by splitmix64 (not std:: distributions, whose output differs
// between standard libraries).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

namespace hat::world {

// xoshiro256** (Blackman & Vigna 2018), its state filled by splitmix64 from the seed.
class SynthRng {
 public:
  explicit SynthRng(std::uint64_t seed);
  std::uint64_t next();
  // Uniform on [0, 1) with 53 random bits.
  double uniform();
  // Uniform on [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform on {0, ..., n - 1} (n > 0).
  int index(int n);

 private:
  std::uint64_t s_[4];
};

// The gravity covariates of a synthetic world and the trade-cost coefficients they enter with:
// theta log d_ij = beta0 + beta_distance log(dist_ij / 100 km) - beta_contiguity contig_ij
// - beta_rta rta_ij, floored at d_ij = 1 (d_ii = 1).
struct SynthCoefficients {
  double theta = 4.0, beta0 = 0.5, beta_distance = 1.0, beta_contiguity = 0.5, beta_rta = 0.5;
};

struct SynthWorld {
  std::vector<std::string> names;  // C001, C002, ...
  Eigen::VectorXd x, y;            // location (km)
  Eigen::VectorXd labor, tfp;
  Eigen::VectorXi bloc;         // regional trade agreement (one per country)
  Eigen::MatrixXd distance;     // km (0 on the diagonal)
  Eigen::MatrixXi contiguity;   // distance < 1500 km (off the diagonal)
  Eigen::MatrixXi rta;          // same bloc (off the diagonal)
  Eigen::MatrixXd trade_costs;  // d: importer rows, exporter columns
  SynthCoefficients coefficients;
};

// Draws a world of `countries` (>= 2) countries; the same seed gives the same world.
SynthWorld synth_world(int countries, std::uint64_t seed);

// The trade-cost matrix as the labelled CSV of [trade_costs] file (exporters as columns).
std::string synth_trade_costs_csv(const SynthWorld& w);
// A world TOML for `hat solve` whose [trade_costs] file is `trade_costs_file` (relative to the
// TOML), with the household and solver settings of examples/ek19_gravity.toml.
std::string synth_world_toml(const SynthWorld& w, std::uint64_t seed,
                             const std::string& trade_costs_file);

// The world's data in the tidy pairs format of data::read_gravity_pairs, one row per ordered
// pair: importer, exporter, y, log_distance (ln km), contiguity, rta. y is the log normalised
// trade share of a gravity model at equal wages with the world's TFP and trade costs,
//   y_ni = ln(X_ni / X_nn) = theta ln(A_i / A_n) - theta ln d_ni + e_ni,
// (EK / Armington gravity, not the solved heterogeneous-agent model), with e_ni uniform on
// [-noise, noise] from a random stream of its own (the world's draws are unchanged).
std::string synth_pairs_csv(const SynthWorld& w, std::uint64_t seed, double noise = 0.1);
// A calibration config for `hat calibrate` on `pairs_file` (relative to the TOML) with the
// covariates log_distance, contiguity, rta and the world's labour: log utility with
// sigma_eps = 1/theta and no quality shifter (where the calibration must return the gravity
// coefficients), `assets` grid points.
std::string synth_calibration_toml(const SynthWorld& w, std::uint64_t seed,
                                   const std::string& pairs_file, int assets = 50);

}  // namespace hat::world
