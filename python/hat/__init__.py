"""hat: heterogeneous-agent trade models from Python.

The solvers are the C++ library's (the extension module ``hat._hat``); this layer turns their
results into numpy arrays and pandas objects. Every result has ``.to_dict()`` (the object the
command line prints with ``--json``) and pickles. Bad input raises :class:`ConfigError` or
:class:`DataError` (both ``ValueError``) with the command line's one-line message; a solver that
does not converge raises nothing: its result has ``status != "converged"`` and the residual.
See docs/python.md.
"""

from __future__ import annotations

import io as _io
import json as _json
import math as _math
import os as _os
import re as _re

import numpy as _np
import pandas as _pd

from . import _hat
from ._hat import ConfigError, DataError, NumericalError

__version__ = _hat.__version__
__all__ = [
    "ConfigError", "DataError", "NumericalError", "Household", "HouseholdResult", "World",
    "WorldResult", "counterfactual", "CounterfactualResult", "transition", "TransitionResult",
    "calibrate", "CalibrationResult", "elasticity", "ElasticityResult", "planner",
    "PlannerResult", "gravity", "GravityResult", "ek", "dynamic", "sweep", "to_toml",
]

# ---- configs -------------------------------------------------------------------------------

_BARE_KEY = _re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k):
    k = str(k)
    return k if _BARE_KEY.match(k) else _json.dumps(k)


def _value(v, where):
    if isinstance(v, (bool, _np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, _np.integer)):
        return str(int(v))
    if isinstance(v, (float, _np.floating)):
        x = float(v)
        if _math.isnan(x):
            return "nan"
        if _math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(v, (str, _os.PathLike)):
        return _json.dumps(_os.fspath(v))
    if isinstance(v, (_pd.Series, _pd.Index)):
        v = v.tolist()
    if isinstance(v, _np.ndarray):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x, where) for x in v) + "]"
    raise TypeError(f"config {where}: cannot write a {type(v).__name__} as TOML")


def _is_table_array(v):
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(isinstance(x, dict) for x in v)


def _table(d, prefix, lines):
    for k, v in d.items():
        if not isinstance(v, dict) and not _is_table_array(v):
            lines.append(f"{_key(k)} = {_value(v, prefix + str(k))}")
    for k, v in d.items():
        name = f"{prefix}{_key(k)}"
        if isinstance(v, dict):
            lines.append(f"\n[{name}]")
            _table(v, name + ".", lines)
        elif _is_table_array(v):
            for item in v:
                lines.append(f"\n[[{name}]]")
                _table(item, name + ".", lines)


def to_toml(config: dict) -> str:
    """TOML text of a config dict (nested dicts are tables, lists of dicts arrays of tables)."""
    lines = []
    _table(config, "", lines)
    return "\n".join(lines) + "\n"


def _source(config, name="<dict>"):
    """A config for the extension: a path (str or PathLike) or a dict of the TOML keys."""
    if isinstance(config, dict):
        return _hat.Source(to_toml(config), False, name)
    if isinstance(config, (str, _os.PathLike)):
        return _hat.Source(_os.fspath(config), True, "")
    raise TypeError("config must be a dict of TOML keys or a path to a TOML file")


def _frame(text):
    # round_trip: the CSV's shortest round-trip decimals parse back to the same doubles.
    return _pd.read_csv(_io.StringIO(text), float_precision="round_trip",
                        keep_default_na=False, na_values=["NaN", ""])


class _Result:
    """Base of the result objects: plain attributes (numpy/pandas), picklable."""

    def to_dict(self):
        """The object the command line prints with --json."""
        return _json.loads(_json.dumps(self._summary))

    def __repr__(self):
        return f"<hat.{type(self).__name__} status={self.status!r}>"


# ---- household -----------------------------------------------------------------------------


class HouseholdResult(_Result):
    """One household block: policies c, a_next, values v and choice probabilities pi
    (Na x Nz x M: asset point, income state, variety), V (Na x Nz), the stationary
    distribution (Na x Nz) and aggregates."""

    def __init__(self, d):
        Na, Nz, M = d["Na"], d["Nz"], d["M"]

        def states_by_variety(x):
            return _np.ascontiguousarray(_np.asarray(x).reshape(Nz, Na, M).transpose(1, 0, 2))

        def by_state(x):
            x = _np.asarray(x)
            if x.size == 0:
                return _np.full((Na, Nz), _np.nan)
            return _np.ascontiguousarray(x.reshape(Nz, Na).T)

        s = d["summary"]
        self._summary = s
        self.grid, self.z, self.P, self.prices = d["grid"], d["z"], d["P"], d["prices"]
        self.c = states_by_variety(d["c"])
        self.a_next = states_by_variety(d["a_next"])
        self.v = states_by_variety(d["v"])
        self.pi = states_by_variety(d["pi"])
        self.V = by_state(d["V"])
        self.mu = by_state(d["mu"])
        self.distribution = by_state(d["mass"])
        self.aggregate_assets = s["aggregate_assets"]
        self.efficiency_units = s["efficiency_units"]
        self.choice_probabilities = _np.asarray(s["choice_probabilities"], dtype=float)
        self.expenditure_shares = _np.asarray(s["expenditure_shares"], dtype=float)
        self.expenditure = _np.asarray(d["expenditure"], dtype=float)
        self.status = s["status"]
        self.iterations = s["iterations"]
        self.residual = s["household"]["residual"]
        self.euler_error_log10_mean = s["euler_error_log10_mean"]
        self.euler_error_log10_max = s["euler_error_log10_max"]
        self.warnings = list(s["warnings"])


class Household:
    """One household block at given prices: ``hat.Household(config).solve()``.

    ``config`` is a dict with the keys of examples/household.toml (nested dicts for tables such
    as ``income``) or the path of such a TOML file."""

    def __init__(self, config):
        self.config = config if isinstance(config, dict) else _os.fspath(config)
        _source(self.config)  # type check now

    def solve(self, threads: int = 0) -> HouseholdResult:
        """EGM solve, stationary distribution and aggregates (releases the GIL)."""
        return HouseholdResult(_hat.household_solve(_source(self.config), threads))


# ---- world ---------------------------------------------------------------------------------


class WorldResult(_Result):
    """A world equilibrium: R, beta, wages (Series by country), home_shares, trade_shares
    (DataFrame importer x exporter), residuals and the solver status."""

    def __init__(self, d):
        names = list(d["names"])
        self._summary = d["summary"]
        self.countries = names
        self.financial = d["financial"]
        R = _pd.Series(_np.asarray(d["R"]), index=names, name="R")
        self.R_by_country = R
        self.R = float(R.iloc[0]) if self.financial == "globalization" else R
        self.beta = float(d["beta"])
        self.wages = _pd.Series(_np.asarray(d["W"]), index=names, name="W")
        self.tau = _pd.Series(_np.asarray(d["tau"]), index=names, name="tau")
        self.residuals = _pd.Series(_np.asarray(d["residuals"]), index=list(d["residual_names"]),
                                    name="residual")
        if "trade_shares" in d:
            sh = _pd.DataFrame(_np.asarray(d["trade_shares"]), index=names, columns=names)
            sh.index.name, sh.columns.name = "importer", "exporter"
            self.trade_shares = sh
            self.home_shares = _pd.Series(_np.diag(sh.to_numpy()), index=names, name="home_share")
            self.imports = _pd.DataFrame(_np.asarray(d["imports"]), index=names, columns=names)
            self.output = _pd.Series(_np.asarray(d["output"]), index=names, name="output")
            self.net_assets = _pd.Series(_np.asarray(d["net_assets"]), index=names,
                                         name="net_assets")
        self.status = d.get("status", "evaluated")
        self.residual = float(d.get("residual", _np.abs(self.residuals).max()
                                    if len(self.residuals) else 0.0))
        self.message = d.get("message", "")
        self.evaluations = d.get("evaluations", 0)


def _vector(x, names, what):
    if x is None:
        return None
    if isinstance(x, _pd.Series):
        missing = [n for n in names if n not in x.index]
        if missing:
            raise ConfigError(f"prices: {what} has no entry for {', '.join(missing)}")
        x = x.loc[names]
    return _np.atleast_1d(_np.asarray(x, dtype=float))


class World:
    """A world economy: ``hat.World(dict)`` with the tables of examples/two_country.toml, or
    ``hat.World.from_toml(path)``."""

    def __init__(self, config):
        self.config = config if isinstance(config, dict) else _os.fspath(config)
        _source(self.config)

    @classmethod
    def from_toml(cls, path):
        return cls(_os.fspath(path))

    def _source(self):
        return _source(self.config)

    def solve(self, threads: int = 0, progress=None) -> WorldResult:
        """The general equilibrium from the config's [equilibrium] start (releases the GIL).
        ``progress(message)`` is called after every evaluation; Ctrl-C stops the solve there
        (KeyboardInterrupt)."""
        return WorldResult(_hat.world_solve(self._source(), threads, progress))

    def residuals(self, prices=None, threads: int = 0) -> _pd.Series:
        """Market-clearing residuals at given prices, without solving: ``prices`` is a
        WorldResult or a dict with any of W (or wages), R, tau, beta; missing ones are the
        config's [equilibrium] values. Returns a Series by residual name."""
        if isinstance(prices, WorldResult):
            prices = {"W": prices.wages, "R": prices.R_by_country, "tau": prices.tau,
                      "beta": prices.beta}
        prices = dict(prices or {})
        unknown = set(prices) - {"W", "wages", "R", "tau", "beta"}
        if unknown:
            raise ConfigError(f"prices: unknown key(s) {', '.join(sorted(unknown))} "
                              "(W, R, tau, beta)")
        names = None
        if any(isinstance(v, _pd.Series) for v in prices.values()):
            names = list(_hat.world_residuals(self._source(), threads=threads)["names"])
        W = prices.get("W", prices.get("wages"))
        d = _hat.world_residuals(self._source(), _vector(W, names, "W"),
                                 _vector(prices.get("R"), names, "R"),
                                 _vector(prices.get("tau"), names, "tau"), prices.get("beta"),
                                 threads)
        return _pd.Series(_np.asarray(d["residuals"]), index=list(d["residual_names"]),
                          name="residual")

    def __repr__(self):
        where = self.config if isinstance(self.config, str) else "dict"
        return f"<hat.World {where}>"


# ---- counterfactuals and transitions -------------------------------------------------------


def _shock_spec(s):
    if isinstance(s, str):
        return s
    if isinstance(s, dict):
        return ",".join(f"{k}={_value(v, 'shock') if not isinstance(v, str) else v}"
                        for k, v in s.items())
    raise TypeError("a shock is a dict or an 'importer=...,exporter=...,factor=...' string")


def _shock_specs(shocks):
    if shocks is None:
        return []
    if isinstance(shocks, (str, dict)):
        shocks = [shocks]
    return [_shock_spec(s) for s in shocks]


def _world_source(world):
    return world._source() if isinstance(world, World) else _source(world)


class _Tables(_Result):
    def __init__(self, d, attrs):
        self._summary = d["summary"]
        self.csv = dict(d["tables"])  # name -> CSV text (the command line's files)
        self.tables = {k: _frame(v) for k, v in self.csv.items() if k.endswith(".csv")}
        for attr, name in attrs.items():
            setattr(self, attr, self.tables.get(name))
        self.status = self._summary.get("status", "unknown")


class CounterfactualResult(_Tables):
    """welfare_states, welfare_groups, summary (welfare_summary.csv), welfare_diagnostics,
    prices, trade_shares, shocks (counterfactual_prices.csv, counterfactual_trade_shares.csv,
    counterfactual_shocks.csv): DataFrames with the columns of the CSV files of
    ``hat counterfactual``; ``tables`` holds every one by file name."""

    _files = {"welfare_states": "welfare_states.csv", "welfare_groups": "welfare_groups.csv",
              "summary": "welfare_summary.csv", "welfare_diagnostics": "welfare_diagnostics.csv",
              "prices": "counterfactual_prices.csv",
              "trade_shares": "counterfactual_trade_shares.csv",
              "shocks": "counterfactual_shocks.csv"}

    def __init__(self, d):
        super().__init__(d, self._files)
        self.country = self._summary.get("country")
        self.welfare = self._summary.get("welfare")
        self.R_new = self._summary.get("R_new")
        self.wages_new = self._summary.get("wages_new")


def counterfactual(world, shocks=None, country=None, name="counterfactual", *,
                   shock_files=(), all_countries=False, theta=0.0, ev_step=0.0025,
                   lump_sum_polish=0.0, bins=5, acr_distribution="adjusts", solve=True,
                   threads=0, progress=None) -> CounterfactualResult:
    """Trade-cost, tariff or autarky experiment against the world's baseline equilibrium, with
    welfare in partial and general equilibrium (as ``hat counterfactual``). ``shocks``: one
    shock or a list (together one experiment), each a dict (keys kind, importer, exporter,
    factor, tariff, tariff_change, country, cost) or an ``importer=USA,exporter=*,factor=0.9``
    string. ``shock_files``: TOML files with [[shock]] tables, one experiment each.
    ``lump_sum_polish``, ``bins`` (5, 10 or 20), ``acr_distribution`` ("adjusts" or "fixed")
    and ``solve=False`` (the config's prices as the baseline) as the command line's
    --lump-sum-polish, --bins, --acr-distribution and --no-solve.
    ``progress(message)`` receives the command line's progress lines; Ctrl-C stops the run
    at the next one (KeyboardInterrupt)."""
    r = _hat.CounterfactualRequest()
    r.shocks = _shock_specs(shocks)
    r.shock_files = [_os.fspath(f) for f in shock_files]
    r.name = name
    r.country = country or ""
    r.all_countries = bool(all_countries)
    r.theta = float(theta)
    r.ev_step = float(ev_step)
    r.lump_sum_polish = float(lump_sum_polish)
    r.bins = int(bins)
    r.acr_distribution = acr_distribution
    r.solve = bool(solve)
    return CounterfactualResult(_hat.counterfactual(_world_source(world), r, threads, progress))


class TransitionResult(_Tables):
    """prices (path_prices.csv: period, country, W, R_next, tau; period -1 = the old steady
    state), countries, trade_shares, residuals, shocks (path_countries.csv,
    path_trade_shares.csv, path_residuals.csv, path_shocks.csv), welfare_states,
    welfare_groups, welfare (welfare_summary.csv), elasticities (elasticity_by_horizon.csv),
    elasticity_summary: the CSV files of ``hat transition`` as DataFrames."""

    _files = {"prices": "path_prices.csv", "countries": "path_countries.csv",
              "trade_shares": "path_trade_shares.csv", "residuals": "path_residuals.csv",
              "welfare_states": "welfare_states.csv", "welfare_groups": "welfare_groups.csv",
              "welfare": "welfare_summary.csv", "elasticities": "elasticity_by_horizon.csv",
              "elasticity_summary": "elasticity_summary.csv", "shocks": "path_shocks.csv"}

    def __init__(self, d):
        super().__init__(d, self._files)
        self.periods = self._summary.get("periods")
        self.max_residual = self._summary.get("max_residual")


def transition(world, shocks, periods=300, country=None, *, tolerance=1e-9, max_iterations=40,
               foreign_horizon=1, welfare=True, elasticities=True, threads=0,
               progress=None) -> TransitionResult:
    """The perfect-foresight path after shocks announced at t = 0 (as ``hat transition``):
    shocks as in :func:`counterfactual`, with optional timing keys start, phase_in, end;
    ``progress`` as there."""
    r = _hat.TransitionRequest()
    r.shocks = _shock_specs(shocks)
    r.country = country or ""
    r.periods = int(periods)
    r.tolerance = float(tolerance)
    r.max_iterations = int(max_iterations)
    r.foreign_horizon = int(foreign_horizon)
    r.welfare = bool(welfare)
    r.elasticities = bool(elasticities)
    return TransitionResult(_hat.transition(_world_source(world), r, threads, progress))


class ElasticityResult(_Tables):
    """Trade elasticities of one country's imports (Proposition 1): ``theta`` and
    ``import_shares`` (Series by partner), ``decomposition`` (DataFrame partner x margin:
    intensive, extensive, distribution, residual), ``theta_trade_weighted``, ``elasticities``
    (elasticities.csv: importer, exporter, distribution, import_share, margin, elasticity),
    ``micro`` (micro_elasticities.csv: by partner and household state) and
    ``shares_by_state`` (expenditure_shares_by_state.csv)."""

    _files = {"elasticities": "elasticities.csv", "micro": "micro_elasticities.csv",
              "shares_by_state": "expenditure_shares_by_state.csv"}

    def __init__(self, d):
        super().__init__(d, self._files)
        s = self._summary
        self.country = s["country"]
        self.theta = _pd.Series(s["theta"], name="theta", dtype=float)
        self.import_shares = _pd.Series(s["import_shares"], name="import_share", dtype=float)
        self.decomposition = _pd.DataFrame(s["decomposition"]).T.astype(float)
        self.theta_trade_weighted = s["theta_trade_weighted"]


def elasticity(world, country, partner=None, *, distribution="fixed", solve=True, step=1e-5,
               richardson=False, tolerance=1e-13, threads=0, progress=None) -> ElasticityResult:
    """Partial-equilibrium trade elasticities of ``country``'s imports at the world's
    equilibrium prices (as ``hat elasticity``): every partner, or ``partner``;
    ``distribution`` "fixed" or "adjusts"; ``solve=False`` evaluates at the config's prices."""
    r = _hat.ElasticityRequest()
    r.country = country
    r.partner = partner or ""
    r.distribution = distribution
    r.solve = bool(solve)
    r.step = float(step)
    r.richardson = bool(richardson)
    r.tolerance = float(tolerance)
    return ElasticityResult(_hat.elasticity(_world_source(world), r, threads, progress))


class PlannerResult(_Tables):
    """The efficient allocation (Propositions 4 and 5): ``allocation`` (planner_allocation.csv:
    importer x exporter rows), ``countries`` (planner_countries.csv), ``home_shares``, ``chi``,
    ``pareto_weights`` (Series by country), ``social_welfare``; with a reporting country also
    ``imports`` (DataFrame by source: decentralised, efficient), ``theta_efficient``,
    ``welfare_gain`` (Series by partner) and ``imports_comparison`` (imports_comparison.csv);
    ``choice_by_state`` is planner_choice_by_state.csv."""

    _files = {"allocation": "planner_allocation.csv", "countries": "planner_countries.csv",
              "choice_by_state": "planner_choice_by_state.csv",
              "imports_comparison": "imports_comparison.csv"}

    def __init__(self, d):
        super().__init__(d, self._files)
        s = self._summary
        self.social_welfare = s["social_welfare"]
        for k in ("home_shares", "chi", "pareto_weights"):
            setattr(self, k, _pd.Series(s[k], name=k, dtype=float))
        self.country = s.get("country")
        if self.country is not None:
            self.imports = _pd.DataFrame(s["imports"]).T.astype(float)
            self.theta_efficient = _pd.Series(s["theta_efficient"], name="theta", dtype=float)
            self.welfare_gain = _pd.Series(s["welfare_gain"], name="welfare_gain", dtype=float)


def planner(world, country=None, *, weights="tfp", solve=True, threads=0,
            progress=None) -> PlannerResult:
    """The planner's efficient allocation of the world (as ``hat planner``) with Pareto
    ``weights`` "tfp", "equal" or "population"; for ``country`` also its decentralised (the
    baseline equilibrium; ``solve=False``: the config's prices) and efficient imports."""
    r = _hat.PlannerRequest()
    r.country = country or ""
    r.weights = weights
    r.solve = bool(solve)
    return PlannerResult(_hat.planner(_world_source(world), r, threads, progress))


class CalibrationResult(_Tables):
    """A calibration by gravity as a guide: ``world`` (the calibrated :class:`World`, at its
    equilibrium prices), ``parameters`` (parameters.csv: name, kind, value, cost_factor),
    ``fit`` (fit.csv: moment, data, model, difference), ``x`` (the solution vector, by
    ``names``: pass it as ``init`` to start another run there), ``R``, ``beta``,
    ``max_moment_error``, ``equilibrium_residual``, ``evaluations``."""

    _files = {"parameters": "parameters.csv", "fit": "fit.csv"}

    def __init__(self, d):
        super().__init__(d, self._files)
        s = self._summary
        self.world_toml = self.csv["calibrated_world.toml"]
        import tomllib
        self.world = World(tomllib.loads(self.world_toml))
        self.x = _np.asarray(d["x"], dtype=float)
        self.names = list(d["names"])
        for k in ("R", "beta", "max_moment_error", "equilibrium_residual", "evaluations"):
            setattr(self, k, s[k])


def calibrate(config, *, init=None, max_evaluations=None, threads=0,
              progress=None, checkpoint=None, resume=False) -> CalibrationResult:
    """Calibrates TFPs and trade costs so that the gravity regression on model trade
    reproduces the data's (as ``hat calibrate``; config with a [data] table, e.g.
    examples/ek19_baseline.toml). ``init``: a previous result's ``x``. ``checkpoint``: a
    directory for checkpoints (as ``hat calibrate --out``); ``resume=True`` continues from it
    exactly. ``progress`` and Ctrl-C as in :func:`counterfactual`."""
    x0 = None if init is None else _np.asarray(init, dtype=float)
    return CalibrationResult(_hat.calibrate(_source(config), x0, int(max_evaluations or 0),
                                            threads, progress, str(checkpoint or ""),
                                            bool(resume)))


# ---- data ----------------------------------------------------------------------------------


class GravityResult(_Tables):
    """The gravity regression of Eaton & Kortum (2002) Table III: ``estimates`` (gravity.csv:
    parameter, country, estimate, std_error), ``fit`` (gravity_fit.csv: importer, exporter, y,
    fitted, residual), ``bins``, ``border``, ``language``, ``ec``, ``efta``, ``S`` and ``m`` (Series by
    country), ``r2``, ``rss``, ``n_obs``."""

    _files = {"estimates": "gravity.csv", "fit": "gravity_fit.csv"}

    def __init__(self, d):
        super().__init__(d, self._files)
        s = self._summary
        self.status = "estimated"
        self.data_dir = d["data_dir"]
        self.bins = _np.asarray(s["bins"], dtype=float)
        for k in ("border", "language", "ec", "efta", "r2", "rss", "n_obs"):
            setattr(self, k, s[k])
        self.S = _pd.Series(s["S"], name="S", dtype=float)
        self.m = _pd.Series(s["m"], name="m", dtype=float)


def gravity(data_dir=None, *, pairs=None) -> GravityResult:
    """The gravity regression (as ``hat gravity``) on EK's data in ``data_dir`` (holding
    ek2002/; default $HAT_DATA_DIR, else ../shared/data) or on a tidy ``pairs`` CSV. Missing
    or malformed data raise :class:`DataError`."""
    return GravityResult(_hat.gravity(_os.fspath(data_dir) if data_dir else "",
                                      _os.fspath(pairs) if pairs else ""))


# ---- sweeps --------------------------------------------------------------------------------


def sweep(function, grid, client=None):
    """``[function(point) for point in grid]``, on a dask.distributed ``client`` when given.

    Each point is an independent solve; the results come back in grid order whatever the order
    of completion, and equal the serial loop's bit for bit (the solvers do not depend on the
    thread count or the machine's load). ``function`` and the points must pickle (module-level
    functions, or closures, which Dask ships by value)."""
    points = list(grid)
    if client is None:
        return [function(p) for p in points]
    futures = client.map(function, points, pure=False)
    return client.gather(futures)


from . import dynamic, ek  # noqa: E402  (hat.ek.estimate, hat.dynamic.gft: need the above)
