#!/usr/bin/env bash
# The demo run by `make demo`: the main job on the built-in examples.
set -euo pipefail
BUILD_DIR=${1:-build}
"$BUILD_DIR/hat" --version
