#include "vcpu.hpp"

#include <sys/ioctl.h>

#include <atomic>
#include <optional>
#include <csignal>
#include <cstdio>
#include <sstream>

#include "skiff/abi.h"

namespace skiff::vmm {
namespace {

const char* vector_name(unsigned v) {
    static const char* names[] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
                                  "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
                                  "#MF", "#AC", "#MC", "#XM", "#VE", "#CP"};
    return v < std::size(names) ? names[v] : "exception";
}

bool has_error_code(unsigned v) {
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

std::string hex(uint64_t v) {
    std::ostringstream o;
    o << "0x" << std::hex << v;
    return o.str();
}

// The ring-0 stub left the CPU's exception frame on the IST stack: decide who faulted and how.
int code_for_vector(unsigned v) {
    switch (v) {
    case 0: return 1;  // FPE_INTDIV
    case 6: return 2;  // ILL_ILLOPN
    case 14: return 1; // SEGV_MAPERR
    case 17: return 1; // BUS_ADRALN
    default: return 0x80; // SI_KERNEL
    }
}

// The ring-0 stub left the app's rdx and rax, then the CPU's exception frame, on the IST stack.
// A fault in app code goes to the libOS (std::nullopt: resume), which runs the app's handler or
// ends it; anything else ends the VM here.
Result<std::optional<int>> handle_fault(KvmVm& vm, Guest& g, unsigned vector, const SignalRoute& route) {
    kvm_regs regs;
    kvm_sregs sregs;
    if (ioctl(vm.vcpu_fd(), KVM_GET_REGS, &regs) != 0) return errno_error("KVM_GET_REGS");
    if (ioctl(vm.vcpu_fd(), KVM_GET_SREGS, &sregs) != 0) return errno_error("KVM_GET_SREGS");
    const uint64_t saved = 2 + (has_error_code(vector) ? 1 : 0); // rdx, rax, [error code]
    uint64_t* p = reinterpret_cast<uint64_t*>(g.mem->span(regs.rsp, (saved + 5) * 8));
    if (!p || regs.rsp % 8) return Error{"guest fault " + std::string(vector_name(vector)) + " with a bad ring-0 stack"};
    const uint64_t app_rdx = p[0], app_rax = p[1];
    const uint64_t err = has_error_code(vector) ? p[2] : 0;
    uint64_t* frame = p + saved; // rip, cs, rflags, rsp, ss
    const uint64_t rip = frame[0], cs = frame[1];
    std::string where = std::string(vector_name(vector)) + " at rip " + hex(rip);
    if (vector == 14) where += " address " + hex(sregs.cr2) + " error " + hex(err);
    if ((cs & 3) != 3 || vector == 8 || vector == 18)
        return Error{"guest kernel fault " + where};
    const int sig = signal_for_vector(vector);
    g.log("app fault " + where + ": signal " + std::to_string(sig));
    auto* boot = g.mem->object<skiff_boot_info>(route.boot_info);
    const bool in_libos = rip >= route.libos_start && rip < route.libos_end;
    if (!route.entry || !boot || in_libos || boot->fault_signal) return std::optional<int>(128 + sig);
    // Hand the fault to the libOS: its signal entry sees the app's registers and the fault.
    boot->interrupted = {app_rax, regs.rbx, regs.rcx, app_rdx, regs.rsi, regs.rdi, regs.rbp, frame[3],
                         regs.r8, regs.r9,  regs.r10, regs.r11, regs.r12, regs.r13, regs.r14, regs.r15,
                         rip,     frame[2]};
    boot->fault_signal = static_cast<uint32_t>(sig);
    boot->fault_code = static_cast<uint32_t>(code_for_vector(vector));
    boot->fault_addr = vector == 14 ? sregs.cr2 : rip;
    frame[0] = route.entry; // the stub's iretq lands there, in ring 3
    return std::optional<int>();
}

std::atomic<uint64_t> received_signals{0};

void on_signal(int sig) { received_signals.fetch_or(uint64_t{1} << (sig - 1), std::memory_order_relaxed); }

// Called with the vCPU stopped: hand received signals to the libOS. If the vCPU is in app code,
// divert it to the libOS's signal entry (its registers saved in the boot info); in the libOS it
// is inside a syscall and takes them on the way out.
Result<void> route_signals(KvmVm& vm, Guest& g, const SignalRoute& route) {
    const uint64_t sigs = received_signals.exchange(0, std::memory_order_relaxed);
    if (!sigs) return ok();
    auto* boot = g.mem->object<skiff_boot_info>(route.boot_info);
    if (!route.entry || !boot) return ok();
    const bool diverted = boot->pending_signals != 0; // already on its way to the libOS
    boot->pending_signals |= sigs;
    if (diverted) return ok();
    kvm_regs r;
    if (ioctl(vm.vcpu_fd(), KVM_GET_REGS, &r) != 0) return errno_error("KVM_GET_REGS");
    if (r.rip >= route.libos_start && r.rip < route.libos_end) return ok();
    boot->interrupted = {r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp,
                         r.r8,  r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, r.rip, r.rflags};
    r.rip = route.entry;
    if (ioctl(vm.vcpu_fd(), KVM_SET_REGS, &r) != 0) return errno_error("KVM_SET_REGS");
    return ok();
}

} // namespace

void forward_signals_to_guest() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH})
        sigaction(sig, &sa, nullptr); // no SA_RESTART: KVM_RUN returns EINTR at once
    signal(SIGPIPE, SIG_IGN);
}

int signal_for_vector(unsigned v) {
    switch (v) {
    case 0: case 16: case 19: return SIGFPE;
    case 1: case 3: return SIGTRAP;
    case 6: return SIGILL;
    case 17: return SIGBUS;
    default: return SIGSEGV;
    }
}

Result<int> run_vcpu(KvmVm& vm, Guest& g, const Hypercalls& hypercalls, const SignalRoute& route) {
    kvm_run* run = vm.run();
    for (;;) {
        SKIFF_CHECK(route_signals(vm, g, route));
        if (ioctl(vm.vcpu_fd(), KVM_RUN, 0) != 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return errno_error("KVM_RUN");
        }
        switch (run->exit_reason) {
        case KVM_EXIT_MMIO: {
            const uint64_t addr = run->mmio.phys_addr;
            if (addr < SKIFF_HC_MMIO_BASE || addr >= SKIFF_HC_MMIO_BASE + (2u << 20))
                return Error{"guest accessed " + hex(addr) + ", outside guest RAM"};
            if (!run->mmio.is_write || run->mmio.len != 8)
                return Error{"guest hypercall at " + hex(addr) + " was not an 8-byte store"};
            uint64_t value;
            std::memcpy(&value, run->mmio.data, 8);
            if (!hypercalls.dispatch(g, addr, value)) {
                if (!g.error.empty()) return Error{g.error};
                return *g.exit_status;
            }
            break;
        }
        case KVM_EXIT_IO: {
            if (run->io.direction != KVM_EXIT_IO_OUT || run->io.port != SKIFF_HC_FAULT_PORT ||
                run->io.size != 4)
                return Error{"guest did port I/O on port " + hex(run->io.port)};
            uint32_t vector;
            std::memcpy(&vector, reinterpret_cast<uint8_t*>(run) + run->io.data_offset, 4);
            auto end = SKIFF_TRY(handle_fault(vm, g, vector, route));
            if (end) return *end;
            break;
        }
        case KVM_EXIT_SHUTDOWN: {
            kvm_regs regs{};
            ioctl(vm.vcpu_fd(), KVM_GET_REGS, &regs);
            return Error{"guest triple fault (rip " + hex(regs.rip) + ")"};
        }
        case KVM_EXIT_HLT: return Error{"guest halted"};
        case KVM_EXIT_INTERNAL_ERROR:
            return Error{"KVM internal error " + std::to_string(run->internal.suberror)};
        case KVM_EXIT_FAIL_ENTRY:
            return Error{"KVM entry failed, hardware reason " +
                         hex(run->fail_entry.hardware_entry_failure_reason)};
        default:
            return Error{"unexpected KVM exit " + std::to_string(run->exit_reason)};
        }
    }
}

} // namespace skiff::vmm
