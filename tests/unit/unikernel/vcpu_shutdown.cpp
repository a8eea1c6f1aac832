// A guest that triple-faults stops the VM with a clear error (real KVM).
#include <catch2/catch.hpp>

#include <sys/ioctl.h>
#include <unistd.h>

#include "cpu_x86_64.hpp"
#include "kvm/kvm_vm.hpp"
#include "vcpu.hpp"

using namespace skiff::vmm;

TEST_CASE("a triple fault is reported as an error naming it") {
    if (access("/dev/kvm", R_OK | W_OK) != 0) {
        WARN("skipped: needs /dev/kvm");
        return;
    }
    auto mem = GuestMemory::create(16u << 20);
    REQUIRE(mem.ok());
    auto vm = KvmVm::create(-1, *mem);
    REQUIRE(vm.ok());
    // Ring-3 code at 0x400000 that executes ud2, with an IDT of limit 0: the #UD cannot be
    // delivered, nor the #GP about that, nor the double fault: the CPU shuts down.
    const uint8_t code[] = {0x0f, 0x0b};
    mem->write(0x400000, code, sizeof code);
    CpuLayout layout{0x101000, 0x102000, 0x101000, 0x101000, 16};
    REQUIRE(write_cpu_tables(*mem, layout).ok());
    auto cpuid = vm->supported_cpuid();
    REQUIRE(cpuid.ok());
    REQUIRE(setup_vcpu(vm->vcpu_fd(), **cpuid, layout, 0x400000, 0x800000, 0).ok());
    kvm_sregs s;
    REQUIRE(ioctl(vm->vcpu_fd(), KVM_GET_SREGS, &s) == 0);
    s.idt.limit = 0;
    REQUIRE(ioctl(vm->vcpu_fd(), KVM_SET_SREGS, &s) == 0);
    Guest g;
    g.mem = &*mem;
    auto r = run_vcpu(*vm, g, all_hypercalls());
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("triple fault"));
}
