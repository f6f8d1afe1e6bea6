#!/usr/bin/env bash
# The demo run by `make demo`: the main jobs on the built-in examples, with a short report.
set -euo pipefail
BUILD_DIR=${1:-build}
HAT="$BUILD_DIR/hat"
OUT=${HAT_DEMO_OUT:-demo-out}
mkdir -p "$OUT"
"$HAT" --version
echo
echo "== One household block at given prices (examples/household.toml)"
rm -rf "$OUT/household"
"$HAT" household examples/household.toml --out "$OUT/household"
echo
echo "Outputs (CSV, SVG figures, manifest.json) are in $OUT/."
