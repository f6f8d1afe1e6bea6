// Finite-difference Jacobians by the chain rule over consumer prices
// (EquilibriumOptions::jacobian_price_directions, src/world/jacobian.cpp) against the same
// Jacobian with one re-solve per column: a column that moves only a country's consumer prices
// moves its aggregates, to first order, by the sum over varieties of the log price changes times
// the aggregates' derivatives in them, so both are differences of the same derivative
// (calibration's system: trade-cost and TFP parameters beside the equilibrium unknowns).
#include <gtest/gtest.h>

#include <cmath>

#include "hat/world/system.hpp"
#include "hat/world/world.hpp"
#include "world_fixtures.hpp"

using namespace hat;
using namespace hat::world;

namespace {

constexpr int kParameters = 4;

// Unknowns: log A of country B, two trade-cost bins (neighbours in the list, the rest), C's
// importer effect, then the equilibrium unknowns. Residuals: four log trade flows beside the
// market-clearing residuals. Every parameter column moves other countries' import prices only
// (A_B also B's own problem), and so do the other countries' wage columns.
struct Calibrationlike {
  World w0;
  EquilibriumOptions eq;
  Prices p0;
  int ne;

  Calibrationlike() : w0(hat::test::five_country(1.45, 40)) {
    eq.numeraire = 0;
    eq.household.tolerance = eq.household.value_tolerance = 1e-13;
    eq.distribution.tolerance = 1e-15;
    p0 = hat::test::near_equilibrium(w0, eq.financial);
    ne = n_unknowns(w0, eq);
  }

  CountrySystem system() const {
    CountrySystem sys;
    sys.n = kParameters + ne;
    sys.economy = [this](const Eigen::VectorXd& x, World& w, Prices& p) {
      w = w0;
      w.A(1) *= std::exp(x(0));
      for (int i = 0; i < w.size(); ++i)
        for (int j = 0; j < w.size(); ++j) {
          if (i == j) continue;
          w.d(i, j) *= std::exp(std::abs(i - j) == 1 ? x(1) : x(2));
          if (i == 2) w.d(i, j) *= std::exp(x(3));
        }
      p = unpack_unknowns(w, eq, x.tail(ne), p0);
    };
    sys.residuals = [this](const Eigen::VectorXd&, const World&, const Evaluation& ev) {
      Eigen::VectorXd r(kParameters + ne);
      r.head(kParameters) << std::log(ev.imports(0, 1)), std::log(ev.imports(2, 0)),
          std::log(ev.imports(3, 4)), std::log(ev.imports(4, 2));
      r.tail(ne) = ev.residuals;
      return r;
    };
    return sys;
  }

  // The Jacobian at x0 with price directions on or off.
  Eigen::MatrixXd jacobian(bool directions, bool central, double h) const {
    const CountrySystem sys = system();
    Eigen::VectorXd x = Eigen::VectorXd::Zero(sys.n);
    x.tail(ne) = pack_unknowns(w0, eq, p0);
    World w;
    Prices p;
    sys.economy(x, w, p);
    EquilibriumOptions o = eq;
    o.jacobian = JacobianMethod::FiniteDifference;
    o.jacobian_price_directions = directions;
    const Evaluation at = evaluate(w, p, o);
    EXPECT_TRUE(at.ok) << at.message;
    Eigen::MatrixXd J;
    std::string msg;
    EXPECT_TRUE(residual_jacobian(sys, w0, p0, o, h, x, at, J, msg, central, 1e-13)) << msg;
    return J;
  }
};

double relative_gap(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return (a - b).cwiseAbs().maxCoeff() / b.cwiseAbs().maxCoeff();
}

}  // namespace

// Central differences over 1e-5: truncation ~1e-10 and household error / step ~1e-8, so the two
// agree to ~1e-7 unless the combination is wrong (a wrong sign or scale of one variety's slope
// moves whole columns by O(1)).
TEST(PriceDirections, CentralDifferencesAgreeWithOneResolvePerColumn) {
  const Calibrationlike c;
  const Eigen::MatrixXd per_column = c.jacobian(false, true, 1e-5);
  const Eigen::MatrixXd chained = c.jacobian(true, true, 1e-5);
  EXPECT_GT((chained - per_column).cwiseAbs().maxCoeff(), 0.0) << "price directions not used";
  EXPECT_LT(relative_gap(chained, per_column), 1e-6) << "chained\n"
                                                     << chained << "\nper column\n"
                                                     << per_column;
  // No parameter column is trivially zero.
  EXPECT_GT(per_column.leftCols(kParameters).cwiseAbs().colwise().maxCoeff().minCoeff(), 1e-3);
}

// One-sided differences over the default 1e-6 (as hat calibrate's): both carry O(h) truncation
// errors, which differ; they agree to ~1e-5.
TEST(PriceDirections, OneSidedDifferencesAgreeWithOneResolvePerColumn) {
  const Calibrationlike c;
  const Eigen::MatrixXd per_column = c.jacobian(false, false, 1e-6);
  const Eigen::MatrixXd chained = c.jacobian(true, false, 1e-6);
  EXPECT_GT((chained - per_column).cwiseAbs().maxCoeff(), 0.0) << "price directions not used";
  EXPECT_LT(relative_gap(chained, per_column), 1e-5);
}
