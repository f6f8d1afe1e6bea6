// Minimal dependency-free SVG figures: line and scatter plots with axes, ticks and a legend,
// and grouped bar charts. Enough for a researcher to look at results without Python.
#pragma once

#include <string>
#include <vector>

namespace hat::io {

struct Series {
  std::string label;
  std::vector<double> x, y;
  bool line = true;   // false: markers only
  std::string color;  // empty: from the default palette
};

struct Plot {
  std::string title, xlabel, ylabel;
  std::vector<Series> series;
  bool diagonal = false;  // draw the 45-degree line (model vs data plots)
  double width = 720, height = 480;
  std::string render() const;  // SVG document
};

struct BarChart {
  std::string title, ylabel;
  std::vector<std::string> categories;
  std::vector<std::string> group_labels;    // one per series of bars
  std::vector<std::vector<double>> values;  // values[group][category]
  double width = 820, height = 480;
  std::string render() const;
};

}  // namespace hat::io
