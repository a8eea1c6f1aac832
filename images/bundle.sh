#!/usr/bin/env bash
# Turns an OCI image layout into an OCI runtime bundle: BUNDLE/rootfs unpacked from the image's
# layers (whiteouts applied) and BUNDLE/config.json, the reference default spec (`runc spec`)
# with the image's command, environment, working directory and user.
#   images/bundle.sh [--tag TAG] [--terminal] LAYOUT BUNDLE [-- ARGS...]
# ARGS replace the image's Entrypoint+Cmd. Every blob is checked against its digest. On any
# error BUNDLE is removed again (it must not exist or be empty beforehand).
# Can also be sourced for the function `oci_bundle` with the same arguments.

oci_bundle() (
  set -euo pipefail
  die() { echo "bundle.sh: $*" >&2; exit 1; }
  local tag="" terminal=false
  while [ $# -gt 0 ]; do
    case $1 in
      --tag) tag=${2:?--tag needs a value}; shift 2 ;;
      --terminal) terminal=true; shift ;;
      --) shift; break ;;
      -*) die "unknown option $1" ;;
      *) break ;;
    esac
  done
  [ $# -ge 2 ] || die "usage: bundle.sh [--tag TAG] [--terminal] LAYOUT BUNDLE [-- ARGS...]"
  local layout=$1 bundle=$2; shift 2
  [ "${1:-}" = -- ] && shift
  local args='null'
  [ $# -gt 0 ] && args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)

  [ -f "$layout/oci-layout" ] || die "$layout: not an OCI image layout (no oci-layout file)"
  [ -f "$layout/index.json" ] || die "$layout/index.json: missing"
  if [ -e "$bundle" ] && [ -n "$(ls -A "$bundle" 2>/dev/null)" ]; then
    die "$bundle: exists and is not empty"
  fi
  mkdir -p "$bundle"
  local ok=false
  # shellcheck disable=SC2064  # expand now: the subshell's locals
  trap "\$ok || rm -rf '$bundle'" EXIT

  # blob DIGEST: the blob's path after checking its content against the digest.
  blob() {
    local d=$1 algo=${1%%:*} hex=${1#*:}
    [ "$algo" = sha256 ] || die "$d: unsupported digest algorithm"
    [[ $hex =~ ^[0-9a-f]{64}$ ]] || die "$d: malformed digest"
    local p="$layout/blobs/sha256/$hex"
    [ -f "$p" ] || die "$p: blob missing"
    [ "$(sha256sum "$p" | cut -d' ' -f1)" = "$hex" ] || die "$p: content does not match its digest"
    echo "$p"
  }

  local manifest_digest
  manifest_digest=$(jq -r --arg tag "$tag" '
      [.manifests[] | select($tag == "" or .annotations["org.opencontainers.image.ref.name"] == $tag)]
      | if length == 1 then .[0].digest else "count:\(length)" end' "$layout/index.json") ||
    die "$layout/index.json: not valid JSON"
  case $manifest_digest in
    count:0) die "$layout/index.json: no manifest${tag:+ tagged $tag}" ;;
    count:*) die "$layout/index.json: several manifests; pick one with --tag" ;;
  esac
  local manifest config
  manifest=$(blob "$manifest_digest")
  config=$(blob "$(jq -r .config.digest "$manifest")")

  mkdir "$bundle/rootfs"
  local rootfs="$bundle/rootfs" layer media path entry name dir
  while read -r media layer; do
    path=$(blob "$layer")
    case $media in
      *.tar+gzip|*.tar.gzip) ;;
      *.tar) ;;
      *) die "$layer: unsupported layer media type $media" ;;
    esac
    # Whiteouts delete what earlier layers put there, before this layer's own files land.
    while IFS= read -r entry; do
      entry=${entry#./}
      name=${entry##*/}
      [[ $name == .wh.* ]] || continue
      [[ /$entry/ != */../* ]] || die "$layer: whiteout $entry escapes the rootfs"
      dir=$(dirname "$entry")
      if [ "$name" = .wh..wh..opq ]; then
        find "$rootfs/$dir" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
      else
        rm -rf "${rootfs:?}/$dir/${name#.wh.}"
      fi
    done < <(tar -tf "$path")
    tar -xf "$path" -C "$rootfs" --numeric-owner --same-permissions --exclude='.wh.*' ||
      die "$layer: cannot unpack"
  done < <(jq -r '.layers[] | "\(.mediaType) \(.digest)"' "$manifest")

  # The image's User: "uid[:gid]" or a name from the rootfs's /etc/passwd and /etc/group.
  local user uid="" gid="" u g
  user=$(jq -r '.config.User // ""' "$config")
  if [ -n "$user" ]; then
    u=${user%%:*} g=""
    [[ $user == *:* ]] && g=${user#*:}
    if [[ $u =~ ^[0-9]+$ ]]; then
      uid=$u gid=0
    else
      IFS=: read -r _ _ uid gid _ < <(grep "^$u:" "$rootfs/etc/passwd" 2>/dev/null) ||
        die "$config: user $u not in the image's /etc/passwd"
    fi
    if [[ $g =~ ^[0-9]+$ ]]; then
      gid=$g
    elif [ -n "$g" ]; then
      IFS=: read -r _ _ gid _ < <(grep "^$g:" "$rootfs/etc/group" 2>/dev/null) ||
        die "$config: group $g not in the image's /etc/group"
    fi
  fi

  # The reference defaults (namespaces, mounts, masked paths, capabilities), then the image.
  if command -v runc >/dev/null; then
    runc spec --bundle "$bundle"
  else
    "${SKIFF_RUNTIME:?neither runc nor SKIFF_RUNTIME to write a default spec}" spec --bundle "$bundle"
  fi
  jq --argjson args "$args" --argjson terminal "$terminal" --slurpfile img "$config" \
     --arg uid "$uid" --arg gid "$gid" '
    ($img[0].config // {}) as $c
    | .process.args = ($args // (($c.Entrypoint // []) + ($c.Cmd // [])))
    | .process.env = ($c.Env // ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
      + (if $terminal then ["TERM=xterm"] else [] end)
    | .process.cwd = (if ($c.WorkingDir // "") == "" then "/" else $c.WorkingDir end)
    | .process.terminal = $terminal
    | .root = {path: "rootfs", readonly: false}
    | if $uid != "" then .process.user.uid = ($uid | tonumber) | .process.user.gid = ($gid | tonumber)
      else . end
  ' "$bundle/config.json" >"$bundle/config.json.new" || die "$config: cannot build config.json"
  mv "$bundle/config.json.new" "$bundle/config.json"
  jq -e '.process.args | length > 0' "$bundle/config.json" >/dev/null ||
    die "$config: image has no Entrypoint or Cmd and no ARGS were given"
  ok=true
)

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  oci_bundle "$@"
fi
