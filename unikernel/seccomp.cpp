#include "seccomp.hpp"

#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/futex.h>
#include <termios.h>

#include <memory>

#include "kvm/kvm.hpp"

namespace skiff::vmm {

Result<void> confine_vmm(int vcpu_fd) {
    std::unique_ptr<void, void (*)(scmp_filter_ctx)> ctx(seccomp_init(SCMP_ACT_KILL_PROCESS),
                                                         seccomp_release);
    if (!ctx) return Error{"seccomp_init failed"};
    auto allow = [&](int nr, std::initializer_list<scmp_arg_cmp> args = {}) -> bool {
        return seccomp_rule_add_array(ctx.get(), SCMP_ACT_ALLOW, nr, static_cast<unsigned>(args.size()),
                                      args.size() ? args.begin() : nullptr) == 0;
    };
    const unsigned long vcpu = static_cast<unsigned long>(vcpu_fd);
    bool good =
        // The run loop, on the vCPU fd only.
        allow(SCMP_SYS(ioctl), {SCMP_A0(SCMP_CMP_EQ, vcpu), SCMP_A1(SCMP_CMP_EQ, KVM_RUN)}) &&
        allow(SCMP_SYS(ioctl), {SCMP_A0(SCMP_CMP_EQ, vcpu), SCMP_A1(SCMP_CMP_EQ, KVM_GET_REGS)}) &&   // fault reports
        allow(SCMP_SYS(ioctl), {SCMP_A0(SCMP_CMP_EQ, vcpu), SCMP_A1(SCMP_CMP_EQ, KVM_GET_SREGS)}) &&  // fault address (CR2)
        allow(SCMP_SYS(ioctl), {SCMP_A0(SCMP_CMP_EQ, vcpu), SCMP_A1(SCMP_CMP_EQ, KVM_SET_MSRS)}) &&   // FS base (arch_prctl)
        // Terminal queries the guest forwards (hypercalls/stdio.cpp), read-only ones only.
        allow(SCMP_SYS(ioctl), {SCMP_A1(SCMP_CMP_EQ, TCGETS)}) &&
        allow(SCMP_SYS(ioctl), {SCMP_A1(SCMP_CMP_EQ, TIOCGWINSZ)}) &&
        allow(SCMP_SYS(read)) &&        // stdin and pipes
        allow(SCMP_SYS(write)) &&       // stdout, stderr, files, the debug log
        allow(SCMP_SYS(pread64)) &&     // file reads into guest pages
        allow(SCMP_SYS(pwrite64)) &&    // file writes from guest pages
        allow(SCMP_SYS(openat2)) &&     // rootfs files, always RESOLVE_IN_ROOT (hypercalls/files.cpp)
        allow(SCMP_SYS(close)) &&       // guest closes a handle
        allow(SCMP_SYS(fstat)) &&       // stat of an open handle
        allow(SCMP_SYS(newfstatat)) &&  // glibc's fstat
        allow(SCMP_SYS(getdents64)) &&  // directory listings
        allow(SCMP_SYS(lseek)) &&       // rewinding a directory
        allow(SCMP_SYS(readlinkat)) &&  // readlink on an O_PATH fd
        allow(SCMP_SYS(clock_gettime)) &&   // guest clocks
        allow(SCMP_SYS(clock_nanosleep)) && // guest sleeps
        allow(SCMP_SYS(getrandom)) &&   // guest randomness
        allow(SCMP_SYS(madvise), {SCMP_A2(SCMP_CMP_EQ, MADV_DONTNEED)}) && // guest frees pages
        allow(SCMP_SYS(brk)) &&         // the VMM's own malloc (messages)
        allow(SCMP_SYS(mmap), {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)}) && // malloc, never code
        allow(SCMP_SYS(munmap)) &&      // free
        allow(SCMP_SYS(rt_sigreturn)) && // returning from a signal handler
        // libstdc++'s one-time initialisations (locale, on the first error message) wake waiters.
        allow(SCMP_SYS(futex), {SCMP_A1(SCMP_CMP_MASKED_EQ, ~0x80u, 1 /* FUTEX_WAKE */)}) &&
        allow(SCMP_SYS(exit_group));    // the end
    if (!good) return Error{"seccomp_rule_add failed"};
    int rc = seccomp_load(ctx.get());
    if (rc != 0) return Error{"seccomp_load: " + std::string(strerror(-rc)), -rc};
    return ok();
}

} // namespace skiff::vmm
