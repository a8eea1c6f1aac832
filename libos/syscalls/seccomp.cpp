// The container's OCI seccomp profile in vm mode (DESIGN decision 6, abi/skiff/seccomp.h): every
// syscall is checked before it runs, with the verdicts the kernel's seccomp gives in container
// mode. The first call of each number runs the profile's BPF and keeps the verdict when it did
// not depend on the arguments; numbers whose verdict does run it every time.
#include "skiff/seccomp.h"

#include "libos.hpp"
#include "syscalls/syscalls.hpp"

namespace libos {
namespace {

constexpr int kSigsys = 31;

skiff_seccomp* profile() { return reinterpret_cast<skiff_seccomp*>(SKIFF_SECCOMP_ADDR); }

uint32_t verdict(const SyscallFrame& f, uint64_t nr) {
    skiff_seccomp* p = profile();
    uint32_t* entry = nr < SKIFF_SECCOMP_NR ? &p->action[nr] : nullptr;
    if (entry && *entry != SKIFF_SECCOMP_EVAL && *entry != SKIFF_SECCOMP_UNKNOWN) return *entry;
    skiff_seccomp_data d;
    d.nr = static_cast<int32_t>(nr);
    d.arch = SKIFF_AUDIT_ARCH_X86_64;
    d.instruction_pointer = f.rip;
    d.args[0] = f.rdi, d.args[1] = f.rsi, d.args[2] = f.rdx;
    d.args[3] = f.r10, d.args[4] = f.r8, d.args[5] = f.r9;
    uint32_t touched;
    const uint32_t n = p->insns < SKIFF_SECCOMP_MAX_INSNS ? p->insns : SKIFF_SECCOMP_MAX_INSNS;
    const uint32_t v = skiff_bpf_run(p->filter, n, &d, &touched);
    if (entry && *entry == SKIFF_SECCOMP_UNKNOWN) *entry = (touched & ~3u) ? SKIFF_SECCOMP_EVAL : v;
    return v;
}

} // namespace

bool seccomp_blocks(SyscallFrame& f, uint64_t nr) {
    const uint32_t v = verdict(f, nr);
    const uint32_t data = v & SKIFF_SECCOMP_RET_DATA;
    switch (v & SKIFF_SECCOMP_RET_ACTION_FULL) {
    case SKIFF_SECCOMP_RET_ALLOW:
    case SKIFF_SECCOMP_RET_LOG: return false;
    case SKIFF_SECCOMP_RET_ERRNO:
        f.rax = static_cast<uint64_t>(-static_cast<int64_t>(data > 4095 ? 4095 : data));
        return true;
    case SKIFF_SECCOMP_RET_TRACE:      // no tracer attached
    case SKIFF_SECCOMP_RET_USER_NOTIF: // no listener
        f.rax = static_cast<uint64_t>(-ENOSYS);
        return true;
    case SKIFF_SECCOMP_RET_TRAP: raise_seccomp_trap(f, nr, data); return true;
    default: exit_app(0, kSigsys); // KILL_PROCESS, KILL_THREAD (one thread), unknown actions
    }
}

} // namespace libos
