// Tidy outputs of a gravity fit (the tables of `hat gravity`), for every caller of the library.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "hat/data/ek_data.hpp"
#include "hat/estimation/gravity.hpp"

namespace hat::reports {

// parameter, country, estimate, std_error: dist_1..dist_6, border, language, ec, efta, S and m
// by country, then the fit statistics (rss, r2, sigma2, n_obs; sigma1_sq, sigma2_sq for GLS).
std::string gravity_estimates_csv(const estimation::GravityFit& f);

// importer, exporter, y, fitted, residual: one row per pair of `d`, in its order.
std::string gravity_fit_csv(const data::GravityData& d, const estimation::GravityFit& f);

// {bins: [6], border, language, ec, efta, S: {country: value}, m: {country: value}}.
nlohmann::json gravity_estimates_json(const estimation::GravityEstimates& e);

// The fit's object (`hat gravity --json`, its manifest's "results", hat.gravity's summary):
// gravity_estimates_json plus rss, r2 and n_obs.
nlohmann::json gravity_fit_json(const estimation::GravityFit& f);

// gravity_fit.svg: fitted against observed log normalised shares, one point per pair of `d`.
std::string gravity_fit_figure(const data::GravityData& d, const estimation::GravityFit& f);

}  // namespace hat::reports
