// Parameters of the dynamic gains-from-trade models and their reduction to the form of
// Propositions 3.1-3.2 of Boehm, Levchenko, Pandalai-Nayar and Toma (2024). The derivations
// (and the draft's slips they correct) are in docs/dynamic.md.
#include <cmath>
#include <string>

#include "format.hpp"
#include "hat/core/enum_names.hpp"
#include "hat/core/error.hpp"
#include "hat/models/dynamic.hpp"

namespace hat::dynamic {

namespace {
void require(bool ok, const std::string& field, const std::string& what) {
  if (!ok) throw InputError("[model] " + field + ": " + what);
}
}  // namespace

namespace {
constexpr EnumNames<Variant, 3> kVariantNames{{{{Variant::Krugman, "krugman"},
                                                {Variant::CustomerBase, "customer_base"},
                                                {Variant::MelitzPareto, "melitz_pareto"}}}};
constexpr EnumNames<FlowMeasure, 3> kFlowMeasureNames{
    {{{FlowMeasure::TariffExclusive, "tariff_exclusive"},
      {FlowMeasure::TariffInclusive, "tariff_inclusive"},
      {FlowMeasure::Iceberg, "iceberg"}}}};
}  // namespace

const char* to_string(Variant v) {
  return kVariantNames.name(v);
}

Variant variant_from_string(const std::string& s) {
  return kVariantNames.parse(s, "[model] variant");
}

FlowMeasure flow_measure_from_string(const std::string& s) {
  return kFlowMeasureNames.parse(s, "[elasticities] flows");
}

void validate(const Parameters& p) {
  auto finite = [](double x) { return std::isfinite(x); };
  require(finite(p.sigma) && p.sigma > 1, "sigma",
          "must be > 1 (CES demand with a finite markup sigma/(sigma-1)), got " + num(p.sigma));
  require(finite(p.chi) && p.chi > 0, "chi", "must be > 0, got " + num(p.chi));
  require(finite(p.delta) && p.delta > 0 && p.delta <= 1, "delta",
          "exit probability must be in (0, 1], got " + num(p.delta));
  require(finite(p.beta) && p.beta > 0 && p.beta < 1, "beta",
          "discount factor must be in (0, 1), got " + num(p.beta));
  require(finite(p.gamma) && p.gamma > 0, "gamma", "must be > 0, got " + num(p.gamma));
  if (p.variant == Variant::CustomerBase) {
    require(finite(p.zeta) && p.zeta > 0, "zeta", "must be > 0, got " + num(p.zeta));
  } else {
    require(finite(p.b) && p.b > 0, "b", "must be > 0, got " + num(p.b));
  }
  if (p.variant == Variant::MelitzPareto) {
    require(finite(p.theta) && p.theta > p.sigma - 1, "theta",
            "Pareto shape must exceed sigma - 1 = " + num(p.sigma - 1) +
                " (otherwise expected sales are infinite), got " + num(p.theta));
    require(finite(p.fixed_cost) && p.fixed_cost > 0, "fixed_cost",
            "must be > 0, got " + num(p.fixed_cost));
  }
}

ReducedForm reduced_form(const Parameters& p) {
  validate(p);
  ReducedForm r{};
  const double sigma = p.sigma, m = sigma / (sigma - 1);
  r.chi = p.chi;
  r.annuity = p.beta / (1 - p.beta * (1 - p.delta));
  r.scale = p.variant == Variant::CustomerBase ? p.zeta : p.b;
  if (p.variant == Variant::MelitzPareto) {
    // x_bar = B theta/(theta-sigma+1) (sigma w f)^g  B^(1-g), g = (sigma-1-theta)/(sigma-1),
    // B = tau^-sigma (m kappa w)^(1-sigma) P^(sigma-1) Y   (productivity floor phi_L = 1).
    const double th = p.theta, g = (sigma - 1 - th) / (sigma - 1);
    r.epsilon = th;
    r.psi = sigma * th / (sigma - 1);
    r.a = -g;
    r.k = th / (th - sigma + 1) * std::pow(sigma * p.fixed_cost, g) * std::pow(m, -th);
    r.mu = (sigma - 1) / (sigma * th);
  } else {
    r.epsilon = sigma - 1;
    r.psi = sigma;
    r.a = 0;
    r.k = std::pow(m, 1 - sigma);
    r.mu = 1 / sigma;
  }
  r.s = r.mu * (1 - p.chi / (1 + p.chi) * p.delta * r.annuity);
  r.eta = sigma / (sigma - 1) - 1 / ((1 + p.chi) * r.epsilon);
  return r;
}

Elasticities elasticities(const Parameters& p) {
  ReducedForm r = reduced_form(p);
  return {-r.epsilon, -(1 + p.chi) * r.epsilon, -r.psi, -(1 + p.chi) * r.psi};
}

SigmaChi structural_from_elasticities(double sr, double lr, FlowMeasure measure) {
  if (!std::isfinite(sr)) throw InputError("[elasticities] short_run: must be finite");
  if (!std::isfinite(lr)) throw InputError("[elasticities] long_run: must be finite");
  SigmaChi out{};
  std::string sr_law, lr_law;
  switch (measure) {
    case FlowMeasure::TariffExclusive:
      out.sigma = -sr;
      out.chi = lr / sr - 1;
      sr_law = "short_run = -sigma (eq. 4.3, tariff-exclusive flows)";
      lr_law = "long_run = -sigma (1 + chi) (eq. 4.2)";
      break;
    case FlowMeasure::TariffInclusive:
      out.sigma = 1 - sr;
      out.chi = (1 - lr) / out.sigma - 1;
      sr_law = "short_run = 1 - sigma (tariff-inclusive flows tau X)";
      lr_law = "long_run = 1 - sigma (1 + chi)";
      break;
    case FlowMeasure::Iceberg:
      out.sigma = 1 - sr;
      out.chi = lr / sr - 1;
      sr_law = "short_run = 1 - sigma (iceberg costs, eq. 2.17)";
      lr_law = "long_run = (1 - sigma)(1 + chi) (eq. 4.1)";
      break;
  }
  if (!(out.sigma > 1)) {
    std::string hint = measure == FlowMeasure::TariffExclusive
                           ? "; a short-run tariff elasticity above -1 is impossible for "
                             "tariff-exclusive flows (if the estimate is for flows including "
                             "tariff payments, set flows = \"tariff_inclusive\")"
                           : "; the short-run elasticity must be negative";
    throw InputError("[elasticities] short_run: " + num(sr) + " implies sigma = " + num(out.sigma) +
                     " <= 1 under " + sr_law + hint);
  }
  if (!(out.chi > 0)) {
    throw InputError("[elasticities] long_run: " + num(lr) + " with short_run " + num(sr) +
                     " implies chi = " + num(out.chi) + " <= 0 under " + lr_law +
                     "; the long-run elasticity must be larger in absolute value than the "
                     "short-run one implies (the extensive margin adds to it)");
  }
  return out;
}

ThetaChi melitz_from_elasticities(double sr, double lr, FlowMeasure measure, double sigma) {
  if (!std::isfinite(sr)) throw InputError("[elasticities] short_run: must be finite");
  if (!std::isfinite(lr)) throw InputError("[elasticities] long_run: must be finite");
  if (!(sigma > 1)) throw InputError("[model] sigma: must be > 1, got " + num(sigma));
  ThetaChi out{};
  double psi = 0;
  std::string law;
  switch (measure) {
    case FlowMeasure::TariffExclusive:
      psi = -sr;
      out.chi = lr / sr - 1;
      law = "short_run = -sigma theta/(sigma-1) (tariff-exclusive flows)";
      break;
    case FlowMeasure::TariffInclusive:
      psi = 1 - sr;
      out.chi = (1 - lr) / psi - 1;
      law = "short_run = 1 - sigma theta/(sigma-1) (tariff-inclusive flows)";
      break;
    case FlowMeasure::Iceberg:
      out.theta = -sr;
      out.chi = lr / sr - 1;
      law = "short_run = -theta (iceberg costs)";
      break;
  }
  if (measure != FlowMeasure::Iceberg) out.theta = psi * (sigma - 1) / sigma;
  if (!(out.theta > sigma - 1))
    throw InputError("[elasticities] short_run: " + num(sr) + " with sigma " + num(sigma) +
                     " implies theta = " + num(out.theta) + " <= sigma - 1 = " + num(sigma - 1) +
                     " under " + law +
                     "; the Melitz-Pareto model needs theta > sigma - 1 (lower [model] sigma "
                     "or check the measure of the flows)");
  if (!(out.chi > 0))
    throw InputError("[elasticities] long_run: " + num(lr) + " with short_run " + num(sr) +
                     " implies chi = " + num(out.chi) +
                     " <= 0; the long-run elasticity must be larger in absolute value");
  return out;
}

void validate(const Economy& e) {
  const int J = e.size();
  if (J < 1) throw InputError("[countries] labor: at least one country is required");
  for (int j = 0; j < J; ++j)
    if (!std::isfinite(e.labor(j)) || e.labor(j) <= 0)
      throw InputError("[countries] labor: entry " + std::to_string(j + 1) +
                       " must be a positive number, got " + num(e.labor(j)));
  auto check = [&](const Eigen::MatrixXd& m, const std::string& name, bool tariff) {
    if (m.rows() != J || m.cols() != J)
      throw InputError(name + ": expected a " + std::to_string(J) + " x " + std::to_string(J) +
                       " matrix (one row and column per country), got " + std::to_string(m.rows()) +
                       " x " + std::to_string(m.cols()));
    for (int d = 0; d < J; ++d)
      for (int o = 0; o < J; ++o) {
        const double v = m(d, o);
        const std::string at =
            name + ": entry (" + std::to_string(d + 1) + "," + std::to_string(o + 1) + ")";
        if (!std::isfinite(v) || v <= 0) throw InputError(at + " must be positive, got " + num(v));
        if (tariff && d == o && v != 1)
          throw InputError(at + " is a tariff on domestic goods; the diagonal must be 1");
        if (tariff && v < 1)
          throw InputError(at + " is a gross tariff and must be >= 1 (1.05 = 5%), got " + num(v));
      }
  };
  check(e.kappa, "[trade_costs] matrix", false);
  check(e.tariff, "[tariffs] matrix", true);
}

Economy scale_trade_costs(const Economy& e, double factor) {
  if (!std::isfinite(factor) || factor <= 0)
    throw InputError("[shock] trade_cost_factor: must be a positive number, got " + num(factor));
  Economy out = e;
  for (int d = 0; d < e.size(); ++d)
    for (int o = 0; o < e.size(); ++o)
      if (d != o) out.kappa(d, o) *= factor;
  return out;
}

}  // namespace hat::dynamic
