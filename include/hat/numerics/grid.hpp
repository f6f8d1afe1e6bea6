// Asset grids: uniform, or power-spaced (dense near the borrowing limit, where policy functions
// have the most curvature).
#pragma once

#include <Eigen/Dense>
#include <string>

#include "hat/core/enum_names.hpp"

namespace hat::numerics {

enum class GridSpacing { Uniform, Power };
inline constexpr EnumNames<GridSpacing, 2> kGridSpacingNames{
    {{{GridSpacing::Uniform, "uniform"}, {GridSpacing::Power, "power"}}}};

GridSpacing parse_grid_spacing(const std::string& s);  // "uniform" | "power"
const char* to_string(GridSpacing s);

// n points from lo to hi inclusive. Power spacing: x_k = lo + (hi - lo) (k/(n-1))^curvature.
Eigen::VectorXd make_grid(double lo, double hi, int n, GridSpacing spacing = GridSpacing::Uniform,
                          double curvature = 2.0);

}  // namespace hat::numerics
