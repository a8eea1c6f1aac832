#!/usr/bin/env bash
# Installs, builds, and runs the bundled busybox image (built locally from Debian's
# busybox-static) with skiff-runtime, first in container mode, then in vm mode.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
cmake --build build --target images >/dev/null
cmake --install build >/dev/null

work=$(mktemp -d /tmp/skiff-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
bash images/bundle.sh build/images/busybox "$work/bundle" -- echo hello from skiff >/dev/null

for mode in container vm; do
  jq ".annotations[\"run.skiff.isolation\"]=\"$mode\"" "$work/bundle/config.json" >"$work/c.json"
  mv "$work/c.json" "$work/bundle/config.json"
  printf '%-9s mode: ' "$mode"
  skiff-runtime run --bundle "$work/bundle" "skiff-demo-$mode-$$"
done
