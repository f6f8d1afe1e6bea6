// Tidy outputs of a gravity fit: see include/hat/calibration/gravity_report.hpp.
#include "hat/calibration/gravity_report.hpp"

#include "hat/io/csv.hpp"

namespace hat::calibration {

std::string gravity_estimates_csv(const GravityFit& f) {
  io::CsvWriter w({"parameter", "country", "estimate", "std_error"});
  const auto& e = f.estimates;
  const auto& s = f.std_errors;
  for (int b = 0; b < 6; ++b)
    w.cell("dist_" + std::to_string(b + 1)).cell("").cell(e.bins(b)).cell(s.bins(b)).end_row();
  w.cell("border").cell("").cell(e.border).cell(s.border).end_row();
  w.cell("language").cell("").cell(e.language).cell(s.language).end_row();
  w.cell("ec").cell("").cell(e.ec).cell(s.ec).end_row();
  w.cell("efta").cell("").cell(e.efta).cell(s.efta).end_row();
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
  j["bins"] = std::vector<double>(e.bins.data(), e.bins.data() + e.bins.size());
  j["border"] = e.border;
  j["language"] = e.language;
  j["ec"] = e.ec;
  j["efta"] = e.efta;
  nlohmann::json S = nlohmann::json::object(), m = nlohmann::json::object();
  for (size_t i = 0; i < e.countries.size(); ++i) {
    S[e.countries[i]] = e.S(i);
    m[e.countries[i]] = e.m(i);
  }
  j["S"] = S;
  j["m"] = m;
  return j;
}

}  // namespace hat::calibration
