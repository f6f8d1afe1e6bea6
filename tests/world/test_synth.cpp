// Synthetic worlds (`hat synth-world`): deterministic for a seed, well-formed trade costs, and a
// world TOML that hat reads and evaluates.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hat/estimation/world_from_data.hpp"
#include "hat/io/config.hpp"
#include "hat/world/config.hpp"
#include "hat/world/synth.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using hat::test::hat_binary;
using hat::test::run;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

// splitmix64 seeding as published (Vigna's reference splitmix64.c, seed 0: first output
// 0xe220a8397b1dcdaf) followed by xoshiro256**: the first output of xoshiro256** is
// rotl(s1 * 5, 7) * 9 with s1 the second splitmix64 output (0x6e789e6aa1b965f4).
TEST(Synth, RngFollowsTheReferenceAlgorithms) {
  hat::world::SynthRng rng(0);
  const std::uint64_t s1 = 0x6e789e6aa1b965f4ULL;
  const std::uint64_t x = s1 * 5;
  EXPECT_EQ(rng.next(), ((x << 7) | (x >> 57)) * 9);
  // Uniform draws: in [0, 1), mean 1/2 and variance 1/12 within sampling error (n = 1e5).
  double sum = 0, sum2 = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum2 += u * u;
  }
  EXPECT_NEAR(sum / n, 0.5, 0.005);
  EXPECT_NEAR(sum2 / n - (sum / n) * (sum / n), 1.0 / 12, 0.002);
}

// The same seed gives the same world; the first countries of a larger world are the smaller
// world's; trade costs are d_ii = 1, d_ij >= 1, symmetric (distance, contiguity and the bloc
// are symmetric) and follow the stated formula.
TEST(Synth, WorldIsDeterministicAndWellFormed) {
  const auto a = hat::world::synth_world(12, 7), b = hat::world::synth_world(12, 7);
  const auto big = hat::world::synth_world(20, 7), other = hat::world::synth_world(12, 8);
  EXPECT_EQ(a.trade_costs, b.trade_costs);
  EXPECT_EQ(a.tfp, b.tfp);
  EXPECT_EQ(big.trade_costs.topLeftCorner(12, 12), a.trade_costs);
  EXPECT_NE(other.tfp, a.tfp);
  const auto& c = a.coefficients;
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(a.trade_costs(i, i), 1.0);
    EXPECT_GT(a.labor(i), 0.0);
    EXPECT_GT(a.tfp(i), 0.0);
    for (int j = 0; j < 12; ++j) {
      EXPECT_GE(a.trade_costs(i, j), 1.0);
      EXPECT_EQ(a.trade_costs(i, j), a.trade_costs(j, i));
      if (i == j) continue;
      const double theta_log_d = c.beta0 + c.beta_distance * std::log(a.distance(i, j) / 100.0) -
                                 c.beta_contiguity * a.contiguity(i, j) - c.beta_rta * a.rta(i, j);
      EXPECT_NEAR(a.trade_costs(i, j), std::max(1.0, std::exp(theta_log_d / c.theta)), 1e-14);
    }
  }
}

// `hat synth-world` writes the same files for the same seed, and `hat residuals` reads the
// world (names, labour, TFP and the trade-cost file as generated).
TEST(Synth, CommandWritesAReadableWorld) {
  const fs::path d1 = hat::test::tmp_path("synth_a"), d2 = hat::test::tmp_path("synth_b");
  const std::string gen = hat_binary() + " synth-world --countries 5 --seed 3 --out ";
  ASSERT_EQ(run(gen + d1.string()), 0) << hat::test::last_stderr();
  ASSERT_EQ(run(gen + d2.string()), 0) << hat::test::last_stderr();
  for (const char* f : {"world.toml", "trade_costs.csv"})
    EXPECT_EQ(slurp(d1 / f), slurp(d2 / f)) << f;
  const auto wc =
      hat::estimation::read_world_config(hat::io::ConfigFile::load((d1 / "world.toml").string()));
  const auto w = hat::world::synth_world(5, 3);
  EXPECT_EQ(wc.world.names, w.names);
  EXPECT_EQ(wc.world.d, w.trade_costs);  // shortest round-trip numbers reload exactly
  EXPECT_EQ(wc.world.A, w.tfp);
  EXPECT_EQ(wc.world.L, w.labor);
  std::string out;
  ASSERT_EQ(run(hat_binary() + " residuals " + (d1 / "world.toml").string() + " --json", &out), 0)
      << hat::test::last_stderr();
  EXPECT_TRUE(std::isfinite(nlohmann::json::parse(out)["residual_norm"].get<double>()));
  EXPECT_EQ(run(hat_binary() + " synth-world --countries 1 --out " + d1.string()), 2);
  // A negative seed is bad input (one line naming --seed), not wrapped to a huge unsigned seed.
  EXPECT_EQ(run(hat_binary() + " synth-world --countries 3 --seed -1 --out " + d1.string()), 2);
  const std::string err = hat::test::last_stderr();
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_NE(err.find("--seed"), std::string::npos) << err;
  fs::remove_all(d1);
  fs::remove_all(d2);
}

// Issue "scale": a 40-country world solves to the same bits with 1 and 2 threads (the
// per-country work is spread over threads, results combined in country order). A coarse asset
// grid keeps the test short; the thread invariance does not depend on the grid.
TEST(Synth, FortyCountryWorldIdenticalForOneAndTwoThreads) {
  const auto sw = hat::world::synth_world(40, 1);
  const fs::path dir = hat::test::tmp_path("synth40_threads");
  fs::create_directories(dir);
  std::ofstream(dir / "trade_costs.csv") << hat::world::synth_trade_costs_csv(sw);
  std::ofstream(dir / "world.toml") << hat::world::synth_world_toml(sw, 1, "trade_costs.csv");
  hat::world::WorldConfig wc =
      hat::estimation::read_world_config(hat::io::ConfigFile::load((dir / "world.toml").string()));
  wc.world.assets = 20;
  hat::world::Equilibrium eq[2];
  for (int t = 0; t < 2; ++t) {
    omp_set_num_threads(t + 1);
    eq[t] = hat::world::solve_equilibrium(wc.world, wc.start, wc.options);
  }
  omp_set_num_threads(2);
  ASSERT_TRUE(eq[0].report.converged()) << eq[0].report.message;
  EXPECT_EQ(eq[0].evaluations, eq[1].evaluations);
  EXPECT_EQ(eq[0].state.prices.W, eq[1].state.prices.W);
  EXPECT_EQ(eq[0].state.prices.R, eq[1].state.prices.R);
  EXPECT_EQ(eq[0].state.prices.beta, eq[1].state.prices.beta);
  EXPECT_EQ(eq[0].state.imports, eq[1].state.imports);
  fs::remove_all(dir);
}
