#!/usr/bin/env bash
# Builds the busybox test image as an OCI image layout from Debian's busybox-static:
# /bin/busybox plus one symlink per applet, /etc/passwd, /etc/group and a sticky /tmp.
#   images/busybox/build.sh [OUT_DIR]     (default: build/images/busybox, tag "latest")
# Prints the manifest digest; the same busybox binary always gives the same digest.
set -euo pipefail
. "$(dirname "$0")/../oci_layout.sh"

BUSYBOX=${BUSYBOX:-/bin/busybox}
out=$(image_out_dir busybox "${1:-}")
[ -x "$BUSYBOX" ] || image_die "$BUSYBOX not found (apt-get install busybox-static)"
# The image has no libc: a dynamically linked busybox would not start in it.
if LC_ALL=C readelf -l "$BUSYBOX" 2>/dev/null | grep -q 'Requesting program interpreter'; then
  image_die "$BUSYBOX is dynamically linked; the image needs busybox-static"
fi

image_begin "$out"
root=$IMAGE_TMP/stage
mkdir -p "$root"/{bin,dev,etc,proc,root,sys,tmp}
install -m 0755 "$BUSYBOX" "$root/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
  >"$root/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
chmod 0644 "$root/etc/passwd" "$root/etc/group"
chmod 0700 "$root/root"
chmod 1777 "$root/tmp"

write_oci_layout "$root" "$out" latest '{
  "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
  "Cmd": ["sh"]
}'
