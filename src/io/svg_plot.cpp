// SVG rendering of simple plots.
#include "hat/io/svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hat::io {

namespace {
const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<')
      o += "&lt;";
    else if (c == '>')
      o += "&gt;";
    else if (c == '&')
      o += "&amp;";
    else
      o += c;
  }
  return o;
}

// "Nice" tick positions covering [lo, hi].
std::vector<double> ticks(double lo, double hi, int target = 6) {
  std::vector<double> t;
  if (!(hi > lo)) {
    t.push_back(lo);
    return t;
  }
  double raw = (hi - lo) / target;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step)
    t.push_back(std::abs(v) < 1e-12 * step ? 0.0 : v);
  return t;
}

std::string fmt_tick(double v) {
  return fmt::format("{:.4g}", v);
}

void padded_range(double& lo, double& hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {
    lo -= 0.5;
    hi += 0.5;
  }
  double pad = 0.04 * (hi - lo);
  lo -= pad;
  hi += pad;
}

struct Frame {
  double W, H, L = 80, R = 170, T = 50, B = 60;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  double px(double x) const { return L + (x - x0) / (x1 - x0) * (W - L - R); }
  double py(double y) const { return H - B - (y - y0) / (y1 - y0) * (H - T - B); }
};

std::string header(double w, double h, const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" font-family=\"Helvetica,Arial,sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{3}</text>\n",
      w, h, w / 2, esc(title));
}

std::string axes(const Frame& f, const std::string& xlabel, const std::string& ylabel,
                 bool xticks = true) {
  std::string s;
  s += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n", f.L,
      f.T, f.W - f.L - f.R, f.H - f.T - f.B);
  if (xticks)
    for (double v : ticks(f.x0, f.x1)) {
      double x = f.px(v);
      s += fmt::format(
          "<line x1=\"{0:.2f}\" y1=\"{1}\" x2=\"{0:.2f}\" y2=\"{2}\" stroke=\"#ddd\"/>"
          "<text x=\"{0:.2f}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
          x, f.T, f.H - f.B, f.H - f.B + 16, fmt_tick(v));
    }
  for (double v : ticks(f.y0, f.y1)) {
    double y = f.py(v);
    s += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.2f}\" x2=\"{2}\" y2=\"{1:.2f}\" stroke=\"#ddd\"/>"
        "<text x=\"{3}\" y=\"{4:.2f}\" text-anchor=\"end\">{5}</text>\n",
        f.L, y, f.W - f.R, f.L - 6, y + 4, fmt_tick(v));
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                   (f.L + f.W - f.R) / 2, f.H - 18, esc(xlabel));
  s += fmt::format(
      "<text x=\"18\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 18 "
      "{0})\">{1}</text>\n",
      (f.T + f.H - f.B) / 2, esc(ylabel));
  return s;
}

std::string legend_entry(const Frame& f, int i, const std::string& color, const std::string& label,
                         bool line) {
  double y = f.T + 10 + 18 * i, x = f.W - f.R + 12;
  std::string mark =
      line ? fmt::format(
                 "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" "
                 "stroke-width=\"2\"/>",
                 x, y, x + 18, y, color)
           : fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>", x + 3,
                         y - 6, color);
  return mark + fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", x + 24, y + 4, esc(label));
}
}  // namespace

std::string Plot::render() const {
  double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
  for (const auto& s : series)
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      xlo = std::min(xlo, s.x[i]);
      xhi = std::max(xhi, s.x[i]);
      ylo = std::min(ylo, s.y[i]);
      yhi = std::max(yhi, s.y[i]);
    }
  if (diagonal) {
    xlo = ylo = std::min(xlo, ylo);
    xhi = yhi = std::max(xhi, yhi);
  }
  padded_range(xlo, xhi);
  padded_range(ylo, yhi);
  Frame f{width, height};
  f.x0 = xlo;
  f.x1 = xhi;
  f.y0 = ylo;
  f.y1 = yhi;
  std::string s = header(width, height, title) + axes(f, xlabel, ylabel);
  if (diagonal)
    s += fmt::format(
        "<line x1=\"{:.2f}\" y1=\"{:.2f}\" x2=\"{:.2f}\" y2=\"{:.2f}\" "
        "stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n",
        f.px(xlo), f.py(xlo), f.px(xhi), f.py(xhi));
  for (size_t k = 0; k < series.size(); ++k) {
    const Series& se = series[k];
    std::string color = se.color.empty() ? kPalette[k % 10] : se.color;
    size_t n = std::min(se.x.size(), se.y.size());
    if (se.line) {
      std::string pts;
      for (size_t i = 0; i < n; ++i)
        if (std::isfinite(se.x[i]) && std::isfinite(se.y[i]))
          pts += fmt::format("{:.2f},{:.2f} ", f.px(se.x[i]), f.py(se.y[i]));
      s += fmt::format(
          "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\"/>\n", pts,
          color);
    } else {
      for (size_t i = 0; i < n; ++i)
        if (std::isfinite(se.x[i]) && std::isfinite(se.y[i]))
          s += fmt::format(
              "<circle cx=\"{:.2f}\" cy=\"{:.2f}\" r=\"2.6\" fill=\"{}\" "
              "fill-opacity=\"0.7\"/>\n",
              f.px(se.x[i]), f.py(se.y[i]), color);
    }
    if (!se.label.empty()) s += legend_entry(f, static_cast<int>(k), color, se.label, se.line);
  }
  return s + "</svg>\n";
}

std::string BarChart::render() const {
  double lo = 0, hi = 0;
  for (const auto& g : values)
    for (double v : g)
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  padded_range(lo, hi);
  Frame f{width, height};
  f.B = 90;
  f.x0 = 0;
  f.x1 = 1;
  f.y0 = lo;
  f.y1 = hi;
  std::string s = header(width, height, title) + axes(f, "", ylabel, false);
  const size_t nc = categories.size(), ng = values.size();
  const double slot = (f.W - f.L - f.R) / std::max<size_t>(nc, 1);
  const double bw = 0.8 * slot / std::max<size_t>(ng, 1);
  for (size_t g = 0; g < ng; ++g) {
    for (size_t c = 0; c < nc && c < values[g].size(); ++c) {
      double v = values[g][c];
      if (!std::isfinite(v)) continue;
      double x = f.L + c * slot + 0.1 * slot + g * bw;
      double ya = f.py(std::max(v, 0.0)), yb = f.py(std::min(v, 0.0));
      s += fmt::format(
          "<rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" "
          "fill=\"{}\"/>\n",
          x, ya, bw, std::max(yb - ya, 0.5), kPalette[g % 10]);
    }
    if (g < group_labels.size())
      s += legend_entry(f, static_cast<int>(g), kPalette[g % 10], group_labels[g], false);
  }
  s += fmt::format("<line x1=\"{}\" y1=\"{:.2f}\" x2=\"{}\" y2=\"{:.2f}\" stroke=\"#333\"/>\n", f.L,
                   f.py(0), f.W - f.R, f.py(0));
  for (size_t c = 0; c < nc; ++c) {
    double x = f.L + (c + 0.5) * slot, y = f.H - f.B + 14;
    s += fmt::format(
        "<text x=\"{0:.2f}\" y=\"{1}\" text-anchor=\"end\" "
        "transform=\"rotate(-45 {0:.2f} {1})\">{2}</text>\n",
        x, y, esc(categories[c]));
  }
  return s + "</svg>\n";
}

}  // namespace hat::io
