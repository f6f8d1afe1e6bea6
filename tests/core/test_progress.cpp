// The progress callback (core/progress.hpp): a callback returning kStop stops a household solve,
// a world solve and a calibration with the status each documents, and every solver reports
// increasing iteration numbers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "calibration/log_setup.hpp"
#include "hat/calibration/calibrate.hpp"
#include "hat/core/interrupt.hpp"
#include "hat/core/progress.hpp"
#include "hat/data/ek_data.hpp"
#include "hat/household/household.hpp"
#include "hat/numerics/markov.hpp"
#include "test_support.hpp"
#include "world_fixtures.hpp"

using namespace hat;

namespace {

// Records the reports of one solver and asks it to stop at report `stop_at` (1-based).
struct Recorder {
  explicit Recorder(int stop) : stop_at(stop) {}
  int stop_at;
  std::vector<int> iterations;
  std::vector<std::string> solvers;
  ProgressCallback callback() {
    return [this](const Progress& p) {
      iterations.push_back(p.iteration);
      solvers.emplace_back(p.solver);
      return static_cast<int>(iterations.size()) >= stop_at ? Control::kStop : Control::kContinue;
    };
  }
  void expect_increasing() const {
    for (size_t k = 1; k < iterations.size(); ++k)
      EXPECT_GT(iterations[k], iterations[k - 1]) << "report " << k;
  }
};

household::HouseholdProblem small_problem() {
  household::HouseholdProblem hp;
  hp.gamma = 1.45;
  hp.beta = 0.92;
  hp.sigma = 0.25;
  hp.R = 1.01;
  hp.W = 1.0;
  hp.prices = Eigen::VectorXd::LinSpaced(5, 1.0, 2.0);
  hp.grid = numerics::make_grid(-0.5, 8.0, 40);
  const auto ip = numerics::make_income_process(numerics::IncomeSpec{});
  hp.z = ip.z;
  hp.P = ip.P;
  return hp;
}

}  // namespace

// Household: kStop before iteration 4 leaves three sweeps, status IterationLimit and the message
// "household: interrupted ..."; the solution's arrays are those of a finished solve (finite).
TEST(Progress, StopsHouseholdSolve) {
  const household::HouseholdProblem hp = small_problem();
  household::SolveOptions opt;
  opt.newton = false;  // plain sweeps: many iterations, so the stop comes before convergence
  Recorder rec(4);
  opt.progress = rec.callback();
  const household::HouseholdSolution sol = household::solve_household(hp, opt);
  EXPECT_EQ(sol.report.status, SolverStatus::IterationLimit);
  EXPECT_EQ(sol.report.message.rfind("household: interrupted", 0), 0u) << sol.report.message;
  EXPECT_EQ(sol.report.iterations, 3);
  ASSERT_EQ(rec.iterations, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(rec.solvers.front(), "household");
  EXPECT_TRUE(sol.c.allFinite() && sol.mu.allFinite());
  // Without a stop the same solve converges (the stop, not the problem, ended it).
  Recorder all(1 << 30);
  opt.progress = all.callback();
  EXPECT_TRUE(household::solve_household(hp, opt).report.converged());
  all.expect_increasing();
  EXPECT_GT(all.iterations.size(), 4u);
}

// World: kStop at the second report ends the solve after that evaluation: status IterationLimit,
// message "equilibrium: interrupted", Equilibrium::interrupted.
TEST(Progress, StopsWorldSolve) {
  const world::World w = test::symmetric_two(2.0, 1.5, 30);
  world::EquilibriumOptions opt;
  Recorder rec(2);
  opt.progress = rec.callback();
  const world::Equilibrium eq = world::solve_equilibrium(w, test::start_prices(2, 1.0), opt);
  EXPECT_TRUE(eq.interrupted);
  EXPECT_EQ(eq.report.status, SolverStatus::IterationLimit);
  EXPECT_EQ(eq.report.message, "equilibrium: interrupted");
  // The reports count evaluations, so they skip the refinement of the Jacobian's base point.
  ASSERT_EQ(rec.iterations.size(), 2u);
  rec.expect_increasing();
  EXPECT_EQ(eq.evaluations, rec.iterations.back());
  EXPECT_EQ(rec.solvers.front(), "world");
}

// Calibration (EK data, log utility, a coarse grid): kStop at the second report ends the
// run: status IterationLimit, message "calibration: interrupted", CalibrationResult::interrupted.
TEST(Progress, StopsCalibration) {
  HAT_REQUIRE_DATA(dir);
  calibration::CalibrationSetup s = hat::test::log_setup(dir, 20);
  Recorder rec(2);
  s.progress = rec.callback();
  const calibration::CalibrationResult r = calibration::calibrate(s);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.report.status, SolverStatus::IterationLimit);
  EXPECT_EQ(r.report.message, "calibration: interrupted");
  ASSERT_EQ(rec.iterations.size(), 2u);
  rec.expect_increasing();
  EXPECT_EQ(r.evaluations, rec.iterations.back());
  EXPECT_EQ(rec.solvers.front(), "calibration");
}

// Stage messages of studies: kStop throws hat::Interrupted; without a callback nothing happens.
TEST(Progress, StageStopThrowsInterrupted) {
  std::string seen;
  const ProgressCallback stop = [&seen](const Progress& p) {
    seen = std::string(p.solver) + ": " + std::string(p.message);
    return Control::kStop;
  };
  EXPECT_THROW(report_stage(stop, "study", "stage one"), Interrupted);
  EXPECT_EQ(seen, "study: stage one");
  EXPECT_NO_THROW(report_stage(nullptr, "study", "stage one"));
  Progress p;
  p.iteration = 7;
  p.residual = 1.5e-3;
  p.seconds = 2.5;
  EXPECT_EQ(evaluation_line("baseline", p),
            "baseline evaluation    7  residual 1.500e-03  elapsed 2.5s");
  EXPECT_EQ(evaluation_line("", p), "evaluation    7  residual 1.500e-03  elapsed 2.5s");
}
