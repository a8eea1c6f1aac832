#!/bin/bash
# list: runc's table (ID PID STATUS BUNDLE CREATED OWNER), --format json, -q; each container's
# status as it changes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" sleep 1000
[ "$(rt list -q)" = "" ] || fail "list of an empty root"
[ "$(rt list -f json)" = null ] || fail "list json of an empty root: $(rt list -f json)"
[ "$(rt list | head -n1)" = "ID          PID         STATUS      BUNDLE      CREATED     OWNER" ] ||
  fail "empty table header: $(rt list)"
a=$(new_id list-a); b=$(new_id list-b)
rt create --bundle "$B" "$a"
rt run -d --bundle "$B" "$b"
[ "$(rt list -q | sort)" = "$(printf '%s\n%s\n' "$a" "$b" | sort)" ] || fail "list -q: $(rt list -q)"
json=$(rt list --format json)
[ "$(jq -r ".[] | select(.id==\"$a\") | .status" <<<"$json")" = created ] || fail "json status a: $json"
[ "$(jq -r ".[] | select(.id==\"$b\") | .status" <<<"$json")" = running ] || fail "json status b: $json"
[ "$(jq -r ".[0].owner" <<<"$json")" = root ] || fail "json owner: $json"
jq -e '.[0] | has("ociVersion") and has("pid") and has("bundle") and has("rootfs") and has("created")' <<<"$json" >/dev/null || fail "json fields: $json"
table=$(rt list)
head -n1 <<<"$table" | grep -Eq '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$' || fail "table header: $table"
grep -Eq "^$b +[0-9]+ +running +$(readlink -f "$B") +[0-9T:.-]+Z +root$" <<<"$table" || fail "table row: $table"
rt kill "$b" KILL
wait_until 30 eval 'rt list | grep -q "^$b .* stopped "' || true
rt list | grep -Eq "^$b +0 +stopped " || fail "stopped row: $(rt list)"
rt delete --force "$a"; rt delete "$b"
[ "$(rt list -q)" = "" ] || fail "list after delete: $(rt list)"
echo "PASS: runtime_list"
