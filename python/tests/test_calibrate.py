"""hat.calibrate: the same JSON and tables as `hat calibrate` for the same (short) run, the
calibrated world solves back to its calibration prices, init restarts from a result."""

import json

import pandas as pd
import pytest

import hat
from conftest import read_cli_csv, run_cli, without_timings

EVALUATIONS = 4  # a short run: identical iterates, not convergence, is what is compared


def config(data_dir):
    # The small calibration of tests/calibration/test_calibration.cpp (log utility, 20 asset points).
    return {"data": {"dir": data_dir}, "model": {"gamma": 1.0, "sigma_eps": 0.25, "beta": 0.93},
            "grid": {"assets": 20}, "equilibrium": {"unknown": "beta", "R": 1.01}}


def test_short_run_equals_the_cli(ek_data, tmp_path):
    cfg = tmp_path / "cal.toml"
    cfg.write_text(hat.to_toml(config(ek_data)))
    out = tmp_path / "out"
    code, stdout, err = run_cli("calibrate", cfg, "--quiet", "--no-policies", "--json",
                                "--max-evaluations", EVALUATIONS, "--out", out)
    assert code == 3, err  # not converged in so few evaluations
    r = hat.calibrate(config(ek_data), max_evaluations=EVALUATIONS)
    assert r.status == "iteration_limit" and r.evaluations >= EVALUATIONS
    assert without_timings(r.to_dict()) == without_timings(json.loads(stdout))
    for name in ("parameters.csv", "fit.csv"):
        assert r.csv[name] == (out / name).read_text(), name
        pd.testing.assert_frame_equal(r.tables[name], read_cli_csv(out / name), check_exact=True)
    assert r.world_toml == (out / "calibrated_world.toml").read_text()
    assert len(r.x) == len(r.names)
    # The calibrated world is a World; its residuals at the calibration's prices are those
    # the calibration reports.
    res = r.world.residuals()
    assert abs(res).max() == pytest.approx(r.equilibrium_residual, rel=1e-6, abs=1e-12)


def test_bad_config(ek_data):
    cfg = config(ek_data)
    cfg["calibration"] = {"moment_tolerance": -1.0}
    with pytest.raises(hat.ConfigError, match="moment_tolerance"):
        hat.calibrate(cfg)
    with pytest.raises(hat.ConfigError, match="init"):
        hat.calibrate(config(ek_data), init=[1.0, 2.0])
