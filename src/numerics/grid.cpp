// Asset grids.
#include "hat/numerics/grid.hpp"

#include <cmath>
#include <stdexcept>

#include "hat/core/enum_names.hpp"
#include "hat/core/error.hpp"

namespace hat::numerics {

GridSpacing parse_grid_spacing(const std::string& s) {
  return kGridSpacingNames.parse(s, "grid spacing");
}

const char* to_string(GridSpacing s) {
  return kGridSpacingNames.name(s);
}

Eigen::VectorXd make_grid(double lo, double hi, int n, GridSpacing spacing, double curvature) {
  if (n < 2) throw InputError("grid needs at least 2 points");
  if (!(hi > lo)) throw InputError("grid upper bound must exceed lower bound");
  Eigen::VectorXd g(n);
  for (int k = 0; k < n; ++k) {
    double u = static_cast<double>(k) / (n - 1);
    if (spacing == GridSpacing::Power) u = std::pow(u, curvature);
    g(k) = lo + (hi - lo) * u;
  }
  g(0) = lo;  // exact end points
  g(n - 1) = hi;
  return g;
}

}  // namespace hat::numerics
