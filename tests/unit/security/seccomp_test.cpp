#include <linux/seccomp.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>

#include "seccomp_util.hpp"

using namespace skiff::test;
using skiff::oci::Seccomp;

namespace {

constexpr long kBlocked = -EDOM; // the errnoRet the rules below use, seen nowhere else

long getpriority_raw(long which, long who) { return rawcall(SYS_getpriority, which, who); }

// i386 getpid through the 32-bit syscall gate (needs CONFIG_IA32_EMULATION).
long getpid_i386() {
    long r;
    asm volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
    return r;
}

sec::SeccompProgram compiled(const Seccomp& p) {
    auto r = sec::compile_seccomp(p);
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r.ok());
    return std::move(r).value();
}

} // namespace

TEST_CASE("an ERRNO rule blocks its syscall with EPERM unless errnoRet says otherwise", "[seccomp]") {
    SKIFF_NEED_ROOT();
    auto program = compiled(profile("SCMP_ACT_ALLOW", {rule({"getcwd"}, "SCMP_ACT_ERRNO"),
                                                      rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 38)}));
    auto e = run_in_child([&](int out) {
        if (!sec::load_seccomp(program)) return 1;
        char buf[256];
        errno = 0;
        bool cwd_ok = getcwd(buf, sizeof buf) != nullptr;
        int cwd_errno = errno;
        errno = 0;
        int mk = mkdir("/tmp/skiff-seccomp-never-made", 0700);
        int mk_errno = errno;
        say(out, "getcwd=" + std::string(cwd_ok ? "ok" : std::to_string(cwd_errno)) +
                     "\nmkdir=" + (mk == 0 ? std::string("ok") : std::to_string(mk_errno)) +
                     "\nseccomp=" + status_field("Seccomp") + "\nfilters=" +
                     status_field("Seccomp_filters") + "\n");
        return 0;
    });
    INFO(e.out);
    REQUIRE(e.code == 0);
    CHECK(field(e.out, "getcwd") == std::to_string(EPERM));
    CHECK(field(e.out, "mkdir") == "38");
    CHECK(field(e.out, "seccomp") == "2");
    CHECK(field(e.out, "filters") == "1");
    struct stat st;
    CHECK(stat("/tmp/skiff-seccomp-never-made", &st) != 0);
}

TEST_CASE("the default action takes defaultErrnoRet; ALLOW and LOG rules let calls through",
          "[seccomp]") {
    SKIFF_NEED_ROOT();
    auto p = profile("SCMP_ACT_ERRNO", {rule(child_basics(), "SCMP_ACT_ALLOW"),
                                        rule({"getppid"}, "SCMP_ACT_LOG")});
    p.default_errno_ret = EACCES;
    auto program = compiled(p);
    long ppid = getpid();
    auto e = load_and_probe(program, [] { return rawcall(SYS_getppid); });
    INFO(e.out);
    CHECK(field(e.out, "probe") == std::to_string(ppid));
    e = load_and_probe(program, [] { return rawcall(SYS_getuid); });
    CHECK(field(e.out, "probe") == std::to_string(-EACCES));
}

TEST_CASE("KILL, KILL_THREAD, KILL_PROCESS and TRAP end the process with SIGSYS", "[seccomp]") {
    SKIFF_NEED_ROOT();
    for (auto action : {"SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
                        "SCMP_ACT_TRAP"}) {
        INFO(action);
        auto program = compiled(profile("SCMP_ACT_ALLOW", {rule({"getppid"}, action)}));
        auto e = load_and_probe(program, [] { return rawcall(SYS_getppid); });
        INFO(e.out);
        CHECK(e.signaled);
        CHECK(e.signal == SIGSYS);
        CHECK(e.out.find("probe=") == std::string::npos);
    }
}

TEST_CASE("TRACE without a tracer fails the call with ENOSYS", "[seccomp]") {
    SKIFF_NEED_ROOT();
    auto program = compiled(profile("SCMP_ACT_ALLOW", {rule({"getppid"}, "SCMP_ACT_TRACE", 5)}));
    auto e = load_and_probe(program, [] { return rawcall(SYS_getppid); });
    INFO(e.out);
    CHECK(field(e.out, "probe") == std::to_string(-ENOSYS));
}

TEST_CASE("argument conditions: every operator matches only the intended values", "[seccomp]") {
    SKIFF_NEED_ROOT();
    struct Case {
        const char* op;
        uint64_t value, two;
        std::vector<std::pair<long, bool>> probes; // who -> blocked?
    };
    const std::vector<Case> cases = {
        {"SCMP_CMP_NE", 100, 0, {{99, true}, {100, false}, {101, true}}},
        {"SCMP_CMP_LT", 100, 0, {{99, true}, {100, false}, {101, false}}},
        {"SCMP_CMP_LE", 100, 0, {{99, true}, {100, true}, {101, false}}},
        {"SCMP_CMP_EQ", 100, 0, {{99, false}, {100, true}, {101, false}}},
        {"SCMP_CMP_GE", 100, 0, {{99, false}, {100, true}, {101, true}}},
        {"SCMP_CMP_GT", 100, 0, {{99, false}, {100, false}, {101, true}}},
        // (arg & value) == valueTwo
        {"SCMP_CMP_MASKED_EQ", 0xf0, 0x30, {{0x35, true}, {0x30, true}, {0x45, false}, {0x03, false}}},
    };
    for (const auto& c : cases) {
        auto program = compiled(profile(
            "SCMP_ACT_ALLOW", {rule({"getpriority"}, "SCMP_ACT_ERRNO", EDOM, {arg(1, c.op, c.value, c.two)})}));
        for (auto [who, blocked] : c.probes) {
            INFO(c.op << " who=" << who);
            auto e = load_and_probe(program, [who = who] { return getpriority_raw(PRIO_PROCESS, who); });
            INFO(e.out);
            REQUIRE(e.code == 0);
            CHECK((field(e.out, "probe") == std::to_string(kBlocked)) == blocked);
        }
    }
}

TEST_CASE("conditions on different arguments are ANDed, on the same argument ORed", "[seccomp]") {
    SKIFF_NEED_ROOT();
    auto both = compiled(profile("SCMP_ACT_ALLOW",
                                 {rule({"getpriority"}, "SCMP_ACT_ERRNO", EDOM,
                                       {arg(0, "SCMP_CMP_EQ", PRIO_PGRP), arg(1, "SCMP_CMP_EQ", 100)})}));
    auto probe = [&](const sec::SeccompProgram& p, long which, long who) {
        auto e = load_and_probe(p, [=] { return getpriority_raw(which, who); });
        return field(e.out, "probe") == std::to_string(kBlocked);
    };
    CHECK(probe(both, PRIO_PGRP, 100));
    CHECK_FALSE(probe(both, PRIO_PGRP, 99));
    CHECK_FALSE(probe(both, PRIO_PROCESS, 100));

    auto either = compiled(profile("SCMP_ACT_ALLOW",
                                   {rule({"getpriority"}, "SCMP_ACT_ERRNO", EDOM,
                                         {arg(1, "SCMP_CMP_EQ", 100), arg(1, "SCMP_CMP_EQ", 200)})}));
    CHECK(probe(either, PRIO_PROCESS, 100));
    CHECK(probe(either, PRIO_PROCESS, 200));
    CHECK_FALSE(probe(either, PRIO_PROCESS, 150));
}

TEST_CASE("architectures: listed ones are filtered by the rules, others hit the bad-arch kill",
          "[seccomp]") {
    SKIFF_NEED_ROOT();
    if (getpid_i386() != getpid()) {
        WARN("skipped: no 32-bit syscall gate (CONFIG_IA32_EMULATION)");
        return;
    }
    auto p = profile("SCMP_ACT_ALLOW", {rule({"getpid"}, "SCMP_ACT_ERRNO", EDOM)});
    p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    auto multi = compiled(p);
    auto e = load_and_probe(multi, [] { return getpid_i386(); });
    INFO(e.out);
    CHECK(field(e.out, "probe") == std::to_string(kBlocked));
    e = load_and_probe(multi, [] { return rawcall(SYS_getpid); });
    CHECK(field(e.out, "probe") == std::to_string(kBlocked));

    p.architectures.clear();
    auto native_only = compiled(p);
    CHECK(native_only.bpf.size() < multi.bpf.size());
    e = load_and_probe(native_only, [] { return getpid_i386(); });
    CHECK(e.signaled);
    CHECK(e.signal == SIGSYS);
}

TEST_CASE("syscall names libseccomp does not know are skipped, like runc", "[seccomp]") {
    SKIFF_NEED_ROOT();
    auto program = compiled(
        profile("SCMP_ACT_ALLOW", {rule({"not_a_syscall", "getppid", "quantum_fork"}, "SCMP_ACT_ERRNO", EDOM)}));
    auto e = load_and_probe(program, [] { return rawcall(SYS_getppid); });
    CHECK(field(e.out, "probe") == std::to_string(kBlocked));
}

TEST_CASE("bad actions, operators, architectures and flags are errors naming the JSON path",
          "[seccomp]") {
    auto p = profile("SCMP_ACT_ALLOW", {rule({"getcwd"}, "SCMP_ACT_ERRNO"), rule({"read"}, "SCMP_ACT_ALLOW"),
                                        rule({"write"}, "SCMP_ACT_LOG"), rule({"mkdir"}, "SCMP_ACT_FOO")});
    CHECK(compile_error(p) == "linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"");

    CHECK(compile_error(profile("SCMP_ACT_NOPE")) ==
          "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"");
    CHECK(compile_error(profile("", {rule({"getcwd"}, "SCMP_ACT_ERRNO")})) ==
          "linux.seccomp.defaultAction: missing");

    p = profile("SCMP_ACT_ALLOW",
                {rule({"getpriority"}, "SCMP_ACT_ERRNO", {}, {arg(0, "SCMP_CMP_EQ", 1), arg(1, "SCMP_CMP_SORTA", 2)})});
    CHECK(compile_error(p) == "linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_SORTA\"");
    p = profile("SCMP_ACT_ALLOW", {rule({"getpriority"}, "SCMP_ACT_ERRNO", {}, {arg(6, "SCMP_CMP_EQ", 1)})});
    CHECK(compile_error(p) == "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0..5)");

    p = profile("SCMP_ACT_ALLOW");
    p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"};
    CHECK(compile_error(p) == "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_Z80\"");

    p.architectures = {"SCMP_ARCH_M68K"};
    const std::string m68k = compile_error(p);
    CHECK((m68k == "none" || m68k.rfind("linux.seccomp.architectures[0]: SCMP_ARCH_M68K is not "
                                        "supported by libseccomp ", 0) == 0));

    p = profile("SCMP_ACT_ALLOW");
    p.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_FAST"};
    CHECK(compile_error(p) == "linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_FAST\"");

    p = profile("SCMP_ACT_ALLOW", {rule({"getcwd"}, "SCMP_ACT_ERRNO", 70000)});
    CHECK(compile_error(p) == "linux.seccomp.syscalls[0].action: errnoRet 70000 is out of range (0..65535)");
    p = profile("SCMP_ACT_ALLOW", {rule({"getcwd", ""}, "SCMP_ACT_ERRNO")});
    CHECK(compile_error(p) == "linux.seccomp.syscalls[0].names[1]: empty syscall name");
}

TEST_CASE("NOTIFY is refused as the default action and for write, like runc", "[seccomp]") {
    CHECK(compile_error(profile("SCMP_ACT_NOTIFY")) ==
          "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
    CHECK(compile_error(profile("SCMP_ACT_ALLOW", {rule({"read", "write"}, "SCMP_ACT_NOTIFY")})) ==
          "linux.seccomp.syscalls[0].names: SCMP_ACT_NOTIFY cannot be used for \"write\" (the "
          "init needs it to pass the listener on)");
}

TEST_CASE("flags: TSYNC is accepted and dropped, LOG and SPEC_ALLOW reach the kernel", "[seccomp]") {
    auto p = profile("SCMP_ACT_ALLOW", {rule({"getcwd"}, "SCMP_ACT_ERRNO")});
    p.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
               "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
    auto program = compiled(p);
    // WAIT_KILLABLE_RECV only qualifies a listener; without NOTIFY rules it is dropped.
    CHECK(program.flags == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW));
    SKIFF_NEED_ROOT();
    auto e = load_and_probe(program, [] { return rawcall(SYS_getcwd); });
    INFO(e.out);
    CHECK(field(e.out, "probe") == std::to_string(-EPERM));
}

TEST_CASE("without no_new_privs, loading needs CAP_SYS_ADMIN; with it, nothing", "[seccomp]") {
    SKIFF_NEED_ROOT();
    auto program = compiled(profile("SCMP_ACT_ALLOW", {rule({"getcwd"}, "SCMP_ACT_ERRNO")}));
    auto e = run_in_child([&](int out) {
        if (!sec::apply_capabilities({})) return 3;
        auto r = sec::load_seccomp(program);
        say(out, "error=" + (r ? std::string("none") : r.error().message) + "\n");
        return 0;
    });
    INFO(e.out);
    CHECK(field(e.out, "error") ==
          "seccomp(SECCOMP_SET_MODE_FILTER, 0, " + std::to_string(program.bpf.size() / 8) +
              " instructions): Permission denied (without no_new_privs, loading a filter needs "
              "CAP_SYS_ADMIN: load it before the capabilities are dropped)");

    e = run_in_child([&](int out) {
        if (!sec::apply_capabilities({}) || !sec::set_no_new_privileges()) return 3;
        auto r = sec::load_seccomp(program);
        say(out, "error=" + (r ? std::string("none") : r.error().message) + "\nnnp=" +
                     status_field("NoNewPrivs") + "\nseccomp=" + status_field("Seccomp") + "\n");
        return 0;
    });
    INFO(e.out);
    CHECK(field(e.out, "error") == "none");
    CHECK(field(e.out, "nnp") == "1");
    CHECK(field(e.out, "seccomp") == "2");
}

TEST_CASE("a profile with no default action and no rules is seccomp off", "[seccomp]") {
    auto program = compiled(Seccomp{});
    CHECK(program.bpf.empty());
    auto e = run_in_child([&](int out) {
        auto r = sec::load_seccomp(program);
        say(out, "fd=" + std::to_string(r ? *r : -99) + "\nseccomp=" + status_field("Seccomp") + "\n");
        return 0;
    });
    CHECK(field(e.out, "fd") == "-1");
    CHECK(field(e.out, "seccomp") == "0");
}

TEST_CASE("features lists actions, operators, architectures and flags", "[seccomp]") {
    auto actions = sec::seccomp_actions();
    CHECK(actions.size() == 9);
    CHECK(std::find(actions.begin(), actions.end(), "SCMP_ACT_NOTIFY") != actions.end());
    CHECK(std::find(actions.begin(), actions.end(), "SCMP_ACT_KILL_PROCESS") != actions.end());
    auto ops = sec::seccomp_operators();
    CHECK(ops.size() == 7);
    CHECK(std::find(ops.begin(), ops.end(), "SCMP_CMP_MASKED_EQ") != ops.end());
    auto archs = sec::seccomp_architectures();
    CHECK(std::find(archs.begin(), archs.end(), "SCMP_ARCH_X86_64") != archs.end());
    CHECK(std::find(archs.begin(), archs.end(), "SCMP_ARCH_AARCH64") != archs.end());
    // Every listed name compiles.
    for (const auto& a : archs) {
        auto p = profile("SCMP_ACT_ALLOW");
        p.architectures = {a};
        INFO(a);
        CHECK(compile_error(p) == "none");
    }
    CHECK(sec::seccomp_known_flags().size() == 4);
    auto supported = sec::seccomp_supported_flags();
    CHECK(std::find(supported.begin(), supported.end(), "SECCOMP_FILTER_FLAG_LOG") != supported.end());
    CHECK(std::find(supported.begin(), supported.end(), "SECCOMP_FILTER_FLAG_TSYNC") != supported.end());
}

TEST_CASE("deny-by-default: syscalls newer than the profile get ENOSYS, like runc's stub",
          "[seccomp]") {
    SKIFF_NEED_ROOT();
    auto p = profile("SCMP_ACT_ERRNO", {rule(child_basics(), "SCMP_ACT_ALLOW"),
                                        rule({"getppid"}, "SCMP_ACT_ALLOW")});
    p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
    auto program = compiled(p);
    // exit_group (231) is the highest number the profile names on x86-64.
    auto e = load_and_probe(program, [] { return rawcall(SYS_getuid); }); // 102: listed range
    CHECK(field(e.out, "probe") == std::to_string(-EPERM));
    e = load_and_probe(program, [] { return rawcall(SYS_clone3, 0, 0); }); // 435: newer
    CHECK(field(e.out, "probe") == std::to_string(-ENOSYS));
    e = load_and_probe(program, [] { return rawcall(1000); }); // beyond any kernel's table
    CHECK(field(e.out, "probe") == std::to_string(-ENOSYS));
    e = load_and_probe(program, [] { return rawcall(SYS_getppid); });
    CHECK(field(e.out, "probe") == std::to_string(getpid()));
    // x32 is not in this filter: an x32 call still meets libseccomp's bad-arch kill.
    e = load_and_probe(program, [] { return rawcall(0x40000000 | SYS_getppid); });
    CHECK(e.signaled);
    CHECK(e.signal == SIGSYS);
    if (getpid_i386() == getpid()) {
        e = load_and_probe(program, [] { return getpid_i386(); }); // i386 getpid: not listed
        CHECK(field(e.out, "probe") == std::to_string(-EPERM));
    }

    // With ENOSYS as the default answer already, or an allow-by-default profile, no stub.
    p.default_errno_ret = ENOSYS;
    auto plain = compiled(p);
    p.default_errno_ret.reset();
    CHECK(plain.bpf.size() < program.bpf.size());
    e = load_and_probe(plain, [] { return rawcall(SYS_getuid); });
    CHECK(field(e.out, "probe") == std::to_string(-ENOSYS));
}

TEST_CASE("a profile too big for the kernel is refused at compile time", "[seccomp]") {
    std::vector<skiff::oci::SeccompArg> args;
    for (uint64_t v = 0; v < 4200; ++v) args.push_back(arg(1, "SCMP_CMP_EQ", v * 7 + 1000));
    auto p = profile("SCMP_ACT_ALLOW", {rule({"getpriority"}, "SCMP_ACT_ERRNO", EDOM, args)});
    const std::string err = compile_error(p);
    CHECK(err.rfind("linux.seccomp: the profile compiles to ", 0) == 0);
    CHECK(err.find("more than the kernel's limit of 4096") != std::string::npos);
}
