// The -ENOSYS stub runc prepends to every deny-by-default filter. A profile only names the
// syscalls that existed when it was written; a newer one (clone3, fchmodat2, ...) would get the
// default errno, usually EPERM, and libc treats EPERM as a real refusal instead of falling back
// to the older call it uses on kernels without the new one. So every syscall numbered above the
// highest one the profile mentions, per architecture, gets ENOSYS -- as on an older kernel.
//
// Layout (all conditional jumps stay inside one small block; long jumps use BPF_JA):
//   ld arch
//   per audit arch:  jeq ARCH ? enter : next block
//                    ld nr; [x86-64: jset x32-bit -> x32 part]; jgt MAX -> ja ENOSYS; ja FILTER
//   ja FILTER                         (an arch the stub does not know: libseccomp decides)
//   ENOSYS: ret ERRNO|ENOSYS
//   FILTER: the libseccomp program, unchanged (its jumps are relative, so they survive)
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <cstddef>
#include <map>

#include "security/seccomp_bpf.hpp"

namespace skiff::runtime::security {
namespace {

constexpr uint32_t kX32Bit = 0x40000000;
constexpr uint32_t kSeccompDataNr = offsetof(seccomp_data, nr);
constexpr uint32_t kSeccompDataArch = offsetof(seccomp_data, arch);

} // namespace

std::vector<unsigned char> with_enosys_stub(const std::vector<unsigned char>& filter,
                                            const oci::Seccomp& profile,
                                            const std::vector<uint32_t>& arches) {
    // Highest syscall number the profile names, per libseccomp arch token.
    std::map<uint32_t, uint32_t> max_nr;
    for (uint32_t arch : arches) {
        int32_t best = -1;
        for (const auto& sc : profile.syscalls)
            for (const auto& name : sc.names) {
                int nr = seccomp_syscall_resolve_name_arch(arch, name.c_str());
                if (nr > best) best = nr; // negative: a multiplexed pseudo-syscall, skipped
            }
        if (best >= 0) max_nr[arch] = static_cast<uint32_t>(best);
    }
    if (max_nr.empty()) return filter;

    BpfWriter w;
    const size_t enosys = w.label(), rest = w.label();
    // "if nr > max: ENOSYS, else: the filter", three instructions.
    auto above_max_is_enosys = [&](uint32_t max) {
        w.jump(BPF_JMP | BPF_JGT | BPF_K, max, 0, 1);
        w.go(enosys);
        w.go(rest);
    };
    w.stmt(BPF_LD | BPF_W | BPF_ABS, kSeccompDataArch);
    auto block = [&](uint32_t audit_arch, auto&& body) {
        size_t test = w.jump(BPF_JMP | BPF_JEQ | BPF_K, audit_arch, 0, 0);
        w.stmt(BPF_LD | BPF_W | BPF_ABS, kSeccompDataNr);
        body();
        w.at(test).jf = static_cast<uint8_t>(w.size() - (test + 1)); // blocks are < 16 insns
    };
    for (auto [arch, max] : max_nr) {
        if (arch == SCMP_ARCH_X32) continue; // handled inside the x86-64 block
        if (arch == SCMP_ARCH_X86_64) {
            // x32 shares the x86-64 audit arch and marks its numbers with bit 30. Without x32
            // in the filter those calls must reach libseccomp's bad-arch action untouched.
            block(AUDIT_ARCH_X86_64, [&, max = max] {
                size_t is_x32 = w.jump(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 0, 0);
                above_max_is_enosys(max);
                w.at(is_x32).jt = static_cast<uint8_t>(w.size() - (is_x32 + 1));
                if (auto x32 = max_nr.find(SCMP_ARCH_X32); x32 != max_nr.end())
                    above_max_is_enosys(x32->second);
                else
                    w.go(rest);
            });
            continue;
        }
        // libseccomp's arch tokens are the kernel's AUDIT_ARCH_* values.
        block(arch, [&, max = max] { above_max_is_enosys(max); });
    }
    w.go(rest); // an arch the stub does not know: the filter decides
    w.bind(enosys);
    w.stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    w.bind(rest);
    return concat(w.finish(), filter);
}

} // namespace skiff::runtime::security
