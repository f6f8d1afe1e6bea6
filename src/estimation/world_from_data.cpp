// From a data set to a world economy, and the world config reader that uses it.
#include "hat/estimation/world_from_data.hpp"

#include "hat/estimation/gravity.hpp"
#include "hat/estimation/trade_costs.hpp"

namespace hat::estimation {

world::DataWorld world_from_data(const data::DataTable& dtab) {
  world::DataWorld dw;
  dw.present = true;
  const data::GravityData& g = dtab.gravity;
  GravityRegression reg(g);
  GravityEstimates est = reg.estimates(reg.moments(g.y));
  dw.names = g.countries;
  dw.L = dtab.labor;
  dw.A = (est.S.array() / dtab.theta).exp().matrix();
  dw.d = trade_cost_matrix(g, trade_cost_params(est), dtab.theta);
  return dw;
}

world::DataWorld read_data_world(const io::ConfigFile& f, const data::DataDirArg& data_dir) {
  if (f.root().table("data").empty()) return {};
  return world_from_data(data::read_data_table(f, data_dir));
}

world::WorldConfig read_world_config(const io::ConfigFile& f, const data::DataDirArg& data_dir) {
  return world::read_world_tables(f, read_data_world(f, data_dir));
}

}  // namespace hat::estimation
