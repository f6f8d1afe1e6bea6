"""hat.transition: the path after a trade-cost cut on the small two-country world, its tables
equal the files of `hat transition` for the same run."""

import json

import numpy as np
import pandas as pd
import pytest

import hat
from conftest import read_cli_csv, run_cli, without_timings

SHOCK = "importer=AAA,exporter=BBB,factor=0.95"
PERIODS = 60


@pytest.fixture(scope="module")
def runs(small_world_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("tr") / "out"
    code, stdout, err = run_cli("transition", small_world_path, "--shock", SHOCK, "--periods",
                                PERIODS, "--quiet", "--json", "--out", out)
    assert code in (0, 3), err
    py = hat.transition(hat.World.from_toml(small_world_path),
                        {"importer": "AAA", "exporter": "BBB", "factor": 0.95}, periods=PERIODS)
    return out, json.loads(stdout), py


def test_prices_path(runs):
    _, _, r = runs
    p = r.prices
    assert list(p.columns) == ["period", "country", "W", "R_next", "tau"]
    assert p.period.min() == -1 and p.period.max() == PERIODS - 1
    assert set(p.country) == {"AAA", "BBB"}
    # Numeraire: the mean wage is 1 in every period.
    assert np.abs(p.groupby("period").W.mean() - 1).max() < 1e-8
    assert r.elasticities is not None and r.welfare is not None


def test_tables_and_summary_equal_the_cli(runs):
    out, j, r = runs
    assert r.status == j["status"]
    assert without_timings(r.to_dict()) == without_timings(j)
    for name, frame in r.tables.items():
        cli = read_cli_csv(out / name)
        pd.testing.assert_frame_equal(frame, cli, check_exact=True)


def test_input_errors(small_world_path):
    with pytest.raises(hat.ConfigError, match="--periods"):
        hat.transition(small_world_path, SHOCK, periods=1)
