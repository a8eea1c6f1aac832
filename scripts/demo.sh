#!/usr/bin/env bash
# Installs, builds, and runs the bundled busybox image (built locally from Debian's
# busybox-static) with the skiff CLI, first in container mode, then in vm mode.
set -euo pipefail
cd "$(dirname "$0")/.."
# Cache hits across clones: paths relative to the checkout, cwd not hashed into debug info.
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
cmake --build build --target images >/dev/null
cmake --install build >/dev/null

# The docker-style CLI: load the locally built image into the store (/var/lib/skiff), then run
# it once as a namespace container and once inside a KVM unikernel.
skiff load -i build/images/busybox
for mode in container vm; do
  printf '%-9s mode: ' "$mode"
  skiff run --rm --isolation "$mode" busybox echo hello from skiff
done
