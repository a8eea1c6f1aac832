# shellcheck shell=bash
# Shared by tests/integration/image_*.sh (sourced after lib.sh): the `skiff` binary on a store
# of the test's own, the busybox image, and Debian's docker-registry on 127.0.0.1.
SKIFF=${SKIFF:-$SKIFF_BUILD_DIR/runtime/skiff}
[ -x "$SKIFF" ] || skip "skiff not built ($SKIFF)"
STORE=$SKIFF_TMP/store

# sk ARGS...: skiff on the test's store. skin STORE ARGS...: on another store.
sk() { "$SKIFF" --root "$STORE" "$@"; }
skin() { local s=$1; shift; "$SKIFF" --root "$s" "$@"; }

# The bundle tests that need options `skiff create` lacks drive the library through
# unit_image's hidden "[.tool]" case (tests/unit/image/tool_main.cpp).
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

# serving PID PORT: PID itself listens on PORT (not another job that took the port between
# free_port and PID's bind: then PID exits and the caller tries another port).
serving() { ss -Hltnp "sport = :$2" 2>/dev/null | grep -q "pid=$1,"; }
# await_serving PID PORT WHAT: until PID serves /v2/ on PORT (0); 1 when PID died first.
await_serving() {
  local pid=$1 port=$2 end=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    serving "$pid" "$port" && curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && return 0
    [ "$SECONDS" -lt "$end" ] || fail "$3 did not start in 60 s"
    sleep 0.05
  done
  return 1
}

# start_registry NAME [AUTH]: Debian's docker-registry on 127.0.0.1; sets REG_PORT (not run
# in $(...): its cleanup must be registered in the test's own shell). Its
# data is in $SKIFF_TMP/NAME/data, its log in $SKIFF_TMP/NAME/log. AUTH: an htpasswd file for
# basic auth, or "token:REALM_URL:CERT" for bearer tokens from a token server.
start_registry() {
  need_cmd docker-registry
  need_cmd curl
  need_cmd ss
  local name=$1 auth=${2:-} port attempt pid
  mkdir -p "$SKIFF_TMP/$name"
  for attempt in 1 2 3; do
    port=$(free_port)
    {
      echo "version: 0.1"
      echo "log: {level: info, accesslog: {disabled: false}}"
      echo "storage: {filesystem: {rootdirectory: $SKIFF_TMP/$name/data}, delete: {enabled: true}}"
      echo "http: {addr: 127.0.0.1:$port}"
      case $auth in
        "") ;;
        token:*)
          local rest=${auth#token:}
          echo "auth: {token: {realm: \"${rest%:*}\", service: skiff-test, issuer: skiff-test-issuer, rootcertbundle: ${rest##*:}}}" ;;
        *) echo "auth: {htpasswd: {realm: skiff-test, path: $auth}}" ;;
      esac
    } >"$SKIFF_TMP/$name/config.yml"
    docker-registry serve "$SKIFF_TMP/$name/config.yml" >"$SKIFF_TMP/$name/log" 2>&1 &
    pid=$!
    cleanup "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
    await_serving "$pid" "$port" "registry $name" && { REG_PORT=$port; return; }
  done
  fail "registry $name did not start: $(cat "$SKIFF_TMP/$name/log")"
}

# blob_count STORE: how many blobs the store holds.
blob_count() { find "$1/blobs/sha256" -type f | wc -l; }

# add_random_layer LAYOUT MIB [zstd]: appends a layer holding MIB MiB of random bytes (so it
# does not compress) to the layout's single image, rewriting its config, manifest and index.
add_random_layer() {
  local layout=$1 mib=$2 comp=${3:-gzip}
  python3 - "$layout" "$mib" "$comp" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile, subprocess
layout, mib, comp = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(os.path.join(layout, "blobs/sha256", d), "wb").write(data)
    return "sha256:" + d
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    payload = os.urandom(mib << 20)
    info = tarfile.TarInfo("data/random-%s.bin" % hashlib.sha256(payload[:64]).hexdigest()[:8])
    info.size, info.mtime = len(payload), 0
    t.addfile(info, io.BytesIO(payload))
raw = buf.getvalue()
if comp == "zstd":
    blob = subprocess.run(["zstd", "-q", "-c"], input=raw, stdout=subprocess.PIPE, check=True).stdout
    mt = "application/vnd.oci.image.layer.v1.tar+zstd"
else:
    blob = gzip.compress(raw, mtime=0)
    mt = "application/vnd.oci.image.layer.v1.tar+gzip"
idx = json.load(open(os.path.join(layout, "index.json")))
md = idx["manifests"][0]
man = json.load(open(os.path.join(layout, "blobs/sha256", md["digest"].split(":")[1])))
cfg = json.load(open(os.path.join(layout, "blobs/sha256", man["config"]["digest"].split(":")[1])))
cfg["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(raw).hexdigest())
cfg_bytes = json.dumps(cfg).encode()
man["config"] = dict(man["config"], digest=put(cfg_bytes), size=len(cfg_bytes))
man["layers"].append({"mediaType": mt, "digest": put(blob), "size": len(blob)})
man_bytes = json.dumps(man).encode()
md["digest"], md["size"] = put(man_bytes), len(man_bytes)
json.dump(idx, open(os.path.join(layout, "index.json"), "w"))
PY
}

# start_proxy NAME UPSTREAM_PORT [registry_proxy.py options]: sets PROXY_PORT (not run in
# $(...), as start_registry); its log is $SKIFF_TMP/NAME.log.
start_proxy() {
  local name=$1 up=$2 port attempt pid; shift 2
  need_cmd ss
  for attempt in 1 2 3; do
    port=$(free_port)
    python3 "$SKIFF_SOURCE_DIR/tests/integration/registry_proxy.py" "$up" "$port" "$SKIFF_TMP/$name.log" "$@" \
      >"$SKIFF_TMP/$name.out" 2>&1 &
    pid=$!
    cleanup "kill $pid 2>/dev/null"
    await_serving "$pid" "$port" "proxy $name" && { PROXY_PORT=$port; return; }
  done
  fail "proxy $name did not start: $(cat "$SKIFF_TMP/$name.out")"
}

# verify_store STORE: every blob matches its name, nothing half-written is in blobs/.
verify_store() {
  local b
  for b in "$1"/blobs/sha256/*; do
    [ -e "$b" ] || continue
    [ "$(sha256sum <"$b" | cut -d' ' -f1)" = "$(basename "$b")" ] || fail "$b does not match its digest"
  done
}

# check_consistent STORE: verify_store, and every reference reaches a whole image.
check_consistent() {
  local s=$1 ref md m b
  verify_store "$s"
  [ -s "$s/index.json" ] || return 0
  while read -r ref md; do
    m=$s/blobs/sha256/${md#sha256:}
    [ -f "$m" ] || fail "$ref: manifest $md missing"
    for b in $(jq -r '.config.digest, .layers[].digest' "$m"); do
      [ -f "$s/blobs/sha256/${b#sha256:}" ] || fail "$ref: blob $b missing"
    done
  done < <(jq -r '.references | to_entries[] | "\(.key) \(.value)"' "$s/index.json")
}

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
