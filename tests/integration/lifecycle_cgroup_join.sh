#!/bin/bash
# The init joins the container's cgroup itself (v1 `tasks` writes, clone3 into the cgroup2 part):
# the container's process is in the container's cgroup in every hierarchy the host has, before
# it runs; with a cgroup namespace its cgroups are the namespace's root, and the cgroup mount
# shows the container's own cgroup; the same under a new user namespace.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" cat /proc/self/cgroup

# Every hierarchy this process is in, as "controllers:" prefixes (0:: for cgroup2).
hier=$(cut -d: -f2 /proc/self/cgroup | sort)

# check_paths ID OUTPUT WANT: every line of OUTPUT (a /proc/self/cgroup) ends in WANT for its
# hierarchy, and every hierarchy of ours is there.
check_paths() {
  local id=$1 out=$2 want=$3 line
  [ "$(cut -d: -f2 <<<"$out" | sort)" = "$hier" ] || fail "$id: hierarchies differ: $out"
  while IFS= read -r line; do
    case "$want" in
      /) [ "${line##*:}" = / ] || fail "$id: not the namespace root: $line" ;;
      *) [[ ${line##*:} == */$want ]] || fail "$id: not in its cgroup: $line" ;;
    esac
  done <<<"$out"
}

id=$(new_id cgjoin)
out=$(rt run --bundle "$B" "$id")
check_paths "$id" "$out" "$id"
assert_nothing_left "$id" "$B"
echo "ok: the process is in the container's cgroup in every hierarchy"

# Created but not started: the init is already in, nothing else is.
edit_config "$B" '.process.args=["sleep","100"]'
id=$(new_id cgcreated)
rt create --bundle "$B" --pid-file "$SKIFF_TMP/pid" "$id"
pid=$(cat "$SKIFF_TMP/pid")
check_paths "$id" "$(cat /proc/"$pid"/cgroup)" "$id"
rt delete --force "$id"
assert_nothing_left "$id" "$B"
echo "ok: a created init is in the container's cgroup"

# A cgroup namespace is rooted at the container's cgroup, not at the runtime's.
edit_config "$B" '.process.args=["sh","-c","cat /proc/self/cgroup; echo --; cat /sys/fs/cgroup/pids/cgroup.procs"] | .linux.namespaces += [{"type":"cgroup"}]'
id=$(new_id cgns)
out=$(rt run --bundle "$B" "$id")
check_paths "$id" "$(sed '/^--$/,$d' <<<"$out")" /
# The cgroup mount is the container's own: its only process is the init, pid 1.
[ "$(sed -n '/^--$/,$p' <<<"$out" | tail -n +2)" = 1 ] || fail "$id: cgroup mount: $out"
assert_nothing_left "$id" "$B"
echo "ok: a cgroup namespace is rooted at the container's cgroup"

# The same from inside a new user namespace: the join goes through files the runtime opened.
chmod 755 "$SKIFF_TMP" # the mapped root must reach the rootfs
edit_config "$B" '.process.args=["cat","/proc/self/cgroup"] | .linux.namespaces += [{"type":"user"}] | .linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}] | .mounts |= map(select(.type != "cgroup" and .type != "sysfs"))'
id=$(new_id cguser)
out=$(rt run --bundle "$B" "$id")
check_paths "$id" "$out" /
assert_nothing_left "$id" "$B"
echo "ok: the join works from a new user namespace"
