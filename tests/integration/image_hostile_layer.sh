#!/usr/bin/env bash
# Hostile layers built with python3's tarfile load as blobs (their digests are right) but
# never unpack: the error names the entry, nothing outside the store is written, and no
# half-unpacked layer or container is left inside it.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd python3
. "$(dirname "$0")/image_common.bash"

RUN_ROOT=$SKIFF_TMP/run
skr() { sk --runroot "$RUN_ROOT" "$@"; }
cleanup "for c in \$(\"$SKIFF\" --root '$STORE' --runroot '$RUN_ROOT' ps -aq 2>/dev/null); do \"$SKIFF\" --root '$STORE' --runroot '$RUN_ROOT' rm -f \$c >/dev/null 2>&1; done"
victim=$SKIFF_TMP/victim
mkdir -p "$victim"
echo original >"$victim/passwd"

# make_image NAME PYTHON_ENTRIES: an OCI layout at $SKIFF_TMP/NAME with one gzip'd layer whose
# entries the python snippet adds to tarfile `t`.
make_image() {
  python3 - "$SKIFF_TMP/$1" "$victim" "$2" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
out, victim, body = sys.argv[1], sys.argv[2], sys.argv[3]
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
    def add(name, data=b"x", **kw):
        ti = tarfile.TarInfo(name)
        for k, v in kw.items():
            setattr(ti, k, v)
        ti.size = len(data) if ti.type == tarfile.REGTYPE else 0
        t.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
    exec(body)
layer = raw.getvalue()
gz = gzip.compress(layer, mtime=0)
os.makedirs(out + "/blobs/sha256")
def put(b):
    h = hashlib.sha256(b).hexdigest()
    open(out + "/blobs/sha256/" + h, "wb").write(b)
    return {"digest": "sha256:" + h, "size": len(b)}
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]},
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]}}).encode()
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **put(cfg)),
                  "layers": [dict(mediaType="application/vnd.oci.image.layer.v1.tar+gzip", **put(gz))]}).encode()
idx = {"schemaVersion": 2, "manifests": [dict(mediaType="application/vnd.oci.image.manifest.v1+json",
       annotations={"org.opencontainers.image.ref.name": "latest"}, **put(man))]}
open(out + "/index.json", "w").write(json.dumps(idx))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
}

# expect_rejected NAME ERROR_SUBSTRING
expect_rejected() {
  local name=$1 want=$2 err
  sk load -q -i "$SKIFF_TMP/$name" || fail "$name: load failed"
  if err=$(skr create --name "c-$name" "$name" true 2>&1); then fail "$name: unpacked"; fi
  echo "$err" | grep -qF -- "$want" || fail "$name: error \"$err\" lacks \"$want\""
  [ "$(cat "$victim/passwd")" = original ] || fail "$name: wrote through to the host"
  [ "$(ls -A "$victim")" = passwd ] || fail "$name: created $(ls -A "$victim") outside the store"
  [ -z "$(ls -A "$STORE/layers")" ] || fail "$name: layer left in the store: $(ls "$STORE/layers")"
  [ -z "$(ls -A "$STORE/tmp")" ] || fail "$name: partial unpack left in tmp/"
  [ -z "$(ls -A "$STORE/containers")" ] || fail "$name: container directory left: $(ls "$STORE/containers")"
  echo "ok: $name: $err"
}

make_image traversal 'add("ok"); add("../../../../../../../../" + victim + "/passwd", b"pwned")'
expect_rejected traversal 'path leaves the layer ("..")'
make_image absolute 'add(victim + "/passwd", b"pwned")'
expect_rejected absolute ': absolute path'
make_image symlink-escape 'add("evil", type=tarfile.SYMTYPE, linkname=victim); add("evil/passwd", b"pwned")'
expect_rejected symlink-escape 'entry "evil/passwd": parent "evil" is or goes through a symlink'
make_image hardlink-out 'add("h", type=tarfile.LNKTYPE, linkname="../../../../../../../" + victim + "/passwd")'
expect_rejected hardlink-out 'entry "h": hard link target'
make_image etc-passwd 'add("a/b"); add("a/b/../../../etc/passwd", b"pwned")'
expect_rejected etc-passwd 'entry "a/b/../../../etc/passwd": path leaves the layer'

# A benign symlink to a host path is kept as a symlink and never followed.
make_image keep-link 'add("etc-link", type=tarfile.SYMTYPE, linkname="/etc"); add("victim-link", type=tarfile.SYMTYPE, linkname=victim + "/passwd")'
sk load -q -i "$SKIFF_TMP/keep-link"
id=$(skr create keep-link true)
[ "$(readlink "$STORE/containers/$id/rootfs/victim-link")" = "$victim/passwd" ] || fail "symlink not kept as is"
[ "$(cat "$victim/passwd")" = original ] || fail "victim touched"
echo "PASS: hostile layers rejected, nothing written outside the store"
