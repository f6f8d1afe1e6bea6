// Tidy outputs of a gravity fit: see include/hat/reports/gravity.hpp.
#include "hat/reports/gravity.hpp"

#include "hat/io/csv.hpp"
#include "hat/io/svg_plot.hpp"
#include "pair_markers.hpp"

namespace hat::reports {

using estimation::GravityEstimates;
using estimation::GravityFit;
using estimation::kDistanceBins;
using estimation::level_names;

std::string gravity_estimates_csv(const GravityFit& f) {
  io::CsvWriter w({"parameter", "country", "estimate", "std_error"});
  const auto& e = f.estimates;
  const auto& s = f.std_errors;
  const std::vector<std::string> levels = level_names(e.bins.size() == kDistanceBins);
  for (int b = 0; b < e.bins.size(); ++b)
    w.cell(levels[b]).cell("").cell(e.bins(b)).cell(s.bins(b)).end_row();
  for (int j = 0; j < e.coef.size(); ++j)
    w.cell(e.covariate_names[j]).cell("").cell(e.coef(j)).cell(s.coef(j)).end_row();
  for (size_t i = 0; i < e.countries.size(); ++i)
    w.cell("S").cell(e.countries[i]).cell(e.S(i)).cell(s.S(i)).end_row();
  for (size_t i = 0; i < e.countries.size(); ++i)
    w.cell("m").cell(e.countries[i]).cell(e.m(i)).cell(s.m(i)).end_row();
  w.cell("rss").cell("").cell(f.rss).cell("").end_row();  // fit statistics: no standard error
  w.cell("r2").cell("").cell(f.r2).cell("").end_row();
  w.cell("sigma2").cell("").cell(f.sigma2).cell("").end_row();
  w.cell("n_obs").cell("").cell(f.n_obs).cell("").end_row();
  if (f.gls) {
    w.cell("sigma1_sq").cell("").cell(f.sigma1_sq).cell("").end_row();
    w.cell("sigma2_sq").cell("").cell(f.sigma2_sq).cell("").end_row();
  }
  return w.str();
}

std::string gravity_fit_csv(const data::GravityData& d, const GravityFit& f) {
  io::CsvWriter w({"importer", "exporter", "y", "fitted", "residual"});
  for (long k = 0; k < d.n_pairs(); ++k)
    w.cell(d.countries[d.importer[k]])
        .cell(d.countries[d.exporter[k]])
        .cell(d.y(k))
        .cell(f.fitted(k))
        .cell(f.residuals(k))
        .end_row();
  return w.str();
}

nlohmann::json gravity_estimates_json(const GravityEstimates& e) {
  nlohmann::json j;
  if (e.bins.size() == kDistanceBins)
    j["bins"] = std::vector<double>(e.bins.data(), e.bins.data() + e.bins.size());
  else
    j["constant"] = e.bins(0);
  nlohmann::json cov = nlohmann::json::object();
  for (int k = 0; k < e.coef.size(); ++k) {
    j[e.covariate_names[k]] = e.coef(k);  // EK: border, language, ec, efta at the top level
    cov[e.covariate_names[k]] = e.coef(k);
  }
  j["covariates"] = cov;
  nlohmann::json S = nlohmann::json::object(), m = nlohmann::json::object();
  for (size_t i = 0; i < e.countries.size(); ++i) {
    S[e.countries[i]] = e.S(i);
    m[e.countries[i]] = e.m(i);
  }
  j["S"] = S;
  j["m"] = m;
  return j;
}

nlohmann::json gravity_fit_json(const GravityFit& f) {
  nlohmann::json j = gravity_estimates_json(f.estimates);
  j["rss"] = f.rss;
  j["r2"] = f.r2;
  j["n_obs"] = f.n_obs;
  return j;
}

std::string gravity_fit_figure(const data::GravityData& d, const GravityFit& f) {
  io::Plot p;
  p.title = "Gravity regression: fitted vs observed";
  p.xlabel = "observed ln normalised share";
  p.ylabel = "fitted";
  p.diagonal = true;
  p.series.push_back(pair_markers(d.y, f.fitted));
  return p.render();
}

}  // namespace hat::reports
