"""hat.sweep on a real dask.distributed cluster: a scheduler and two worker processes on
127.0.0.1, started here as subprocesses and always stopped; the results equal the serial
loop's bit for bit and come back in grid order."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import hat
from conftest import without_timings

distributed = pytest.importorskip("distributed")

# A small household block (3 varieties, 60 asset points): 4 solves take well under a second.
BASE = {"gamma": 1.5, "beta": 0.92, "sigma_eps": 0.25, "R": 1.01, "W": 1.0,
        "prices": [1.0, 1.3, 1.6], "borrowing_limit": 0.5, "asset_max": 8.0, "assets": 60}
BETAS = [0.90, 0.91, 0.92, 0.93]
TIMEOUT = 90  # seconds for the cluster to come up


def _start(args, env):
    return subprocess.Popen([sys.executable, "-m", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _stop(p):
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=15)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dask")
    scheduler_file = tmp / "scheduler.json"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    procs = []
    cl = None
    try:
        procs.append(_start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                             "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                            env))
        deadline = time.monotonic() + TIMEOUT
        while not scheduler_file.exists():
            assert time.monotonic() < deadline, "the Dask scheduler did not start"
            assert procs[0].poll() is None, "the Dask scheduler exited"
            time.sleep(0.2)
        for _ in range(2):
            procs.append(_start(["distributed.cli.dask_worker", "--scheduler-file",
                                 str(scheduler_file), "--nworkers", "1", "--nthreads", "1",
                                 "--no-dashboard", "--host", "127.0.0.1",
                                 "--local-directory", str(tmp)], env))
        cl = distributed.Client(scheduler_file=str(scheduler_file), timeout=TIMEOUT)
        cl.wait_for_workers(2, timeout=TIMEOUT)
        yield cl
    finally:
        if cl is not None:
            cl.close()
        for p in reversed(procs):
            _stop(p)


def solve_beta(beta):
    return hat.Household(dict(BASE, beta=beta)).solve()


def test_sweep_on_two_workers_equals_the_serial_loop(client):
    serial = hat.sweep(solve_beta, BETAS)
    workers = {w["id"] for w in client.scheduler_info()["workers"].values()}
    assert len(workers) == 2
    remote = hat.sweep(lambda b: hat.Household(dict(BASE, beta=b)).solve(), BETAS, client=client)
    assert len(remote) == len(serial)
    for a, b, beta in zip(serial, remote, BETAS):
        assert a.status == "converged"
        for name in ("c", "a_next", "v", "pi", "V", "distribution"):
            assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name
        assert a.aggregate_assets == b.aggregate_assets
        assert without_timings(a.to_dict()) == without_timings(b.to_dict())
    # Grid order: aggregate assets rise with patience.
    assets = [r.aggregate_assets for r in remote]
    assert assets == sorted(assets)


def test_serial_sweep_without_client():
    assert hat.sweep(lambda x: x * x, range(4)) == [0, 1, 4, 9]
