"""hat.dynamic.gft: the same JSON and tables as `hat dynamic gft`; the computed gains equal
the closed-form ones; errors carry the command line's message."""

import json

import pandas as pd
import pytest

import hat
from conftest import SOURCE, cli_error, read_cli_csv, run_cli, without_timings

CONFIG = SOURCE / "examples" / "dynamic_blpn.toml"


def test_gft_equals_the_cli(tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run_cli("dynamic", "gft", CONFIG, "--json", "--out", out)
    assert code == 0, err
    r = hat.dynamic.gft(CONFIG)
    assert r.to_dict() == json.loads(stdout)
    for name in ("gains.csv", "dynamic_elasticities.csv"):
        assert r.csv[name] == (out / name).read_text(), name
        pd.testing.assert_frame_equal(r.tables[name], read_cli_csv(out / name), check_exact=True)
    # Computed steady-state gains against the paper's closed form (docs/dynamic.md).
    assert ((r.gains / r.gains_formula - 1).abs() < 1e-8).all()


def test_errors_carry_the_cli_message(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(CONFIG.read_text() + "\nbogus_key = 1\n")
    message = cli_error("dynamic", "gft", bad, "--out", tmp_path / "o")
    with pytest.raises(hat.ConfigError) as e:
        hat.dynamic.gft(bad)
    assert str(e.value) == message


@pytest.mark.parametrize("command,files", [
    ("steady-state", ("dynamic_countries.csv", "bilateral.csv")),
    ("transition", ("path.csv", "welfare.csv")),
])
def test_steady_state_and_transition_equal_the_cli(tmp_path, command, files):
    out = tmp_path / "out"
    code, stdout, err = run_cli("dynamic", command, CONFIG, "--json", "--out", out)
    assert code == 0, err
    f = hat.dynamic.steady_state if command == "steady-state" else hat.dynamic.transition
    r = f(CONFIG)
    assert r.status == "converged"
    assert without_timings(r.to_dict()) == without_timings(json.loads(stdout))
    for name in files:
        assert r.csv[name] == (out / name).read_text(), name
        pd.testing.assert_frame_equal(r.tables[name], read_cli_csv(out / name), check_exact=True)
