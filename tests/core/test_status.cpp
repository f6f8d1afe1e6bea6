// Solver reports (core/status.hpp): the one rule by which the report of a computation made of
// several solves is merged from its parts.
#include <gtest/gtest.h>

#include "hat/core/status.hpp"

using hat::merge_report;
using hat::SolverReport;
using hat::SolverStatus;

namespace {
SolverReport report(SolverStatus s, double residual, int iterations, const char* message) {
  SolverReport r;
  r.status = s;
  r.residual = residual;
  r.iterations = iterations;
  r.message = message;
  return r;
}
}  // namespace

// Failed over iteration limit over converged, in either order.
TEST(SolverReport, WorseStatusOrdersTheOutcomes) {
  using hat::worse_status;
  const SolverStatus c = SolverStatus::Converged, l = SolverStatus::IterationLimit,
                     f = SolverStatus::Failed;
  EXPECT_EQ(worse_status(c, l), l);
  EXPECT_EQ(worse_status(l, c), l);
  EXPECT_EQ(worse_status(l, f), f);
  EXPECT_EQ(worse_status(f, c), f);
  EXPECT_EQ(worse_status(c, c), c);
}

// The whole is the report of its worst part: worse status first, then the larger residual; a
// better part leaves it alone.
TEST(SolverReport, MergeKeepsTheWorstPart) {
  SolverReport whole = report(SolverStatus::Converged, 0.0, 0, "converged");
  merge_report(whole, report(SolverStatus::Converged, 1e-11, 7, "a"));
  EXPECT_EQ(whole.message, "a");
  merge_report(whole, report(SolverStatus::Converged, 1e-12, 9, "b"));  // smaller residual
  EXPECT_EQ(whole.message, "a");
  EXPECT_EQ(whole.iterations, 7);
  merge_report(whole, report(SolverStatus::IterationLimit, 1e-9, 100, "c"));
  EXPECT_EQ(whole.status, SolverStatus::IterationLimit);
  EXPECT_EQ(whole.message, "c");
  merge_report(whole, report(SolverStatus::Converged, 1.0, 3, "d"));  // better status
  EXPECT_EQ(whole.message, "c");
  merge_report(whole, report(SolverStatus::Failed, 0.0, 1, "e"));
  EXPECT_EQ(whole.status, SolverStatus::Failed);
  EXPECT_EQ(whole.message, "e");
}
