// JSON values shared by the writers of the reports layer (internal to src/reports).
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

namespace hat::reports {

// The entries of v as a JSON-ready vector (nlohmann::json writes a non-finite entry as null).
inline std::vector<double> to_vector(const Eigen::VectorXd& v) {
  return {v.data(), v.data() + v.size()};
}

// x, or null where it is not finite (JSON has no NaN or Inf).
inline nlohmann::json finite_or_null(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

// The entries of v as a JSON array, each as finite_or_null.
inline nlohmann::json finite_array(const Eigen::VectorXd& v) {
  nlohmann::json a = nlohmann::json::array();
  for (int q = 0; q < v.size(); ++q) a.push_back(finite_or_null(v(q)));
  return a;
}

}  // namespace hat::reports
