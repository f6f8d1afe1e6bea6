"""hat.World: the published two-country equilibrium, dict configs, residuals, errors."""

import pickle

import numpy as np
import pytest

import hat
from conftest import SOURCE, cli_error, cli_json, without_timings


@pytest.fixture(scope="module")
def two_country():
    return hat.World.from_toml(SOURCE / "examples" / "two_country.toml").solve()


def test_two_country_published_R(two_country):
    # Symmetric two-country world: published R = 1.0141938128 and import share 0.0995163
    # (tests/world/test_world.cpp, World.SymmetricTwoCountryPublished, same tolerances).
    r = two_country
    assert r.status == "converged"
    assert r.R == pytest.approx(1.0141938128, abs=1e-7)
    assert r.trade_shares.loc["HOME", "FOREIGN"] == pytest.approx(0.0995163, abs=1e-6)
    assert np.abs(r.wages - 1.0).max() < 1e-10
    assert list(r.wages.index) == ["HOME", "FOREIGN"]
    assert r.trade_shares.index.name == "importer" and r.trade_shares.columns.name == "exporter"
    assert r.home_shares["HOME"] == r.trade_shares.loc["HOME", "HOME"]
    assert np.abs(r.trade_shares.sum(axis=1) - 1).max() < 1e-12
    assert r.residual <= 1e-10


def test_dict_and_file_give_the_same_equilibrium(small_world_path, small_world_dict):
    a = hat.World.from_toml(small_world_path).solve()
    b = hat.World(small_world_dict).solve()
    assert a.R == b.R and a.wages.equals(b.wages) and a.trade_shares.equals(b.trade_shares)
    j = cli_json("solve", small_world_path, "--quiet")
    assert without_timings(a.to_dict()) == without_timings(j)
    back = pickle.loads(pickle.dumps(a))
    assert back.R == a.R and back.trade_shares.equals(a.trade_shares)


def test_residuals_at_the_solution_and_away(small_world_dict):
    w = hat.World(small_world_dict)
    r = w.solve()
    at = w.residuals(r)
    assert list(at.index) == list(r.residuals.index)
    assert np.abs(at).max() < 1e-9
    away = w.residuals({"R": 1.02})
    assert np.abs(away).max() > 1e-4


def test_errors_carry_the_cli_message(tmp_path, small_world_dict):
    bad = tmp_path / "bad.toml"
    from conftest import SMALL_WORLD
    bad.write_text(SMALL_WORLD.replace("sigma_eps = 0.25", "sigma_eps = -1"))
    message = cli_error("solve", bad)
    with pytest.raises(hat.ConfigError) as e:
        hat.World.from_toml(bad).solve()
    assert str(e.value) == message
    cfg = dict(small_world_dict, countries={"names": ["AAA"], "labor": [1.0, 1.0],
                                            "tfp": [1.0, 1.0]})
    with pytest.raises(ValueError):
        hat.World(cfg).solve()
    with pytest.raises(TypeError):
        hat.World(42)


def test_non_convergence_returns_status(small_world_dict):
    cfg = dict(small_world_dict, solver={"max_evaluations": 1})
    r = hat.World(cfg).solve()
    assert r.status != "converged"
    assert r.residual > 1e-10
