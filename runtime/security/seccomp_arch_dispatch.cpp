// Joining single-architecture programs. libseccomp builds a multi-architecture filter in time
// that grows faster than the sum of its parts: for a docker-sized profile with x86-64, x86 and
// x32 (what engines send on amd64) about 25 ms of CPU, against about 10 ms for the three
// programs built one by one. So each architecture gets its own libseccomp program and a header
// picks the right one by seccomp_data.arch:
//
//   ld arch
//   jeq X86_64 ?  [ld nr; jset x32-bit ? ja X32 :] ja X86_64
//   jeq I386   ?  ja I386                      (one block per other architecture)
//   ret bad-arch action
//   <program X86_64> <program I386> <program X32>
//
// Every program still starts with libseccomp's own architecture check, so each stays exactly
// the filter libseccomp would load for that architecture alone.
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <cstddef>

#include "security/seccomp_bpf.hpp"

namespace skiff::runtime::security {
namespace {

constexpr uint32_t kX32Bit = 0x40000000;

} // namespace

std::vector<unsigned char> dispatch_by_arch(
    const std::vector<std::pair<uint32_t, std::vector<unsigned char>>>& programs,
    uint32_t bad_arch_action) {
    BpfWriter w;
    std::vector<size_t> starts;
    ptrdiff_t x32 = -1, x86_64 = -1;
    for (size_t i = 0; i < programs.size(); ++i) {
        starts.push_back(w.label());
        if (programs[i].first == SCMP_ARCH_X32) x32 = static_cast<ptrdiff_t>(i);
        if (programs[i].first == SCMP_ARCH_X86_64) x86_64 = static_cast<ptrdiff_t>(i);
    }
    const size_t bad_arch = w.label();

    w.stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
    for (size_t i = 0; i < programs.size(); ++i) {
        const uint32_t token = programs[i].first;
        if (token == SCMP_ARCH_X32) continue; // shares AUDIT_ARCH_X86_64, handled below
        size_t test = w.jump(BPF_JMP | BPF_JEQ | BPF_K, token, 0, 0);
        if (token == SCMP_ARCH_X86_64 && x32 >= 0) {
            w.stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
            w.jump(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 0, 1);
            w.go(starts[static_cast<size_t>(x32)]);
        }
        w.go(starts[i]);
        w.at(test).jf = static_cast<uint8_t>(w.size() - (test + 1));
    }
    if (x32 >= 0 && x86_64 < 0) { // x32 without x86-64 (a non-x86 host listing it)
        size_t test = w.jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 0);
        w.stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
        w.jump(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 0, 1);
        w.go(starts[static_cast<size_t>(x32)]);
        w.go(bad_arch);
        w.at(test).jf = static_cast<uint8_t>(w.size() - (test + 1));
    }
    w.bind(bad_arch);
    w.stmt(BPF_RET | BPF_K, bad_arch_action);

    size_t pc = w.size(), bytes = 0;
    for (size_t i = 0; i < programs.size(); ++i) {
        w.bind_at(starts[i], pc);
        pc += programs[i].second.size() / sizeof(sock_filter);
        bytes += programs[i].second.size();
    }
    std::vector<unsigned char> tail;
    tail.reserve(bytes);
    for (const auto& p : programs) tail.insert(tail.end(), p.second.begin(), p.second.end());
    return concat(w.finish(), tail);
}

} // namespace skiff::runtime::security
