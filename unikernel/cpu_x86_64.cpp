#include "cpu_x86_64.hpp"

#include <sys/ioctl.h>

#include <ctime>

#include "skiff/abi.h"

namespace skiff::vmm {
namespace {

constexpr uint64_t kPresent = 1, kWritable = 2, kUser = 4, kHuge = 0x80;
constexpr uint64_t kPdptAddr = SKIFF_PML4_ADDR + 0x1000, kPtAddr = SKIFF_PML4_ADDR + 0x2000,
                   kPdAddr = SKIFF_PML4_ADDR + 0x3000;
constexpr uint64_t kMmioPdAddr = kPdAddr + kMaxRamGiB * 0x1000; // maps the hypercall window
static_assert(kMmioPdAddr + 0x1000 <= SKIFF_PAGE_TABLES_END);
constexpr uint64_t kTssAddr = SKIFF_GDT_ADDR + 0x80;

constexpr uint32_t kMsrEfer = 0xc0000080, kMsrStar = 0xc0000081, kMsrLstar = 0xc0000082,
                   kMsrCstar = 0xc0000083, kMsrSfmask = 0xc0000084, kMsrFsBase = 0xc0000100,
                   kMsrGsBase = 0xc0000101, kMsrKernelGsBase = 0xc0000102;

const kvm_cpuid_entry2* find_leaf(const std::vector<kvm_cpuid_entry2>& t, uint32_t fn, uint32_t idx = 0) {
    for (const auto& e : t)
        if (e.function == fn && e.index == idx) return &e;
    return nullptr;
}

void put64(const GuestMemory& mem, uint64_t gpa, uint64_t v) { mem.write(gpa, &v, 8); }

} // namespace

Result<void> write_cpu_tables(const GuestMemory& mem, const CpuLayout& l) {
    const uint64_t gib = (mem.size() + (1ull << 30) - 1) >> 30;
    if (gib > kMaxRamGiB) return Error{"guest RAM above " + std::to_string(kMaxRamGiB) + " GiB"};

    // Page tables: PML4[0] -> PDPT -> one PD per GiB; 2 MiB pages except the first 2 MiB, which
    // uses 4 KiB pages so page 0 faults and the CPU tables and trampolines are supervisor-only.
    put64(mem, SKIFF_PML4_ADDR, kPdptAddr | kPresent | kWritable | kUser);
    for (uint64_t g = 0; g < gib; ++g)
        put64(mem, kPdptAddr + g * 8, (kPdAddr + g * 0x1000) | kPresent | kWritable | kUser);
    for (uint64_t a = 0x200000; a < mem.size(); a += 0x200000)
        put64(mem, kPdAddr + (a >> 21) * 8, a | kPresent | kWritable | kUser | kHuge);
    put64(mem, kPdAddr, kPtAddr | kPresent | kWritable | kUser);
    // The hypercall window: guest-physical addresses with no memory behind them, so stores exit.
    put64(mem, kPdptAddr + (SKIFF_HC_MMIO_BASE >> 30) * 8, kMmioPdAddr | kPresent | kWritable | kUser);
    put64(mem, kMmioPdAddr + ((SKIFF_HC_MMIO_BASE >> 21) & 511) * 8,
          SKIFF_HC_MMIO_BASE | kPresent | kWritable | kUser | kHuge);
    // The CPU tables are supervisor-only. The libOS's ring-0 pages must be user-executable (on
    // PVM a guest `syscall` reaches LSTAR in ring 3) but are read-only, so the app cannot rewrite
    // the code its faults run in ring 0 (CR0.WP keeps ring 0 from writing them too).
    for (uint64_t a = 0x1000; a < 0x200000; a += 0x1000) {
        const bool ring0 = a >= l.ring0_start && a < l.ring0_end;
        const bool supervisor = a < SKIFF_BOOT_INFO_ADDR;
        put64(mem, kPtAddr + (a >> 12) * 8,
              a | kPresent | (ring0 ? 0 : kWritable) | (supervisor ? 0 : kUser));
    }

    // GDT: null, kernel code64, kernel data, user code32 (unused, anchors STAR), user data,
    // user code64, TSS (two slots).
    const uint64_t gdt[] = {0,
                            0x00af9b000000ffffull,
                            0x00cf93000000ffffull,
                            0x00cffb000000ffffull,
                            0x00cff3000000ffffull,
                            0x00affb000000ffffull};
    mem.write(SKIFF_GDT_ADDR, gdt, sizeof gdt);
    const uint64_t tss_limit = 103;
    const uint64_t tss_lo = (tss_limit & 0xffff) | ((kTssAddr & 0xffffff) << 16) | (0x89ull << 40) |
                            (((kTssAddr >> 24) & 0xff) << 56);
    put64(mem, SKIFF_GDT_ADDR + kTss, tss_lo);
    put64(mem, SKIFF_GDT_ADDR + kTss + 8, kTssAddr >> 32);
    // TSS: RSP0 and IST1 both point at the ring-0 stack; no I/O bitmap (IOPL 3 allows port I/O).
    put64(mem, kTssAddr + 4, SKIFF_RING0_STACK_TOP);
    put64(mem, kTssAddr + 36, SKIFF_RING0_STACK_TOP);
    const uint16_t iomap = 104;
    mem.write(kTssAddr + 102, &iomap, 2);

    // IDT: the 32 exception vectors go to the libOS's ring-0 stubs on IST1. #BP and #OF are
    // reachable from ring 3 (int3, into), as on Linux.
    for (uint64_t v = 0; v < 32; ++v) {
        const uint64_t off = l.fault_stubs + v * l.fault_stub_size;
        const uint64_t dpl = (v == 3 || v == 4) ? 3 : 0;
        const uint64_t lo = (off & 0xffff) | (uint64_t{kKernelCs} << 16) | (1ull << 32) |
                            ((0x8eull | (dpl << 5)) << 40) | (((off >> 16) & 0xffff) << 48);
        put64(mem, SKIFF_IDT_ADDR + v * 16, lo);
        put64(mem, SKIFF_IDT_ADDR + v * 16 + 8, off >> 32);
    }
    return ok();
}

Result<uint64_t> setup_vcpu(int fd, const std::vector<kvm_cpuid_entry2>& cpuid, const CpuLayout& l,
                            uint64_t rip, uint64_t rsp, uint64_t rdi) {
    // CPUID before SREGS: upstream KVM checks CR4 against the guest's CPUID.
    {
        std::vector<uint8_t> buf(sizeof(kvm_cpuid2) + cpuid.size() * sizeof(kvm_cpuid_entry2));
        auto* c = reinterpret_cast<kvm_cpuid2*>(buf.data());
        c->nent = static_cast<uint32_t>(cpuid.size());
        std::copy(cpuid.begin(), cpuid.end(), c->entries);
        if (ioctl(fd, KVM_SET_CPUID2, c) != 0) return errno_error("KVM_SET_CPUID2");
    }
    const auto* leaf1 = find_leaf(cpuid, 1);
    const auto* leaf7 = find_leaf(cpuid, 7);
    const auto* ext1 = find_leaf(cpuid, 0x80000001);
    if (!leaf1 || !ext1 || !(ext1->edx & (1u << 29)))
        return Error{"KVM's supported CPUID lacks long mode"};

    kvm_sregs s;
    if (ioctl(fd, KVM_GET_SREGS, &s) != 0) return errno_error("KVM_GET_SREGS");
    kvm_segment code{};
    code.base = 0, code.limit = 0xffffffff, code.selector = kUserCs, code.type = 11;
    code.present = 1, code.dpl = 3, code.s = 1, code.l = 1, code.g = 1;
    kvm_segment data = code;
    data.selector = kUserDs, data.type = 3, data.l = 0, data.db = 1;
    s.cs = code;
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.tr = {};
    s.tr.base = kTssAddr, s.tr.limit = 103, s.tr.selector = kTss, s.tr.type = 11, s.tr.present = 1;
    s.ldt = {};
    s.ldt.unusable = 1;
    s.gdt.base = SKIFF_GDT_ADDR, s.gdt.limit = kTss + 15;
    s.idt.base = SKIFF_IDT_ADDR, s.idt.limit = 32 * 16 - 1;
    s.cr3 = SKIFF_PML4_ADDR;
    // CR4 from what the CPUID table offers: PAE always; PGE, OSFXSR/OSXMMEXCPT (SSE in ring 3),
    // FSGSBASE and OSXSAVE only when advertised.
    uint64_t cr4 = 1u << 5;
    if (leaf1->edx & (1u << 13)) cr4 |= 1u << 7;
    if (leaf1->edx & (1u << 24)) cr4 |= (1u << 9) | (1u << 10);
    if (leaf7 && (leaf7->ebx & 1u)) cr4 |= 1u << 16;
    if (leaf1->ecx & (1u << 26)) cr4 |= 1u << 18;
    s.cr4 = cr4;
    s.cr0 = 0x80050033; // PG WP NE ET MP PE
    uint64_t efer = (1u << 0) | (1u << 8) | (1u << 10); // SCE LME LMA
    if (ext1->edx & (1u << 20)) efer |= 1u << 11;       // NXE
    s.efer = efer;
    if (ioctl(fd, KVM_SET_SREGS, &s) != 0) return errno_error("KVM_SET_SREGS");

    struct {
        kvm_msrs hdr;
        kvm_msr_entry e[8];
    } msrs{};
    const std::pair<uint32_t, uint64_t> values[] = {
        // sysretq: CS = 0x1b + 16 = 0x2b, SS = 0x1b + 8 = 0x23; syscall: CS 0x08, SS 0x10.
        {kMsrStar, (uint64_t{0x1b} << 48) | (uint64_t{kKernelCs} << 32)},
        {kMsrLstar, l.syscall_entry},
        {kMsrCstar, l.syscall_entry},
        // Cleared on syscall entry: TF, IF, DF, AC, NT (as Linux).
        {kMsrSfmask, 0x47700},
        {kMsrFsBase, 0},
        {kMsrGsBase, 0},
        {kMsrKernelGsBase, 0},
    };
    for (const auto& [i, v] : values) msrs.e[msrs.hdr.nmsrs++] = {i, 0, v};
    if (ioctl(fd, KVM_SET_MSRS, &msrs) != static_cast<int>(msrs.hdr.nmsrs))
        return errno_error("KVM_SET_MSRS");
    (void)kMsrEfer;

    kvm_fpu fpu{};
    fpu.fcw = 0x37f; // the x87 control word Linux gives a new process
    fpu.mxcsr = 0x1f80;
    if (ioctl(fd, KVM_SET_FPU, &fpu) != 0) return errno_error("KVM_SET_FPU");

    kvm_regs r{};
    r.rip = rip, r.rsp = rsp, r.rdi = rdi;
    r.rflags = 0x3002; // IOPL 3: ring 3 reaches the hypercall ports directly
    if (ioctl(fd, KVM_SET_REGS, &r) != 0) return errno_error("KVM_SET_REGS");
    return uint64_t{leaf1->edx};
}

Result<GuestClock> sample_guest_clock(int fd) {
    GuestClock c;
    const int khz = ioctl(fd, KVM_GET_TSC_KHZ, 0);
    if (khz <= 0) return c;
    struct {
        kvm_msrs hdr;
        kvm_msr_entry e[1];
    } msrs{};
    msrs.hdr.nmsrs = 1;
    msrs.e[0].index = 0x10; // IA32_TSC
    timespec m1, m2, real;
    clock_gettime(CLOCK_MONOTONIC, &m1);
    clock_gettime(CLOCK_REALTIME, &real);
    if (ioctl(fd, KVM_GET_MSRS, &msrs) != 1) return errno_error("KVM_GET_MSRS IA32_TSC");
    clock_gettime(CLOCK_MONOTONIC, &m2);
    auto ns = [](const timespec& t) { return int64_t{t.tv_sec} * 1000000000 + t.tv_nsec; };
    const int64_t mid = ns(m1) + (ns(m2) - ns(m1)) / 2;
    c.tsc = msrs.e[0].data;
    c.mono_ns = mid;
    c.real_ns = ns(real) + (mid - ns(m1));
    c.khz = static_cast<uint32_t>(khz);
    return c;
}

Result<void> set_fs_base(int fd, uint64_t base) {
    struct {
        kvm_msrs hdr;
        kvm_msr_entry e[1];
    } msrs{};
    msrs.hdr.nmsrs = 1;
    msrs.e[0] = {kMsrFsBase, 0, base};
    if (ioctl(fd, KVM_SET_MSRS, &msrs) != 1) return errno_error("KVM_SET_MSRS FS_BASE");
    return ok();
}

} // namespace skiff::vmm
