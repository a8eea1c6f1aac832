#include "kvm/kvm_vm.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace skiff::vmm {

KvmVm& KvmVm::operator=(KvmVm&& o) noexcept {
    if (this != &o) {
        this->~KvmVm();
        kvm_ = o.kvm_, vm_ = o.vm_, vcpu_ = o.vcpu_, run_ = o.run_, run_size_ = o.run_size_;
        cpuid_ = std::move(o.cpuid_);
        o.kvm_ = o.vm_ = o.vcpu_ = -1;
        o.run_ = nullptr;
    }
    return *this;
}

KvmVm::~KvmVm() {
    if (run_) munmap(run_, run_size_);
    for (int fd : {vcpu_, vm_, kvm_})
        if (fd >= 0) close(fd);
    run_ = nullptr;
    kvm_ = vm_ = vcpu_ = -1;
}

Result<KvmVm> KvmVm::create(int kvm_fd, const GuestMemory& mem) {
    KvmVm v;
    v.kvm_ = kvm_fd >= 0 ? kvm_fd : open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (v.kvm_ < 0) return errno_error("open /dev/kvm");
    int version = ioctl(v.kvm_, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION)
        return Error{"/dev/kvm: API version " + std::to_string(version) + ", need 12"};
    v.vm_ = ioctl(v.kvm_, KVM_CREATE_VM, 0);
    if (v.vm_ < 0) return errno_error("KVM_CREATE_VM");
    kvm_userspace_memory_region region{};
    region.slot = 0;
    region.guest_phys_addr = 0;
    region.memory_size = mem.size();
    region.userspace_addr = reinterpret_cast<uint64_t>(mem.host());
    // No irqchip at all: the guest takes no interrupts, and creating one before this slot
    // would make the slot ioctl take 6 ms here.
    if (ioctl(v.vm_, KVM_SET_USER_MEMORY_REGION, &region) != 0)
        return errno_error("KVM_SET_USER_MEMORY_REGION");
    v.vcpu_ = ioctl(v.vm_, KVM_CREATE_VCPU, 0);
    if (v.vcpu_ < 0) return errno_error("KVM_CREATE_VCPU");
    int size = ioctl(v.kvm_, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size <= 0) return errno_error("KVM_GET_VCPU_MMAP_SIZE");
    void* run = mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE, MAP_SHARED, v.vcpu_, 0);
    if (run == MAP_FAILED) return errno_error("mmap kvm_run");
    v.run_ = static_cast<kvm_run*>(run);
    v.run_size_ = static_cast<size_t>(size);
    return v;
}

Result<const std::vector<kvm_cpuid_entry2>*> KvmVm::supported_cpuid() {
    if (!cpuid_.empty()) return &cpuid_;
    // 75 entries here; the kernel answers E2BIG when the buffer is short, so grow and retry.
    for (uint32_t n = 128; n <= 4096; n *= 2) {
        std::vector<uint8_t> buf(sizeof(kvm_cpuid2) + n * sizeof(kvm_cpuid_entry2));
        auto* c = reinterpret_cast<kvm_cpuid2*>(buf.data());
        c->nent = n;
        if (ioctl(kvm_, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            cpuid_.assign(c->entries, c->entries + c->nent);
            return &cpuid_;
        }
        if (errno != E2BIG) return errno_error("KVM_GET_SUPPORTED_CPUID");
    }
    return Error{"KVM_GET_SUPPORTED_CPUID: table larger than 4096 entries"};
}

} // namespace skiff::vmm
