#!/usr/bin/env python3
"""How `hat solve` scales with the number of countries.

For each N, writes a synthetic world (`hat synth-world --countries N --seed SEED`) and solves it
cold in a fresh process (`hat solve WORLD --json --quiet`), then prints one table row: whole
process wall and CPU seconds, the solve's own seconds, evaluations and Jacobians, and the
process's peak resident memory (getrusage ru_maxrss of the finished child).

    scripts/bench-scaling.py                 # N = 19, 40, 80
    scripts/bench-scaling.py 19 40 80 150    # any sizes
    scripts/bench-scaling.py --threads 1 --build build 19
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def run_child(cmd):
    """Runs cmd; returns (exit status, stdout, wall s, cpu s, peak RSS MiB)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    cpu = ru.ru_utime + ru.ru_stime
    return p.returncode, out, wall, cpu, ru.ru_maxrss / 1024.0  # ru_maxrss is in KiB on Linux


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[19, 40, 80])
    ap.add_argument("--build", default="build", help="build directory with the hat binary")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    hat = os.path.join(args.build, "hat")
    if not os.access(hat, os.X_OK):
        sys.exit(f"bench-scaling: {hat} not found (build first, or give --build)")
    print(f"hat solve, cold, synthetic worlds (seed {args.seed}), {args.threads} threads")
    print("| countries | wall s | cpu s | solve s | evaluations / Jacobians | peak MiB | status |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            d = os.path.join(tmp, f"world{n}")
            gen = [hat, "synth-world", "--countries", str(n), "--seed", str(args.seed),
                   "--out", d]
            subprocess.run(gen, check=True, stdout=subprocess.DEVNULL)
            cmd = [hat, "solve", os.path.join(d, "world.toml"), "--json", "--quiet",
                   "--threads", str(args.threads)]
            rc, out, wall, cpu, peak = run_child(cmd)
            try:
                s = json.loads(out)
                solve = f"{s['seconds']:.2f}"
                evals = f"{s['evaluations']} / {s['jacobians']}"
                status = s["status"]
            except (ValueError, KeyError):
                solve, evals, status = "-", "-", f"exit {rc}"
            print(f"| {n} | {wall:.2f} | {cpu:.2f} | {solve} | {evals} | {peak:.0f} | {status} |",
                  flush=True)


if __name__ == "__main__":
    main()
