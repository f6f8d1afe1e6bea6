#!/usr/bin/env bash
# Installs the Debian packages hat needs to build and test, skipping those already present.
# Idempotent: a second run installs nothing. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libeigen3-dev          # linear algebra, MINPACK hybrid solver (unsupported/NonLinearOptimization)
  libtomlplusplus-dev    # TOML configs
  nlohmann-json3-dev     # JSON manifests and --json output
  libcli11-dev           # command line
  libfmt-dev             # formatting
  libgtest-dev libgmock-dev  # tests
  libbenchmark-dev       # bench/
  libomp-dev             # OpenMP runtime headers (GCC ships libgomp itself)
  pybind11-dev python3-dev   # the Python package (python/)
  python3-numpy python3-pandas python3-pytest python3-distributed python3-matplotlib
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
