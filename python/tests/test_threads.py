"""Solves release the GIL: several Python threads may solve at once, with the serial results."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

import hat

BASE = {"gamma": 1.5, "beta": 0.92, "sigma_eps": 0.25, "R": 1.01, "W": 1.0,
        "prices": [1.0, 1.3, 1.6], "borrowing_limit": 0.5, "asset_max": 8.0, "assets": 60}


def solve(beta):
    return hat.Household(dict(BASE, beta=beta)).solve(threads=1)


def test_concurrent_solves_equal_serial_ones():
    betas = [0.90, 0.91, 0.92, 0.93]
    serial = [solve(b) for b in betas]
    with ThreadPoolExecutor(2) as ex:
        threaded = list(ex.map(solve, betas))
    for a, b in zip(serial, threaded):
        assert np.array_equal(a.c, b.c) and np.array_equal(a.distribution, b.distribution)

