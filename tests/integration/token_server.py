#!/usr/bin/env python3
"""A docker-registry token server for the tests: token_server.py PORT KEY CERT LOG
Issues RS256 JWTs (signed with `openssl dgst`, the certificate in the x5c header) the way
docker/distribution's token auth expects. Anyone gets pull on repositories under public/;
user skiff with password tokpass gets pull and push everywhere; other credentials get 401."""
import base64, json, subprocess, sys, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

port, key, cert, logpath = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
log = open(logpath, "a", buffering=1)
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], stdout=subprocess.PIPE, check=True).stdout
def b64u(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        q = parse_qs(urlparse(self.path).query)
        auth = self.headers.get("Authorization", "")
        user = None
        if auth.startswith("Basic "):
            u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
            if (u, p) != ("skiff", "tokpass"):
                log.write("token denied user=%s\n" % u)
                self.send_response(401); self.send_header("Content-Length", "0"); self.end_headers(); return
            user = u
        access = []
        for scope in q.get("scope", []):
            for s in scope.split(" "):
                typ, name, actions = s.split(":")
                want = actions.split(",")
                granted = want if user else [a for a in want if a == "pull" and name.startswith("public/")]
                access.append({"type": typ, "name": name, "actions": granted})
        log.write("token user=%s scope=%s granted=%s\n" % (user or "-", ",".join(q.get("scope", [])),
                                                          json.dumps(access, separators=(",", ":"))))
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
        claims = {"iss": "skiff-test-issuer", "sub": user or "", "aud": q.get("service", [""])[0],
                  "exp": now + 300, "nbf": now - 10, "iat": now, "jti": str(uuid.uuid4()), "access": access}
        signing = b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing.encode(),
                             stdout=subprocess.PIPE, check=True).stdout
        token = signing + "." + b64u(sig)
        body = json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

# Port 0: the kernel picks one, printed first on stdout.
srv = ThreadingHTTPServer(("127.0.0.1", port), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
