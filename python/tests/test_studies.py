"""The library's studies behind both front ends: options the command line has and Python now
passes through (counterfactual --bins, --no-solve, --all-countries, --acr-distribution), every
table of `hat elasticity` and `hat planner` equal to the CLI's files, and every result pickles
with the same to_dict()."""

import json
import pickle

import pandas as pd
import pytest

import hat
from conftest import SOURCE, cli_error, read_cli_csv, run_cli, without_timings

SHOCK = "importer=AAA,exporter=BBB,factor=0.9"


def cli(tmp_path, *args):
    out = tmp_path / "out"
    code, stdout, err = run_cli(*args, "--quiet", "--json", "--out", out)
    assert code == 0, err
    return out, json.loads(stdout)


def assert_tables_equal(result, out, names):
    for name in names:
        assert result.csv[name] == (out / name).read_text(), name  # the very same text
        pd.testing.assert_frame_equal(result.tables[name], read_cli_csv(out / name),
                                      check_exact=True)


def test_counterfactual_options_as_the_cli(small_world_path, tmp_path):
    out, j = cli(tmp_path, "counterfactual", small_world_path, "--shock", SHOCK, "--name", "x",
                 "--bins", "10", "--no-solve", "--all-countries", "--acr-distribution", "fixed")
    r = hat.counterfactual(small_world_path, SHOCK, name="x", bins=10, solve=False,
                           all_countries=True, acr_distribution="fixed")
    assert without_timings(r.to_dict()) == without_timings(j)
    assert_tables_equal(r, out, ["welfare_states.csv", "welfare_groups.csv",
                                 "counterfactual_prices.csv"])
    assert set(r.welfare_states.country) == {"AAA", "BBB"}
    assert r.welfare_groups.bin_1.min() == 1 and r.welfare_groups.bin_1.max() == 10  # deciles
    for _, states in r.welfare_states.groupby(["scenario", "country"]):  # 1-based states
        assert list(states.state_1) == list(range(1, len(states) + 1))


def test_counterfactual_option_errors_carry_the_cli_message(small_world_path):
    for flag, kwargs in (("--bins=7", {"bins": 7}), ("--acr-distribution=x",
                                                     {"acr_distribution": "x"}),
                         ("--lump-sum-polish=1", {"lump_sum_polish": 1.0})):
        message = cli_error("counterfactual", small_world_path, "--shock", SHOCK, flag,
                            "--quiet")
        with pytest.raises(hat.ConfigError) as e:
            hat.counterfactual(small_world_path, SHOCK, **kwargs)
        assert str(e.value) == message


def test_elasticity_tables_are_the_cli_files(small_world_path, tmp_path):
    out, j = cli(tmp_path, "elasticity", small_world_path, "--country", "AAA",
                 "--distribution", "adjusts")
    r = hat.elasticity(small_world_path, "AAA", distribution="adjusts")
    assert without_timings(r.to_dict()) == without_timings(j)
    assert_tables_equal(r, out, ["elasticities.csv", "micro_elasticities.csv",
                                 "expenditure_shares_by_state.csv"])
    assert len(r.micro) == 40 * len(r.micro.income_state_1.unique())  # one row per state
    assert r.micro.income_state_1.min() == 1 and r.micro.asset_index_1.max() == 40  # 1-based
    back = pickle.loads(pickle.dumps(r))
    assert back.to_dict() == r.to_dict()
    pd.testing.assert_frame_equal(back.micro, r.micro)


def test_planner_tables_are_the_cli_files(small_world_path, tmp_path):
    out, j = cli(tmp_path, "planner", small_world_path, "--country", "BBB", "--weights",
                 "equal")
    r = hat.planner(small_world_path, "BBB", weights="equal")
    assert without_timings(r.to_dict()) == without_timings(j)
    assert_tables_equal(r, out, ["planner_allocation.csv", "planner_countries.csv",
                                 "planner_choice_by_state.csv", "imports_comparison.csv"])
    back = pickle.loads(pickle.dumps(r))
    assert back.to_dict() == r.to_dict()
    pd.testing.assert_frame_equal(back.imports_comparison, r.imports_comparison)


@pytest.mark.parametrize("command,function", [("gft", hat.dynamic.gft),
                                              ("steady-state", hat.dynamic.steady_state)])
def test_dynamic_results_pickle(command, function, tmp_path):
    config = SOURCE / "examples" / "dynamic_krugman.toml"
    code, stdout, err = run_cli("dynamic", command, config, "--json", "--out", tmp_path / "o")
    assert code == 0, err
    r = function(config)
    assert without_timings(r.to_dict()) == without_timings(json.loads(stdout))
    assert pickle.loads(pickle.dumps(r)).to_dict() == r.to_dict()
