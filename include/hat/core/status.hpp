// Typed solver outcomes: every iterative solver in hat reports one of these, with its
// iteration count and the residual it actually checked, instead of printing.
#pragma once

#include <string>

namespace hat {

enum class SolverStatus {
  Converged,       // the stated tolerance was checked and met
  IterationLimit,  // stopped at the iteration cap; residual above tolerance
  Failed,          // non-finite values or a step the method could not take
};

inline const char* to_string(SolverStatus s) {
  switch (s) {
    case SolverStatus::Converged:
      return "converged";
    case SolverStatus::IterationLimit:
      return "iteration_limit";
    case SolverStatus::Failed:
      return "failed";
  }
  return "unknown";
}

struct SolverReport {
  SolverStatus status = SolverStatus::Failed;
  int iterations = 0;
  double residual = 0.0;  // the sup-norm (or stated norm) the stopping rule tested
  double seconds = 0.0;
  std::string message;
  bool converged() const { return status == SolverStatus::Converged; }
};

// The worse of two outcomes: failed, then iteration limit, then converged.
inline SolverStatus worse_status(SolverStatus a, SolverStatus b) {
  auto rank = [](SolverStatus s) {
    return s == SolverStatus::Converged ? 0 : (s == SolverStatus::IterationLimit ? 1 : 2);
  };
  return rank(b) > rank(a) ? b : a;
}

// The one rule for the report of a computation made of several solves: it is the report of
// the worst part, the worse status or, of equal statuses, the larger residual.
inline void merge_report(SolverReport& whole, const SolverReport& part) {
  if (worse_status(whole.status, part.status) != whole.status ||
      (part.status == whole.status && part.residual > whole.residual))
    whole = part;
}

}  // namespace hat
