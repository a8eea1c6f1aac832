# shellcheck shell=bash
# Shared by tests/integration/image_*.sh (sourced after lib.sh): the `skiff` binary on a store
# of the test's own, the busybox image, and Debian's docker-registry on 127.0.0.1.
SKIFF=${SKIFF:-$SKIFF_BUILD_DIR/runtime/skiff}
[ -x "$SKIFF" ] || skip "skiff not built ($SKIFF)"
STORE=$SKIFF_TMP/store

# sk ARGS...: skiff on the test's store. skin STORE ARGS...: on another store.
sk() { "$SKIFF" --root "$STORE" "$@"; }
skin() { local s=$1; shift; "$SKIFF" --root "$s" "$@"; }

# Until `skiff create` has landed, the tests that need a container's bundle drive the image
# library through unit_image's hidden "[.tool]" case (tests/unit/image/tool_main.cpp).
UNIT_IMAGE=${UNIT_IMAGE:-$SKIFF_BUILD_DIR/tests/unit_image}
image_tool() {
  [ -x "$UNIT_IMAGE" ] || skip "unit_image not built ($UNIT_IMAGE)"
  SKIFF_IMAGE_TOOL="$(printf '%s\n' "$@")" "$UNIT_IMAGE" '[.tool]' -o /dev/null
}

# Containers' overlays must be unmounted before lib.sh removes SKIFF_TMP.
image_cleanup() {
  local s d
  for s in "$SKIFF_TMP"/*/containers; do
    for d in "$s"/*/; do
      [ -d "$d" ] || continue
      grep -q " ${d}rootfs " /proc/self/mounts && umount -l "${d}rootfs"
    done
  done
  true
}
cleanup image_cleanup

# busybox_layout: the busybox OCI layout from images/busybox/build.sh; prints its path.
busybox_layout() {
  need_cmd busybox
  need_cmd jq
  [ -d "$SKIFF_TMP/busybox" ] || bash "$SKIFF_SOURCE_DIR/images/busybox/build.sh" "$SKIFF_TMP/busybox" >/dev/null
  echo "$SKIFF_TMP/busybox"
}

is_mounted() { grep -q " $1 " /proc/self/mounts; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_registry NAME [HTPASSWD]: Debian's docker-registry on 127.0.0.1; prints the port. Its
# data is in $SKIFF_TMP/NAME/data, its log in $SKIFF_TMP/NAME/log.
start_registry() {
  need_cmd docker-registry
  need_cmd curl
  local name=$1 htpasswd=${2:-} port
  port=$(free_port)
  mkdir -p "$SKIFF_TMP/$name"
  {
    echo "version: 0.1"
    echo "log: {level: info, accesslog: {disabled: false}}"
    echo "storage: {filesystem: {rootdirectory: $SKIFF_TMP/$name/data}, delete: {enabled: true}}"
    echo "http: {addr: 127.0.0.1:$port}"
    [ -n "$htpasswd" ] && echo "auth: {htpasswd: {realm: skiff-test, path: $htpasswd}}"
  } >"$SKIFF_TMP/$name/config.yml"
  docker-registry serve "$SKIFF_TMP/$name/config.yml" >"$SKIFF_TMP/$name/log" 2>&1 &
  local pid=$!
  cleanup "kill $pid; wait $pid 2>/dev/null"
  for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && { echo "$port"; return; }
    sleep 0.1
  done
  fail "registry $name did not start: $(cat "$SKIFF_TMP/$name/log")"
}

# blob_count STORE: how many blobs the store holds.
blob_count() { find "$1/blobs/sha256" -type f | wc -l; }

# need_image_run: what tests that run containers from images need; sets RUN_ROOT.
need_image_run() {
  [ -x "$SKIFF_RUNTIME" ] || skip "skiff-runtime not built"
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || skip "no overlayfs"
  RUN_ROOT=$SKIFF_TMP/run
}

# run_image ID IMAGE SCRIPT [bundle options...]: bundles IMAGE as container ID (its directory
# is $STORE/containers/ID) running `sh -c SCRIPT`, runs it with skiff-runtime and prints what
# it printed.
run_image() {
  local id=$1 image=$2 script=$3 dir
  shift 3
  cleanup "'$SKIFF_RUNTIME' --root '$RUN_ROOT' delete -f $id 2>/dev/null"
  read -r dir _ < <(image_tool bundle "$STORE" "$image" "$id" "$@" arg=sh arg=-c arg="$script")
  [ -n "$dir" ] || fail "no bundle for $id"
  "$SKIFF_RUNTIME" --root "$RUN_ROOT" run --bundle "$dir" "$id"
}
