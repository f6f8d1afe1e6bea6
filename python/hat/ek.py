"""hat.ek: the Eaton-Kortum (2002) model on EK's own data (see docs/eaton-kortum.md)."""

from __future__ import annotations

import os as _os

import pandas as _pd

from . import _hat
from . import _Tables

__all__ = ["estimate", "EkEstimates"]


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
