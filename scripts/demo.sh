#!/usr/bin/env bash
# Installs, builds, and runs the bundled busybox image in container mode and in vm mode.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
cmake --install build >/dev/null
echo "demo: not wired yet" >&2
