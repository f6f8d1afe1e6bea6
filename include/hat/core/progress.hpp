// Progress reports of long computations, and the way a caller stops them: one callback type for
// every solver and study of the library (household sweeps, world and calibration evaluations,
// the stages of studies). The callback's return value asks the computation to continue or stop.
//
// What kStop does (documented where each solver takes the callback):
//   household::solve_household  ends before the next sweep (at the earliest after the first):
//                               status IterationLimit, message "household: interrupted ...",
//                               the policies of the last sweep;
//   world::solve_system and     end after the evaluation just reported: status IterationLimit,
//   world::solve_equilibrium    message "interrupted" (SystemResult / Equilibrium::interrupted);
//   calibration::calibrate      likewise (CalibrationResult::interrupted), checkpoints as before;
//   transition::solve_transition  ends after the iteration just reported: status
//                               IterationLimit, message "transition: interrupted after ...";
//   stage messages of studies   throw hat::Interrupted (core/interrupt.hpp), as a host interrupt.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <limits>
#include <string>
#include <string_view>

namespace hat {

struct Progress {
  static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

  std::string_view solver;   // "household", "system", "world", "calibration", or the study's name
  int iteration = 0;         // iterations or evaluations so far (0 for stage messages)
  double residual = kNone;   // the solver's stopping measure (household: sup |dc| of the last
                             // sweep, infinite before the first; world: residual sup-norm;
                             // calibration: the scaled norm); NaN when not applicable
  double seconds = kNone;    // elapsed since the solver started; NaN when not measured
  std::string_view message;  // a human-readable line ("" when the solver reports numbers only)
  const Eigen::VectorXd* x = nullptr;  // the current point, when the solver has one
  const Eigen::VectorXd* r = nullptr;  // its residual vector, when available
  // Calibration: the largest moment error (NaN while markets are cleared at the starting
  // parameters) and the equilibrium residual sup-norm.
  double moment_error = kNone;
  double equilibrium_residual = kNone;
};

enum class Control { kContinue, kStop };

// Called by a solver after each iteration / evaluation / stage. It may be called from any
// thread the solver runs on, but never concurrently by one solve.
using ProgressCallback = std::function<Control(const Progress&)>;

// `callback(p)`, or kContinue without a callback.
inline Control report(const ProgressCallback& callback, const Progress& p) {
  return callback ? callback(p) : Control::kContinue;
}

// A stage message of a study: reports {solver, message}; throws hat::Interrupted if the callback
// returns kStop.
void report_stage(const ProgressCallback& callback, std::string_view solver,
                  std::string_view message);

// "PREFIX evaluation    N  residual R  elapsed Ss" ("evaluation ..." with an empty prefix): the
// progress line of an equilibrium solve's report.
std::string evaluation_line(std::string_view prefix, const Progress& p);

// The callback of a solver run inside a study: forwards each report to `callback` (which must
// outlive it) as {solver, ..., message = line(report)}, and returns its answer.
template <class Line>
ProgressCallback with_message(const ProgressCallback& callback, std::string_view solver,
                              Line line) {
  return [&callback, solver, line = std::move(line)](const Progress& p) {
    const std::string m = line(p);
    Progress q = p;
    q.solver = solver;
    q.message = m;
    return callback(q);
  };
}

// A callback that only receives messages (e.g. printing them): `say(message)` for every report
// with a message, then kContinue.
template <class Say>
ProgressCallback message_callback(Say say) {
  return [say = std::move(say)](const Progress& p) {
    if (!p.message.empty()) say(p.message);
    return Control::kContinue;
  };
}

}  // namespace hat
