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
    return random_fill(reinterpret_cast<uint8_t*>(f.rdi), f.rsi > (32u << 20) ? (32u << 20) : f.rsi);
}

uint32_t random_used; // bytes of boot->random_pool handed out

} // namespace

int64_t random_fill(uint8_t* buf, uint64_t len) {
    // Most programs ask once for a few bytes (malloc, hash seeds): the VMM's pool saves that
    // hypercall. Each byte goes out once and is wiped; a request the pool cannot cover whole
    // goes to the host.
    auto* b = const_cast<skiff_boot_info*>(boot);
    const uint32_t avail = b->random_len > random_used ? b->random_len - random_used : 0;
    if (len <= avail && b->random_len <= sizeof b->random_pool) {
        memcpy(buf, b->random_pool + random_used, len);
        memset(b->random_pool + random_used, 0, len);
        random_used += static_cast<uint32_t>(len);
        return static_cast<int64_t>(len);
    }
    skiff_hc_range req{0, reinterpret_cast<uint64_t>(buf), len};
    return hypercall(SKIFF_HC_RANDOM, &req);
}

void register_info_syscalls() {
    register_syscall(__NR_uname, sys_uname);
    register_syscall(__NR_sysinfo, sys_sysinfo);
    register_syscall(__NR_getrandom, sys_getrandom);
}

} // namespace libos
