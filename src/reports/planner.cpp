// The planner study's outputs (see planner.hpp).
#include "hat/reports/planner.hpp"

#include <fmt/format.h>

#include "hat/io/csv.hpp"
#include "hat/io/svg_plot.hpp"
#include "hat/reports/baseline.hpp"

namespace hat::reports {

namespace {

void add_outputs(io::OutputDir& out, const world::World& w, const analysis::PlannerAllocation& a,
                 const Eigen::MatrixXd* decentralised, int country) {
  const int M = w.size();
  io::CsvWriter al({"importer", "exporter", "consumption", "choice_probability", "quantity",
                    "value", "expenditure_share", "theta_efficient", "welfare_gain"});
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j) {
      al.cell(w.names[i]).cell(w.names[j]).cell(a.c(i, j)).cell(a.pi(i, j)).cell(a.quantity(i, j));
      al.cell(a.value(i, j)).cell(a.shares(i, j)).cell(a.theta(i, j)).cell(a.welfare_gain(i, j));
      al.end_row();
    }
  out.add("planner_allocation.csv", al.str());

  io::CsvWriter co({"country", "pareto_weight", "chi", "sigma", "welfare", "supply",
                    "resource_residual", "home_share_efficient", "home_share_decentralised"});
  for (int i = 0; i < M; ++i) {
    co.cell(w.names[i]).cell(a.omega(i)).cell(a.chi(i)).cell(a.sigma(i)).cell(a.welfare(i));
    co.cell(a.supply(i)).cell(a.resource_residual(i)).cell(a.shares(i, i));
    if (decentralised)
      co.cell((*decentralised)(i, i));
    else
      co.cell("");
    co.end_row();
  }
  out.add("planner_countries.csv", co.str());

  io::CsvWriter st({"importer", "income_state_1", "z", "exporter", "choice_probability"});
  for (int i = 0; i < M; ++i)
    for (int s = 0; s < a.pi_state[i].rows(); ++s)
      for (int j = 0; j < M; ++j) {
        st.cell(w.names[i])
            .cell(s + 1)
            .cell(w.income.z(s))
            .cell(w.names[j])
            .cell(a.pi_state[i](s, j));
        st.end_row();
      }
  out.add("planner_choice_by_state.csv", st.str());

  io::BarChart hs;
  hs.title =
      "Home expenditure shares: efficient" + std::string(decentralised ? " vs decentralised" : "");
  hs.ylabel = "home share";
  hs.group_labels = {"efficient"};
  hs.values.assign(1, {});
  if (decentralised) {
    hs.group_labels.insert(hs.group_labels.begin(), "decentralised");
    hs.values.assign(2, {});
  }
  for (int i = 0; i < M; ++i) {
    hs.categories.push_back(w.names[i]);
    if (decentralised) hs.values[0].push_back((*decentralised)(i, i));
    hs.values.back().push_back(a.shares(i, i));
  }
  out.add("home_shares_efficient.svg", hs.render());

  if (decentralised && country >= 0) {
    const int i = country;
    io::CsvWriter cmp(
        {"importer", "exporter", "allocation", "expenditure_share", "share_of_imports"});
    const double dimp = 1.0 - (*decentralised)(i, i), eimp = 1.0 - a.shares(i, i);
    io::BarChart bar;
    bar.title = fmt::format("{} imports by source: decentralised vs efficient", w.names[i]);
    bar.ylabel = "expenditure share (percent)";
    bar.group_labels = {"decentralised", "efficient"};
    bar.values.assign(2, {});
    for (int j = 0; j < M; ++j) {
      const double ds = (*decentralised)(i, j), es = a.shares(i, j);
      cmp.cell(w.names[i]).cell(w.names[j]).cell("decentralised").cell(ds);
      cmp.cell(j == i ? 0.0 : ds / dimp);
      cmp.end_row();
      cmp.cell(w.names[i]).cell(w.names[j]).cell("efficient").cell(es);
      cmp.cell(j == i ? 0.0 : es / eimp);
      cmp.end_row();
      if (j == i) continue;
      bar.categories.push_back(w.names[j]);
      bar.values[0].push_back(100 * ds);
      bar.values[1].push_back(100 * es);
    }
    out.add("imports_comparison.csv", cmp.str());
    out.add("imports_comparison.svg", bar.render());
  }
}

}  // namespace

nlohmann::json planner_summary(const analysis::PlannerStudy& st) {
  const world::World& w = st.world;
  const analysis::PlannerAllocation& a = st.allocation;
  const int country = st.country;
  nlohmann::json summary;
  summary["weights"] = to_string(st.weights);
  summary["status"] = to_string(st.status);
  summary["message"] = a.report.message;
  summary["iterations"] = a.report.iterations;
  summary["resource_residual"] = a.resource_residual.lpNorm<Eigen::Infinity>();
  summary["foc_residual"] = a.foc_residual;
  summary["social_welfare"] = a.social_welfare;
  nlohmann::json chi, omj, home;
  for (int i = 0; i < w.size(); ++i) {
    chi[w.names[i]] = a.chi(i);
    omj[w.names[i]] = a.omega(i);
    home[w.names[i]] = a.shares(i, i);
  }
  summary["chi"] = chi;
  summary["pareto_weights"] = omj;
  summary["home_shares"] = home;
  if (country >= 0) {
    summary["country"] = w.names[country];
    summary["baseline"] = baseline_json(st.baseline);
    nlohmann::json imp, th, wg;
    for (int j = 0; j < w.size(); ++j) {
      imp[w.names[j]] = {{"decentralised", st.decentralised(country, j)},
                         {"efficient", a.shares(country, j)}};
      if (j != country) {
        th[w.names[j]] = a.theta(country, j);
        wg[w.names[j]] = a.welfare_gain(country, j);
      }
    }
    summary["imports"] = imp;
    summary["theta_efficient"] = th;
    summary["welfare_gain"] = wg;
  }
  summary["planner_seconds"] = st.seconds_planner;
  summary["seconds"] = st.seconds;
  return summary;
}

void add_planner_outputs(io::OutputDir& out, const analysis::PlannerStudy& st) {
  add_outputs(out, st.world, st.allocation, st.country >= 0 ? &st.decentralised : nullptr,
              st.country);
}

}  // namespace hat::reports
