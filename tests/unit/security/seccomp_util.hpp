// Small builders for seccomp profiles in tests, and a child that loads a compiled program and
// then performs one probe.
#pragma once

#include <sys/syscall.h>

#include "child.hpp"
#include "security/security.hpp"

namespace skiff::test {

namespace sec = skiff::runtime::security;

inline oci::SeccompSyscall rule(std::vector<std::string> names, std::string action,
                                std::optional<uint32_t> errno_ret = {},
                                std::vector<oci::SeccompArg> args = {}) {
    oci::SeccompSyscall s;
    s.names = std::move(names);
    s.action = std::move(action);
    s.errno_ret = errno_ret;
    s.args = std::move(args);
    return s;
}

inline oci::SeccompArg arg(uint32_t index, std::string op, uint64_t value, uint64_t two = 0) {
    return {index, value, two, std::move(op)};
}

inline oci::Seccomp profile(std::string default_action, std::vector<oci::SeccompSyscall> rules = {}) {
    oci::Seccomp p;
    p.default_action = std::move(default_action);
    p.syscalls = std::move(rules);
    return p;
}

inline std::string compile_error(const oci::Seccomp& p) {
    auto r = sec::compile_seccomp(p);
    return r ? std::string("none") : r.error().message;
}

// A raw syscall's result the kernel way: the value, or -errno.
inline long rawcall(long nr, long a = 0, long b = 0, long c = 0) {
    long rc = syscall(nr, a, b, c);
    return rc < 0 ? -errno : rc;
}

// Loads `program` in a child, then runs probe() (which must not allocate: the filter may block
// brk/mmap) and reports its return value as "probe=<value>".
template <class Probe>
Exit load_and_probe(const sec::SeccompProgram& program, Probe probe) {
    return run_in_child([&](int out) {
        auto loaded = sec::load_seccomp(program);
        if (!loaded) {
            say(out, "load=" + loaded.error().message + "\n");
            return 1;
        }
        char buf[64];
        long v = probe();
        int n = snprintf(buf, sizeof buf, "probe=%ld\n", v);
        if (write(out, buf, static_cast<size_t>(n)) < 0) return 2;
        return 0;
    });
}

// The syscalls a probing child needs after loading a deny-by-default filter.
inline std::vector<std::string> child_basics() {
    return {"write", "exit_group", "exit", "rt_sigreturn", "brk", "mmap", "munmap", "futex"};
}

} // namespace skiff::test
