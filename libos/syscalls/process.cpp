// The one process the VM runs: ids, exit, TLS, limits. The app is pid 1 of its container.
#include <asm/prctl.h>
#include <asm/unistd_64.h>
#include <linux/prctl.h>
#include <linux/resource.h>

#include "syscalls/syscalls.hpp"
#include "libos.hpp"

namespace libos {
namespace {

uint64_t fs_base, gs_base;
uint32_t umask_value = 022;

struct Limit {
    uint64_t cur, max;
};
constexpr uint64_t kInf = ~uint64_t{0};
Limit limits[RLIM_NLIMITS] = {
    /* CPU */ {kInf, kInf}, /* FSIZE */ {kInf, kInf}, /* DATA */ {kInf, kInf},
    /* STACK */ {8u << 20, kInf}, /* CORE */ {0, kInf}, /* RSS */ {kInf, kInf},
    /* NPROC */ {kInf, kInf}, /* NOFILE */ {1024, 1024}, /* MEMLOCK */ {8u << 20, 8u << 20},
    /* AS */ {kInf, kInf}, /* LOCKS */ {kInf, kInf}, /* SIGPENDING */ {kInf, kInf},
    /* MSGQUEUE */ {819200, 819200}, /* NICE */ {0, 0}, /* RTPRIO */ {0, 0}, /* RTTIME */ {kInf, kInf},
};

int64_t sys_exit_group(SyscallFrame& f) { exit_app(static_cast<int>(f.rdi & 0xff), 0); }
int64_t sys_getpid(SyscallFrame&) { return 1; }
int64_t sys_getppid(SyscallFrame&) { return 0; }
int64_t sys_getuid(SyscallFrame&) { return boot->uid; }
int64_t sys_getgid(SyscallFrame&) { return boot->gid; }
// No supplementary groups, as an OCI process without additionalGids (runc sets an empty list).
int64_t sys_getgroups(SyscallFrame&) { return 0; }
int64_t sys_getresid(SyscallFrame& f, uint32_t v) {
    const uint64_t ptrs[] = {f.rdi, f.rsi, f.rdx};
    for (uint64_t p : ptrs) {
        if (!user_ok(reinterpret_cast<uint32_t*>(p))) return -EFAULT;
        *reinterpret_cast<uint32_t*>(p) = v;
    }
    return 0;
}
int64_t sys_getresuid(SyscallFrame& f) { return sys_getresid(f, boot->uid); }
int64_t sys_getresgid(SyscallFrame& f) { return sys_getresid(f, boot->gid); }
int64_t sys_set_tid_address(SyscallFrame&) { return 1; }
int64_t sys_ok(SyscallFrame&) { return 0; }
int64_t sys_umask(SyscallFrame& f) {
    const uint32_t old = umask_value;
    umask_value = static_cast<uint32_t>(f.rdi) & 0777;
    return old;
}

int64_t sys_arch_prctl(SyscallFrame& f) {
    switch (f.rdi) {
    case ARCH_SET_FS: {
        skiff_hc_value req{0, f.rsi};
        const int64_t rc = hypercall(SKIFF_HC_SET_FS_BASE, &req);
        if (rc == 0) fs_base = f.rsi;
        return rc;
    }
    case ARCH_GET_FS:
        if (!user_ok(reinterpret_cast<uint64_t*>(f.rsi))) return -EFAULT;
        *reinterpret_cast<uint64_t*>(f.rsi) = fs_base;
        return 0;
    case ARCH_GET_GS:
        if (!user_ok(reinterpret_cast<uint64_t*>(f.rsi))) return -EFAULT;
        *reinterpret_cast<uint64_t*>(f.rsi) = gs_base;
        return 0;
    default: return -EINVAL;
    }
}

int64_t sys_prctl(SyscallFrame& f) {
    switch (f.rdi) {
    case PR_SET_NAME: case PR_SET_PDEATHSIG: case PR_SET_DUMPABLE: case PR_SET_NO_NEW_PRIVS: return 0;
    case PR_GET_DUMPABLE: return 1;
    case PR_GET_NAME: {
        auto* out = reinterpret_cast<char*>(f.rsi);
        if (!user_ok(out, 16)) return -EFAULT;
        memset(out, 0, 16);
        const char* exe = boot->exe;
        const char* base = exe;
        for (const char* p = exe; *p; ++p)
            if (*p == '/') base = p + 1;
        memcpy(out, base, strnlen(base, 15));
        return 0;
    }
    default: return -EINVAL;
    }
}

int64_t sys_prlimit64(SyscallFrame& f) {
    if (f.rdi != 0 && f.rdi != 1) return -ESRCH;
    const uint64_t res = f.rsi;
    if (res >= RLIM_NLIMITS) return -EINVAL;
    auto* nw = reinterpret_cast<const Limit*>(f.rdx);
    auto* old = reinterpret_cast<Limit*>(f.r10);
    if ((nw && !user_ok(nw)) || (old && !user_ok(old))) return -EFAULT;
    if (old) *old = limits[res];
    if (nw) {
        if (nw->cur > nw->max) return -EINVAL;
        if (nw->max > limits[res].max) return -EPERM;
        limits[res] = *nw;
    }
    return 0;
}
int64_t sys_getrlimit(SyscallFrame& f) {
    if (f.rdi >= RLIM_NLIMITS) return -EINVAL;
    auto* old = reinterpret_cast<Limit*>(f.rsi);
    if (!user_ok(old)) return -EFAULT;
    *old = limits[f.rdi];
    return 0;
}
int64_t sys_setrlimit(SyscallFrame& f) {
    SyscallFrame g = f;
    g.rdx = f.rsi, g.r10 = 0, g.rsi = f.rdi, g.rdi = 0;
    return sys_prlimit64(g);
}

int64_t sys_sched_getaffinity(SyscallFrame& f) {
    auto* mask = reinterpret_cast<uint8_t*>(f.rdx);
    if (f.rsi < 8) return -EINVAL;
    if (!user_ok(mask, 8)) return -EFAULT;
    memset(mask, 0, 8);
    mask[0] = 1; // one vCPU
    return 8;
}

int64_t sys_getpgid(SyscallFrame&) { return 1; }

} // namespace

void register_process_syscalls() {
    register_syscall(__NR_exit, sys_exit_group); // one thread: exit is the end of the process
    register_syscall(__NR_exit_group, sys_exit_group);
    register_syscall(__NR_getpid, sys_getpid);
    register_syscall(__NR_gettid, sys_getpid);
    register_syscall(__NR_getppid, sys_getppid);
    register_syscall(__NR_getuid, sys_getuid);
    register_syscall(__NR_geteuid, sys_getuid);
    register_syscall(__NR_getgid, sys_getgid);
    register_syscall(__NR_getegid, sys_getgid);
    register_syscall(__NR_getgroups, sys_getgroups);
    register_syscall(__NR_getresuid, sys_getresuid);
    register_syscall(__NR_getresgid, sys_getresgid);
    register_syscall(__NR_getpgrp, sys_getpgid);
    register_syscall(__NR_getpgid, sys_getpgid);
    register_syscall(__NR_getsid, sys_getpgid);
    register_syscall(__NR_setpgid, sys_ok);
    register_syscall(__NR_set_tid_address, sys_set_tid_address);
    register_syscall(__NR_set_robust_list, sys_ok);
    register_syscall(__NR_sched_yield, sys_ok);
    register_syscall(__NR_umask, sys_umask);
    register_syscall(__NR_arch_prctl, sys_arch_prctl);
    register_syscall(__NR_prctl, sys_prctl);
    register_syscall(__NR_prlimit64, sys_prlimit64);
    register_syscall(__NR_getrlimit, sys_getrlimit);
    register_syscall(__NR_setrlimit, sys_setrlimit);
    register_syscall(__NR_sched_getaffinity, sys_sched_getaffinity);
}

} // namespace libos
