"""hat.elasticity: the same numbers, table and JSON as `hat elasticity` for the same run;
errors carry its message."""

import json

import numpy as np
import pandas as pd
import pytest

import hat
from conftest import cli_error, read_cli_csv, run_cli, without_timings


def test_table_and_json_equal_the_cli(small_world_path, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run_cli("elasticity", small_world_path, "--country", "AAA", "--json",
                                "--quiet", "--out", out)
    assert code == 0, err
    r = hat.elasticity(hat.World.from_toml(small_world_path), "AAA")
    assert r.status == "converged"
    assert without_timings(r.to_dict()) == without_timings(json.loads(stdout))
    cli = read_cli_csv(out / "elasticities.csv")
    pd.testing.assert_frame_equal(r.elasticities, cli, check_exact=True)
    assert r.csv["elasticities.csv"] == (out / "elasticities.csv").read_text()
    # Identity of the decomposition: total = intensive + extensive + distribution + residual.
    d = r.decomposition.loc["BBB"]
    total = d.intensive + d.extensive + d.distribution + d.residual
    assert total == pytest.approx(r.theta["BBB"], abs=1e-12)
    assert np.isfinite(r.theta_trade_weighted)


def test_errors_carry_the_cli_message(small_world_path):
    message = cli_error("elasticity", small_world_path, "--country", "ZZZ")
    with pytest.raises(hat.ConfigError) as e:
        hat.elasticity(small_world_path, "ZZZ")
    assert str(e.value) == message
