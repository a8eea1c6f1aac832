// The x86-64 machine state the VMM builds so the guest needs no boot code: identity page tables,
// GDT/TSS/IDT, control registers derived from the supported CPUID, syscall MSRs, and the vCPU
// registers that start it directly in ring 3.
#pragma once

#include <cstdint>
#include <vector>

#include "kvm/kvm.hpp"
#include "memory.hpp"

namespace skiff::vmm {

// Where the libOS put its ring-0 pieces (from its skiff_libos_header).
struct CpuLayout {
    uint64_t ring0_start = 0, ring0_end = 0;
    uint64_t syscall_entry = 0;
    uint64_t fault_stubs = 0, fault_stub_size = 0;
};

// Guest selectors: ring-3 code 0x2b and data 0x23 are what sysretq yields with STAR[63:48]=0x1b.
constexpr uint16_t kKernelCs = 0x08, kKernelDs = 0x10, kUserDs = 0x23, kUserCs = 0x2b, kTss = 0x30;
constexpr uint32_t kMaxRamGiB = 8; // page directories that fit below SKIFF_PAGE_TABLES_END

// Page tables, GDT, TSS and IDT into guest RAM.
Result<void> write_cpu_tables(const GuestMemory& mem, const CpuLayout& layout);

// CPUID, special registers, MSRs, FPU and general registers of the vCPU: it starts at `rip` in
// ring 3 with `rsp` and `rdi`. Returns the AT_HWCAP the app should see.
Result<uint64_t> setup_vcpu(int vcpu_fd, const std::vector<kvm_cpuid_entry2>& cpuid,
                            const CpuLayout& layout, uint64_t rip, uint64_t rsp, uint64_t rdi);

Result<void> set_fs_base(int vcpu_fd, uint64_t base);

// The guest's TSC (KVM_GET_MSRS IA32_TSC) with CLOCK_MONOTONIC and CLOCK_REALTIME read around it,
// and the guest TSC rate (KVM_GET_TSC_KHZ); khz 0 when KVM does not say.
struct GuestClock {
    uint64_t tsc = 0;
    int64_t mono_ns = 0, real_ns = 0;
    uint32_t khz = 0;
};
Result<GuestClock> sample_guest_clock(int vcpu_fd);

} // namespace skiff::vmm
