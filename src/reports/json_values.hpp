// JSON values shared by the writers of the reports layer (internal to src/reports).
#pragma once

#include <Eigen/Core>
#include <vector>

namespace hat::reports {

// The entries of v as a JSON-ready vector (nlohmann::json writes a non-finite entry as null).
inline std::vector<double> to_vector(const Eigen::VectorXd& v) {
  return {v.data(), v.data() + v.size()};
}

}  // namespace hat::reports
