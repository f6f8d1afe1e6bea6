#!/usr/bin/env bash
# Runs the benchmarks and prints their figures (`make bench`). Timings depend on the machine
# and its load; docs/performance.md records the figures measured for the project.
# HAT_BENCH_CALIBRATION=1 also times the full baseline calibration (several minutes).
set -euo pipefail
BUILD_DIR=${1:-build}
for b in "$BUILD_DIR"/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
  echo
done
if [ "${HAT_BENCH_CALIBRATION:-0}" = "1" ]; then
  echo "== baseline calibration (examples/ek19_baseline.toml)"
  out=$(mktemp -d)
  /usr/bin/time -f "wall %e s" "$BUILD_DIR/hat" calibrate examples/ek19_baseline.toml \
    --out "$out/calib" --no-policies --quiet --json
  rm -rf "$out"
fi
