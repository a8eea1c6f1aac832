#!/usr/bin/env bash
# Builds the hello-static test image as an OCI image layout: one static musl binary, /hello,
# which prints to stdout and stderr and exits with the code given as its first argument.
#   images/hello-static/build.sh [OUT_DIR]   (default: build/images/hello-static, tag "latest")
# Prints the manifest digest; the same musl toolchain always gives the same digest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../oci_layout.sh"

out=$(image_out_dir hello-static "${1:-}")
command -v musl-gcc >/dev/null || image_die "musl-gcc not found (apt-get install musl-tools)"

image_begin "$out"
root=$IMAGE_TMP/stage
mkdir -p "$root"/{dev,proc,sys}
# Stripped, no build paths or dates embedded: the binary is a function of hello.c and musl.
musl-gcc -static -Os -s -Wall -Wextra -Werror -o "$root/hello" "$here/hello.c"
chmod 0755 "$root/hello"

write_oci_layout "$root" "$out" latest '{
  "Env": ["PATH=/"],
  "Cmd": ["/hello"]
}'
