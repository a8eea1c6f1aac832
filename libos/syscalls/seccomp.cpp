// The container's OCI seccomp profile in vm mode (DESIGN decision 6, abi/skiff/seccomp.h): every
// syscall is checked before it runs, with the verdicts the kernel's seccomp gives in container
// mode. The VMM tabulated the verdict per number; only numbers whose verdict depends on the
// arguments run the profile's BPF here.
#include "skiff/seccomp.h"

#include "libos.hpp"
#include "syscalls/syscalls.hpp"

namespace libos {
namespace {

constexpr int kSigsys = 31;

const skiff_seccomp* profile() { return reinterpret_cast<const skiff_seccomp*>(SKIFF_SECCOMP_ADDR); }

uint32_t verdict(const SyscallFrame& f, uint64_t nr) {
    const skiff_seccomp* p = profile();
    if (nr < SKIFF_SECCOMP_NR && p->action[nr] != SKIFF_SECCOMP_EVAL) return p->action[nr];
    skiff_seccomp_data d;
    d.nr = static_cast<int32_t>(nr);
    d.arch = SKIFF_AUDIT_ARCH_X86_64;
    d.instruction_pointer = f.rip;
    d.args[0] = f.rdi, d.args[1] = f.rsi, d.args[2] = f.rdx;
    d.args[3] = f.r10, d.args[4] = f.r8, d.args[5] = f.r9;
    uint32_t touched;
    const uint32_t n = p->insns < SKIFF_SECCOMP_MAX_INSNS ? p->insns : SKIFF_SECCOMP_MAX_INSNS;
    return skiff_bpf_run(p->filter, n, &d, &touched);
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
