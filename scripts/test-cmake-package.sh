#!/usr/bin/env bash
# Installs the build into a scratch DESTDIR, builds examples/cpp against it with
# find_package(hat) and runs the program. Arguments: source dir, build dir, C++ compiler.
# The consumer uses the build's compiler (its OpenMP runtime must be the library's: libomp with
# clang) and, for a sanitizer build (HAT_SANITIZE, HAT_TSAN), the sanitizer's flag when compiling
# too (Eigen allocates differently under AddressSanitizer, so a consumer compiled without it
# frees the library's matrices wrongly).
set -euo pipefail
src=$1 build=$2 cxx=${3:-c++}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
DESTDIR="$tmp/root" cmake --install "$build" >/dev/null
cache() { cmake -LA -N "$build" | sed -n "s/^$1:[A-Z]*=//p"; }
prefix=$(cache CMAKE_INSTALL_PREFIX)
san_flags=""
[ "$(cache HAT_SANITIZE)" = ON ] && san_flags="-fsanitize=address,undefined"
[ "$(cache HAT_TSAN)" = ON ] && san_flags="-fsanitize=thread"
cmake -S "$src/examples/cpp" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="$san_flags" -DCMAKE_EXE_LINKER_FLAGS="$san_flags" \
  -DCMAKE_PREFIX_PATH="$tmp/root$prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
"$tmp/build/consumer"
