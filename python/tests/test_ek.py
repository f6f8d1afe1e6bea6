"""hat.ek.estimate: EK (2002) estimates from the raw data, the same JSON and tables as
`hat ek estimate`; DataError with its message."""

import json

import pandas as pd
import pytest

import hat
from conftest import cli_error, read_cli_csv, run_cli


def test_estimates_equal_the_cli(ek_data, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run_cli("ek", "estimate", "--data", ek_data, "--json", "--out", out)
    assert code == 0, err
    r = hat.ek.estimate(ek_data)
    assert r.to_dict() == json.loads(stdout)
    for name in ("theta.csv", "technology.csv", "gravity.csv", "gravity_gls.csv"):
        assert r.csv[name] == (out / name).read_text(), name
        pd.testing.assert_frame_equal(r.tables[name], read_cli_csv(out / name), check_exact=True)
    # EK (2002) section 5: the method-of-moments theta is 8.28 (published, rounded).
    assert r.theta_mom == pytest.approx(8.28, abs=0.005)
    assert r.technology["USA"] == 1.0


def test_data_errors(tmp_path):
    missing = tmp_path / "nowhere"
    message = cli_error("ek", "estimate", "--data", missing)
    with pytest.raises(hat.DataError) as e:
        hat.ek.estimate(missing)
    assert str(e.value) == message


def test_counterfactual_equals_the_cli(ek_data):
    code, stdout, err = run_cli("ek", "counterfactual", "--data", ek_data, "--scenario",
                                "autarky", "--json")
    assert code == 0, err
    r = hat.ek.counterfactual("autarky", data_dir=ek_data)
    assert r.to_dict() == json.loads(stdout)
    assert set(r.changes.columns) == {"scenario", "labor", "country", "welfare_change",
                                      "price_change"}
    assert len(r.changes) == 19
    # Autarky lowers welfare everywhere (EK 2002 Table IX, first column: all negative).
    assert (r.changes.welfare_change < 0).all()


def test_counterfactual_errors(ek_data):
    message = cli_error("ek", "counterfactual", "--data", ek_data, "--scenario", "bogus")
    with pytest.raises(hat.ConfigError) as e:
        hat.ek.counterfactual("bogus", data_dir=ek_data)
    assert str(e.value) == message


def test_counterfactual_on_eks_baseline_equals_the_cli(ek_data, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run_cli("ek", "counterfactual", "--data", ek_data, "--scenario",
                                "autarky", "--baseline", "ek", "--json", "--out", out)
    assert code == 0, err
    r = hat.ek.counterfactual("autarky", baseline="ek", data_dir=ek_data)
    assert r.to_dict() == json.loads(stdout)
    assert r.baseline == "ek" and r.status == "converged"
    for name in ("summary.csv", "trade.csv", "scenarios.csv"):
        assert r.csv[name] == (out / name).read_text(), name
    # EK (2002) section 6: autarky costs Belgium 10.3% (tolerance: docs/eaton-kortum.md); the
    # change is a fraction, compared with the published percent / 100.
    bel = r.changes.set_index("country").welfare_change["BEL"]
    assert bel == pytest.approx(-10.3 / 100, abs=0.13 / 100)
    assert r.summary.shape == (19, 9)


def test_counterfactual_baseline_errors(ek_data):
    message = cli_error("ek", "counterfactual", "--data", ek_data, "--scenario", "autarky",
                        "--baseline", "fitted")
    with pytest.raises(hat.ConfigError) as e:
        hat.ek.counterfactual("autarky", baseline="fitted", data_dir=ek_data)
    assert str(e.value) == message


def test_counterfactual_not_converged_is_a_status(ek_data):
    r = hat.ek.counterfactual("autarky", "immobile", max_iterations=1, data_dir=ek_data)
    assert r.status == "iteration_limit"  # the solver's status, as in the manifest
    assert r.to_dict()["solver_status"] == "iteration_limit"
    assert list(r.scenarios.solver_status) == ["iteration_limit"]
