#!/usr/bin/env bash
# Installs every Debian package skiff needs to build, run its demo and pass its tests.
# Idempotent: a second run with everything present only checks.
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git
  libseccomp-dev libcap-dev nlohmann-json3-dev catch2 libarchive-dev
  libcurl4-openssl-dev libssl-dev libprotobuf-dev protobuf-compiler
)
# Peers and tools the integration tests and benchmarks drive for real.
test_pkgs=(
  busybox-static musl-tools runc crun podman containerd skopeo docker-registry
  jq iproute2 strace procps psmisc util-linux uidmap file
  python3 curl openssl zstd iptables debootstrap
  linux-perf # tests/bench/run_phases.sh
)

want=("${build_pkgs[@]}")
[ "${1:-}" = "--build-only" ] || want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The Debian docker-registry and containerd units may auto-start; tests start their own.
for svc in docker-registry containerd; do
  systemctl disable --now "$svc" >/dev/null 2>&1 || true
done
