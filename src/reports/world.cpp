// Tidy CSV tables, figures and JSON summaries of world evaluations.
#include "hat/reports/world.hpp"

#include <fmt/format.h>

#include <limits>

#include "hat/core/parallel.hpp"
#include "hat/io/csv.hpp"
#include "hat/io/svg_plot.hpp"

namespace hat::reports {

using world::Evaluation;
using world::Financial;
using world::trade_shares;
using world::World;

namespace {

// A table with one block of rows per country, the blocks formatted in parallel (they are
// large: a 19-country world's policies have 3.6 million cells) and joined in country order, so
// the text does not depend on the number of threads.
template <typename Rows>
std::string by_country(const std::vector<std::string>& header, int M, Rows rows) {
  std::vector<std::string> blocks(M);
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (int c = 0; c < M; ++c)
    errors.run(c, [&] {
      io::CsvWriter csv(header);
      rows(c, csv);
      blocks[c] = csv.release();
    });
  errors.rethrow();
  // One header: the first block's; the others start after their first line.
  auto body = [&](int c) { return c == 0 ? size_t{0} : blocks[c].find('\n') + 1; };
  size_t size = 0;
  for (int c = 0; c < M; ++c) size += blocks[c].size() - body(c);
  std::string all;
  all.reserve(size);
  for (int c = 0; c < M; ++c) {
    all.append(blocks[c], body(c));
    std::string().swap(blocks[c]);
  }
  return all;
}

void distribution_rows(const World& w, const Evaluation& ev, int c, io::CsvWriter& di) {
  const auto& cs = ev.countries[c];
  const int Na = cs.problem.Na(), Nz = cs.problem.Nz();
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i) {
      const int k = s * Na + i;
      di.cell(w.names[c])
          .cell(s + 1)
          .cell(cs.problem.z(s))
          .cell(i + 1)
          .cell(cs.problem.grid(i))
          .cell(cs.distribution.mass(k))
          .cell(cs.solution.V(k));
      di.end_row();
    }
}

void policy_rows(const World& w, const Evaluation& ev, int c, io::CsvWriter& po) {
  const int M = w.size();
  const auto& cs = ev.countries[c];
  const int Na = cs.problem.Na(), Nz = cs.problem.Nz();
  for (int s = 0; s < Nz; ++s)
    for (int i = 0; i < Na; ++i)
      for (int j = 0; j < M; ++j) {
        const int k = s * Na + i;
        po.cell(w.names[c])
            .cell(s + 1)
            .cell(i + 1)
            .cell(cs.problem.grid(i))
            .cell(w.names[j])
            .cell(cs.problem.prices(j))
            .cell(cs.solution.c(k, j))
            .cell(cs.solution.a_next(k, j))
            .cell(cs.solution.pi(k, j))
            .cell(cs.solution.v(k, j));
        po.end_row();
      }
}

}  // namespace

void add_world_outputs(io::OutputDir& out, const World& w, const Evaluation& ev,
                       const std::vector<std::string>& residual_names,
                       const std::vector<household::EulerErrors>& euler, bool policies,
                       const std::string& prefix) {
  const int M = w.size();
  const Eigen::MatrixXd sh = trade_shares(ev);
  io::CsvWriter pr({"country", "wage", "R", "tau", "beta", "tfp", "labor"});
  for (int i = 0; i < M; ++i) {
    pr.cell(w.names[i])
        .cell(ev.prices.W(i))
        .cell(ev.prices.R(i))
        .cell(ev.prices.tau(i))
        .cell(ev.prices.beta)
        .cell(w.A(i))
        .cell(w.L(i));
    pr.end_row();
  }
  out.add(prefix + "prices.csv", pr.str());
  io::CsvWriter fl({"importer", "exporter", "value", "value_factory_gate"});
  io::CsvWriter ts({"importer", "exporter", "share"});
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j) {
      const double t = w.tariff.size() ? w.tariff(i, j) : 0.0;
      fl.cell(w.names[i]).cell(w.names[j]).cell(ev.imports(i, j)).cell(ev.imports(i, j) / (1 + t));
      fl.end_row();
      ts.cell(w.names[i]).cell(w.names[j]).cell(sh(i, j));
      ts.end_row();
    }
  out.add(prefix + "trade_flows.csv", fl.str());
  out.add(prefix + "trade_shares.csv", ts.str());
  io::CsvWriter co({"country", "output", "expenditure", "net_assets", "nfa_to_output", "home_share",
                    "mass_at_amax", "euler_error_log10_mean", "euler_error_log10_max",
                    "household_iterations", "distribution_iterations"});
  household::EulerErrors missing;
  missing.log10_mean = missing.log10_max = std::numeric_limits<double>::quiet_NaN();
  for (int i = 0; i < M; ++i) {
    const auto& cs = ev.countries[i];
    const household::EulerErrors& ee = i < static_cast<int>(euler.size()) ? euler[i] : missing;
    co.cell(w.names[i])
        .cell(ev.output(i))
        .cell(ev.imports.row(i).sum())
        .cell(ev.net_assets(i))
        .cell(ev.net_assets(i) / ev.output(i))
        .cell(sh(i, i))
        .cell(cs.distribution.mass_at_amax)
        .cell(ee.log10_mean)
        .cell(ee.log10_max)
        .cell(cs.solution.report.iterations)
        .cell(cs.distribution.report.iterations);
    co.end_row();
  }
  out.add(prefix + "countries.csv", co.str());
  io::CsvWriter rs({"equation", "residual"});
  for (int k = 0; k < ev.residuals.size(); ++k) {
    rs.cell(k < static_cast<int>(residual_names.size()) ? residual_names[k] : std::to_string(k))
        .cell(ev.residuals(k));
    rs.end_row();
  }
  out.add(prefix + "residuals.csv", rs.str());
  out.add(prefix + "distributions.csv",
          by_country({"country", "income_state_1", "z", "asset_index_1", "a", "mass", "value"}, M,
                     [&](int c, io::CsvWriter& di) { distribution_rows(w, ev, c, di); }));
  if (policies)
    out.add(prefix + "policies.csv",
            by_country({"country", "income_state_1", "asset_index_1", "a", "variety", "price", "c",
                        "a_next", "pi", "v"},
                       M, [&](int c, io::CsvWriter& po) { policy_rows(w, ev, c, po); }));
  io::BarChart hs;
  hs.title = "Home trade share by country";
  hs.ylabel = "M_ii / sum_j M_ij";
  hs.categories = w.names;
  hs.group_labels = {"home share"};
  hs.values.resize(1);
  io::BarChart nfa;
  nfa.title = "Net foreign assets / output";
  nfa.ylabel = "A'_i / Y_i";
  nfa.categories = w.names;
  nfa.group_labels = {"NFA / output"};
  nfa.values.resize(1);
  for (int i = 0; i < M; ++i) {
    hs.values[0].push_back(sh(i, i));
    nfa.values[0].push_back(ev.net_assets(i) / ev.output(i));
  }
  out.add(prefix + "home_shares.svg", hs.render());
  out.add(prefix + "nfa.svg", nfa.render());
}

nlohmann::json world_summary(const World& w, const Evaluation& ev, Financial financial) {
  const int M = w.size();
  const Eigen::MatrixXd sh = trade_shares(ev);
  nlohmann::json j;
  j["residual_norm"] = ev.residuals.size() ? ev.residuals.cwiseAbs().maxCoeff() : 0.0;
  j["residuals"] =
      std::vector<double>(ev.residuals.data(), ev.residuals.data() + ev.residuals.size());
  if (financial == Financial::Autarky) {
    nlohmann::json r;
    for (int i = 0; i < M; ++i) r[w.names[i]] = ev.prices.R(i);
    j["R"] = r;
  } else {
    j["R"] = ev.prices.R(0);
  }
  j["beta"] = ev.prices.beta;
  nlohmann::json wages, home, shares, tau, nfa;
  for (int i = 0; i < M; ++i) {
    wages[w.names[i]] = ev.prices.W(i);
    home[w.names[i]] = sh(i, i);
    tau[w.names[i]] = ev.prices.tau(i);
    nfa[w.names[i]] = ev.net_assets(i) / ev.output(i);
    nlohmann::json row;
    for (int k = 0; k < M; ++k) row[w.names[k]] = sh(i, k);
    shares[w.names[i]] = row;
  }
  j["wages"] = wages;
  j["home_shares"] = home;
  j["trade_shares"] = shares;
  j["transfers"] = tau;
  j["nfa_to_output"] = nfa;
  return j;
}

nlohmann::json world_solve_summary(const world::WorldSolve& s) {
  const world::Equilibrium& eq = s.equilibrium;
  nlohmann::json summary;
  if (eq.state.residuals.size()) summary = world_summary(s.world, eq.state, s.options.financial);
  summary["status"] = to_string(eq.report.status);
  summary["message"] = eq.report.message;
  summary["seconds"] = s.seconds;
  summary["evaluations"] = eq.evaluations;
  summary["jacobians"] = eq.jacobians;
  summary["residual_names"] = eq.residual_names;
  summary["warnings"] = s.warnings;
  return summary;
}

}  // namespace hat::reports
