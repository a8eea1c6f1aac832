// Clocks and sleeps, served by the host (the guest has no timer).
#include <asm/unistd_64.h>

#include "syscalls/syscalls.hpp"
#include "libos.hpp"

namespace libos {
namespace {

struct ts_ {
    int64_t sec, nsec;
};

int64_t hypercall_clock(int32_t clk, ts_* out) {
    skiff_hc_clock req{0, clk, 0, 0, 0};
    const int64_t rc = hypercall(SKIFF_HC_CLOCK, &req);
    if (rc == 0) *out = {req.sec, req.nsec};
    return rc;
}

// Wall and monotonic clocks from the TSC, which ring 3 reads natively (≈11 ns) where a hypercall
// costs tens of µs. The VMM hands over a first sample (guest TSC and host clocks read together
// before the first run) and KVM's TSC rate, so a program's first 50 ms of clock reads make no
// hypercall. Then time is re-sampled every 50 ms (two clock hypercalls timed against the TSC),
// the rate taken over the whole span since the first sample once it covers 20 ms; without the
// VMM's rate the first samples calibrate it. Monotonic time never goes backwards.
inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t{hi} << 32) | lo;
}

struct Sample {
    uint64_t tsc;
    int64_t mono_ns, real_ns;
};
Sample first, last;
bool have_first;
uint64_t ns_per_tsc_q32; // ns per TSC tick, 32.32 fixed point; 0 until calibrated
int64_t last_mono_returned;

int64_t to_ns(const ts_& t) { return t.sec * 1000000000 + t.nsec; }

bool sample(Sample* out) {
    ts_ mono{}, real{};
    const uint64_t t1 = rdtsc();
    if (hypercall_clock(1 /* CLOCK_MONOTONIC */, &mono) < 0) return false;
    if (hypercall_clock(0 /* CLOCK_REALTIME */, &real) < 0) return false;
    const uint64_t t2 = rdtsc();
    *out = {t1 + (t2 - t1) / 2, to_ns(mono), to_ns(real)};
    return true;
}

uint64_t ticks_to_ns(uint64_t ticks) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(ticks) * ns_per_tsc_q32) >> 32);
}

// Monotonic and realtime now, in ns; false when the host clock could not be read.
bool tsc_now(int64_t* mono, int64_t* real) {
    if (!have_first && boot->tsc_khz) {
        first = last = {boot->clock_tsc, boot->clock_mono_ns, boot->clock_real_ns};
        have_first = true;
        ns_per_tsc_q32 = (uint64_t{1000000} << 32) / boot->tsc_khz; // ns per tick = 1e6 / kHz
    }
    const uint64_t now = rdtsc();
    if (!have_first || !ns_per_tsc_q32 || ticks_to_ns(now - last.tsc) > 50000000) {
        Sample s;
        if (!sample(&s)) return false;
        if (!have_first) {
            first = s;
            have_first = true;
        } else if (s.mono_ns - first.mono_ns >= 20000000 && s.tsc > first.tsc) {
            // (ns << 32) / ticks without 128-bit division: scale both down while ns needs > 31 bits.
            uint64_t ns = static_cast<uint64_t>(s.mono_ns - first.mono_ns), ticks = s.tsc - first.tsc;
            while (ns >= (1ull << 31)) ns >>= 1, ticks >>= 1;
            if (ticks) ns_per_tsc_q32 = (ns << 32) / ticks;
        }
        last = s;
        *mono = s.mono_ns;
        *real = s.real_ns;
    } else {
        const int64_t d = static_cast<int64_t>(ticks_to_ns(now - last.tsc));
        *mono = last.mono_ns + d;
        *real = last.real_ns + d;
    }
    if (*mono < last_mono_returned) *mono = last_mono_returned;
    last_mono_returned = *mono;
    return true;
}

int64_t host_clock(int32_t clk, ts_* out) {
    // Clocks that follow CLOCK_MONOTONIC or CLOCK_REALTIME; CPU-time clocks ask the host.
    const bool realtime = clk == 0 || clk == 5 /* REALTIME_COARSE */;
    const bool monotonic = clk == 1 || clk == 4 /* RAW */ || clk == 6 /* COARSE */ || clk == 7 /* BOOTTIME */;
    if (!realtime && !monotonic) return hypercall_clock(clk, out);
    int64_t mono, real;
    if (!tsc_now(&mono, &real)) return hypercall_clock(clk, out);
    const int64_t ns = realtime ? real : mono;
    *out = {ns / 1000000000, ns % 1000000000};
    return 0;
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
    int64_t rc = hypercall(SKIFF_HC_SLEEP, &req);
    // Woken by a signal the app ignores: sleep on for what is left, as Linux does.
    while (rc == -EINTR && boot->pending_signals && interrupted_syscall_action() == Interrupt::none) {
        req = {0, 0, 0, req.sec, req.nsec};
        rc = hypercall(SKIFF_HC_SLEEP, &req);
    }
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
