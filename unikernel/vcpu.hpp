// The vCPU loop: KVM_RUN until the guest exits, serving hypercalls and turning guest faults into
// the signal the app would have died of.
#pragma once

#include "hypercalls/core.hpp"
#include "kvm/kvm_vm.hpp"

namespace skiff::vmm {

// Where signals for the app go: the libOS's boot info (pending_signals, interrupted) and the
// entry the vCPU is diverted to when it is in app code. Empty in tests that run bare code.
struct SignalRoute {
    uint64_t boot_info = 0;
    uint64_t libos_start = 0, libos_end = 0; // the vCPU in here will look at pending_signals itself
    uint64_t entry = 0;
};

// Catches the signals a container's process may be sent (TERM, INT, HUP, QUIT, USR1, USR2, ALRM,
// WINCH) so run_vcpu can hand them to the app, and ignores SIGPIPE (the app gets EPIPE).
void forward_signals_to_guest();

// The app's exit status (128 + signal when it died of one), or an error when the VM itself
// failed (triple fault, KVM error, protocol violation).
Result<int> run_vcpu(KvmVm& vm, Guest& g, const Hypercalls& hypercalls, const SignalRoute& route = {});

// The signal Linux sends for exception `vector` raised in user mode.
int signal_for_vector(unsigned vector);

} // namespace skiff::vmm
