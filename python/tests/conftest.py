"""Shared fixtures of the Python tests: the source tree, the command-line binary (to compare
against) and small configs."""

import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("HAT_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BINARY = Path(os.environ.get("HAT_BINARY", SOURCE / "build" / "hat"))

# The small symmetric two-country world of the C++ command-line tests (tests/test_support.hpp).
SMALL_WORLD = """
[model]
gamma = 1.5
beta = 0.92
sigma_eps = 0.25
[grid]
assets = 40
[countries]
names = ["AAA", "BBB"]
labor = [1.0, 1.0]
tfp = [1.0, 1.0]
[trade_costs]
matrix = [[1.0, 1.745], [1.745, 1.0]]
[equilibrium]
R = 1.01
wages = [1.0, 1.0]
"""


def run_cli(*args, cwd=None):
    """Runs build/hat; returns (exit code, stdout, stderr)."""
    p = subprocess.run([str(BINARY), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                       timeout=300)
    return p.returncode, p.stdout, p.stderr


def cli_json(*args):
    code, out, err = run_cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def cli_error(*args):
    """The one-line message of an input error (exit 2, 'hat: error: MSG' on stderr)."""
    code, _, err = run_cli(*args)
    assert code == 2, err
    line = err.strip().splitlines()[-1]
    assert line.startswith("hat: error: "), line
    return line[len("hat: error: "):]


def without_timings(x):
    """A --json object without wall-clock entries (the only ones that differ between runs)."""
    if isinstance(x, dict):
        return {k: without_timings(v) for k, v in x.items()
                if "seconds" not in k and k != "timings"}
    if isinstance(x, list):
        return [without_timings(v) for v in x]
    return x


@pytest.fixture(scope="session")
def small_world_path(tmp_path_factory):
    p = tmp_path_factory.mktemp("world") / "small.toml"
    p.write_text(SMALL_WORLD)
    return p


@pytest.fixture(scope="session")
def small_world_dict():
    return tomllib.loads(SMALL_WORLD)


def reference_household(**changes):
    """The household reference case of tests/household/test_household.cpp as a config dict."""
    cfg = {
        "gamma": 1.45, "beta": 0.92, "sigma_eps": 0.25, "R": 1.01, "W": 1.0,
        "prices": [1.0] + [1.2 + 0.8 * (j - 1) / 17.0 for j in range(1, 19)],
        "borrowing_limit": 0.5, "asset_max": 8.0, "assets": 100, "tolerance": 1e-10,
        "income": {"persistent_states": 5, "persistent_rho": 0.97,
                   "persistent_variance": 0.0384 / 1.44, "transitory_states": 2,
                   "transitory_variance": 0.0522 / 1.44},
    }
    cfg.update(changes)
    return cfg


def read_cli_csv(path):
    """A CSV file of the command line, read as the package reads its tables."""
    import pandas as pd
    return pd.read_csv(path, float_precision="round_trip", keep_default_na=False,
                       na_values=["NaN", ""])


def ek_data_dir():
    env = os.environ.get("HAT_DATA_DIR")
    if env:
        return env
    p = SOURCE.parent / "shared" / "data"
    return str(p.resolve()) if (p / "ek2002").exists() else None


@pytest.fixture(scope="session")
def ek_data():
    """The EK data directory; skips outside CI, fails in CI when it is missing (as the C++
    suite's HAT_REQUIRE_DATA)."""
    d = ek_data_dir()
    if d is None:
        if os.environ.get("CI", "") not in ("", "0", "false"):
            pytest.fail("EK data not found: set HAT_DATA_DIR or provide ../shared/data")
        pytest.skip("EK data not found (../shared/data or $HAT_DATA_DIR)")
    return d
