// Installing a compiled program: one seccomp(2) call in the container's init.
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "security/seccomp_names.hpp"
#include "security/security.hpp"

namespace skiff::runtime::security {
namespace {

long sys_seccomp(unsigned op, unsigned flags, void* args) {
    return syscall(SYS_seccomp, op, flags, args);
}

std::string flag_list(unsigned flags) {
    std::string out;
    for (const auto& f : seccomp_names::kFlags)
        if (f.value && (flags & f.value)) out += (out.empty() ? "" : "|") + std::string(f.name);
    if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
        out += (out.empty() ? "" : "|") + std::string("SECCOMP_FILTER_FLAG_NEW_LISTENER");
    return out.empty() ? "0" : out;
}

} // namespace

Result<int> load_seccomp(const SeccompProgram& program) {
    if (program.bpf.empty()) return -1; // seccomp disabled by the profile
    const size_t count = program.bpf.size() / sizeof(sock_filter);
    if (program.bpf.size() % sizeof(sock_filter) != 0 || count > BPF_MAXINSNS)
        return Error{"seccomp program: " + std::to_string(program.bpf.size()) +
                     " bytes is not a loadable BPF program (at most " +
                     std::to_string(BPF_MAXINSNS) + " instructions)"};
    // std::vector storage comes from operator new, aligned for sock_filter.
    sock_fprog prog{static_cast<unsigned short>(count),
                    reinterpret_cast<sock_filter*>(const_cast<unsigned char*>(program.bpf.data()))};
    unsigned flags = program.flags;
    if (program.wants_listener) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;

    long rc = sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (rc < 0) {
        int err = errno;
        std::string why;
        if (err == EACCES)
            why = " (without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it before "
                  "the capabilities are dropped)";
        else if (err == EINVAL && flags)
            why = " (this kernel may not support a requested flag)";
        return Error{"seccomp(SECCOMP_SET_MODE_FILTER, " + flag_list(flags) + ", " +
                         std::to_string(count) + " instructions): " + std::strerror(err) + why,
                     err};
    }
    return program.wants_listener ? static_cast<int>(rc) : -1;
}

std::vector<std::string> seccomp_supported_flags() {
    // The kernel checks flags before it reads the program: a flag it knows gets EFAULT for the
    // null program, an unknown one EINVAL. Nothing is installed either way.
    std::vector<std::string> out;
    for (const auto& f : seccomp_names::kFlags) {
        unsigned probe = f.value;
        if (probe == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
            probe |= SECCOMP_FILTER_FLAG_NEW_LISTENER; // only valid together
        if (probe == 0 || (sys_seccomp(SECCOMP_SET_MODE_FILTER, probe, nullptr) < 0 && errno == EFAULT))
            out.emplace_back(f.name);
    }
    return out;
}

} // namespace skiff::runtime::security
