#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test (unit, integration, peers).
set -euo pipefail
cd "$(dirname "$0")/.."
# Cache hits across clones: paths relative to the checkout, cwd not hashed into debug info.
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
ctest --test-dir build --output-on-failure -j2
