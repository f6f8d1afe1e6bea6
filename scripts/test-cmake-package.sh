#!/usr/bin/env bash
# Installs the build into a scratch DESTDIR, builds examples/cpp against it with
# find_package(hat) and runs the program. Arguments: source dir, build dir.
set -euo pipefail
src=$1 build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
DESTDIR="$tmp/root" cmake --install "$build" >/dev/null
prefix=$(cmake -L -N "$build" | sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p')
cmake -S "$src/examples/cpp" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$tmp/root$prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
"$tmp/build/consumer"
