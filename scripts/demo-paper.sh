#!/usr/bin/env bash
# The demo run by `make demo`: the HAT paper's welfare results end to end (`hat replicate
# waugh`: both calibrations, the four experiments, report.md and figures) when the EK data are
# present; otherwise the quick examples of scripts/demo.sh (`make demo-quick`).
# Outputs go to demo-out/replicate-waugh (or $HAT_DEMO_OUT/replicate-waugh).
set -euo pipefail
BUILD_DIR=${1:-build}
OUT=${HAT_DEMO_OUT:-demo-out}
if data_dir=$(ls -d "${HAT_DATA_DIR:-../shared/data}/ek2002" 2>/dev/null); then
  mkdir -p "$OUT"
  rm -rf "$OUT/replicate-waugh"
  "$BUILD_DIR/hat" --version
  "$BUILD_DIR/hat" replicate waugh --data "$(dirname "$data_dir")" --out "$OUT/replicate-waugh"
  echo "Report: $OUT/replicate-waugh/report.md (figures beside it)"
else
  echo "(EK data not found beside the checkout: running the quick demo instead)"
  exec scripts/demo.sh "$BUILD_DIR"
fi
