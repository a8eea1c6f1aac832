#!/usr/bin/env bash
# Bearer-token auth as Docker Hub and most registries do it, against a small fake registry
# (python3 http.server): 401 challenge, token fetched from the realm with basic credentials,
# blobs redirected to another host (storage) that must not see the token, Range requests honoured,
# and a manifest list resolved to linux/amd64.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd python3
need_cmd curl
. "$(dirname "$0")/image_common.bash"

layout=$(busybox_layout)
want=$(jq -r '.manifests[0].digest' "$layout/index.json")
# The server binds a port of the kernel's choosing and writes it to fake.port: no other job
# can take it between a choice and the bind.
python3 - "$layout" "$SKIFF_TMP/fake.port" "$SKIFF_TMP/fake.log" <<'PY' &
import base64, hashlib, json, os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
layout, portfile, logpath = sys.argv[1], sys.argv[2], sys.argv[3]
log = open(logpath, "a", buffering=1)
idx = json.load(open(layout + "/index.json"))
man = idx["manifests"][0]
arm = {"mediaType": man["mediaType"], "digest": "sha256:" + "0" * 64, "size": 1,
       "platform": {"os": "linux", "architecture": "arm64"}}
amd = dict(man, platform={"os": "linux", "architecture": "amd64"})
amd.pop("annotations", None)
mlist = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": [arm, amd]}).encode()
TOKEN = "T-" + hashlib.sha256(b"fake").hexdigest()[:16]
CREDS = "Basic " + base64.b64encode(b"skiff:tokenpass").decode()
def blob(d):
    return open(layout + "/blobs/sha256/" + d.split(":")[1], "rb").read()
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def send(self, code, body=b"", headers={}):
        self.send_response(code)
        for k, v in headers.items(): self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)
    def do_HEAD(self): self.do_GET()
    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        log.write("%s %s auth=%s range=%s\n" % (self.command, self.path, auth.split(" ")[0] or "-",
                                                 self.headers.get("Range", "-")))
        if self.path.startswith("/token"):
            if auth != CREDS: return self.send(401)
            return self.send(200, json.dumps({"token": TOKEN}).encode())
        if self.path.startswith("/storage/"):
            data = blob(self.path.split("/")[-1])
            r = self.headers.get("Range")
            if r:
                start = int(r.split("=")[1].split("-")[0])
                return self.send(206, data[start:], {"Content-Range": "bytes %d-%d/%d" % (start, len(data) - 1, len(data))})
            return self.send(200, data)
        if auth != "Bearer " + TOKEN:
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"auth required"}]}',
                             {"WWW-Authenticate": 'Bearer realm="http://127.0.0.1:%d/token",service="fake",scope="repository:test/busybox:pull"' % port})
        p = self.path.split("/")
        if self.path == "/v2/test/busybox/manifests/multi":
            return self.send(200, mlist, {"Content-Type": "application/vnd.oci.image.index.v1+json",
                                          "Docker-Content-Digest": "sha256:" + hashlib.sha256(mlist).hexdigest()})
        if self.path.startswith("/v2/test/busybox/manifests/"):
            ref = p[-1]
            d = man["digest"] if ref == "latest" else ref
            try: data = blob(d)
            except OSError: return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
            return self.send(200, data, {"Content-Type": man["mediaType"], "Docker-Content-Digest": d})
        if self.path.startswith("/v2/test/busybox/blobs/"):
            return self.send(307, b"", {"Location": "http://localhost:%d/storage/%s" % (port, p[-1])})
        self.send(404)
srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
port = srv.server_address[1]
open(portfile + ".tmp", "w").write(str(port))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
PY
pid=$!
cleanup "kill $pid"
wait_until 60 test -s "$SKIFF_TMP/fake.port" || fail "the fake registry did not start"
port=$(cat "$SKIFF_TMP/fake.port")
reg=127.0.0.1:$port
printf '{"auths":{"%s":{"auth":"%s"}}}' "$reg" "$(printf skiff:tokenpass | base64)" >"$SKIFF_TMP/creds.json"

# digest_of STORE REF: the manifest digest the store's REF names.
digest_of() { jq -r ".references[\"$2\"]" "$1/index.json"; }

if err=$(skin "$SKIFF_TMP/s0" pull -q --authfile "$SKIFF_TMP/none.json" "$reg/test/busybox:latest" 2>&1); then
  fail "pulled without credentials"
fi
echo "$err" | grep -q "token http://$reg/token: HTTP 401" || fail "no-credentials error: $err"

out=$(skin "$SKIFF_TMP/s1" pull -q --authfile "$SKIFF_TMP/creds.json" "$reg/test/busybox:latest")
[ "$out" = "$reg/test/busybox:latest" ] || fail "bearer pull printed: $out"
[ "$(digest_of "$SKIFF_TMP/s1" "$reg/test/busybox:latest")" = "$want" ] || fail "bearer pull stored another digest"
grep -q '^GET /token?service=fake&scope=repository%3Atest%2Fbusybox%3Apull auth=Basic' "$SKIFF_TMP/fake.log" ||
  fail "token not requested with basic credentials: $(cat "$SKIFF_TMP/fake.log")"
grep -q '^GET /v2/test/busybox/blobs/.* auth=Bearer' "$SKIFF_TMP/fake.log" || fail "blob GET without the token"
! grep -q '^GET /storage/.* auth=Bearer' "$SKIFF_TMP/fake.log" || fail "token sent to the storage redirect"

skin "$SKIFF_TMP/s2" pull -q --authfile "$SKIFF_TMP/creds.json" "$reg/test/busybox:multi" >/dev/null
[ "$(digest_of "$SKIFF_TMP/s2" "$reg/test/busybox:multi")" = "$want" ] || fail "manifest list pull stored another digest"

# Resume sends a Range for the rest of a partial layer.
layer=$(jq -r '.layers[0].digest' "$layout/blobs/sha256/${want#sha256:}")
blob=$layout/blobs/sha256/${layer#sha256:}
half=$(( $(stat -c %s "$blob") / 2 ))
mkdir -p "$SKIFF_TMP/s3/tmp"
head -c "$half" "$blob" >"$SKIFF_TMP/s3/tmp/${layer#sha256:}.partial"
skin "$SKIFF_TMP/s3" pull -q --authfile "$SKIFF_TMP/creds.json" "$reg/test/busybox:latest" >/dev/null || fail "resume failed"
grep -q "^GET /storage/$layer auth=- range=bytes=$half-" "$SKIFF_TMP/fake.log" || fail "no Range request on resume"
cmp -s "$blob" "$SKIFF_TMP/s3/blobs/sha256/${layer#sha256:}" || fail "resumed blob differs"
echo "PASS: bearer-token pull, storage redirect without the token, manifest list, Range resume"
