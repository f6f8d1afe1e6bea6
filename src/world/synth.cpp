// Synthetic worlds: see include/hat/world/synth.hpp.
#include "hat/world/synth.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "hat/core/error.hpp"
#include "hat/io/csv.hpp"

namespace hat::world {

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

std::string toml_list(const Eigen::VectorXd& v) {
  std::string s = "[";
  for (Eigen::Index i = 0; i < v.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", v(i));
  return s + "]";
}

}  // namespace

SynthRng::SynthRng(std::uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
}

std::uint64_t SynthRng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double SynthRng::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

int SynthRng::index(int n) {
  return static_cast<int>(uniform() * n);  // n is small: the bias of 2^-53 does not matter
}

SynthWorld synth_world(int countries, std::uint64_t seed) {
  if (countries < 2) throw InputError("--countries: need at least 2 countries");
  const int N = countries;
  SynthRng rng(seed);
  SynthWorld w;
  const SynthCoefficients& b = w.coefficients;
  w.x.resize(N);
  w.y.resize(N);
  w.labor.resize(N);
  w.tfp.resize(N);
  w.bloc.resize(N);
  // One country after the other, so that the first countries of a larger world are those of
  // a smaller one with the same seed.
  for (int i = 0; i < N; ++i) {
    w.names.push_back(fmt::format("C{:03d}", i + 1));
    w.x(i) = rng.uniform(0.0, 10000.0);
    w.y(i) = rng.uniform(0.0, 10000.0);
    w.labor(i) = 0.05 * std::exp(rng.uniform(-1.0, 1.0));  // EK's labour forces: 0.005 to 0.3
    w.tfp(i) = std::exp(rng.uniform(-0.4, 0.4));
    w.bloc(i) = rng.index(4);
  }
  w.distance.setZero(N, N);
  w.contiguity.setZero(N, N);
  w.rta.setZero(N, N);
  w.trade_costs.setOnes(N, N);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      if (i == j) continue;
      const double dist = std::max(std::hypot(w.x(i) - w.x(j), w.y(i) - w.y(j)), 1.0);
      w.distance(i, j) = dist;
      w.contiguity(i, j) = dist < 1500.0 ? 1 : 0;
      w.rta(i, j) = w.bloc(i) == w.bloc(j) ? 1 : 0;
      const double theta_log_d = b.beta0 + b.beta_distance * std::log(dist / 100.0) -
                                 b.beta_contiguity * w.contiguity(i, j) - b.beta_rta * w.rta(i, j);
      w.trade_costs(i, j) = std::max(1.0, std::exp(theta_log_d / b.theta));
    }
  return w;
}

std::string synth_trade_costs_csv(const SynthWorld& w) {
  std::vector<std::string> header{"importer"};
  header.insert(header.end(), w.names.begin(), w.names.end());
  io::CsvWriter csv(header);
  for (size_t i = 0; i < w.names.size(); ++i) {
    csv.cell(w.names[i]);
    for (size_t j = 0; j < w.names.size(); ++j)
      csv.cell(w.trade_costs(static_cast<int>(i), static_cast<int>(j)));
    csv.end_row();
  }
  return csv.str();
}

std::string synth_world_toml(const SynthWorld& w, std::uint64_t seed,
                             const std::string& trade_costs_file) {
  const int N = static_cast<int>(w.names.size());
  std::string s = fmt::format(
      "# A synthetic {}-country world (seed {}): countries at random on a 10,000 km square,\n"
      "# log TFP uniform on [-0.4, 0.4], labour 0.05 exp(U[-1, 1]), trade costs\n"
      "# theta log d = {} + {} log(distance / 100 km) - {} contiguity - {} rta (d >= 1).\n"
      "# Written by `hat synth-world --countries {} --seed {}`; solve with `hat solve`.\n\n",
      N, seed, w.coefficients.beta0, w.coefficients.beta_distance, w.coefficients.beta_contiguity,
      w.coefficients.beta_rta, N, seed);
  s += "[model]                     # the household parameters of examples/ek19_gravity.toml\n"
       "gamma = 1.45\nsigma_eps = 0.33\nquality_slope = 0.725\nborrowing_limit = 0.5\n"
       "asset_max = 8.0\nscaling = \"tfp\"\nbeta = 0.9294\n\n"
       "[grid]\nassets = 100\nspacing = \"uniform\"\n\n"
       "[income]\npersistent_states = 5\npersistent_rho = 0.90\npersistent_variance = 0.039\n"
       "transitory_states = 2\ntransitory_variance = 0.0522\n\n";
  s += "[countries]\nnames = [";
  for (int i = 0; i < N; ++i) s += fmt::format("{}\"{}\"", i ? ", " : "", w.names[i]);
  s += "]\nlabor = " + toml_list(w.labor) + "\ntfp = " + toml_list(w.tfp) + "\n\n";
  s += "[trade_costs]\nfile = \"" + trade_costs_file + "\"\n\n";
  s += "[equilibrium]\nfinancial = \"globalization\"\nunknown = \"beta\"\nR = 1.01\n\n"
       "[solver]\ntolerance = 1e-10\nhousehold_tolerance = 1e-12\n";
  return s;
}

std::string synth_pairs_csv(const SynthWorld& w, std::uint64_t seed, double noise) {
  const int N = static_cast<int>(w.names.size());
  const double theta = w.coefficients.theta;
  SynthRng rng(seed ^ 0x5eed5eed5eed5eedULL);  // the noise's own stream
  io::CsvWriter csv({"importer", "exporter", "y", "log_distance", "contiguity", "rta"});
  for (int n = 0; n < N; ++n)
    for (int i = 0; i < N; ++i) {
      if (n == i) continue;
      const double y = theta * std::log(w.tfp(i) / w.tfp(n)) -
                       theta * std::log(w.trade_costs(n, i)) + rng.uniform(-noise, noise);
      // six decimals: the file is the data set (and stays small: ~60 bytes a pair)
      csv.cell(w.names[n])
          .cell(w.names[i])
          .cell(fmt::format("{:.6f}", y))
          .cell(fmt::format("{:.6f}", std::log(w.distance(n, i))))
          .cell(w.contiguity(n, i))
          .cell(w.rta(n, i));
      csv.end_row();
    }
  return csv.str();
}

std::string synth_calibration_toml(const SynthWorld& w, std::uint64_t seed,
                                   const std::string& pairs_file, int assets) {
  const int N = static_cast<int>(w.names.size());
  const double theta = w.coefficients.theta;
  std::string s = fmt::format(
      "# Calibration of a synthetic {}-country world (seed {}) to its gravity data {}:\n"
      "# log utility with sigma_eps = 1/theta and no quality shifter, where the calibrated\n"
      "# trade-cost parameters equal the gravity regression's coefficients (MODEL.md §2).\n"
      "# Written by `hat synth-world --countries {} --seed {}`; run with `hat calibrate`.\n\n",
      N, seed, pairs_file, N, seed);
  s += "[data]\nset = \"pairs\"\npairs = \"" + pairs_file +
       "\"\ncovariates = [\"log_distance\", \"contiguity\", \"rta\"]\n" +
       fmt::format("theta = {}\n\n", theta);
  s += "[calibration]\nmoment_tolerance = 1e-6\nmax_evaluations = 500\n\n";
  s += fmt::format(
      "[model]\ngamma = 1.0\nsigma_eps = {}\nquality_slope = 0.0\nborrowing_limit = 0.5\n"
      "asset_max = 8.0\nscaling = \"tfp\"\nbeta = 0.93\n\n[grid]\nassets = {}\n\n",
      1.0 / theta, assets);
  s += "[income]\npersistent_states = 5\npersistent_rho = 0.90\npersistent_variance = 0.039\n"
       "transitory_states = 2\ntransitory_variance = 0.0522\n\n";
  s += "[countries]\nlabor = " + toml_list(w.labor) + "\n\n";
  s += "[equilibrium]\nfinancial = \"globalization\"\nunknown = \"beta\"\nR = 1.01\n\n"
       "[solver]\ntolerance = 1e-10\nhousehold_tolerance = 1e-12\n";
  return s;
}

}  // namespace hat::world
