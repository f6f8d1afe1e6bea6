// The elasticity study's outputs (see elasticity.hpp).
#include "hat/reports/elasticity.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "hat/io/csv.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/reports/baseline.hpp"

namespace hat::reports {

namespace {

// sh: expenditure shares by state (ElasticityStudy::expenditure_shares).
void add_tables(io::OutputDir& out, const world::World& w, const world::CountryState& cs,
                const analysis::CountryElasticities& ce, analysis::DistributionMode mode,
                const Eigen::MatrixXd& sh) {
  const int i = ce.home;
  const auto& hp = cs.problem;
  const int Na = hp.Na(), Nz = hp.Nz();
  const char* dist = to_string(mode);

  io::CsvWriter el(
      {"importer", "exporter", "distribution", "import_share", "margin", "elasticity"});
  for (const auto& b : ce.partners) {
    const std::pair<const char*, double> rows[] = {
        {"total", b.theta},
        {"intensive", b.intensive},
        {"extensive", b.extensive},
        {"distribution", b.distribution},
        {"decomposition_residual", b.decomposition_residual}};
    for (const auto& [m, v] : rows) {
      el.cell(w.names[i]).cell(w.names[b.partner]).cell(dist).cell(b.import_share).cell(m).cell(v);
      el.end_row();
    }
  }
  out.add("elasticities.csv", el.str());

  io::CsvWriter mi({"importer", "exporter", "distribution", "income_state_1", "z", "asset_index_1",
                    "assets", "mass", "weight_exporter", "weight_home", "intensive_exporter",
                    "extensive_exporter", "intensive_home", "extensive_home", "distribution_margin",
                    "relative"});
  for (const auto& b : ce.partners) {
    const auto& m = b.micro;
    for (int s = 0; s < Nz; ++s)
      for (int a = 0; a < Na; ++a) {
        const int k = s * Na + a;
        const double rel = m.intensive_partner(k) + m.extensive_partner(k) - m.intensive_home(k) -
                           m.extensive_home(k);
        mi.cell(w.names[i]).cell(w.names[b.partner]).cell(dist).cell(s + 1).cell(hp.z(s));
        mi.cell(a + 1);  // 1-based, as in every table
        mi.cell(hp.grid(a)).cell(cs.distribution.mass(k)).cell(m.weight_partner(k));
        mi.cell(m.weight_home(k)).cell(m.intensive_partner(k)).cell(m.extensive_partner(k));
        mi.cell(m.intensive_home(k)).cell(m.extensive_home(k)).cell(m.distribution(k)).cell(rel);
        mi.end_row();
      }
  }
  out.add("micro_elasticities.csv", mi.str());

  io::CsvWriter hs({"importer", "income_state_1", "z", "asset_index_1", "assets", "mass",
                    "exporter", "expenditure_share"});
  for (int s = 0; s < Nz; ++s)
    for (int a = 0; a < Na; ++a)
      for (int j = 0; j < hp.M(); ++j) {
        const int k = s * Na + a;
        hs.cell(w.names[i]).cell(s + 1).cell(hp.z(s)).cell(a + 1).cell(hp.grid(a));
        hs.cell(cs.distribution.mass(k)).cell(w.names[j]).cell(sh(k, j));
        hs.end_row();
      }
  out.add("expenditure_shares_by_state.csv", hs.str());
}

void add_figures(io::OutputDir& out, const world::World& w, const world::CountryState& cs,
                 const analysis::CountryElasticities& ce, analysis::DistributionMode mode,
                 const Eigen::MatrixXd& sh, int figure_partner) {
  const int i = ce.home;
  const auto& hp = cs.problem;
  const int Na = hp.Na(), Nz = hp.Nz();
  const char* dist = to_string(mode);
  // Elasticities by partner (as positive numbers, like the paper's -theta figure).
  io::BarChart bar;
  bar.title =
      fmt::format("{}: trade elasticities by partner (-theta, distribution {})", w.names[i], dist);
  bar.ylabel = "-d log(M_ij/M_ii) / d log d_ij";
  bar.group_labels = {"total", "intensive", "extensive"};
  if (mode == analysis::DistributionMode::Adjusts) bar.group_labels.push_back("distribution");
  bar.values.assign(bar.group_labels.size(), {});
  for (const auto& b : ce.partners) {
    bar.categories.push_back(w.names[b.partner]);
    bar.values[0].push_back(-b.theta);
    bar.values[1].push_back(-b.intensive);
    bar.values[2].push_back(-b.extensive);
    if (bar.values.size() > 3) bar.values[3].push_back(-b.distribution);
  }
  out.add("elasticities_by_partner.svg", bar.render());

  // Micro elasticities by asset and income state, for one partner.
  const auto it = std::find_if(ce.partners.begin(), ce.partners.end(),
                               [&](const auto& b) { return b.partner == figure_partner; });
  if (it != ce.partners.end()) {
    io::Plot p;
    p.title = fmt::format("{} imports from {}: micro trade elasticity by state", w.names[i],
                          w.names[figure_partner]);
    p.xlabel = "assets a";
    p.ylabel = "d log(M_ij(a,s) / M_ii(a,s)) / d log d_ij";
    for (int s = 0; s < Nz; ++s) {
      io::Series ser;
      ser.label = fmt::format("s={} (z={:.3f})", s, hp.z(s));
      for (int a = 0; a < Na; ++a) {
        const int k = s * Na + a;
        const auto& m = it->micro;
        ser.x.push_back(hp.grid(a));
        ser.y.push_back(m.intensive_partner(k) + m.extensive_partner(k) - m.intensive_home(k) -
                        m.extensive_home(k));
      }
      p.series.push_back(std::move(ser));
    }
    out.add("micro_elasticities.svg", p.render());
  }
  io::Plot h;
  h.title = fmt::format("{}: home expenditure share by state", w.names[i]);
  h.xlabel = "assets a";
  h.ylabel = "p_ii c_ii pi_ii / sum_j p_ij c_ij pi_ij";
  for (int s = 0; s < Nz; ++s) {
    io::Series ser;
    ser.label = fmt::format("s={} (z={:.3f})", s, hp.z(s));
    for (int a = 0; a < Na; ++a) {
      ser.x.push_back(hp.grid(a));
      ser.y.push_back(sh(s * Na + a, i));
    }
    h.series.push_back(std::move(ser));
  }
  out.add("home_share_by_state.svg", h.render());
}

}  // namespace

nlohmann::json elasticity_summary(const analysis::ElasticityStudy& st) {
  const world::World& w = st.world;
  const analysis::CountryElasticities& ce = st.result;
  nlohmann::json summary;
  summary["country"] = w.names[st.country];
  summary["distribution"] = to_string(st.options.distribution);
  summary["baseline"] = baseline_json(st.baseline);
  nlohmann::json theta, dec, shares;
  for (const auto& b : ce.partners) {
    theta[w.names[b.partner]] = b.theta;
    dec[w.names[b.partner]] = {{"intensive", b.intensive},
                               {"extensive", b.extensive},
                               {"distribution", b.distribution},
                               {"residual", b.decomposition_residual}};
    shares[w.names[b.partner]] = b.import_share;
  }
  summary["theta"] = theta;
  summary["theta_trade_weighted"] = ce.theta_trade_weighted;
  summary["decomposition"] = dec;
  summary["import_shares"] = shares;
  summary["status"] = to_string(st.status);
  summary["message"] = ce.report.message;
  summary["step"] = st.options.step;
  summary["richardson"] = st.options.richardson;
  summary["elasticity_seconds"] = st.seconds_elasticities;
  summary["seconds"] = st.seconds;
  return summary;
}

void add_elasticity_outputs(io::OutputDir& out, const analysis::ElasticityStudy& st) {
  const world::CountryState& cs = st.baseline.state.countries[st.country];
  const Eigen::MatrixXd& sh = st.expenditure_shares;
  add_tables(out, st.world, cs, st.result, st.options.distribution, sh);
  add_figures(out, st.world, cs, st.result, st.options.distribution, sh, st.figure_partner);
}

}  // namespace hat::reports
