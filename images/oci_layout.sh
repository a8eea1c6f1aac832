# shellcheck shell=bash
# Writes an OCI image layout from a staged root directory (sourced by images/*/build.sh).
#
# Reproducible by construction: one gzip'd tar layer with sorted entries, one fixed mtime,
# owner 0:0 (or the staged owners, numeric), no gzip name/time header, and JSON with sorted keys, so the same inputs give the
# same manifest digest on every run.

# The one timestamp every file and the config carry; SOURCE_DATE_EPOCH overrides it.
IMAGE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

image_die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# image_out_dir NAME [DIR]: the output directory, refusing to clobber anything but an earlier
# layout (or an empty directory).
image_out_dir() {
  local name=$1 out=${2:-}
  if [ -z "$out" ]; then
    out=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/images/$name
  fi
  if [ -e "$out" ] && [ ! -f "$out/oci-layout" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
    image_die "$out exists and is not an OCI image layout; refusing to overwrite it"
  fi
  echo "$out"
}

# blob_put LAYOUT FILE: moves FILE into LAYOUT/blobs/sha256/ under its digest; prints the hex.
blob_put() {
  local layout=$1 file=$2 hex
  hex=$(sha256sum "$file" | cut -d' ' -f1)
  mv "$file" "$layout/blobs/sha256/$hex"
  echo "$hex"
}

blob_size() { stat -c %s "$1/blobs/sha256/$2"; }

# image_begin OUT: makes IMAGE_TMP, a scratch directory next to OUT (same file system, so the
# finished layout is renamed into place) removed when the build script exits.
image_begin() {
  mkdir -p "$(dirname "$1")"
  IMAGE_TMP=$(mktemp -d "${1%/}.build.XXXXXX")
  # shellcheck disable=SC2064  # expand now
  trap "rm -rf '$IMAGE_TMP'" EXIT
  mkdir "$IMAGE_TMP/stage"
  umask 022
}

# write_oci_layout STAGE OUT TAG CONFIG_JSON: tars STAGE into one layer and writes OUT as an
# OCI image layout whose index names the manifest TAG. CONFIG_JSON is the image's "config"
# object (Cmd, Env, ...). The layout is assembled in IMAGE_TMP and renamed into place, so a
# failure leaves no half-written layout behind. Prints the manifest digest.
write_oci_layout() {
  local stage=$1 out=$2 tag=$3 run_config=$4
  local work="$IMAGE_TMP/layout"
  mkdir -p "$work/blobs/sha256"

  local created
  created=$(date -u -d "@$IMAGE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)

  # The layer: entries sorted by name, no "./" prefix, numeric 0:0 owners, fixed mtime. GNU
  # format because pax adds per-run atime/ctime records.
  local entries
  entries=$(cd "$stage" && LC_ALL=C ls -A | LC_ALL=C sort)
  # shellcheck disable=SC2086  # entries are the stage's top-level names, no spaces
  # Owners are 0:0 unless IMAGE_KEEP_OWNERS=1 (a Debian root has files of other groups:
  # shadow, mail, ...).
  local owners=(--owner=0 --group=0)
  [ "${IMAGE_KEEP_OWNERS:-}" = 1 ] && owners=()
  (cd "$stage" && LC_ALL=C tar --format=gnu --sort=name --mtime="@$IMAGE_EPOCH" \
      "${owners[@]}" --numeric-owner --no-acls --no-xattrs --no-selinux \
      -cf - $entries) >"$work/layer.tar"
  local diff_id
  diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  gzip -n -9 <"$work/layer.tar" >"$work/layer.tar.gz"
  rm "$work/layer.tar"
  local layer
  layer=$(blob_put "$work" "$work/layer.tar.gz")

  jq -S -c -n --arg created "$created" --arg diff "sha256:$diff_id" \
      --arg by "images/$(basename "$(cd "$(dirname "$0")" && pwd)")/$(basename "$0")" --argjson cfg "$run_config" '{
    created: $created, architecture: "amd64", os: "linux", config: $cfg,
    rootfs: {type: "layers", diff_ids: [$diff]},
    history: [{created: $created, created_by: $by}]
  }' >"$work/config.json"
  local config
  config=$(blob_put "$work" "$work/config.json")

  jq -S -c -n --arg config "sha256:$config" --argjson csize "$(blob_size "$work" "$config")" \
      --arg layer "sha256:$layer" --argjson lsize "$(blob_size "$work" "$layer")" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $config, size: $csize},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $layer, size: $lsize}]
  }' >"$work/manifest.json"
  local manifest
  manifest=$(blob_put "$work" "$work/manifest.json")

  jq -S -c -n --arg m "sha256:$manifest" --argjson msize "$(blob_size "$work" "$manifest")" \
      --arg tag "$tag" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m,
                 size: $msize, platform: {architecture: "amd64", os: "linux"},
                 annotations: {"org.opencontainers.image.ref.name": $tag}}]
  }' >"$work/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"

  rm -rf "$out"
  mv "$work" "$out"
  echo "sha256:$manifest"
}
