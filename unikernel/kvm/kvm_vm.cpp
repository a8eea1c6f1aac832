#include "kvm/kvm_vm.hpp"

#include <cpuid.h>
#include <fcntl.h>
#include <sys/utsname.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

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
    if (version < 0) return errno_error("KVM_GET_API_VERSION on the /dev/kvm fd");
    if (version != KVM_API_VERSION)
        return Error{"/dev/kvm: API version " + std::to_string(version) + ", need 12"};
    v.vm_ = ioctl(v.kvm_, KVM_CREATE_VM, 0);
    if (v.vm_ < 0) return errno_error("KVM_CREATE_VM");
    kvm_userspace_memory_region region{};
    region.slot = 0;
    region.guest_phys_addr = 0;
    region.memory_size = mem.size();
    region.userspace_addr = reinterpret_cast<uint64_t>(mem.host());
    if (ioctl(v.vm_, KVM_SET_USER_MEMORY_REGION, &region) != 0)
        return errno_error("KVM_SET_USER_MEMORY_REGION");
    // The guest takes no interrupts, yet a split irqchip (local APIC in the kernel, nothing else)
    // makes KVM_CREATE_VCPU 4x cheaper here (≈70 instead of ≈300 µs) and the VM's teardown at exit
    // ≈250 µs cheaper (docs/vm-mode.md). After the slot: an irqchip before it makes the slot
    // ioctl take 6 ms; a full KVM_CREATE_IRQCHIP makes teardown take 19 ms. Optional: a kernel
    // without the capability just pays more.
    kvm_enable_cap split{};
    split.cap = KVM_CAP_SPLIT_IRQCHIP;
    split.args[0] = 0; // no IOAPIC routes: nothing raises interrupts
    (void)ioctl(v.vm_, KVM_ENABLE_CAP, &split);
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

namespace {

// What the cached table depends on: the kernel (its KVM) and the CPU.
struct CpuidCacheHeader {
    char magic[8];
    char release[65];
    char pad[7];
    uint32_t signature[4]; // host CPUID leaf 0 ebx/edx/ecx and leaf 1 eax
    uint32_t nent;
    uint32_t pad2;
};

CpuidCacheHeader cache_header(uint32_t nent) {
    CpuidCacheHeader h{};
    std::memcpy(h.magic, "SKCPUID1", 8);
    utsname u{};
    uname(&u);
    std::memcpy(h.release, u.release, sizeof h.release);
    unsigned a, b, c, d;
    __cpuid(0, a, b, c, d);
    h.signature[0] = b, h.signature[1] = d, h.signature[2] = c;
    __cpuid(1, a, b, c, d);
    h.signature[3] = a;
    h.nent = nent;
    return h;
}

bool read_cache(int fd, std::vector<kvm_cpuid_entry2>& out) {
    CpuidCacheHeader h{};
    if (pread(fd, &h, sizeof h, 0) != static_cast<ssize_t>(sizeof h) || h.nent == 0 || h.nent > 4096)
        return false;
    const CpuidCacheHeader want = cache_header(h.nent);
    if (std::memcmp(&h, &want, sizeof h) != 0) return false;
    out.resize(h.nent);
    const ssize_t bytes = static_cast<ssize_t>(h.nent * sizeof(kvm_cpuid_entry2));
    if (pread(fd, out.data(), static_cast<size_t>(bytes), sizeof h) == bytes) return true;
    out.clear();
    return false;
}

// One pwrite of header and table: a concurrent reader sees the old or the new file, or a
// mismatch it rejects.
void write_cache(int fd, const std::vector<kvm_cpuid_entry2>& t) {
    const CpuidCacheHeader h = cache_header(static_cast<uint32_t>(t.size()));
    std::vector<uint8_t> buf(sizeof h + t.size() * sizeof t[0]);
    std::memcpy(buf.data(), &h, sizeof h);
    std::memcpy(buf.data() + sizeof h, t.data(), t.size() * sizeof t[0]);
    (void)!pwrite(fd, buf.data(), buf.size(), 0);
}

} // namespace

Result<const std::vector<kvm_cpuid_entry2>*> KvmVm::supported_cpuid(int cache_fd) {
    if (!cpuid_.empty()) return &cpuid_;
    if (cache_fd >= 0 && read_cache(cache_fd, cpuid_)) return &cpuid_;
    // 75 entries here; the kernel answers E2BIG when the buffer is short, so grow and retry.
    for (uint32_t n = 128; n <= 4096; n *= 2) {
        std::vector<uint8_t> buf(sizeof(kvm_cpuid2) + n * sizeof(kvm_cpuid_entry2));
        auto* c = reinterpret_cast<kvm_cpuid2*>(buf.data());
        c->nent = n;
        if (ioctl(kvm_, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            cpuid_.assign(c->entries, c->entries + c->nent);
            if (cache_fd >= 0) write_cache(cache_fd, cpuid_);
            return &cpuid_;
        }
        if (errno != E2BIG) return errno_error("KVM_GET_SUPPORTED_CPUID");
    }
    return Error{"KVM_GET_SUPPORTED_CPUID: table larger than 4096 entries"};
}

} // namespace skiff::vmm
