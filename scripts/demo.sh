#!/usr/bin/env bash
# The demo run by `make demo`: the main jobs on the built-in examples, with short reports.
# Outputs (CSV tables, SVG figures, manifest.json) go to demo-out/ (or $HAT_DEMO_OUT).
set -euo pipefail
BUILD_DIR=${1:-build}
HAT="$BUILD_DIR/hat"
OUT=${HAT_DEMO_OUT:-demo-out}
mkdir -p "$OUT"
"$HAT" --version
echo
echo "== 1. One household block at given prices (examples/household.toml)"
rm -rf "$OUT/household"
"$HAT" household examples/household.toml --out "$OUT/household" | head -8
echo "   ..."
echo
echo "== 2. The symmetric two-country world equilibrium (examples/two_country.toml)"
rm -rf "$OUT/two_country"
"$HAT" solve examples/two_country.toml --out "$OUT/two_country" --quiet
echo "   (published: R = 1.0141938128, import share 0.0995163)"
echo
echo "== 3. The transition after a 10% cut of HOME's import costs (T = 300)"
rm -rf "$OUT/transition"
"$HAT" transition examples/two_country.toml --shock 'importer=HOME,exporter=*,factor=0.9' \
  --out "$OUT/transition" --quiet
if data_dir=$(ls -d "${HAT_DATA_DIR:-../shared/data}/ek2002" 2>/dev/null); then
  echo
  echo "== 4. The Eaton-Kortum (2002) gravity regression, Table III ($data_dir)"
  rm -rf "$OUT/gravity"
  "$HAT" gravity --data "$(dirname "$data_dir")" --out "$OUT/gravity" | head -14
  echo "   ..."
else
  echo
  echo "(EK data not found beside the checkout: skipping the gravity step)"
fi
echo
echo "Outputs are in $OUT/. Next: build/hat solve examples/ek19_gravity.toml,"
echo "build/hat calibrate examples/ek19_baseline.toml --out out/calib (see README.md)."
