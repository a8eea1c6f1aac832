// The container's seccomp profile, enforced in vm mode (DESIGN decision 6; abi/skiff/seccomp.h).
// The runtime hands skiff-vmm the profile compiled to classic BPF; the VMM checks it as the
// kernel would, gives it to the libOS (which evaluates it per syscall number on first use), and
// refuses a forwarded operation (a hypercall) when the profile blocks every syscall that could
// have asked for it.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "memory.hpp"
#include "skiff/abi.h"
#include "skiff/oci/result.hpp"
#include "skiff/seccomp.h"

namespace skiff::vmm {

struct AppSeccomp {
    std::vector<skiff_bpf_insn> filter;
    // Verdict per nr whatever the arguments, SKIFF_SECCOMP_EVAL when it depends on them, or
    // SKIFF_SECCOMP_UNKNOWN (the libOS evaluates each number on first use).
    std::array<uint32_t, SKIFF_SECCOMP_NR> action{};
    // Per hypercall: 0 when some syscall that uses it may run, else the blocking verdict.
    // Worked out on the hypercall's first use, so start-up runs no filter at all.
    uint32_t refusal(uint32_t hypercall);

private:
    std::array<uint32_t, SKIFF_HC_COUNT> refused_{};
    std::array<bool, SKIFF_HC_COUNT> known_{};
};

// Checks a program as the kernel's seccomp does (opcodes, load offsets, jumps, scratch slots,
// ends in a return); errors name the instruction. `what` names the source in messages.
Result<AppSeccomp> make_app_seccomp(const void* bpf, size_t len, const std::string& what);
Result<AppSeccomp> make_app_seccomp(std::vector<skiff_bpf_insn> filter, const std::string& what);
// The verdict of the program for syscall `nr` whatever its arguments, or SKIFF_SECCOMP_EVAL.
uint32_t seccomp_verdict_of(const AppSeccomp& s, uint32_t nr);

// Reads the program from an fd (a memfd or regular file, read from offset 0) or a file.
Result<AppSeccomp> read_app_seccomp_fd(int fd);
Result<AppSeccomp> read_app_seccomp_file(const std::string& path);

// Writes the table and the program to guest RAM at SKIFF_SECCOMP_ADDR.
Result<void> write_app_seccomp(const GuestMemory& mem, const AppSeccomp& s);

// Whether a verdict lets the syscall run (ALLOW, LOG) or may (EVAL: depends on arguments).
bool seccomp_may_run(uint32_t verdict);

// What a refused hypercall answers: -errno for ERRNO (and -ENOSYS for TRACE, USER_NOTIF, as the
// kernel without a tracer or listener); kEndBySigsys when the guest must end by SIGSYS (KILL,
// TRAP: the libOS would have raised it, so the guest went around the libOS).
inline constexpr int64_t kEndBySigsys = INT64_MIN;
int64_t refused_hypercall_result(uint32_t verdict);

} // namespace skiff::vmm
