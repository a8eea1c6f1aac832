# Helpers for the tests that drive skiff-runtime through its peers (podman, containerd): the
# runtime under test, the locally built test images, and private, disposable engine instances.
# Sourced after lib.sh; not a test of its own.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "SKIP: peers_lib.sh is a helper library sourced by podman_*.sh and containerd_*.sh"
  exit 77
fi

# The runtime under test: $SKIFF_RUNTIME (lib.sh defaults it to the build tree's skiff-runtime),
# else an installed /usr/local/bin/skiff-runtime. SKIFF_RUNTIME=/usr/sbin/runc runs the same
# tests against runc.
need_runtime() {
  if [ ! -x "$SKIFF_RUNTIME" ] && [ -x /usr/local/bin/skiff-runtime ]; then
    SKIFF_RUNTIME=/usr/local/bin/skiff-runtime
  fi
  [ -x "$SKIFF_RUNTIME" ] ||
    skip "runtime $SKIFF_RUNTIME not built (set SKIFF_RUNTIME=/usr/sbin/runc to test runc)"
  SKIFF_RUNTIME=$(readlink -f "$SKIFF_RUNTIME")
  echo "runtime under test: $SKIFF_RUNTIME"
}

# test_image NAME: path of the OCI layout of images/NAME, built once per test run.
test_image() {
  local out="$SKIFF_TMP/images/$1"
  if [ ! -f "$out/index.json" ]; then
    "$SKIFF_SOURCE_DIR/images/$1/build.sh" "$out" >/dev/null || fail "building image $1"
  fi
  echo "$out"
}

# umount_under DIR: unmounts everything mounted at or below DIR, deepest first, so that a
# following rm -rf cannot reach through a leftover mount.
umount_under() {
  local dir m
  dir=$(readlink -f "$1")
  findmnt -rn -o TARGET | awk -v d="$dir" '$0 == d || index($0, d "/") == 1' | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

# remove_if_new PATH: registers removal of PATH at exit unless it exists now. For the few
# host paths the engines write outside any root we give them.
remove_if_new() {
  [ -e "$1" ] || cleanup "rm -rf '$1'"
}

# expect_eq WHAT GOT WANT
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
# expect_contains WHAT HAYSTACK NEEDLE
expect_contains() { [[ $2 == *"$3"* ]] || fail "$1: '$3' not in output: $2"; }

# ---- podman ------------------------------------------------------------------------------
# podman_setup: a private podman (storage, run state, tmp, network config under $SKIFF_TMP/podman)
# running containers with $SKIFF_RUNTIME, and the busybox image in it as $PODMAN_IMAGE.
# Use it as `pm ARGS...`; `pm_run ARGS...` adds the flags every container needs here.
podman_setup() {
  need_cmd podman
  need_cmd skopeo
  need_cmd conmon
  local d="$SKIFF_TMP/podman"
  mkdir -p "$d"/{root,runroot,tmp,net.d}
  PODMAN_DIR=$d
  # Our own config files, so nothing in /etc/containers (a default runtime, storage options,
  # mount programs) changes what the test sees.
  cat >"$d/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$d/root"
runroot = "$d/runroot"
EOF
  cat >"$d/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  export CONTAINERS_STORAGE_CONF="$d/storage.conf" CONTAINERS_CONF="$d/containers.conf"
  PODMAN=(podman --root "$d/root" --runroot "$d/runroot" --storage-driver overlay
          --tmpdir "$d/tmp" --network-config-dir "$d/net.d" --cgroup-manager cgroupfs
          --events-backend file --runtime "$SKIFF_RUNTIME")
  # Root here lacks CAP_SYS_RESOURCE, so podman's default rlimits cannot be raised to.
  PODMAN_RUN_FLAGS=(--ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --pull never)
  cleanup podman_teardown

  # skopeo keeps a blob-info cache in /var/lib/containers/cache whatever the destination.
  remove_if_new /var/lib/containers
  remove_if_new /var/lib/containers/cache
  PODMAN_IMAGE=skiff.local/busybox:latest
  skopeo copy -q "oci:$(test_image busybox):latest" \
    "containers-storage:[overlay@$d/root+$d/runroot]$PODMAN_IMAGE" || fail "skopeo copy into podman storage"
}

pm() { "${PODMAN[@]}" "$@"; }
pm_run() { pm run "${PODMAN_RUN_FLAGS[@]}" "$@"; }

podman_teardown() {
  pm rm -af -t 0 >/dev/null 2>&1 || true
  pm rmi -af >/dev/null 2>&1 || true
  umount_under "$PODMAN_DIR"
  rm -rf "$PODMAN_DIR"
}

# podman_default_network_cleanup: podman's default network ("podman", bridge cni-podman0) leaves
# a bridge, iptables chains, CNI IPAM files and net.ipv4.ip_forward=1 on the host; registers
# undoing what the test changed, leaving what was there before alone.
podman_default_network_cleanup() {
  cleanup "sysctl -qw net.ipv4.ip_forward=$(sysctl -n net.ipv4.ip_forward)"
  ip link show cni-podman0 >/dev/null 2>&1 || cleanup "ip link del cni-podman0"
  remove_if_new /var/lib/cni
  remove_if_new /var/lib/cni/networks/podman
  local table
  for table in filter nat; do
    cleanup "remove_new_cni_chains $table '$(iptables -t "$table" -S | awk '$1 == "-N" {print $2}' | tr '\n' ' ')'"
  done
}

# remove_new_cni_chains TABLE "CHAINS BEFORE": drops the CNI-* chains not in the list, with the
# rules in other chains that jump to them.
remove_new_cni_chains() {
  local table=$1 before=" $2 " chain rule
  for chain in $(iptables -t "$table" -S | awk '$1 == "-N" && $2 ~ /^CNI-/ {print $2}'); do
    [[ $before == *" $chain "* ]] && continue
    iptables -t "$table" -S | grep -- "-j $chain\$" | sed 's/^-A /-D /' |
      while read -r rule; do eval "iptables -t $table $rule" || true; done
    iptables -t "$table" -F "$chain" 2>/dev/null || true
  done
  for chain in $(iptables -t "$table" -S | awk '$1 == "-N" && $2 ~ /^CNI-/ {print $2}'); do
    [[ $before == *" $chain "* ]] || iptables -t "$table" -X "$chain" 2>/dev/null || true
  done
}
