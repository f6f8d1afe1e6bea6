"""hat.dynamic: dynamic gains from trade (Boehm, Levchenko, Pandalai-Nayar and Toma 2024; see
docs/dynamic.md)."""

from __future__ import annotations

import pandas as _pd

from . import _hat, _source, _Tables

__all__ = ["gft", "GainsFromTrade", "steady_state", "SteadyState", "transition", "TransitionPath"]


class GainsFromTrade(_Tables):
    """Dynamic gains from trade: ``gains``, ``gains_formula``, ``gains_static_acr``,
    ``domestic_share`` (Series by country: steady-state consumption over autarky's), the
    short- and long-run elasticities (``elasticities``: dynamic_elasticities.csv) and ``table``
    (gains.csv: country, measure, value); ``status`` of the steady-state and autarky solves
    (the worse; an unconverged one is returned, not raised); ``to_dict()`` is the command
    line's --json object."""

    _files = {"table": "gains.csv", "elasticities": "dynamic_elasticities.csv"}

    def __init__(self, d):
        super().__init__(d, self._files)
        s = self._summary
        self.status = s["status"]
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


class SteadyState(_Tables):
    """The dynamic model's steady state: ``wages``, ``price_index``, ``consumption``,
    ``domestic_share`` (Series by country), ``countries`` (dynamic_countries.csv) and ``bilateral``
    (bilateral.csv) tables; ``status`` and ``residual`` of the solver (a steady state that did
    not converge is returned with its last iterate, not raised)."""

    _files = {"countries": "dynamic_countries.csv", "bilateral": "bilateral.csv"}

    def __init__(self, d):
        super().__init__(d, self._files)
        s = self._summary
        names = s["countries"]
        for k in ("wages", "price_index", "consumption", "domestic_share"):
            setattr(self, k, _pd.Series(s[k], index=names, name=k, dtype=float))
        self.status = s["solver"]["status"]
        self.residual = s["solver"]["residual"]


class TransitionPath(_Tables):
    """The dynamic model's transition after the config's shock: ``path`` (path.csv: period,
    country, variable, value), ``welfare`` (welfare.csv), ``welfare_transition``,
    ``welfare_steady_state``, ``welfare_static_acr`` (Series by country), ``terminal_gap``;
    ``status`` (the worst of the two steady states and the path) and ``residual`` of the path
    solver (a path that did not converge is returned, not raised)."""

    _files = {"path": "path.csv", "welfare": "welfare.csv"}

    def __init__(self, d):
        super().__init__(d, self._files)
        s = self._summary
        names = s["countries"]
        for k in ("welfare_transition", "welfare_steady_state", "welfare_static_acr"):
            setattr(self, k, _pd.Series(s[k], index=names, name=k, dtype=float))
        self.terminal_gap = s["terminal_gap"]
        self.status = s["status"]
        self.residual = s["solver"]["residual"]


def steady_state(config) -> SteadyState:
    """The steady state of a `hat dynamic` config (as ``hat dynamic steady-state``)."""
    return SteadyState(_hat.dynamic_run(_source(config), "steady-state"))


def transition(config) -> TransitionPath:
    """The transition path after the config's shock (as ``hat dynamic transition``)."""
    return TransitionPath(_hat.dynamic_run(_source(config), "transition"))
