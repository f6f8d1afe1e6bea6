"""Cost of calling the solvers from Python against the same solve from C++ (the hat binary),
in one run, alternating the two so that machine load hits both alike:

    PYTHONPATH=build/python /usr/bin/python3 python/bench/bench_python.py [--reps N] [--ek19]

For each case: median wall time of the Python call, median wall time of `build/hat ... --json`
(process start and config parsing included) and the solver time both report (C++ timers,
`seconds` of the --json object). The overhead of the binding is the Python wall time minus
the solver time, against the same difference for the binary.
"""

import argparse
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

import hat

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("HAT_BINARY", ROOT / "build" / "hat"))


def solver_seconds(d):
    return d["seconds"]


def time_python(call):
    t = time.perf_counter()
    r = call()
    return time.perf_counter() - t, solver_seconds(r.to_dict())


def time_cli(args):
    t = time.perf_counter()
    p = subprocess.run([str(BINARY), *args, "--json"], capture_output=True, text=True,
                       check=False)
    wall = time.perf_counter() - t
    if p.returncode not in (0, 3):
        raise RuntimeError(p.stderr)
    return wall, solver_seconds(json.loads(p.stdout))


def bench(name, call, args, reps):
    py, cli = [], []
    for _ in range(reps):
        py.append(time_python(call))
        cli.append(time_cli(args))
    pw, ps = statistics.median(x[0] for x in py), statistics.median(x[1] for x in py)
    cw, cs = statistics.median(x[0] for x in cli), statistics.median(x[1] for x in cli)
    print(f"{name:<34} python {pw:8.3f}s (solver {ps:8.3f}s)   "
          f"C++ binary {cw:8.3f}s (solver {cs:8.3f}s)   python/C++ solver time {ps / cs:6.3f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--ek19", action="store_true", help="also the 19-country world (~2 s each)")
    a = ap.parse_args()
    hh = ROOT / "examples" / "household.toml"
    bench("household block (reference case)", lambda: hat.Household(hh).solve(),
          ["household", str(hh)], a.reps)
    two = ROOT / "examples" / "two_country.toml"
    bench("two-country world solve", lambda: hat.World.from_toml(two).solve(),
          ["solve", str(two), "--quiet"], a.reps)
    if a.ek19:
        ek = ROOT / "examples" / "ek19_gravity.toml"
        bench("19-country world solve", lambda: hat.World.from_toml(ek).solve(),
              ["solve", str(ek), "--quiet"], a.reps)


if __name__ == "__main__":
    main()
