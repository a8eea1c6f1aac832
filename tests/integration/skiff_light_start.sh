#!/bin/bash
# Commands that neither fetch nor (un)pack images start without libcurl, libarchive and
# libcrypto (and their dependency trees): those live in libskiff-image-io.so, which skiff
# opens only for pull, push, load, save and unpacking a layer (oci/image/io.hpp). Checked with
# the dynamic loader's own record (LD_DEBUG=files, one file per process, re-execs included).
# Also: a store whose layers are not unpacked yet still runs (through the plugin), and a
# missing or foreign plugin is a one-line error naming the file, while running a local image
# still works without it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/skiff_common.bash"
skiff_load_busybox

heavy='libcurl|libarchive|libcrypto|libskiff-image-io'
# loaded WHAT COMMAND...: runs COMMAND under LD_DEBUG=files; prints the libraries any of its
# processes loaded that match $heavy (sorted, one per line).
loaded() {
  local what=$1 d
  shift
  d=$(mktemp -d "$SKIFF_TMP/ld.XXXXXX")
  LD_DEBUG=files LD_DEBUG_OUTPUT="$d/ld" "$@" >"$d/out" 2>&1 || fail "$what: exit $?: $(cat "$d/out")"
  ls "$d"/ld.* >/dev/null 2>&1 || fail "$what: LD_DEBUG wrote nothing (the check would pass vacuously)"
  grep -hoE "file=[^ ]*($heavy)[^ ]*" "$d"/ld.* | sed 's/^file=//; s|.*/||' | sort -u || true
}
light() {
  local what=$1 got
  shift
  got=$(loaded "$what" "$@")
  [ -z "$got" ] || fail "$what loaded $(echo $got)"
}

# The store's layers are not unpacked until something needs them: the first run unpacks
# through the plugin (and so loads it), the next ones do not.
rm -rf "${SK_ROOT:?}"/layers/*
got=$(loaded "first run (unpacks)" sk run --rm busybox true)
expect_contains "the first run unpacks through the plugin" "$got" libskiff-image-io.so
expect_contains "the plugin brings libarchive" "$got" libarchive
[ -n "$(ls "$SK_ROOT/layers")" ] || fail "first run left no unpacked layer"

light "version" sk version
light "images" sk images
light "ps" sk ps -a
light "info" sk info
light "run --rm" sk run --rm busybox true
light "create" sk create --name lean busybox echo hi
light "inspect" sk inspect lean
light "start -a" sk start -a lean
light "logs" sk logs lean
light "rm" sk rm lean
light "run -d" sk run -d --name bg busybox sleep 60
light "exec" sk exec bg true
light "stop" sk stop -t 0 bg
light "rm -f" sk rm -f bg
expect_eq "containers left" "$(records)" 0

# load goes through the plugin.
got=$(loaded "load" sk load -i "$SKIFF_TMP/busybox")
expect_contains "load opens the plugin" "$got" libskiff-image-io.so

# Without the plugin beside it (nor in ../lib/skiff) the binary still runs local images and
# says what it misses for the rest.
mkdir -p "$SKIFF_TMP/alone/bin"
cp "$SKIFF_CLI" "$SKIFF_TMP/alone/bin/skiff"
alone() { "$SKIFF_TMP/alone/bin/skiff" --root "$SK_ROOT" --runroot "$SK_RUNROOT" "$@"; }
expect_eq "run without the plugin" "$(alone run --rm busybox echo ok)" ok
rc=0
err=$(alone load -i "$SKIFF_TMP/busybox" 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "load without the plugin succeeded"
expect_eq "one-line error" "$(wc -l <<<"$err")" 1
expect_contains "names the path looked at" "$err" "$SKIFF_TMP/alone/bin/libskiff-image-io.so"
expect_contains "names the install path" "$err" "$SKIFF_TMP/alone/bin/../lib/skiff/libskiff-image-io.so"

# The install layout: <prefix>/lib/skiff.
mkdir -p "$SKIFF_TMP/alone/lib/skiff"
cp "$(dirname "$SKIFF_CLI")/libskiff-image-io.so" "$SKIFF_TMP/alone/lib/skiff/"
alone load -i "$SKIFF_TMP/busybox" >/dev/null || fail "load with the plugin in ../lib/skiff"
rm "$SKIFF_TMP/alone/lib/skiff/libskiff-image-io.so"

# Some other library under the plugin's name, and a plugin from another build (its factory
# refuses this binary's ABI stamp): each a one-line error naming the file.
cp "$(ldd "$SKIFF_CLI" | awk '/libcap/ {print $3}')" "$SKIFF_TMP/alone/bin/libskiff-image-io.so"
rc=0
err=$(alone load -i "$SKIFF_TMP/busybox" 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "load with a foreign plugin succeeded"
expect_eq "one-line error (foreign)" "$(wc -l <<<"$err")" 1
expect_contains "foreign plugin named" "$err" "$SKIFF_TMP/alone/bin/libskiff-image-io.so: no skiff_image_io_v1"
# (cc builds one; setup.sh installs the compilers the build needs.)
if command -v cc >/dev/null; then
  printf 'void *skiff_image_io_v1(const char *abi) { (void)abi; return 0; }\n' >"$SKIFF_TMP/other.c"
  cc -shared -fPIC -o "$SKIFF_TMP/alone/bin/libskiff-image-io.so" "$SKIFF_TMP/other.c"
  rc=0
  err=$(alone save -o "$SKIFF_TMP/x.tar" busybox 2>&1) || rc=$?
  [ "$rc" != 0 ] || fail "save with a plugin of another build succeeded"
  [ ! -e "$SKIFF_TMP/x.tar" ] || fail "save with a refused plugin wrote $SKIFF_TMP/x.tar"
  expect_eq "one-line error (other build)" "$(wc -l <<<"$err")" 1
  expect_contains "other build named" "$err" "$SKIFF_TMP/alone/bin/libskiff-image-io.so: built from other sources"
else
  echo "note: no cc, a plugin of another build not tried"
fi
echo "PASS: skiff_light_start"
