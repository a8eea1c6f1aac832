# shellcheck shell=bash
# Shared by tests/integration/image_*.sh (sourced after lib.sh): drives the image library
# through unit_image's hidden "[.tool]" case until the skiff CLI exists.
UNIT_IMAGE=${UNIT_IMAGE:-$SKIFF_BUILD_DIR/tests/unit_image}
[ -x "$UNIT_IMAGE" ] || skip "unit_image not built ($UNIT_IMAGE)"
STORE=$SKIFF_TMP/store

# image_tool CMD STORE ARGS...: see tests/unit/image/tool_main.cpp.
image_tool() { SKIFF_IMAGE_TOOL="$(printf '%s\n' "$@")" "$UNIT_IMAGE" '[.tool]' -o /dev/null; }

# Containers' overlays must be unmounted before lib.sh removes SKIFF_TMP.
image_cleanup() {
  local d
  for d in "$STORE"/containers/*/; do
    [ -d "$d" ] && image_tool rm "$STORE" "$(basename "$d")"
  done
  true
}
cleanup image_cleanup

# busybox_layout: the busybox OCI layout from images/busybox/build.sh; prints its path.
busybox_layout() {
  need_cmd busybox
  need_cmd jq
  bash "$SKIFF_SOURCE_DIR/images/busybox/build.sh" "$SKIFF_TMP/busybox" >/dev/null
  echo "$SKIFF_TMP/busybox"
}

is_mounted() { grep -q " $1 " /proc/self/mounts; }

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
