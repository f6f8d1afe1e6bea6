// The scatter series of the country-pair figures (internal to src/reports).
#pragma once

#include <Eigen/Core>

#include "hat/io/svg_plot.hpp"

namespace hat::reports {

// Markers at (x_q, y_q), one per country pair q, labelled "country pairs".
inline io::Series pair_markers(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  io::Series s;
  s.label = "country pairs";
  s.line = false;
  s.x.assign(x.data(), x.data() + x.size());
  s.y.assign(y.data(), y.data() + y.size());
  return s;
}

}  // namespace hat::reports
