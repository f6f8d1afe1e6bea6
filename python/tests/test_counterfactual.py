"""hat.counterfactual: DataFrames equal the CSV files of `hat counterfactual` for the same run,
the summary equals its --json object, errors carry its message."""

import json
import pickle

import pandas as pd
import pytest

import hat
from conftest import cli_error, read_cli_csv, run_cli, without_timings

SHOCK = "importer=AAA,exporter=BBB,factor=0.9"


@pytest.fixture(scope="module")
def cli_run(small_world_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("cf") / "out"
    code, stdout, err = run_cli("counterfactual", small_world_path, "--shock", SHOCK, "--name",
                                "cli", "--quiet", "--json", "--out", out)
    assert code == 0, err
    return out, json.loads(stdout)


@pytest.fixture(scope="module")
def py_run(small_world_path):
    return hat.counterfactual(hat.World.from_toml(small_world_path), SHOCK, name="cli")


def test_frames_equal_the_cli_csv_files(cli_run, py_run):
    out, _ = cli_run
    files = {"welfare_states": "welfare_states.csv", "welfare_groups": "welfare_groups.csv",
             "summary": "welfare_summary.csv", "prices": "counterfactual_prices.csv",
             "trade_shares": "counterfactual_trade_shares.csv",
             "shocks": "counterfactual_shocks.csv",
             "welfare_diagnostics": "welfare_diagnostics.csv"}
    for attr, name in files.items():
        frame = getattr(py_run, attr)
        cli = read_cli_csv(out / name)
        if "measure" in cli.columns:  # wall-clock rows (welfare_seconds) differ between runs
            frame = frame[~frame.measure.str.endswith("seconds")].reset_index(drop=True)
            cli = cli[~cli.measure.str.endswith("seconds")].reset_index(drop=True)
        else:
            assert py_run.csv[name] == (out / name).read_text(), name  # the very same text
        pd.testing.assert_frame_equal(frame, cli, check_exact=True)
    assert list(py_run.summary.columns) == ["experiment", "scenario", "country", "measure",
                                            "value"]


def test_summary_is_the_cli_json(cli_run, py_run):
    _, j = cli_run
    assert py_run.status == "converged" and py_run.country == "AAA"
    assert without_timings(py_run.to_dict()) == without_timings(j)
    back = pickle.loads(pickle.dumps(py_run))
    pd.testing.assert_frame_equal(back.welfare_states, py_run.welfare_states)


def test_dict_shocks_and_dict_worlds(small_world_dict, py_run):
    r = hat.counterfactual(small_world_dict,
                           {"importer": "AAA", "exporter": "BBB", "factor": 0.9}, name="cli")
    pd.testing.assert_frame_equal(r.summary, py_run.summary, check_exact=True)


def test_shock_errors_carry_the_cli_message(small_world_path):
    spec = "importer=ZZZ,exporter=BBB,factor=0.9"
    message = cli_error("counterfactual", small_world_path, "--shock", spec, "--quiet")
    with pytest.raises(hat.ConfigError) as e:
        hat.counterfactual(hat.World.from_toml(small_world_path), spec)
    assert str(e.value) == message
    message = cli_error("counterfactual", small_world_path, "--shock", "importer=AAA,fact=2")
    with pytest.raises(hat.ConfigError) as e:
        hat.counterfactual(small_world_path, "importer=AAA,fact=2")
    assert str(e.value) == message
