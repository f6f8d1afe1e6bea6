"""hat.gravity: EK (2002) Table III from Python, the same tables and JSON as `hat gravity`,
DataError with the command line's message for missing or malformed data."""

import json

import pandas as pd
import pytest

import hat
from conftest import cli_error, read_cli_csv, run_cli, without_timings


def test_table_iii(ek_data):
    # EK (2002) Table III, OLS column, as normalised in MODEL.md §2 (tests/models/test_ek_gravity.cpp).
    g = hat.gravity(ek_data)
    bins = [-3.10244, -3.66594, -4.03340, -4.21808, -6.06437, -6.55893]
    assert g.bins == pytest.approx(bins, abs=1e-5)
    assert g.border == pytest.approx(0.303564, abs=1e-5)
    assert g.S["JPN"] == pytest.approx(4.19879, abs=1e-5)
    assert g.S["USA"] == pytest.approx(3.98372, abs=1e-5)
    assert g.rss == pytest.approx(71.449, abs=1e-3)
    assert list(g.fit.columns) == ["importer", "exporter", "y", "fitted", "residual"]
    assert len(g.fit) == g.n_obs


def test_tables_and_json_equal_the_cli(ek_data, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run_cli("gravity", "--data", ek_data, "--json", "--out", out)
    assert code == 0, err
    g = hat.gravity(ek_data)
    assert without_timings(g.to_dict()) == without_timings(json.loads(stdout))
    for name in ("gravity.csv", "gravity_fit.csv"):
        assert g.csv[name] == (out / name).read_text(), name
        cli = read_cli_csv(out / name)
        pd.testing.assert_frame_equal(g.tables[name], cli, check_exact=True)


def test_data_errors_carry_the_cli_message(tmp_path):
    missing = tmp_path / "nowhere"
    message = cli_error("gravity", "--data", missing)
    with pytest.raises(hat.DataError) as e:
        hat.gravity(missing)
    assert str(e.value) == message
    assert isinstance(e.value, ValueError) and not isinstance(e.value, hat.ConfigError)
    bad = tmp_path / "pairs.csv"
    bad.write_text("importer,exporter,y\nAAA,BBB,1.0\n")
    message = cli_error("gravity", "--pairs", bad)
    with pytest.raises(hat.DataError) as e:
        hat.gravity(pairs=bad)
    assert str(e.value) == message
