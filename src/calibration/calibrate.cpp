// Calibration by "gravity as a guide" (Waugh, HAT slides 2023, "My Calibration Approach";
// MODEL.md §2), solved as one square root-finding problem in the parameters and the equilibrium
// prices with Powell's hybrid method (world/system.cpp). The gravity regression is a fixed
// linear map of the model's log normalised shares (estimation::GravityRegression::moment_map), so
// each evaluation costs one world evaluation plus a moments x pairs matrix-vector product (46 x 342
// for EK). Jacobian columns
// of importer effects move one country's import prices only, so the finite-difference Jacobian
// re-solves one household block for each of them.
#include "hat/calibration/calibrate.hpp"

#include <cmath>

#include "hat/core/error.hpp"
#include "hat/world/static_start.hpp"
#include "hat/world/system.hpp"

namespace hat::calibration {

Eigen::VectorXd pack_parameters(const CalibrationParameters& p) {
  const int N = static_cast<int>(p.log_tfp.size());
  const auto L = p.costs.bins.size(), K = p.costs.coef.size();
  Eigen::VectorXd x(2 * (N - 1) + L + K);
  x.head(N - 1) = p.log_tfp.head(N - 1);
  x.segment(N - 1, N - 1) = p.costs.m.head(N - 1);
  x.segment(2 * (N - 1), L) = p.costs.bins;
  x.tail(K) = p.costs.coef;
  return x;
}

CalibrationParameters unpack_parameters(const Eigen::VectorXd& x, int N, int levels) {
  const auto K = x.size() - 2 * (N - 1) - levels;
  if (K < 0) throw InputError("calibration: parameter vector too short");
  CalibrationParameters p;
  p.log_tfp = Eigen::VectorXd::Zero(N);
  p.log_tfp.head(N - 1) = x.head(N - 1);
  p.costs.m.resize(N);
  p.costs.m.head(N - 1) = x.segment(N - 1, N - 1);
  p.costs.m(N - 1) = -p.costs.m.head(N - 1).sum();
  p.costs.bins = x.segment(2 * (N - 1), levels);
  p.costs.coef = x.tail(K);
  return p;
}

std::vector<std::string> parameter_names(const std::vector<std::string>& c,
                                         const data::GravityData& data) {
  std::vector<std::string> n;
  for (size_t i = 0; i + 1 < c.size(); ++i) n.push_back("log_tfp_" + c[i]);
  for (size_t i = 0; i + 1 < c.size(); ++i) n.push_back("importer_effect_" + c[i]);
  if (data.has_bins())
    for (int k = 1; k <= estimation::kDistanceBins; ++k)
      n.push_back("distance_bin_" + std::to_string(k));
  else
    n.push_back("constant");
  for (const auto& s : data.covariate_names) n.push_back(s);
  return n;
}

CalibrationParameters initial_parameters(const estimation::GravityEstimates& g, double theta) {
  CalibrationParameters p;
  const int N = static_cast<int>(g.S.size());
  p.log_tfp = (g.S.array() - g.S(N - 1)).matrix() / theta;
  p.costs = estimation::trade_cost_params(g);
  return p;
}

namespace {

void check_setup(const CalibrationSetup& setup) {
  const world::World& w0 = setup.world;
  const int N = w0.size();
  if (N != setup.data.n_countries())
    throw InputError("calibration: the world has " + std::to_string(N) + " countries, the data " +
                     std::to_string(setup.data.n_countries()));
  for (int i = 0; i < N; ++i)
    if (w0.names[i] != setup.data.countries[i])
      throw InputError("calibration: country " + std::to_string(i + 1) + " is " + w0.names[i] +
                       " in the world but " + setup.data.countries[i] + " in the data");
  if (setup.equilibrium.financial != world::Financial::Globalization)
    throw InputError("calibration: needs financial = \"globalization\"");
  if (setup.equilibrium.numeraire >= N)
    throw InputError("equilibrium: numeraire country out of range");
  if (setup.start.W.size() != N)
    throw InputError("equilibrium.wages: need one initial wage per country");
}

// The joint system: unknowns x = (parameters: np, equilibrium unknowns: ne), residuals the
// gravity moments' distance to the data's and the market-clearing residuals. Its lambdas refer
// to this object, which outlives the solve.
struct Joint {
  const CalibrationSetup& setup;
  estimation::GravityRegression reg;
  Eigen::VectorXd data_moments;
  int N, np, ne;
  world::Prices p0;

  explicit Joint(const CalibrationSetup& s)
      : setup(s),
        reg(s.data),
        data_moments(reg.moments(s.data.y)),
        N(s.world.size()),
        np(reg.n_moments()),
        ne(world::n_unknowns(s.world, s.equilibrium)),
        p0(s.start) {
    if (p0.R.size() == 1) p0.R = Eigen::VectorXd::Constant(N, p0.R(0));
    if (p0.tau.size() != N) p0.tau = Eigen::VectorXd::Zero(N);
  }

  // The given starting point, else the data's gravity estimates and the config's prices.
  Eigen::VectorXd starting_point(const Eigen::VectorXd& given) const {
    Eigen::VectorXd x0 = given;
    if (x0.size() == 0) {
      x0.resize(np + ne);
      x0.head(np) = pack_parameters(initial_parameters(reg.estimates(data_moments), setup.theta));
      x0.tail(ne) = world::pack_unknowns(setup.world, setup.equilibrium, p0);
    } else if (x0.size() != np + ne) {
      throw InputError("calibration: starting point has " + std::to_string(x0.size()) +
                       " entries, expected " + std::to_string(np + ne));
    }
    return x0;
  }

  void economy(const Eigen::VectorXd& x, world::World& w, world::Prices& p) const {
    CalibrationParameters cp = unpack_parameters(x.head(np), N, reg.n_levels());
    w.A = cp.log_tfp.array().exp().matrix();
    w.d = estimation::trade_cost_matrix(setup.data, cp.costs, setup.theta);
    p = world::unpack_unknowns(w, setup.equilibrium, x.tail(ne), p0);
  }

  world::CountrySystem system() const {
    world::CountrySystem sys;
    sys.n = np + ne;
    sys.economy = [this](const Eigen::VectorXd& x, world::World& w, world::Prices& p) {
      economy(x, w, p);
    };
    sys.residuals = [this](const Eigen::VectorXd&, const world::World&,
                           const world::Evaluation& ev) {
      Eigen::VectorXd r(np + ne);
      r.head(np) = reg.moments(reg.log_normalised_flows(ev.imports)) - data_moments;
      r.tail(ne) = ev.residuals;
      return r;
    };
    const double eq_tol = setup.equilibrium.tolerance, mom_tol = setup.moment_tolerance;
    sys.converged = [this, eq_tol, mom_tol](const Eigen::VectorXd& r) {
      return r.head(np).cwiseAbs().maxCoeff() <= mom_tol &&
             r.tail(ne).cwiseAbs().maxCoeff() <= eq_tol;
    };
    // Progress is measured relative to each block's tolerance.
    sys.norm = [this, eq_tol, mom_tol](const Eigen::VectorXd& r) {
      return std::max(r.head(np).cwiseAbs().maxCoeff() / mom_tol,
                      r.tail(ne).cwiseAbs().maxCoeff() / eq_tol);
    };
    return sys;
  }
};

struct Stage1 {
  world::SystemResult result;
  int evaluations = 0, jacobians = 0;
};

// Stage 1: clear markets at the starting parameters (a small system), so that the joint solve
// starts on the equilibrium manifold; its evaluations count towards the budget. The system is
// world::solve_equilibrium's, solved here for its snapshots.
Stage1 clear_markets_first(const Joint& j, const world::World& wstart, const world::Prices& pstart,
                           const Eigen::VectorXd& x0, const Eigen::VectorXd& start) {
  const CalibrationSetup& setup = j.setup;
  const int ne = j.ne;
  Stage1 st;
  if (setup.resume && setup.resume->stage == 2) {
    st.evaluations = setup.resume->stage1_evaluations;
    st.jacobians = setup.resume->stage1_jacobians;
    return st;
  }
  world::EquilibriumOptions eq1 = setup.equilibrium;
  eq1.max_evaluations = setup.max_evaluations;
  world::Prices q0 = pstart;
  if (!wstart.has_tariffs() && !eq1.solve_transfers) q0.tau.setZero();
  if (setup.static_start) world::static_wages(wstart, q0, eq1, q0);
  world::CountrySystem s1;
  s1.n = ne;
  s1.economy = [&](const Eigen::VectorXd& x, world::World&, world::Prices& p) {
    p = world::unpack_unknowns(wstart, eq1, x, q0);
  };
  s1.residuals = [](const Eigen::VectorXd&, const world::World&, const world::Evaluation& ev) {
    return ev.residuals;
  };
  world::SystemOptions o1;
  o1.tolerance = eq1.tolerance;
  o1.max_evaluations = eq1.max_evaluations;
  o1.fd_step = eq1.fd_step;
  o1.final_jacobian = eq1.jacobian_at_solution;
  o1.snapshot_every = setup.checkpoint_every;
  // The equilibrium system's columns (as in world::solve_equilibrium).
  o1.parameter_columns = wstart.scaling == world::Scaling::Tfp;
  const double eq_tol = setup.equilibrium.tolerance;
  if (setup.progress)
    o1.progress = [&](const Progress& p) {
      Eigen::VectorXd xf = x0;
      xf.tail(ne) = *p.x;
      Progress q = p;
      q.solver = "calibration";
      q.x = &xf;
      q.moment_error = NAN;
      q.equilibrium_residual = p.residual;
      q.residual = p.residual / eq_tol;
      return setup.progress(q);
    };
  if (setup.on_checkpoint)
    o1.on_snapshot = [&](const world::SystemSnapshot& s) {
      CalibrationCheckpoint c;
      c.stage = 1;
      c.start = start;
      c.system = s;
      c.x = x0;
      if (s.best_x.size() == ne) c.x.tail(ne) = s.best_x;
      c.evaluations = s.evaluations;
      c.norm = INFINITY;
      setup.on_checkpoint(c);
    };
  if (setup.resume) o1.resume = &setup.resume->system;
  st.result = world::solve_system(s1, wstart, q0, eq1, o1, world::pack_unknowns(wstart, eq1, q0));
  st.evaluations = st.result.evaluations;
  st.jacobians = st.result.jacobians;
  return st;
}

// Stage 2: the joint system from x0 (on the equilibrium manifold when stage 1 converged), with
// the budget stage 1 left; a spent budget makes stage 1's last point the result.
world::SystemResult solve_jointly(const Joint& j, const world::CountrySystem& sys,
                                  const world::World& wstart, Eigen::VectorXd x0,
                                  const Eigen::VectorXd& start, const Stage1& st) {
  const CalibrationSetup& setup = j.setup;
  const int np = j.np, ne = j.ne;
  const bool in_stage2 = setup.resume && setup.resume->stage == 2;
  const world::SystemResult& r1 = st.result;
  const world::Evaluation* warm = nullptr;
  if (!in_stage2 && r1.report.converged()) {
    x0.tail(ne) = world::pack_unknowns(wstart, setup.equilibrium, r1.state.prices);
    warm = &r1.state;
  }
  world::SystemOptions so;
  so.max_evaluations = setup.max_evaluations - st.evaluations;
  so.fd_step = setup.fd_step;
  so.snapshot_every = setup.checkpoint_every;
  // Under TFP scaling every joint column moves household parameters or a block's scale (TFP:
  // the grid with sigma and the quality shifters), which linearised Jacobians differentiate.
  so.parameter_columns = setup.world.scaling == world::Scaling::Tfp;
  if (setup.progress)
    so.progress = [&](const Progress& p) {
      Progress q = p;
      q.solver = "calibration";
      q.iteration = st.evaluations + p.iteration;
      q.moment_error = p.r->head(np).cwiseAbs().maxCoeff();
      q.equilibrium_residual = p.r->tail(ne).cwiseAbs().maxCoeff();
      return setup.progress(q);
    };
  if (setup.on_checkpoint)
    so.on_snapshot = [&](const world::SystemSnapshot& s) {
      CalibrationCheckpoint c;
      c.stage = 2;
      c.start = start;
      c.stage1_evaluations = st.evaluations;
      c.stage1_jacobians = st.jacobians;
      c.system = s;
      c.x = s.best_x.size() == np + ne ? s.best_x : x0;
      c.evaluations = st.evaluations + s.evaluations;
      c.norm = s.best_x.size() ? s.best_norm : INFINITY;
      setup.on_checkpoint(c);
    };
  if (in_stage2) so.resume = &setup.resume->system;
  world::SystemResult sr;
  if (r1.interrupted) {
    sr.interrupted = true;
    sr.report.status = SolverStatus::IterationLimit;
    sr.report.message = "interrupted";
  } else if (so.max_evaluations > 0) {
    world::EquilibriumOptions eq2 = setup.equilibrium;
    eq2.jacobian = setup.joint_jacobian;
    eq2.jacobian_impact_savings = setup.joint_impact_savings;
    sr = world::solve_system(sys, setup.world, j.p0, eq2, so, x0, warm);
  } else if (r1.state.residuals.size()) {
    // Stage 1 spent the budget: its last point is the result (and the checkpoint).
    x0.tail(ne) = world::pack_unknowns(wstart, setup.equilibrium, r1.state.prices);
    sr.x = x0;
    sr.r = sys.residuals(x0, wstart, r1.state);
    sr.world = wstart;
    sr.state = r1.state;
    sr.report.status = SolverStatus::IterationLimit;
    sr.report.residual = sys.norm(sr.r);
    sr.report.message = "evaluation budget spent clearing markets at the starting parameters";
    if (so.progress) {
      Progress p;
      p.residual = sr.report.residual;
      p.seconds = 0.0;
      p.x = &sr.x;
      p.r = &sr.r;
      so.progress(p);  // the run ends here anyway: nothing left to stop
    }
  }
  sr.evaluations += st.evaluations;
  sr.jacobians += st.jacobians;
  return sr;
}

CalibrationResult make_result(const Joint& j, world::SystemResult sr) {
  const CalibrationSetup& setup = j.setup;
  const int np = j.np, ne = j.ne;
  CalibrationResult res;
  res.report = sr.report;
  res.report.message = "calibration: " + sr.report.message;
  res.x = sr.x;
  res.unknown_names = parameter_names(setup.world.names, setup.data);
  for (const auto& s : world::unknown_names(setup.world, setup.equilibrium))
    res.unknown_names.push_back(s);
  res.evaluations = sr.evaluations;
  res.jacobians = sr.jacobians;
  res.interrupted = sr.interrupted;
  res.data_moments = j.data_moments;
  res.moment_names = j.reg.moment_names();
  if (sr.x.size() == np + ne) {
    res.parameters = unpack_parameters(sr.x.head(np), j.N, j.reg.n_levels());
    res.world = std::move(sr.world);
    res.state = std::move(sr.state);
    res.model_moments = sr.r.head(np) + j.data_moments;
    res.max_moment_error = sr.r.head(np).cwiseAbs().maxCoeff();
    res.equilibrium_residual = sr.r.tail(ne).cwiseAbs().maxCoeff();
  }
  return res;
}

}  // namespace

// Gravity as a guide in two stages: clear markets at the starting parameters, then solve the
// joint system of moments and market clearing (Powell's hybrid method, world::solve_system).
world::EquilibriumOptions calibration_equilibrium(const world::EquilibriumOptions& eq) {
  world::EquilibriumOptions o = eq;
  o.rate_coordinate = world::RateCoordinate::Log;
  return o;
}

CalibrationResult calibrate(const CalibrationSetup& given, const Eigen::VectorXd& x0_in) {
  CalibrationSetup setup = given;
  setup.equilibrium = calibration_equilibrium(given.equilibrium);
  check_setup(setup);
  const Joint joint(setup);
  const Eigen::VectorXd x0 = joint.starting_point(setup.resume ? setup.resume->start : x0_in);
  const world::CountrySystem sys = joint.system();
  world::World wstart = setup.world;
  world::Prices pstart = joint.p0;
  sys.economy(x0, wstart, pstart);
  wstart.validate();  // the starting point must be a valid economy
  const Stage1 st = clear_markets_first(joint, wstart, pstart, x0, x0);
  return make_result(joint, solve_jointly(joint, sys, wstart, x0, x0, st));
}

}  // namespace hat::calibration
