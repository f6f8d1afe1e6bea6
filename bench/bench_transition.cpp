// Transition-path benchmark: the two-country world of the published tests (Na = 100) and the
// 19-country EK world (examples/ek19_gravity.toml, Na = 100), a 10% cut of all import costs of
// one country (HOME / USA), T = 300. Prints the time split (steady states, sequence-space
// Jacobian, quasi-Newton iterations) and, on the two-country world, compares in the same run the
// fake-news Jacobian with a brute-force one (every column a full nonlinear path evaluation).
// Threads: OMP_NUM_THREADS (default 2).
// Run: build/bench_transition [two|ek19|all] [path/to/ek19_gravity.toml] [foreign_horizon (default
// 1)] [jacobian_decay]
#include <omp.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "hat/analysis/counterfactual.hpp"
#include "hat/core/error.hpp"
#include "hat/core/memory.hpp"
#include "hat/core/timer.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/io/config.hpp"
#include "hat/transition/transition.hpp"
#include "hat/world/config.hpp"

using namespace hat;

namespace {

double peak_memory_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;  // kilobytes on Linux
}

int foreign_horizon = 1;
double decay = 0;

void run(const char* label, const world::World& w, world::EquilibriumOptions opt,
         const world::Prices& start, const std::string& importer, bool brute_force) {
  Timer total;
  world::Equilibrium base = world::solve_equilibrium(w, start, opt);
  std::printf("%s: baseline %s in %.2f s\n", label, to_string(base.report.status), total.seconds());
  Timer t;
  analysis::WelfareOptions wo;
  const auto shock = analysis::parse_shock_spec("importer=" + importer + ",exporter=*,factor=0.9");
  transition::PathEconomy e = transition::make_path_economy(w, opt, base.state, {shock}, 300, wo);
  const double t_ss = t.seconds();
  transition::TransitionOptions to;
  to.foreign_horizon = foreign_horizon;
  if (decay > 0) to.jacobian_decay = decay;
  to.progress = hat::message_callback([](std::string_view m) {
    std::fprintf(stderr, "  [progress] %.*s\n", static_cast<int>(m.size()), m.data());
  });
  const transition::TransitionResult r = transition::solve_transition(e, to);
  std::printf(
      "%s: T = 300, %s, residual %.2e, %d iterations\n"
      "  terminal steady state + tight household solves %7.2f s\n"
      "  sequence-space Jacobian (fake news) + LU       %7.2f s\n"
      "  quasi-Newton iterations (path evaluations)     %7.2f s\n"
      "  total (after the baseline)                     %7.2f s   peak memory %.0f MiB\n",
      label, to_string(r.report.status), r.report.residual, r.iterations, t_ss, r.seconds_jacobian,
      r.seconds_newton, t.seconds(), peak_memory_mib());
  if (!brute_force) return;
  // Brute force: column c of dF/dX by one-sided differences of full nonlinear path evaluations.
  t.reset();
  const Eigen::VectorXd x0 = transition::pack_path(e, transition::constant_path(e, e.new_prices));
  const Eigen::VectorXd f0 = transition::evaluate_path(e, transition::unpack_path(e, x0)).residuals;
  Eigen::MatrixXd H(x0.size(), x0.size());
  for (Eigen::Index c = 0; c < x0.size(); ++c) {
    Eigen::VectorXd x = x0;
    x(c) += 1e-5;
    H.col(c) = (transition::evaluate_path(e, transition::unpack_path(e, x)).residuals - f0) / 1e-5;
  }
  const double t_bf = t.seconds();
  t.reset();
  const Eigen::MatrixXd Hf = transition::path_jacobian(e, to);
  const double t_fn = t.seconds();
  std::printf(
      "%s: Jacobian %ld x %ld: brute force %.2f s, fake news %.2f s (ratio %.0f); max |diff| "
      "%.2e (max |entry| %.2e)\n",
      label, static_cast<long>(H.rows()), static_cast<long>(H.cols()), t_bf, t_fn, t_bf / t_fn,
      (H - Hf).cwiseAbs().maxCoeff(), H.cwiseAbs().maxCoeff());
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  if (!std::getenv("OMP_NUM_THREADS")) omp_set_num_threads(2);
  const char* which = argc > 1 ? argv[1] : "all";
  const std::string cfg =
      argc > 2 ? argv[2] : std::string(HAT_SOURCE_DIR) + "/examples/ek19_gravity.toml";
  if (argc > 3) foreign_horizon = std::atoi(argv[3]);
  if (argc > 4) decay = std::atof(argv[4]);
  try {
    std::printf("threads = %d\n", omp_get_max_threads());
    if (!std::strcmp(which, "two") || !std::strcmp(which, "all")) {
      io::ConfigFile f =
          io::ConfigFile::load(std::string(HAT_SOURCE_DIR) + "/examples/two_country.toml");
      world::WorldConfig wc = estimation::read_world_config(f);
      run("two-country", wc.world, wc.options, wc.start, "HOME", true);
    }
    if (!std::strcmp(which, "ek19") || !std::strcmp(which, "all")) {
      io::ConfigFile f = io::ConfigFile::load(cfg);
      world::WorldConfig wc = estimation::read_world_config(f);
      run("19-country", wc.world, wc.options, wc.start, "USA", false);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_transition: %s\n", e.what());
    return 1;
  }
  return 0;
}
