#include "vcpu.hpp"

#include <sys/ioctl.h>

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
Result<int> handle_fault(KvmVm& vm, Guest& g, unsigned vector) {
    kvm_regs regs;
    kvm_sregs sregs;
    if (ioctl(vm.vcpu_fd(), KVM_GET_REGS, &regs) != 0) return errno_error("KVM_GET_REGS");
    if (ioctl(vm.vcpu_fd(), KVM_GET_SREGS, &sregs) != 0) return errno_error("KVM_GET_SREGS");
    uint64_t frame[6] = {};
    const uint64_t words = has_error_code(vector) ? 6 : 5;
    const uint8_t* p = g.mem->span(regs.rsp, words * 8);
    if (!p) return Error{"guest fault " + std::string(vector_name(vector)) + " with a bad ring-0 stack"};
    std::memcpy(frame + (6 - words), p, words * 8);
    const uint64_t err = frame[0], rip = frame[1], cs = frame[2];
    std::string where = std::string(vector_name(vector)) + " at rip " + hex(rip);
    if (vector == 14) where += " address " + hex(sregs.cr2) + " error " + hex(err);
    if ((cs & 3) != 3 || vector == 8 || vector == 18)
        return Error{"guest kernel fault " + where};
    const int sig = signal_for_vector(vector);
    g.log("app fault " + where + ": signal " + std::to_string(sig));
    return 128 + sig;
}

} // namespace

int signal_for_vector(unsigned v) {
    switch (v) {
    case 0: case 16: case 19: return SIGFPE;
    case 1: case 3: return SIGTRAP;
    case 6: return SIGILL;
    case 17: return SIGBUS;
    default: return SIGSEGV;
    }
}

Result<int> run_vcpu(KvmVm& vm, Guest& g, const Hypercalls& hypercalls) {
    kvm_run* run = vm.run();
    for (;;) {
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
            return handle_fault(vm, g, vector);
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
