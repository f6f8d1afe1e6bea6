// The manifest vocabulary every command shares (docs/cli.md, "Manifests"): one status word
// list, `solvers` an object of named reports, every timing named *_seconds.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace hat::test {

// The status words a manifest may carry: to_string(SolverStatus) and "ok".
inline bool is_manifest_status(const std::string& s) {
  return s == "converged" || s == "iteration_limit" || s == "failed" || s == "ok";
}

// Checks the vocabulary of one manifest (status word, solvers object of named reports with
// their own status word, timings keys *_seconds with numbers).
inline void expect_manifest_vocabulary(const nlohmann::json& m, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_TRUE(m.contains("status") && m["status"].is_string()) << m.dump(1);
  EXPECT_TRUE(is_manifest_status(m["status"])) << m["status"];
  ASSERT_TRUE(m.contains("solvers") && m["solvers"].is_object()) << m["solvers"];
  for (const auto& [name, report] : m["solvers"].items()) {
    ASSERT_TRUE(report.is_object()) << "solvers." << name << " is not a report: " << report;
    ASSERT_TRUE(report.contains("status") && report["status"].is_string()) << name;
    EXPECT_TRUE(is_manifest_status(report["status"])) << name << ": " << report["status"];
  }
  ASSERT_TRUE(m.contains("timings") && m["timings"].is_object()) << m["timings"];
  for (const auto& [key, value] : m["timings"].items()) {
    EXPECT_TRUE(key.size() > 8 && key.compare(key.size() - 8, 8, "_seconds") == 0) << key;
    EXPECT_TRUE(value.is_number()) << key;
  }
}

}  // namespace hat::test
