#!/bin/bash
# The OCI seccomp profile applies in vm mode too (DESIGN decision 6): the same bundle run with
# skiff-runtime in container mode (the kernel's seccomp) and in vm mode (the libOS answers with
# the profile's verdicts) prints the same thing and exits the same way: ERRNO rules with and
# without argument conditions (==, >, masked ==), TRAP (SIGSYS handler with the kernel's
# siginfo), KILL_PROCESS (exit 159). A guest that goes around the libOS to make the VMM open a file
# the profile forbids opening is refused by the VMM. NOTIFY is refused at create in vm mode.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"
need_kvm
probe=$SKIFF_BUILD_DIR/tests/programs/seccomp_probe-glibc
[ -x "$probe" ] || skip "tests/programs not built ($probe)"

B="$SKIFF_TMP/bundle"
make_bundle "$B" /probe calls
cp "$probe" "$B/rootfs/probe"
# Default allow; the rules an app would notice. Numbers: O_WRONLY is 1; SEEK_DATA..: whence > 4.
edit_config "$B" '.linux.seccomp = {
  "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
  "syscalls": [
    {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
    {"names": ["uname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
    {"names": ["write"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
     "args": [{"index": 0, "value": 4242, "op": "SCMP_CMP_EQ"}]},
    {"names": ["openat", "open"], "action": "SCMP_ACT_ERRNO", "errnoRet": 26,
     "args": [{"index": 1, "value": 3, "valueTwo": 1, "op": "SCMP_CMP_MASKED_EQ"}]},
    {"names": ["lseek"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18,
     "args": [{"index": 2, "value": 4, "op": "SCMP_CMP_GT"}]},
    {"names": ["getgid"], "action": "SCMP_ACT_TRAP"}
  ]}'
# The openat rule indexes arg 2 for openat and arg 1 for open: give open its own rule.
edit_config "$B" '.linux.seccomp.syscalls[3].names = ["openat"] | .linux.seccomp.syscalls[3].args[0].index = 2 |
  .linux.seccomp.syscalls += [{"names": ["open"], "action": "SCMP_ACT_ERRNO", "errnoRet": 26,
     "args": [{"index": 1, "value": 3, "valueTwo": 1, "op": "SCMP_CMP_MASKED_EQ"}]}]'

vm() { edit_config "$B" '.annotations["run.skiff.isolation"]="vm"'; }
ctr() { edit_config "$B" '.annotations["run.skiff.isolation"]="container"'; }
args() { edit_config "$B" ".process.args=[\"/probe\",\"$1\"]"; }

# run_both MODE: runs /probe MODE in both modes; outputs and exit codes must match.
run_both() {
  local m rc
  args "$1"
  for m in ctr vm; do
    $m
    rc=0
    rt run --bundle "$B" "$(new_id sc)" >"$SKIFF_TMP/$m.out" 2>"$SKIFF_TMP/$m.err" || rc=$?
    echo $rc >"$SKIFF_TMP/$m.rc"
  done
  cmp -s "$SKIFF_TMP/ctr.out" "$SKIFF_TMP/vm.out" ||
    fail "probe $1: output differs: $(diff "$SKIFF_TMP/ctr.out" "$SKIFF_TMP/vm.out")"
  [ "$(cat "$SKIFF_TMP/ctr.rc")" = "$(cat "$SKIFF_TMP/vm.rc")" ] ||
    fail "probe $1: exit container $(cat "$SKIFF_TMP/ctr.rc"), vm $(cat "$SKIFF_TMP/vm.rc"): $(cat "$SKIFF_TMP/vm.err")"
}

run_both calls
want='getppid: EPERM
uname: ENOSYS
getpid: ok
write to fd 4242: EACCES
write to fd -1: EBADF
open O_RDONLY: ok
open O_WRONLY: ETXTBSY
lseek SEEK_SET: ok
lseek whence 7: EXDEV
getcwd: ok'
[ "$(cat "$SKIFF_TMP/vm.out")" = "$want" ] || fail "probe calls: got $(cat "$SKIFF_TMP/vm.out")"
echo "ok: ERRNO rules, with and without argument conditions, agree in both modes"

# `exec` into a running container gets the same profile: in vm mode a second VM beside the first.
for m in ctr vm; do
  $m
  edit_config "$B" '.process.args=["sleep","30"]'
  id=$(new_id scx)
  rt run -d --bundle "$B" "$id" </dev/null >/dev/null || fail "run -d in mode $m"
  rt exec "$id" /probe calls >"$SKIFF_TMP/exec-$m.out" 2>&1 || fail "exec in mode $m: $(cat "$SKIFF_TMP/exec-$m.out")"
  rt delete --force "$id"
done
cmp -s "$SKIFF_TMP/exec-ctr.out" "$SKIFF_TMP/exec-vm.out" ||
  fail "exec output differs: $(diff "$SKIFF_TMP/exec-ctr.out" "$SKIFF_TMP/exec-vm.out")"
[ "$(cat "$SKIFF_TMP/exec-vm.out")" = "$want" ] || fail "exec in vm mode: $(cat "$SKIFF_TMP/exec-vm.out")"
echo "ok: exec into a running container applies the profile in both modes"

run_both trap
grep -q "^SIGSYS: signo 31 code 1 errno 0 syscall 104 arch 0xc000003e rax=nr 1$" "$SKIFF_TMP/vm.out" ||
  fail "probe trap: $(cat "$SKIFF_TMP/vm.out")"
grep -q "^getgid after the trap: 77, handler ran: 1$" "$SKIFF_TMP/vm.out" || fail "probe trap: $(cat "$SKIFF_TMP/vm.out")"
echo "ok: SCMP_ACT_TRAP raises SIGSYS with the kernel's siginfo in both modes"

edit_config "$B" '.linux.seccomp.syscalls[5].action = "SCMP_ACT_KILL_PROCESS"'
run_both kill
[ "$(cat "$SKIFF_TMP/vm.rc")" = 159 ] || fail "probe kill: exit $(cat "$SKIFF_TMP/vm.rc"), want 159"
[ "$(cat "$SKIFF_TMP/vm.out")" = before ] || fail "probe kill: $(cat "$SKIFF_TMP/vm.out")"
echo "ok: SCMP_ACT_KILL_PROCESS ends the app with SIGSYS (159) in both modes"

# The VMM's side: with open and openat blocked outright, a raw open hypercall is refused too.
vm
args raw-open
out=$(rt run --bundle "$B" "$(new_id sc)") || fail "raw-open: $out"
[ "$out" = "raw open hypercall: handle" ] || fail "raw-open without a blocking rule: $out"
edit_config "$B" '.linux.seccomp.syscalls += [{"names": ["open", "openat", "openat2", "creat"],
  "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]'
out=$(rt run --bundle "$B" "$(new_id sc)") || fail "raw-open: $out"
[ "$out" = "raw open hypercall: EACCES" ] || fail "raw-open with open blocked: $out"
echo "ok: the VMM refuses an open hypercall when the profile blocks every open syscall"

# podman's default profile (deny by default with ENOSYS, as podman writes it: x86 architectures,
# no capability-dependent rules): the usual applets and a static C program agree in both modes.
if [ -r /usr/share/containers/seccomp.json ]; then
  P="$SKIFF_TMP/podman-bundle"
  make_bundle "$P" true
  cp "$SKIFF_BUILD_DIR/tests/programs/hello-glibc" "$P/rootfs/hello"
  profile=$(jq -c '{defaultAction, defaultErrnoRet,
    architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    syscalls: [.syscalls[] | select((.includes // {}) == {} and (.excludes // {}) == {})
               | {names, action} + (if .args then {args} else {} end)
                                 + (if .errnoRet then {errnoRet} else {} end)]}' /usr/share/containers/seccomp.json)
  edit_config "$P" ".linux.seccomp = $profile"
  for args in "echo hi" "ls -la /etc" "cat /etc/passwd" "id" "sha256sum /bin/busybox" "/hello /etc/passwd 5"; do
    outs=()
    for mode in container vm; do
      edit_config "$P" ".annotations[\"run.skiff.isolation\"]=\"$mode\" | .process.args=$(printf '%s\n' $args | jq -R . | jq -s -c .)"
      rc=0
      out=$(rt run --bundle "$P" "$(new_id pod)" 2>&1) || rc=$?
      outs+=("$out (exit $rc)")
    done
    [ "${outs[0]}" = "${outs[1]}" ] || fail "podman profile, '$args': container [${outs[0]}] vm [${outs[1]}]"
  done
  echo "ok: under podman's default profile the applets and hello agree in both modes"
fi

# NOTIFY needs the host kernel: a clear error at create, nothing left.
edit_config "$B" '.linux.seccomp.syscalls[0].action = "SCMP_ACT_NOTIFY" | .linux.seccomp.listenerPath = "/nonexistent.sock"'
id=$(new_id sc)
expect_fail "SCMP_ACT_NOTIFY is not supported in vm mode" rt create --bundle "$B" "$id"
assert_nothing_left "$id" "$B"
echo "PASS: runtime_vm_seccomp"
