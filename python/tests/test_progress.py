"""Progress callbacks and Ctrl-C: a solve calls back between its steps, a SIGINT (or an
exception of the callback) stops it with the Python exception."""

import os
import signal
import threading

import pytest

import hat


def test_progress_lines(small_world_dict):
    lines = []
    r = hat.World(small_world_dict).solve(progress=lines.append)
    assert r.status == "converged"
    assert lines and all(line.startswith("equilibrium evaluation") for line in lines)
    assert int(lines[-1].split()[2]) == r.evaluations  # the last evaluation is reported
    msgs = []
    hat.counterfactual(small_world_dict, "importer=AAA,exporter=BBB,factor=0.9",
                       progress=msgs.append)
    assert any("solving the new equilibrium" in m for m in msgs)
    assert any("welfare of" in m for m in msgs)


def test_ctrl_c_stops_the_solve(small_world_dict):
    calls = []

    def interrupt(line):
        calls.append(line)
        os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C: Python's handler sets the flag

    assert threading.current_thread() is threading.main_thread()
    with pytest.raises(KeyboardInterrupt):
        hat.World(small_world_dict).solve(progress=interrupt)
    assert len(calls) == 1  # stopped at the first check
    with pytest.raises(KeyboardInterrupt):
        hat.counterfactual(small_world_dict, "importer=AAA,exporter=BBB,factor=0.9",
                           progress=interrupt)


def test_callback_exceptions_propagate(small_world_dict):
    def fail(line):
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        hat.World(small_world_dict).solve(progress=fail)
    # The module still works afterwards.
    assert hat.World(small_world_dict).solve().status == "converged"
