// Small builders for seccomp profiles in tests, and a child that loads a compiled program and
// then performs one probe.
#pragma once

#include <sys/syscall.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

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

// A real, docker-sized profile: the default seccomp.json of containers-common (what podman
// uses, ~470 syscall names), turned into an OCI linux.seccomp the way the engines do for an
// unprivileged x86-64 container.
inline const char* const kProfilePath = "/usr/share/containers/seccomp.json";

inline bool listed(const nlohmann::json& obj, const char* key, std::initializer_list<const char*> any) {
    if (!obj.is_object() || !obj.contains(key)) return false;
    for (const auto& v : obj[key])
        for (const char* a : any)
            if (v == a) return true;
    return false;
}

// Engine-side translation: keep rules for amd64 and for a container without extra caps.
inline std::optional<skiff::oci::Seccomp> docker_sized_profile() {
    std::ifstream in(kProfilePath);
    if (!in) return std::nullopt;
    nlohmann::json j = nlohmann::json::parse(in);
    skiff::oci::Seccomp p;
    p.default_action = j.at("defaultAction");
    if (j.contains("defaultErrnoRet")) p.default_errno_ret = j["defaultErrnoRet"].get<uint32_t>();
    for (const auto& m : j.value("archMap", nlohmann::json::array())) {
        if (m["architecture"] != "SCMP_ARCH_X86_64") continue;
        p.architectures.push_back(m["architecture"]);
        for (const auto& sub : m.value("subArchitectures", nlohmann::json::array())) p.architectures.push_back(sub);
    }
    for (const auto& s : j.at("syscalls")) {
        const nlohmann::json inc = s.value("includes", nlohmann::json::object()), exc = s.value("excludes", nlohmann::json::object());
        if (inc.contains("caps") && !inc["caps"].empty()) continue;
        if (inc.contains("arches") && !listed(inc, "arches", {"amd64", "x86_64"})) continue;
        if (listed(exc, "arches", {"amd64", "x86_64"})) continue;
        skiff::oci::SeccompSyscall sc;
        sc.names = s.at("names").get<std::vector<std::string>>();
        sc.action = s.at("action");
        if (s.contains("errnoRet")) sc.errno_ret = s["errnoRet"].get<uint32_t>();
        for (const auto& a : s.value("args", nlohmann::json::array()))
            sc.args.push_back({a.at("index").get<uint32_t>(), a.at("value").get<uint64_t>(),
                               a.value("valueTwo", uint64_t{0}), a.at("op").get<std::string>()});
        p.syscalls.push_back(std::move(sc));
    }
    return p;
}

} // namespace skiff::test
