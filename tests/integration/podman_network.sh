#!/usr/bin/env bash
# podman's default network through skiff-runtime: the container joins the netns podman made
# (CNI bridge, its own address and route) and a published port reaches a server inside it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peers_lib.sh"
need_root
need_cmd iptables
need_cmd curl
need_runtime
podman_setup
podman_default_network_cleanup

out=$(pm_run --rm "$PODMAN_IMAGE" sh -c 'ip -4 -o addr show eth0; ip route') ||
  fail "podman run on the default network: exit $?"
expect_contains "address on the podman bridge" "$out" "inet 10.88."
expect_contains "default route via the bridge" "$out" "default via 10.88.0.1"

# A web server in the container, published on a free host port.
# A port the kernel calls free now; another job may still take it first, then try another.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cid=
for attempt in 1 2 3; do
  port=$(free_port)
  cid=$(pm_run -d -p "127.0.0.1:$port:8080" "$PODMAN_IMAGE" \
        sh -c 'mkdir /www && echo "served by $(hostname)" >/www/index.html && exec httpd -f -p 8080 -h /www') && break
done
[ -n "$cid" ] || fail "podman run -d -p: exit $?"
body=""
fetch() { body=$(curl -sf --max-time 2 "http://127.0.0.1:$port/index.html"); }
wait_until 60 fetch || true
expect_eq "page from the container's httpd" "$body" "served by ${cid:0:12}"
pm rm -f -t 0 "$cid" >/dev/null
echo "PASS: podman default network and port publishing through $SKIFF_RUNTIME"
