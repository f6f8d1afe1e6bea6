#!/usr/bin/env python3
"""How long `hat calibrate` takes, with solver options compared in one run.

Runs `hat calibrate CONFIG --out DIR --quiet` in fresh processes for each config and variant,
the variants alternated within each round so that they share the machine's load. A variant
sets `[solver]` or `[calibration]` options in a copy of the config, written beside it (so that
its relative data paths resolve) and removed afterwards. Prints per run the manifest's
calibration seconds, the whole run's `total_seconds`, evaluations, Jacobians and the
calibrated beta. Variants:

    default      the config as it is
    fd-joint     finite-difference Jacobians in the joint stage ([calibration] jacobian)
    per-column   and one re-solve per column ([solver] jacobian_price_directions = false)
    not-linearised  logit-impact Jacobians without the linearised household blocks
                    ([solver] jacobian_linearised = false)
    before       and a checkpoint after every step ([calibration] checkpoint_every = 1)

    scripts/bench-calibration.py                        # EK19 baseline, default vs fd-joint
    scripts/bench-calibration.py --rounds 3 --config examples/ek19_baseline.toml \\
        --config examples/ek19_log.toml --config examples/synthetic40/calibrate.toml

The EK configs read ../shared/data (or --data DIR).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile

# Variant name -> {table: {key: value}} it sets.
FD_JOINT = {"calibration": {"jacobian": '"finite-difference"'}}
VARIANTS = {
    "default": {},
    "fd-joint": FD_JOINT,
    "per-column": {**FD_JOINT, "solver": {"jacobian_price_directions": "false"}},
    "not-linearised": {"solver": {"jacobian_linearised": "false"}},
    "before": {"solver": {"jacobian_linearised": "false"}, "calibration": {"checkpoint_every": "1"}},
}


def variant_config(path, tables):
    """Writes a copy of the config at `path` with the options in `tables` set, beside it."""
    with open(path) as f:
        text = f.read()
    for table, options in tables.items():
        lines = "".join(f"{k} = {v}\n" for k, v in options.items())
        header = re.search(rf"^\[{table}\]\s*$\n?", text, re.M)
        if not header:
            text += f"\n[{table}]\n" + lines
            continue
        following = re.search(r"^\[", text[header.end():], re.M)
        body = text[header.end():header.end() + following.start()] if following else text[header.end():]
        for key in options:
            if re.search(rf"^\s*{re.escape(key)}\s*=", body, re.M):
                raise SystemExit(f"{path}: [{table}] already sets {key}; compare your own copies")
        text = text[:header.end()] + lines + text[header.end():]
    fd, copy = tempfile.mkstemp(prefix=".bench-", suffix=".toml", dir=os.path.dirname(path))
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return copy


def calibrate(hat, config, out, threads, data):
    cmd = [hat, "calibrate", config, "--out", out, "--quiet", "--threads", str(threads)]
    if data:
        cmd += ["--data", data]
    status = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if status.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit status {status.returncode}\n{status.stderr}")
    with open(os.path.join(out, "manifest.json")) as f:
        man = json.load(f)
    with open(os.path.join(out, "summary.json")) as f:
        beta = json.load(f)["beta"]
    cal = man["solvers"]["calibration"]
    return cal["seconds"], man["timings"]["total_seconds"], cal["evaluations"], cal["jacobians"], beta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", action="append", help="repeatable; default the EK19 baseline")
    ap.add_argument("--build", default="build", help="build directory with the hat binary")
    ap.add_argument("--data", help="the data directory (hat calibrate --data)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variants", default="default,fd-joint",
                    help="comma-separated, of: " + ", ".join(VARIANTS))
    args = ap.parse_args()
    configs = args.config or ["examples/ek19_baseline.toml"]
    variants = args.variants.split(",")
    for v in variants:
        if v not in VARIANTS:
            ap.error(f"unknown variant {v!r}")
    for c in configs:
        if not os.path.isfile(c):
            ap.error(f"no such config: {c}")
    hat = os.path.join(args.build, "hat")
    copies = {}
    try:
        for c in configs:
            for v in variants:
                copies[c, v] = variant_config(c, VARIANTS[v]) if VARIANTS[v] else c
        print(f"{'config':<38} {'variant':<11} {'calib s':>8} {'total s':>8} {'evals':>6} "
              f"{'jacs':>5} {'beta':>16}")
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(args.rounds):
                for c in configs:
                    for v in variants:
                        out = os.path.join(tmp, "run")
                        shutil.rmtree(out, ignore_errors=True)
                        s, total, ev, jac, beta = calibrate(hat, copies[c, v], out, args.threads,
                                                            args.data)
                        print(f"{c:<38} {v:<11} {s:8.2f} {total:8.2f} {ev:6d} {jac:5d} "
                              f"{beta:16.13f}", flush=True)
    finally:
        for (c, v), path in copies.items():
            if path != c:
                os.remove(path)


if __name__ == "__main__":
    main()
