"""hat.Household: the reference case of the C++ suite, array layout, the CLI's JSON, pickling."""

import pickle

import numpy as np
import pytest

import hat
from conftest import SOURCE, cli_error, cli_json, reference_household, without_timings


@pytest.fixture(scope="module")
def reference():
    return hat.Household(reference_household()).solve()


def test_reference_case_equals_cpp_numbers(reference):
    # tests/household/test_household.cpp, Household.ReferenceCase (numbers from an independent
    # implementation), to the same tolerance.
    r = reference
    assert r.status == "converged"
    assert r.aggregate_assets == pytest.approx(-0.2557575664, abs=1e-6)
    assert r.choice_probabilities[0] == pytest.approx(0.3007576545, abs=1e-6)
    assert r.expenditure_shares[0] == pytest.approx(0.2273841564, abs=1e-6)


def test_array_layout(reference):
    r = reference
    Na, Nz, M = 100, 10, 19
    for x in (r.c, r.a_next, r.v, r.pi):
        assert x.shape == (Na, Nz, M)
    assert r.distribution.shape == (Na, Nz) and r.V.shape == (Na, Nz)
    assert r.distribution.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.abs(r.pi.sum(axis=2) - 1).max() < 1e-12
    # a[i] is the grid point: savings at the borrowing limit never fall below it.
    assert r.grid[0] == -0.5 and r.a_next.min() >= -0.5
    # Choice probabilities aggregate with the distribution (identity of the aggregates).
    agg = np.einsum("iz,izj->j", r.distribution, r.pi)
    assert np.abs(agg - r.choice_probabilities).max() < 1e-12


def test_to_dict_is_the_cli_json(reference):
    j = cli_json("household", SOURCE / "examples" / "household.toml")
    r = hat.Household(SOURCE / "examples" / "household.toml").solve()
    assert without_timings(r.to_dict()) == without_timings(j)
    # The example file is the reference case up to the decimals of its variances.
    assert r.aggregate_assets == pytest.approx(reference.aggregate_assets, abs=1e-6)


def test_pickle_round_trip(reference):
    back = pickle.loads(pickle.dumps(reference))
    assert np.array_equal(back.c, reference.c) and back.to_dict() == reference.to_dict()


def test_bad_input_is_config_error_with_cli_message(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((SOURCE / "examples" / "household.toml").read_text()
                   .replace("beta = 0.92", "beta = 1.5"))
    message = cli_error("household", bad)
    with pytest.raises(hat.ConfigError) as e:
        hat.Household(bad).solve()
    assert str(e.value) == message
    assert isinstance(e.value, ValueError)
    with pytest.raises(hat.ConfigError, match="beta"):
        hat.Household(reference_household(beta=1.5)).solve()
    with pytest.raises(hat.ConfigError, match="unknown"):
        hat.Household(reference_household(gama=1.0)).solve()


def test_non_convergence_returns_status():
    r = hat.Household(reference_household(max_iterations=3)).solve()
    assert r.status != "converged" and r.residual > 1e-10
