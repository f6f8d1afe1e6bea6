"""hat.ek: the Eaton-Kortum (2002) model on EK's own data (see docs/eaton-kortum.md)."""

from __future__ import annotations

import os as _os

import pandas as _pd

from . import _hat
from . import _Tables

__all__ = ["estimate", "EkEstimates", "counterfactual", "EkCounterfactual"]


class EkEstimates(_Tables):
    """theta by method (``theta``: theta.csv with method, theta, std_error, published, and the
    attributes ``theta_mom``, ``theta_ols_origin``, ``theta_ols_dummies``, ``theta_2sls``,
    ``theta_table5_ols``, ``theta_table5_2sls``), ``technology`` (Series by country, Table VI at
    theta = 8.28; ``technology_table``: technology.csv), ``gravity`` and ``gravity_gls``
    (gravity.csv and gravity_gls.csv: Table III, OLS and GLS)."""

    _files = {"theta": "theta.csv", "technology_table": "technology.csv",
              "gravity": "gravity.csv", "gravity_gls": "gravity_gls.csv"}

    def __init__(self, d):
        super().__init__(d, self._files)
        s = self._summary
        self.status = "estimated"
        self.data_dir = d["data_dir"]
        for k in ("theta_mom", "theta_ols_origin", "theta_ols_dummies", "theta_2sls",
                  "theta_table5_ols", "theta_table5_2sls"):
            setattr(self, k, s[k])
        self.technology = _pd.Series(s["technology"], name="technology", dtype=float)


def estimate(data_dir=None) -> EkEstimates:
    """EK (2002) estimates from the raw 1990 data in ``data_dir`` (holding ek2002-raw/;
    default $HAT_DATA_DIR, else ../shared/data), as ``hat ek estimate``. Missing or malformed
    data raise :class:`hat.DataError`."""
    return EkEstimates(_hat.ek_estimate(_os.fspath(data_dir) if data_dir else ""))


class EkCounterfactual(_Tables):
    """EK (2002) section 6 counterfactuals: ``changes`` (DataFrame: scenario, labor, country,
    welfare_change, price_change; log changes log(new/old) as fractions, 0.01 = 1%), ``world_trade_ratio``
    (Series by (scenario, labor)), ``summary``, ``trade`` and ``scenarios`` (summary.csv,
    trade.csv and scenarios.csv of ``hat ek counterfactual --out``), ``baseline`` ("data" or
    "ek") and ``status`` ("converged", or the worst solver status, e.g. "iteration_limit", when
    a counterfactual equilibrium did not converge: see ``scenarios.solver_status`` and
    ``residual``); ``to_dict()`` is the command line's --json object."""

    _files = {"summary": "summary.csv", "trade": "trade.csv", "scenarios": "scenarios.csv"}

    def __init__(self, d, baseline):
        super().__init__(d, self._files)
        results = self._summary.get("results", [self._summary])
        rows, ratio = [], {}
        for r in results:
            for c, w in r["welfare_change"].items():
                rows.append({"scenario": r["scenario"], "labor": r["labor"], "country": c,
                             "welfare_change": w, "price_change": r["price_change"][c]})
            ratio[(r["scenario"], r["labor"])] = r["world_trade_ratio"]
        self.changes = _pd.DataFrame(rows)
        self.world_trade_ratio = _pd.Series(ratio, name="world_trade_ratio", dtype=float)
        self.baseline = baseline
        self.status = d["status"]


def counterfactual(scenario, labor="mobile", *, baseline="data", theta=8.28, alpha=0.13481359,
                   tolerance=1e-11, max_iterations=200, data_dir=None, progress=None) -> EkCounterfactual:
    """EK (2002) section 6 counterfactuals on the 19-country economy (as ``hat ek
    counterfactual``): ``scenario`` autarky, zero_gravity, double_trade, tariff_removal,
    tariff_removal_us, technology_us, technology_deu or all; ``labor`` mobile, immobile or both;
    ``baseline`` "data" (trade costs that reproduce the observed 1990 shares) or "ek" (EK's
    own baseline: trade costs from the fitted gravity equation). Bad options raise
    :class:`hat.ConfigError`, missing data :class:`hat.DataError`; a counterfactual that does
    not converge raises nothing and returns its solver status (``status`` "iteration_limit")."""
    return EkCounterfactual(_hat.ek_counterfactual(_os.fspath(data_dir) if data_dir else "",
                                                   scenario, labor, baseline, float(theta),
                                                   float(alpha), float(tolerance),
                                                   int(max_iterations),
                                                   progress), baseline)
