#!/usr/bin/env python3
"""An HTTP proxy in front of a registry that misbehaves on blob GETs, for the pull tests:
   registry_proxy.py UPSTREAM_PORT LISTEN_PORT LOG [--delay S] [--throttle BYTES_PER_S]
                     [--cut BYTES] [--corrupt]
--delay waits S seconds before each blob answer; --throttle sends blob bodies at that rate;
--cut sends only BYTES of the first plain (no Range) GET of each blob, then drops the
connection; --corrupt flips one byte in every blob over 1 KiB. Everything else passes through.
The log has one line per blob GET: "start|end PATH range=R t=SECONDS".
For the push tests, --requests keeps the client's Host (so upload locations point back here)
and logs every request as "req METHOD PATH STATUS t0=SECONDS t1=SECONDS" when it is answered;
--delay-upload S holds each blob upload's PUT S seconds (uploads that overlap show it)."""
import http.client, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

upstream, port, logpath = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
opts = sys.argv[4:]
def opt(name, default=None):
    return opts[opts.index(name) + 1] if name in opts else default
delay, throttle, cut = float(opt("--delay", 0)), int(opt("--throttle", 0)), opt("--cut")
corrupt = "--corrupt" in opts
requests, delay_upload = "--requests" in opts, float(opt("--delay-upload", 0))
cut_done, lock = set(), threading.Lock()
log = open(logpath, "a", buffering=1)

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def forward(self):
        n = int(self.headers.get("Content-Length", 0) or 0)
        body = self.rfile.read(n) if n else None
        c = http.client.HTTPConnection("127.0.0.1", upstream)
        t0 = time.time()
        drop = ("connection",) if requests else ("host", "connection")
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in drop}
        if delay_upload and self.command == "PUT" and "/blobs/uploads/" in self.path:
            time.sleep(delay_upload)
        c.request(self.command, self.path, body=body, headers=hdrs)
        r = c.getresponse()
        if requests:
            log.write("req %s %s %d t0=%.3f t1=%.3f\n" % (self.command, self.path, r.status, t0, time.time()))
        data = r.read()
        blob = self.command == "GET" and "/blobs/sha256:" in self.path and r.status in (200, 206)
        rng = self.headers.get("Range", "-")
        if blob:
            log.write("start %s range=%s t=%.3f\n" % (self.path, rng, time.time()))
            if delay: time.sleep(delay)
            if corrupt and len(data) > 1024:
                data = data[:-1] + bytes([data[-1] ^ 0xff])
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        send = data
        if blob and cut and rng == "-":
            with lock:
                first = self.path not in cut_done
                cut_done.add(self.path)
            if first and len(data) > int(cut):
                send = data[:int(cut)]
        if blob and throttle:
            step = max(1, throttle // 20)
            for i in range(0, len(send), step):
                self.wfile.write(send[i:i + step]); self.wfile.flush(); time.sleep(0.05)
        else:
            self.wfile.write(send)
        self.wfile.flush()
        if blob:
            log.write("end %s range=%s t=%.3f\n" % (self.path, rng, time.time()))
        self.close_connection = True
    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = forward

ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
