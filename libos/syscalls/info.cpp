// What the app can learn about its machine: uname, sysinfo, getrandom.
#include <asm/unistd_64.h>
#include <linux/sysinfo.h>
#include <linux/utsname.h>

#include "syscalls/syscalls.hpp"
#include "libos.hpp"

namespace libos {
namespace {

void put(char* dst, const char* src) {
    const size_t n = strnlen(src, 64);
    memset(dst, 0, 65);
    memcpy(dst, src, n);
}

int64_t sys_uname(SyscallFrame& f) {
    auto* u = reinterpret_cast<new_utsname*>(f.rdi);
    if (!user_ok(u)) return -EFAULT;
    put(u->sysname, "Linux");
    put(u->nodename, boot->hostname);
    put(u->release, "6.1.0-skiff");
    put(u->version, "#1 SMP skiff libOS");
    put(u->machine, "x86_64");
    put(u->domainname, "(none)");
    return 0;
}

int64_t sys_sysinfo(SyscallFrame& f) {
    auto* s = reinterpret_cast<struct sysinfo*>(f.rdi);
    if (!user_ok(s)) return -EFAULT;
    memset(s, 0, sizeof *s);
    skiff_hc_clock req{0, 7 /* CLOCK_BOOTTIME */, 0, 0, 0};
    hypercall(SKIFF_HC_CLOCK, &req);
    s->uptime = req.sec;
    s->totalram = boot->ram_size;
    s->freeram = free_bytes();
    s->procs = 1;
    s->mem_unit = 1;
    return 0;
}

int64_t sys_getrandom(SyscallFrame& f) {
    if (f.rsi == 0) return 0;
    if (!user_range_ok(f.rdi, f.rsi)) return -EFAULT;
    skiff_hc_range req{0, f.rdi, f.rsi > (32u << 20) ? (32u << 20) : f.rsi};
    return hypercall(SKIFF_HC_RANDOM, &req);
}

} // namespace

void register_info_syscalls() {
    register_syscall(__NR_uname, sys_uname);
    register_syscall(__NR_sysinfo, sys_sysinfo);
    register_syscall(__NR_getrandom, sys_getrandom);
}

} // namespace libos
