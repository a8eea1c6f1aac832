// The vCPU loop: KVM_RUN until the guest exits, serving hypercalls and turning guest faults into
// the signal the app would have died of.
#pragma once

#include "hypercalls/core.hpp"
#include "kvm/kvm_vm.hpp"

namespace skiff::vmm {

// The app's exit status (128 + signal when it died of one), or an error when the VM itself
// failed (triple fault, KVM error, protocol violation).
Result<int> run_vcpu(KvmVm& vm, Guest& g, const Hypercalls& hypercalls);

// The signal Linux sends for exception `vector` raised in user mode.
int signal_for_vector(unsigned vector);

} // namespace skiff::vmm
