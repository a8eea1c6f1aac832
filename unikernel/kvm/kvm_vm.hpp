// The raw KVM objects of one VM: /dev/kvm, the VM, its one memory slot and its vCPU with the
// mapped kvm_run area. Owns the fds; closing them tears the VM down.
#pragma once

#include <cstdint>
#include <vector>

#include "kvm/kvm.hpp"
#include "memory.hpp"

namespace skiff::vmm {

class KvmVm {
public:
    // kvm_fd < 0: open /dev/kvm here. The fd is adopted either way.
    static Result<KvmVm> create(int kvm_fd, const GuestMemory& mem);
    KvmVm() = default;
    KvmVm(KvmVm&& o) noexcept { *this = std::move(o); }
    KvmVm& operator=(KvmVm&& o) noexcept;
    ~KvmVm();

    int kvm_fd() const { return kvm_; }
    int vcpu_fd() const { return vcpu_; }
    kvm_run* run() const { return run_; }
    // What KVM supports for the guest; fetched once (≈270 µs here).
    Result<const std::vector<kvm_cpuid_entry2>*> supported_cpuid();

private:
    int kvm_ = -1, vm_ = -1, vcpu_ = -1;
    kvm_run* run_ = nullptr;
    size_t run_size_ = 0;
    std::vector<kvm_cpuid_entry2> cpuid_;
};

} // namespace skiff::vmm
