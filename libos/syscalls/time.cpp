// Clocks and sleeps, served by the host (the guest has no timer).
#include <asm/unistd_64.h>

#include "syscalls/syscalls.hpp"
#include "libos.hpp"

namespace libos {
namespace {

struct ts_ {
    int64_t sec, nsec;
};

int64_t host_clock(int32_t clk, ts_* out) {
    skiff_hc_clock req{0, clk, 0, 0, 0};
    const int64_t rc = hypercall(SKIFF_HC_CLOCK, &req);
    if (rc == 0) *out = {req.sec, req.nsec};
    return rc;
}

int64_t sys_clock_gettime(SyscallFrame& f) {
    auto* out = reinterpret_cast<ts_*>(f.rsi);
    if (!user_ok(out)) return -EFAULT;
    return host_clock(static_cast<int32_t>(f.rdi), out);
}

int64_t sys_clock_getres(SyscallFrame& f) {
    auto* out = reinterpret_cast<ts_*>(f.rsi);
    if (!out) return 0;
    if (!user_ok(out)) return -EFAULT;
    *out = {0, 1};
    return 0;
}

int64_t sys_gettimeofday(SyscallFrame& f) {
    auto* tv = reinterpret_cast<ts_*>(f.rdi);
    if (!tv) return 0;
    if (!user_ok(tv)) return -EFAULT;
    ts_ now{};
    const int64_t rc = host_clock(0, &now);
    if (rc == 0) *tv = {now.sec, now.nsec / 1000};
    return rc;
}

int64_t sys_time(SyscallFrame& f) {
    ts_ now{};
    const int64_t rc = host_clock(0, &now);
    if (rc < 0) return rc;
    auto* t = reinterpret_cast<int64_t*>(f.rdi);
    if (t) {
        if (!user_ok(t)) return -EFAULT;
        *t = now.sec;
    }
    return now.sec;
}

int64_t sleep_for(ts_ d, ts_* rem) {
    if (d.sec < 0 || d.nsec < 0 || d.nsec >= 1000000000) return -EINVAL;
    skiff_hc_clock req{0, 0, 0, d.sec, d.nsec};
    const int64_t rc = hypercall(SKIFF_HC_SLEEP, &req);
    if (rc == -EINTR && rem) *rem = {req.sec, req.nsec};
    return rc;
}

int64_t sys_nanosleep(SyscallFrame& f) {
    auto* req = reinterpret_cast<ts_*>(f.rdi);
    auto* rem = reinterpret_cast<ts_*>(f.rsi);
    if (!user_ok(req) || (rem && !user_ok(rem))) return -EFAULT;
    return sleep_for(*req, rem);
}

int64_t sys_clock_nanosleep(SyscallFrame& f) {
    auto* req = reinterpret_cast<ts_*>(f.rdx);
    auto* rem = reinterpret_cast<ts_*>(f.r10);
    if (!user_ok(req) || (rem && !user_ok(rem))) return -EFAULT;
    ts_ d = *req;
    if (f.rsi & 1) { // TIMER_ABSTIME: sleep until the clock reads *req
        ts_ now{};
        const int64_t rc = host_clock(static_cast<int32_t>(f.rdi), &now);
        if (rc < 0) return rc;
        int64_t ns = (d.sec - now.sec) * 1000000000 + (d.nsec - now.nsec);
        if (ns <= 0) return 0;
        d = {ns / 1000000000, ns % 1000000000};
        rem = nullptr;
    }
    const int64_t rc = sleep_for(d, rem);
    return rc == -EINTR ? rc : rc < 0 ? rc : 0;
}

} // namespace

void register_time_syscalls() {
    register_syscall(__NR_clock_gettime, sys_clock_gettime);
    register_syscall(__NR_clock_getres, sys_clock_getres);
    register_syscall(__NR_gettimeofday, sys_gettimeofday);
    register_syscall(__NR_time, sys_time);
    register_syscall(__NR_nanosleep, sys_nanosleep);
    register_syscall(__NR_clock_nanosleep, sys_clock_nanosleep);
}

} // namespace libos
