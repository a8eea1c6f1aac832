// Signal dispositions, masks, and delivery of signals the app sends itself (raise, abort, kill
// of its own pid). Delivery builds the Linux x86-64 rt_sigframe on the app's stack, so
// sa_restorer's rt_sigreturn resumes exactly where the app was.
#include <asm/unistd_64.h>

#include "skiff/seccomp.h"
#include "syscalls/syscalls.hpp"
#include "libos.hpp"

namespace libos {
namespace {

constexpr int kNsig = 64;
constexpr uint64_t kSigDfl = 0, kSigIgn = 1;
constexpr uint64_t kSaRestart = 0x10000000;
constexpr uint64_t kSaSiginfo = 4, kSaOnstack = 0x08000000, kSaRestorer = 0x04000000,
                   kSaNodefer = 0x40000000, kSaResethand = 0x80000000;

struct KSigaction {
    uint64_t handler, flags, restorer, mask;
};
KSigaction actions[kNsig + 1];
uint64_t blocked;
uint64_t pending;
struct {
    uint64_t sp;
    int32_t flags, pad;
    uint64_t size;
} altstack = {0, 2 /* SS_DISABLE */, 0, 0};

// The kernel's struct sigcontext (x86-64), 256 bytes.
struct SigContext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2, fpstate, reserved[8];
};
struct UContext {
    uint64_t flags, link;
    uint64_t ss_sp;
    int32_t ss_flags, pad;
    uint64_t ss_size;
    SigContext mc;
    uint64_t sigmask;
};
struct SigInfo {
    int32_t signo, errno_, code, pad;
    int32_t pid, uid;
    uint8_t rest[104];
};
struct SigFrame {
    uint64_t pretcode;
    UContext uc;
    SigInfo info;
};
static_assert(sizeof(SigContext) == 256 && sizeof(SigInfo) == 128, "kernel signal layouts");

bool default_ignores(int sig) { return sig == 17 /*CHLD*/ || sig == 23 /*URG*/ || sig == 28 /*WINCH*/ || sig == 18 /*CONT*/; }

SyscallFrame* current_frame;
int full_resume;

void push_frame(SyscallFrame& f, int sig, int code = -6 /* SI_TKILL */, uint64_t addr = 0) {
    KSigaction& a = actions[sig];
    uint64_t sp = f.rsp - 128; // the red zone
    if ((a.flags & kSaOnstack) && altstack.flags == 0 && altstack.size) sp = altstack.sp + altstack.size;
    sp = ((sp - sizeof(SigFrame)) & ~uint64_t{15}) - 8; // as at a call: rsp+8 16-aligned
    auto* fr = reinterpret_cast<SigFrame*>(sp);
    if (!user_ok(fr)) exit_app(0, 11);
    memset(fr, 0, sizeof *fr);
    fr->pretcode = a.restorer;
    fr->uc.ss_sp = altstack.sp, fr->uc.ss_flags = altstack.flags, fr->uc.ss_size = altstack.size;
    SigContext& m = fr->uc.mc;
    m.r8 = f.r8, m.r9 = f.r9, m.r10 = f.r10, m.r12 = f.r12, m.r13 = f.r13, m.r14 = f.r14, m.r15 = f.r15;
    m.rdi = f.rdi, m.rsi = f.rsi, m.rbp = f.rbp, m.rbx = f.rbx, m.rdx = f.rdx, m.rax = f.rax;
    m.rcx = f.rcx, m.r11 = f.r11, m.rsp = f.rsp, m.rip = f.rip, m.eflags = f.rflags;
    m.cs = 0x2b, m.ss = 0x23;
    m.oldmask = blocked;
    fr->uc.sigmask = blocked;
    fr->info.signo = sig;
    fr->info.code = code;
    if (code == -6) {
        fr->info.pid = 1;
        fr->info.uid = static_cast<int32_t>(boot->uid);
    } else {
        memcpy(&fr->info.pid, &addr, sizeof addr); // si_addr sits where si_pid/si_uid are
    }
    blocked |= a.mask;
    if (!(a.flags & kSaNodefer)) blocked |= 1ull << (sig - 1);
    if (a.flags & kSaResethand) a.handler = kSigDfl;
    f.rsp = sp;
    f.rip = a.handler;
    f.rdi = static_cast<uint64_t>(sig);
    f.rsi = reinterpret_cast<uint64_t>(&fr->info);
    f.rdx = reinterpret_cast<uint64_t>(&fr->uc);
    f.rax = 0;
}

void deliver_pending(SyscallFrame& f) {
    for (int sig = 1; sig <= kNsig; ++sig) {
        const uint64_t bit = 1ull << (sig - 1);
        if (!(pending & bit) || (blocked & bit)) continue;
        pending &= ~bit;
        const uint64_t h = actions[sig].handler;
        if (h == kSigIgn || (h == kSigDfl && default_ignores(sig))) continue;
        if (h == kSigDfl || !actions[sig].restorer) exit_app(0, sig);
        push_frame(f, sig);
        return;
    }
}

int64_t sys_rt_sigaction(SyscallFrame& f) {
    const int sig = static_cast<int>(f.rdi);
    if (sig < 1 || sig > kNsig || f.r10 != 8) return -EINVAL;
    auto* act = reinterpret_cast<const KSigaction*>(f.rsi);
    auto* old = reinterpret_cast<KSigaction*>(f.rdx);
    if ((act && !user_ok(act)) || (old && !user_ok(old))) return -EFAULT;
    if (act && (sig == 9 || sig == 19)) return -EINVAL;
    if (old) *old = actions[sig];
    if (act) {
        actions[sig] = *act;
        if (!(act->flags & kSaRestorer) && act->handler > kSigIgn) actions[sig].restorer = 0;
    }
    return 0;
}

int64_t sys_rt_sigprocmask(SyscallFrame& f) {
    auto* set = reinterpret_cast<const uint64_t*>(f.rsi);
    auto* old = reinterpret_cast<uint64_t*>(f.rdx);
    if (f.r10 != 8) return -EINVAL;
    if ((set && !user_ok(set)) || (old && !user_ok(old))) return -EFAULT;
    if (old) *old = blocked;
    if (set) {
        switch (f.rdi) {
        case 0: blocked |= *set; break;
        case 1: blocked &= ~*set; break;
        case 2: blocked = *set; break;
        default: return -EINVAL;
        }
        blocked &= ~((1ull << 8) | (1ull << 18)); // SIGKILL, SIGSTOP
        if (pending & ~blocked) {
            f.rax = 0;
            deliver_pending(f);
            return static_cast<int64_t>(f.rax);
        }
    }
    return 0;
}

int64_t sys_sigaltstack(SyscallFrame& f) {
    auto* ss = reinterpret_cast<const decltype(altstack)*>(f.rdi);
    auto* old = reinterpret_cast<decltype(altstack)*>(f.rsi);
    if ((ss && !user_ok(ss)) || (old && !user_ok(old))) return -EFAULT;
    if (old) *old = altstack;
    if (ss) altstack = *ss;
    return 0;
}

int64_t sys_rt_sigreturn(SyscallFrame& f) {
    auto* fr = reinterpret_cast<SigFrame*>(f.rsp - 8);
    if (!user_ok(fr)) exit_app(0, 11);
    const SigContext& m = fr->uc.mc;
    f.r8 = m.r8, f.r9 = m.r9, f.r10 = m.r10, f.r12 = m.r12, f.r13 = m.r13, f.r14 = m.r14, f.r15 = m.r15;
    f.rdi = m.rdi, f.rsi = m.rsi, f.rbp = m.rbp, f.rbx = m.rbx, f.rdx = m.rdx;
    f.rsp = m.rsp, f.rip = m.rip, f.rcx = m.rcx, f.r11 = m.r11;
    f.rflags = (f.rflags & ~0xcd5ull) | (m.eflags & 0xcd5ull); // arithmetic flags and DF only
    full_resume = 1;
    blocked = fr->uc.sigmask & ~((1ull << 8) | (1ull << 18));
    deliver_pending(f);
    return static_cast<int64_t>(m.rax);
}

int64_t signal_self(SyscallFrame& f, int64_t sig) {
    if (sig == 0) return 0;
    if (sig < 1 || sig > kNsig) return -EINVAL;
    current_frame = &f;
    f.rax = 0;
    deliver_signal(static_cast<int>(sig));
    current_frame = nullptr;
    return static_cast<int64_t>(f.rax);
}

bool is_self(int64_t pid) { return pid == 1 || pid == 0 || pid == -1; }
int64_t sys_kill(SyscallFrame& f) { return is_self(static_cast<int64_t>(f.rdi)) ? signal_self(f, static_cast<int64_t>(f.rsi)) : -ESRCH; }
int64_t sys_tkill(SyscallFrame& f) { return f.rdi == 1 ? signal_self(f, static_cast<int64_t>(f.rsi)) : -ESRCH; }
int64_t sys_tgkill(SyscallFrame& f) { return f.rdi == 1 && f.rsi == 1 ? signal_self(f, static_cast<int64_t>(f.rdx)) : -ESRCH; }

} // namespace

void deliver_signal(int sig) {
    const KSigaction& a = actions[sig];
    const uint64_t bit = 1ull << (sig - 1);
    if (sig != 9 && sig != 19 && a.handler == kSigIgn) return;
    if (sig == 9 || sig == 19 || a.handler == kSigDfl) {
        if (default_ignores(sig)) return;
        if ((blocked & bit) && sig != 9) {
            pending |= bit;
            return;
        }
        exit_app(0, sig);
    }
    if ((blocked & bit) || !current_frame || !a.restorer) {
        pending |= bit;
        if (!current_frame || !a.restorer) exit_app(0, sig);
        return;
    }
    push_frame(*current_frame, sig);
}

void take_fault(SyscallFrame& f) {
    auto* b = const_cast<skiff_boot_info*>(boot);
    const int sig = static_cast<int>(b->fault_signal);
    const int code = static_cast<int>(b->fault_code);
    const uint64_t addr = b->fault_addr;
    b->fault_signal = 0;
    if (sig < 1 || sig > kNsig) exit_app(0, 11);
    const KSigaction& a = actions[sig];
    // Linux forces the default action for a fault signal that is blocked or ignored.
    if (a.handler <= kSigIgn || (blocked & (1ull << (sig - 1))) || !a.restorer) exit_app(0, sig);
    push_frame(f, sig, code, addr);
}

void raise_seccomp_trap(SyscallFrame& f, uint64_t nr, uint32_t data) {
    constexpr int kSigsys = 31, kSysSeccomp = 1;
    const KSigaction& a = actions[kSigsys];
    if (a.handler <= kSigIgn || (blocked & (1ull << (kSigsys - 1))) || !a.restorer) exit_app(0, kSigsys);
    f.rax = nr; // the kernel rolls the syscall back: the handler's context holds its number
    push_frame(f, kSigsys, kSysSeccomp, f.rip);
    auto* info = reinterpret_cast<SigInfo*>(f.rsi);
    info->errno_ = static_cast<int32_t>(data);
    const int32_t nr32 = static_cast<int32_t>(nr);
    const uint32_t arch = SKIFF_AUDIT_ARCH_X86_64;
    memcpy(&info->rest[0], &nr32, 4); // si_syscall
    memcpy(&info->rest[4], &arch, 4); // si_arch
}

void take_external_signals(SyscallFrame& f) {
    auto* word = const_cast<uint64_t*>(&boot->pending_signals);
    const uint64_t got = __atomic_exchange_n(word, 0, __ATOMIC_RELAXED);
    for (int sig = 1; sig <= kNsig; ++sig) {
        if (!(got & (1ull << (sig - 1)))) continue;
        const uint64_t h = actions[sig].handler;
        if (h == kSigIgn || (h == kSigDfl && default_ignores(sig))) continue;
        pending |= 1ull << (sig - 1);
    }
    deliver_pending(f);
}

void raise_in_syscall(SyscallFrame& f, int sig, int64_t result) {
    current_frame = &f;
    f.rax = static_cast<uint64_t>(result);
    deliver_signal(sig);
    current_frame = nullptr;
}

Interrupt interrupted_syscall_action() {
    auto* word = const_cast<uint64_t*>(&boot->pending_signals);
    uint64_t sigs = *word;
    Interrupt what = Interrupt::none;
    for (int sig = 1; sig <= kNsig; ++sig) {
        const uint64_t bit = 1ull << (sig - 1);
        if (!(sigs & bit)) continue;
        const KSigaction& a = actions[sig];
        if (a.handler == kSigIgn || (a.handler == kSigDfl && default_ignores(sig)) || (blocked & bit)) {
            if (!(blocked & bit)) sigs &= ~bit; // nothing will happen: forget it
            continue;
        }
        if (a.handler == kSigDfl) return Interrupt::fail; // the app ends at the syscall exit
        what = (a.flags & kSaRestart) && what != Interrupt::fail ? Interrupt::restart : Interrupt::fail;
    }
    *word = sigs;
    return what;
}

int full_resume_requested() {
    const int r = full_resume;
    full_resume = 0;
    return r;
}

void register_signal_syscalls() {
    register_syscall(__NR_rt_sigaction, sys_rt_sigaction);
    register_syscall(__NR_rt_sigprocmask, sys_rt_sigprocmask);
    register_syscall(__NR_sigaltstack, sys_sigaltstack);
    register_syscall(__NR_rt_sigreturn, sys_rt_sigreturn);
    register_syscall(__NR_kill, sys_kill);
    register_syscall(__NR_tkill, sys_tkill);
    register_syscall(__NR_tgkill, sys_tgkill);
}

} // namespace libos
