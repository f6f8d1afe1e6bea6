"""hat.planner: the same JSON and tables as `hat planner` for the same run; errors carry its
message."""

import json

import pandas as pd
import pytest

import hat
from conftest import cli_error, read_cli_csv, run_cli, without_timings


@pytest.mark.parametrize("country", [None, "AAA"])
def test_tables_and_json_equal_the_cli(small_world_path, tmp_path, country):
    out = tmp_path / "out"
    extra = ["--country", country] if country else []
    code, stdout, err = run_cli("planner", small_world_path, *extra, "--json", "--quiet",
                                "--out", out)
    assert code == 0, err
    r = hat.planner(hat.World.from_toml(small_world_path), country)
    assert r.status == "converged"
    assert without_timings(r.to_dict()) == without_timings(json.loads(stdout))
    for name in ("planner_allocation.csv", "planner_countries.csv"):
        assert r.csv[name] == (out / name).read_text(), name
        pd.testing.assert_frame_equal(r.tables[name], read_cli_csv(out / name), check_exact=True)
    # Efficient expenditure shares of each importer sum to one.
    sums = r.allocation.groupby("importer").expenditure_share.sum()
    assert (sums - 1).abs().max() < 1e-12
    if country:
        assert set(r.imports.columns) == {"decentralised", "efficient"}


def test_errors_carry_the_cli_message(small_world_path):
    message = cli_error("planner", small_world_path, "--weights", "bogus")
    with pytest.raises(hat.ConfigError) as e:
        hat.planner(small_world_path, weights="bogus")
    assert str(e.value) == message
