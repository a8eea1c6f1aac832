#!/bin/bash
# update changes the cgroup limits of a running container, from runc's flags and from a
# resources JSON (-r FILE and -r - on stdin); a bad resources file names the field.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" sleep 1000
id=$(new_id update)
rt run -d --pid-file "$SKIFF_TMP/pid" --bundle "$B" "$id"
pid=$(cat "$SKIFF_TMP/pid")
cgfile() { # controller file -> path of the container's cgroup file (v1 or v2)
  local rel
  rel=$(awk -F: -v c="$1" '$2 ~ "(^|,)" c "(,|$)" {print $3}' /proc/$pid/cgroup)
  if [ -n "$rel" ] && [ -e "/sys/fs/cgroup/$1$rel/$2" ]; then echo "/sys/fs/cgroup/$1$rel/$2"; return; fi
  rel=$(awk -F: '$1 == 0 {print $3}' /proc/$pid/cgroup)
  echo "/sys/fs/cgroup$rel/$3"
}
rt update --pids-limit 42 "$id"
[ "$(cat "$(cgfile pids pids.max pids.max)")" = 42 ] || fail "pids-limit not applied"
rt update --memory 64m "$id"
m=$(cat "$(cgfile memory memory.limit_in_bytes memory.max)")
[ "$m" = 67108864 ] || fail "memory limit $m, want 67108864"
rt update --cpu-quota 20000 --cpu-period 100000 "$id"
q=$(cat "$(cgfile cpu cpu.cfs_quota_us cpu.max)")
[ "${q%% *}" = 20000 ] || fail "cpu quota $q"
echo '{"pids":{"limit":77},"memory":{"limit":33554432}}' >"$SKIFF_TMP/res.json"
rt update -r "$SKIFF_TMP/res.json" "$id"
[ "$(cat "$(cgfile pids pids.max pids.max)")" = 77 ] || fail "update -r pids"
echo '{"pids":{"limit":88}}' | rt update -r - "$id"
[ "$(cat "$(cgfile pids pids.max pids.max)")" = 88 ] || fail "update -r - pids"
echo '{"pids":{"limit":"many"}}' >"$SKIFF_TMP/bad.json"
expect_fail "pids.limit" rt update -r "$SKIFF_TMP/bad.json" "$id"
expect_fail "invalid value" rt update --memory lots "$id"
rt delete --force "$id"
assert_nothing_left "$id" "$B"
expect_fail "container does not exist" rt update --pids-limit 5 "$id"

# Devices (cgroup v1): the rules of an update are the whole list, as in config.json; an allow
# that is no longer there is denied again, the container's default devices stay allowed.
if grep -q ':devices:' /proc/self/cgroup; then
  edit_config "$B" '.linux.resources.devices += [{"allow":true,"type":"c","major":1,"minor":1,"access":"r"}]'
  id=$(new_id update-dev)
  rt run -d --pid-file "$SKIFF_TMP/pid" --bundle "$B" "$id"
  pid=$(cat "$SKIFF_TMP/pid")
  list=$(cgfile devices devices.list devices.list)
  grep -qx "c 1:1 r" "$list" || fail "config's device rule not applied: $(cat "$list")"
  echo '{"devices":[{"allow":false,"access":"rwm"}]}' | rt update -r - "$id"
  ! grep -qx "c 1:1 r" "$list" || fail "update left the dropped allow c 1:1 r: $(cat "$list")"
  grep -qx "c 1:3 rwm" "$list" || fail "update lost the default /dev/null rule: $(cat "$list")"
  rt exec "$id" sh -c 'echo x >/dev/null' || fail "/dev/null unusable after the device update"
  jq -c '.linux.resources' "$B/config.json" | rt update -r - "$id"
  grep -qx "c 1:1 r" "$list" || fail "update back to config.json's rules: $(cat "$list")"
  rt delete --force "$id"
  assert_nothing_left "$id" "$B"
  echo "ok: update of device rules on cgroup v1"
fi
echo "PASS: runtime_update"
