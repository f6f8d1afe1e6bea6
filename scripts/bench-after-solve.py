#!/usr/bin/env python3
"""How long `hat solve` takes after its solve: whole process against the solve itself.

Runs `hat solve CONFIG --out DIR --quiet` in fresh processes, the variants alternated (default
outputs; with --policies; with --euler-grid fine) so that they share the machine's load, and
prints per run the whole process's wall and CPU seconds, the manifest's `solve_seconds`,
`euler_seconds` and `outputs_seconds`, and the ratio whole / solve (goal: at most 1.25).

    scripts/bench-after-solve.py                         # examples/ek19_gravity.toml, 3 rounds
    scripts/bench-after-solve.py --rounds 5 --variants default,policies
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time

VARIANTS = {"default": [], "policies": ["--policies"], "fine": ["--euler-grid", "fine"]}


def run_child(cmd):
    """Runs cmd; returns (exit status, wall s, cpu s)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    return os.waitstatus_to_exitcode(status), time.monotonic() - t0, ru.ru_utime + ru.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", default="examples/ek19_gravity.toml")
    ap.add_argument("--build", default="build", help="build directory with the hat binary")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variants", default="default,policies",
                    help="comma-separated, of: " + ", ".join(VARIANTS))
    args = ap.parse_args()
    variants = args.variants.split(",")
    for v in variants:
        if v not in VARIANTS:
            ap.error(f"unknown variant {v!r}")
    hat = os.path.join(args.build, "hat")
    print(f"{'variant':<9} {'wall s':>7} {'cpu s':>7} {'solve s':>8} {'euler s':>8} "
          f"{'outputs s':>10} {'whole/solve':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for v in variants:
                out = os.path.join(tmp, v)
                shutil.rmtree(out, ignore_errors=True)
                cmd = [hat, "solve", args.config, "--out", out, "--quiet",
                       "--threads", str(args.threads)] + VARIANTS[v]
                status, wall, cpu = run_child(cmd)
                if status != 0:
                    raise SystemExit(f"{' '.join(cmd)}: exit status {status}")
                with open(os.path.join(out, "manifest.json")) as f:
                    t = json.load(f)["timings"]
                solve, euler = t["solve_seconds"], t["euler_seconds"]
                print(f"{v:<9} {wall:7.3f} {cpu:7.3f} {solve:8.3f} {euler:8.3f} "
                      f"{t['outputs_seconds']:10.3f} {wall / solve:12.2f}", flush=True)


if __name__ == "__main__":
    main()
