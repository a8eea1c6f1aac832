# shellcheck shell=bash
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

# rmdir_if_new DIR: registers removal of DIR at exit if it does not exist now and is empty then
# (a runtime's default state root, which other users may be filling meanwhile).
rmdir_if_new() {
  [ -e "$1" ] || cleanup "rmdir '$1' 2>/dev/null"
}

# remove_cgroup_tree PATH: removes cgroup PATH (e.g. /skiff-peers-123) and the empty cgroups
# below it from every mounted hierarchy, v1 and v2. Cgroups still holding processes stay.
remove_cgroup_tree() {
  local h
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$h${1#/}" ] || continue
    find "$h${1#/}" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
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
  # Podman lets the runtime keep state in its default root (`--runtime-flag root=` is not
  # passed on to podman's exit-time cleanup), so runc makes /run/runc, skiff /run/skiff.
  rmdir_if_new /run/runc
  rmdir_if_new /run/crun
  rmdir_if_new /run/skiff
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
  # Root here lacks CAP_SYS_RESOURCE, so podman's default rlimits (1048576 open files) are
  # above what it may set: ask for limits within the hard ones.
  # Containers' cgroups go under a parent of ours, removed at the end: runc leaves its
  # name=systemd and unified (hybrid) cgroups behind when podman cleans up.
  PODMAN_CGROUP_PARENT=/skiff-peers-podman-$$
  PODMAN_RUN_FLAGS=(--ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --pull never
                    --cgroup-parent "$PODMAN_CGROUP_PARENT")
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
  remove_cgroup_tree "$PODMAN_CGROUP_PARENT"
}

# podman_default_network_cleanup: podman's default network ("podman", bridge cni-podman0) leaves
# a bridge, iptables chains, CNI IPAM files and net.ipv4.ip_forward=1 on the host; registers
# undoing what the test changed, leaving what was there before alone.
podman_default_network_cleanup() {
  cleanup "sysctl -qw net.ipv4.ip_forward=$(sysctl -n net.ipv4.ip_forward)"
  ip link show cni-podman0 >/dev/null 2>&1 || cleanup "ip link del cni-podman0"
  remove_if_new /var/lib/cni
  remove_if_new /var/lib/cni/networks/podman
  # Podman bind-mounts /run/netns onto itself (shared) to hold its network namespaces there.
  [ -e /run/netns ] || cleanup "umount /run/netns 2>/dev/null; rmdir /run/netns"
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


# ---- terminal sessions ---------------------------------------------------------------------
# tty_start COMMAND...: runs COMMAND on a terminal of its own (`script`), in the background. Type
# into it with tty_type, wait for its output with tty_wait_for, end with tty_finish (sets
# TTY_RC and TTY_TEXT, everything the terminal showed).
tty_start() {
  TTY_OUT="$SKIFF_TMP/tty.$RANDOM.out"
  local fifo="$TTY_OUT.in" cmd
  mkfifo "$fifo"
  printf -v cmd '%q ' "$@"
  timeout 60 script -qefc "$cmd" /dev/null <"$fifo" >"$TTY_OUT" 2>&1 &
  TTY_PID=$!
  exec 3>"$fifo"
}
tty_type() { printf '%s\n' "$1" >&3; }
# tty_wait_for TEXT: until the terminal has shown TEXT (20 s at most). Typed input is echoed
# too, so wait for text only the program's output contains.
tty_wait_for() {
  local i
  for i in $(seq 200); do
    grep -qF -- "$1" "$TTY_OUT" && return 0
    kill -0 "$TTY_PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "terminal never showed '$1'; it shows: $(cat -v "$TTY_OUT")"
}
tty_finish() {
  exec 3>&-
  TTY_RC=0
  wait "$TTY_PID" || TTY_RC=$?
  TTY_TEXT=$(tr -d '\r' <"$TTY_OUT")
}

# subreaper: path of a small program, built once per test, that runs a command as a child
# subreaper (PR_SET_CHILD_SUBREAPER): it forwards SIGTERM and SIGINT to the command, reaps every
# orphan re-parented to it, and exits with the command's status when no descendant is left.
subreaper() {
  local bin="$SKIFF_TMP/subreaper"
  if [ ! -x "$bin" ]; then
    need_cmd cc
    cc -O2 -x c -o "$bin" - <<'C' || fail "building the subreaper"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
static pid_t child;
static void forward(int sig) { if (child > 0) kill(child, sig); }
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) { perror("PR_SET_CHILD_SUBREAPER"); return 2; }
  signal(SIGTERM, forward);
  signal(SIGINT, forward);
  child = fork();
  if (child < 0) { perror("fork"); return 2; }
  if (child == 0) { execvp(argv[1], argv + 1); perror(argv[1]); _exit(127); }
  int status, code = 0;
  pid_t pid;
  while ((pid = wait(&status)) > 0 || errno == EINTR)
    if (pid == child) code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return code;
}
C
  fi
  echo "$bin"
}

# ---- containerd --------------------------------------------------------------------------
# containerd_setup: a containerd of our own (config, root, state, sockets, snapshots under
# $SKIFF_TMP/containerd; CRI off) with the busybox image imported as $CTR_IMAGE. Use it as
# `cr ARGS...`; `cr_run ARGS...` is `ctr run` with the runc shim calling the runtime under test
# (through $CTR_RUNTIME, which logs each call to $CTR_RUNTIME_LOG and execs $SKIFF_RUNTIME).
containerd_setup() {
  need_cmd containerd
  need_cmd ctr
  need_cmd containerd-shim-runc-v2
  local d="$SKIFF_TMP/containerd"
  mkdir -p "$d"/{root,state,fifo}
  CTR_DIR=$d
  # The containerd namespace names the containers' cgroup parent (/NAMESPACE/ID); ours is
  # unique, so teardown can remove it whole.
  CTR_NS=skiff-peers-$$
  cat >"$d/config.toml" <<TOML
version = 2
root = "$d/root"
state = "$d/state"
# No CRI (kubelet-only); no /opt/containerd; no snapshotters but overlayfs.
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[debug]
  address = "$d/debug.sock"
[plugins."io.containerd.snapshotter.v1.overlayfs"]
  root_path = "$d/snapshots"
TOML
  # The runc shim puts its sockets in /run/containerd/s whatever the config says.
  remove_if_new /run/containerd
  cleanup containerd_teardown
  # CTR_WRAPPER (an array, default none) prefixes the daemon, e.g. to start it in a mount
  # namespace of its own; it must exec containerd. The daemon runs under a subreaper of ours:
  # shims double-fork away from containerd, and on our machines PID 1 reaps them only lazily,
  # so without it a test leaves zombie shims behind for a while.
  "$(subreaper)" ${CTR_WRAPPER[@]+"${CTR_WRAPPER[@]}"} containerd --config "$d/config.toml" \
    --log-level warn >"$d/containerd.log" 2>&1 &
  CTR_PID=$!
  local i
  for i in $(seq 600); do
    [ -S "$d/containerd.sock" ] && cr version >/dev/null 2>&1 && break
    kill -0 "$CTR_PID" 2>/dev/null || fail "containerd exited: $(tail -5 "$d/containerd.log")"
    sleep 0.1
  done
  cr version >/dev/null 2>&1 || fail "containerd did not come up: $(tail -5 "$d/containerd.log")"

  CTR_RUNTIME="$d/runtime"
  CTR_RUNTIME_LOG="$d/runtime.log"
  printf '#!/bin/sh\necho "$*" >>%q\nexec %q "$@"\n' "$CTR_RUNTIME_LOG" "$SKIFF_RUNTIME" >"$CTR_RUNTIME"
  chmod +x "$CTR_RUNTIME"

  # ctr imports an OCI archive: the layout, tarred. The layout tags it "latest" only.
  local layout
  layout=$(test_image busybox)
  (cd "$layout" && tar -cf "$d/busybox.tar" oci-layout index.json blobs) || fail "tar $layout"
  cr images import --base-name skiff.local/busybox "$d/busybox.tar" >/dev/null ||
    fail "ctr images import"
  CTR_IMAGE=skiff.local/busybox:latest
}

cr() { ctr --address "$CTR_DIR/containerd.sock" --namespace "$CTR_NS" "$@"; }
cr_run() {
  cr run --fifo-dir "$CTR_DIR/fifo" --runtime io.containerd.runc.v2 \
    --runc-binary "$CTR_RUNTIME" --runc-root "$CTR_DIR/runtime-root" "$@"
}
cr_exec() { cr task exec --fifo-dir "$CTR_DIR/fifo" "$@"; }

containerd_teardown() {
  local t c pid
  for t in $(cr task ls -q 2>/dev/null); do
    cr task kill -s SIGKILL "$t" >/dev/null 2>&1 || true
    cr task delete -f "$t" >/dev/null 2>&1 || true
  done
  for c in $(cr containers ls -q 2>/dev/null); do cr containers delete "$c" >/dev/null 2>&1 || true; done
  # The subreaper passes SIGTERM to containerd and exits once containerd and every shim are
  # gone. Shims outlive containerd by design; ours are the ones serving our containerd's address.
  kill "$CTR_PID" 2>/dev/null || true
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $CTR_DIR/containerd.sock" || true); do
    kill -9 "$pid" 2>/dev/null || true
  done
  wait "$CTR_PID" 2>/dev/null || true
  umount_under "$CTR_DIR"
  rm -rf "$CTR_DIR"
  remove_cgroup_tree "/$CTR_NS"
}
