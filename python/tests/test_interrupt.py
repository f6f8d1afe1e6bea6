"""Ctrl-C from outside: SIGINT sent to a process in the middle of a long solve (the GIL
released, the solver on its own threads) stops it with KeyboardInterrupt before the solve ends,
as a user pressing Ctrl-C in a notebook or a terminal would. (No bound on the latency is
asserted, as no test here asserts timings; HAT_INTERRUPT_LATENCY=1 prints it.)"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import SMALL_WORLD, SOURCE

# A counterfactual measuring every country's welfare on a finer grid: several seconds of solves
# with a progress line at every equilibrium evaluation and welfare stage.
SCRIPT = textwrap.dedent("""
    import sys, tomllib
    import hat
    world = tomllib.loads(sys.argv[1])
    world["grid"]["assets"] = 400
    started = []
    def progress(line):
        if not started:
            started.append(line)
            print("started", flush=True)
    try:
        hat.counterfactual(world, "importer=AAA,exporter=BBB,factor=0.9", all_countries=True,
                           progress=progress)
    except KeyboardInterrupt:
        print("KeyboardInterrupt", flush=True)
        sys.exit(7)
    print("finished", flush=True)
""")


def interrupt(args, delay, label):
    """Runs `python -c args...`, sends SIGINT `delay` seconds after it prints "started", and
    checks that the solve stopped with KeyboardInterrupt (exit 7) before it finished."""
    p = subprocess.Popen([sys.executable, "-c", *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "started", p.stderr.read()
        time.sleep(delay)  # inside the solve
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        p.wait(timeout=120)  # a hang guard only
        waited = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    rest = p.stdout.read()
    assert "finished" not in rest, "the solve ended before the signal: make it longer"
    assert p.returncode == 7 and "KeyboardInterrupt" in rest, (p.returncode, rest,
                                                                 p.stderr.read())
    if os.environ.get("HAT_INTERRUPT_LATENCY"):
        print(f"{label}: stopped {waited:.2f} s after SIGINT")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_stops_a_long_solve():
    interrupt([SCRIPT, SMALL_WORLD], 0.3, "counterfactual")


# Solves without a progress hook: one big household block (5000 x 10 x 19 cells, several
# seconds) and a world solve whose first steps are finite-difference Jacobians. Ctrl-C reaches
# them through the library's interruption points (household sweeps, distribution iterations).
QUIET_SCRIPT = textwrap.dedent("""
    import sys, tomllib, pathlib
    import hat
    kind = sys.argv[1]
    try:
        if kind == "household":
            cfg = tomllib.loads(pathlib.Path(sys.argv[2]).read_text())
            cfg["assets"] = 5000
            print("started", flush=True)
            hat.Household(cfg).solve()
        else:
            world = tomllib.loads(sys.argv[2])
            world["grid"]["assets"] = 8000  # about 10 s on one core
            world["countries"]["tfp"] = [1.0, 1.5]
            world["countries"]["labor"] = [1.0, 2.0]
            print("started", flush=True)
            hat.World(world).solve()
    except KeyboardInterrupt:
        print("KeyboardInterrupt", flush=True)
        sys.exit(7)
    print("finished", flush=True)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("kind", ["household", "world"])
def test_sigint_stops_a_solve_without_progress_hook(kind):
    arg = str(SOURCE / "examples" / "household.toml") if kind == "household" else SMALL_WORLD
    interrupt([QUIET_SCRIPT, kind, arg], 1.0, kind)
