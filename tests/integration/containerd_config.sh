#!/usr/bin/env bash
# The OCI config containerd's ctr writes is honoured by skiff-runtime: env and cwd, bind mounts,
# read-only root, capabilities, the default seccomp profile, a user namespace, and memory and
# CPU limits in the container's cgroups (read from the host).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peers_lib.sh"
need_root
need_runtime
containerd_setup
run() { cr_run --rm "$@"; }
# run_sh FLAGS... -- SCRIPT...: the busybox image running sh -c SCRIPT with ctr run FLAGS.
run_sh() {
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  run "${flags[@]}" "$CTR_IMAGE" "cfg-$$-$RANDOM" sh -c "$*"
}

expect_eq "--env and --cwd" "$(run_sh --env GREETING=hey --cwd /tmp -- 'echo $GREETING $(pwd)')" "hey /tmp"

mkdir "$SKIFF_TMP/data" && echo from-host >"$SKIFF_TMP/data/in"
expect_eq "bind mount" \
  "$(run_sh --mount "type=bind,src=$SKIFF_TMP/data,dst=/data,options=rbind:rw" -- 'cat /data/in; echo back >/data/out')" \
  from-host
expect_eq "bind mount write" "$(cat "$SKIFF_TMP/data/out")" back
expect_eq "--read-only" "$(run_sh --read-only -- '{ touch /x; } 2>/dev/null || echo refused')" refused

# --cap-drop removes exactly CAP_NET_RAW (bit 13) from the default set.
caps=$(run_sh -- 'grep ^CapEff /proc/self/status | cut -f2')
(( 16#$caps & (1 << 13) )) || fail "CAP_NET_RAW not in ctr's default set: $caps"
expect_eq "--cap-drop CAP_NET_RAW" "$(run_sh --cap-drop CAP_NET_RAW -- 'grep ^CapEff /proc/self/status | cut -f2')" \
  "$(printf '%016x' $(( 16#$caps & ~(1 << 13) )))"
expect_eq "--seccomp" "$(run_sh --seccomp -- 'grep ^Seccomp: /proc/self/status | cut -f2')" 2
expect_eq "no seccomp by default" "$(run_sh -- 'grep ^Seccomp: /proc/self/status | cut -f2')" 0
expect_eq "no_new_privs by default" "$(run_sh -- 'grep ^NoNewPrivs: /proc/self/status | cut -f2')" 1

# A user namespace: root inside is uid 100000 outside. ctr hands over a chowned copy of the
# snapshot; the runtime reaches it as that uid, so the path to it must be searchable.
chmod 0755 "$SKIFF_TMP"
out=$(run_sh --uidmap 0:100000:65536 --gidmap 0:100000:65536 -- 'id -u; cat /proc/self/uid_map')
expect_eq "uid inside the user namespace" "$(head -1 <<<"$out")" 0
expect_eq "uid_map" "$(tail -1 <<<"$out" | tr -s ' ' | sed 's/^ //')" "0 100000 65536"

# Limits, in the cgroups of the running task.
cr_run -d --null-io --memory-limit 67108864 --cpus 0.5 "$CTR_IMAGE" limited sleep 1000 >/dev/null ||
  fail "ctr run -d with limits: exit $?"
pid=$(cr task ls | awk '$1 == "limited" {print $2}')
cgroup_file() {
  local path
  path=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
  [ -n "$path" ] || fail "task $pid is in no $1 cgroup: $(cat "/proc/$pid/cgroup")"
  cat "/sys/fs/cgroup/$1$path/$2"
}
expect_eq "--memory-limit" "$(cgroup_file memory memory.limit_in_bytes)" 67108864
expect_eq "--cpus 0.5: quota/period" \
  "$(( $(cgroup_file cpu cpu.cfs_quota_us) * 100 / $(cgroup_file cpu cpu.cfs_period_us) ))" 50
expect_contains "cgroup path /namespace/id" "$(awk -F: '$2 == "memory" {print $3}' "/proc/$pid/cgroup")" "/$CTR_NS/limited"
cr task kill -s SIGKILL limited
wait_until 30 eval 'cr task delete limited >/dev/null 2>&1' || fail "task limited not deleted after SIGKILL"
cr containers delete limited
echo "PASS: ctr's config honoured by $SKIFF_RUNTIME"
