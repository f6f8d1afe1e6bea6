"""hat.dynamic: dynamic gains from trade (Boehm, Levchenko, Pandalai-Nayar and Toma 2024; see
docs/dynamic.md)."""

from __future__ import annotations

import pandas as _pd

from . import _hat, _source, _Tables

__all__ = ["gft", "GainsFromTrade"]


class GainsFromTrade(_Tables):
    """Dynamic gains from trade: ``gains``, ``gains_formula``, ``gains_static_acr``,
    ``domestic_share`` (Series by country: steady-state consumption over autarky's), the
    short- and long-run elasticities (``elasticities``: elasticities.csv) and ``table``
    (gains.csv: country, measure, value); ``to_dict()`` is the command line's --json object."""

    _files = {"table": "gains.csv", "elasticities": "elasticities.csv"}

    def __init__(self, d):
        super().__init__(d, self._files)
        s = self._summary
        self.status = "solved"
        names = s["countries"]
        for k in ("gains", "gains_formula", "gains_static_acr", "domestic_share"):
            setattr(self, k, _pd.Series(s[k], index=names, name=k, dtype=float))
        for k in ("long_run_elasticity", "short_run_elasticity", "long_run_tariff_elasticity",
                  "short_run_tariff_elasticity"):
            setattr(self, k, s[k])


def gft(config) -> GainsFromTrade:
    """Dynamic gains from trade for a `hat dynamic` config (dict or path, e.g.
    examples/dynamic_blpn.toml), as ``hat dynamic gft``."""
    return GainsFromTrade(_hat.dynamic_gft(_source(config)))
