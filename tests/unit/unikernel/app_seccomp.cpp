// The container's seccomp profile in vm mode: the OCI profile compiled as container mode compiles
// it, checked and tabulated by the VMM, evaluated by the interpreter the libOS shares; verdicts
// must be the kernel's (checked against the kernel itself by loading the same program).
#include <catch2/catch.hpp>

#include <asm/unistd_64.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "app_seccomp.hpp"
#include "../oci/podman_config.hpp"
#include "security/security.hpp"
#include "skiff/oci/spec.hpp"

using namespace skiff;
using namespace skiff::vmm;

namespace {

oci::SeccompArg arg(uint32_t index, const char* op, uint64_t value, uint64_t two = 0) {
    oci::SeccompArg a;
    a.index = index;
    a.op = op;
    a.value = value;
    a.value_two = two;
    return a;
}

oci::SeccompSyscall rule(std::vector<std::string> names, const char* action,
                         std::optional<uint32_t> err = std::nullopt,
                         std::vector<oci::SeccompArg> args = {}) {
    oci::SeccompSyscall s;
    s.names = std::move(names);
    s.action = action;
    s.errno_ret = err;
    s.args = std::move(args);
    return s;
}

oci::Seccomp test_profile() {
    oci::Seccomp p;
    p.default_action = "SCMP_ACT_ALLOW";
    p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    p.syscalls = {
        rule({"getppid"}, "SCMP_ACT_ERRNO", EPERM),
        rule({"uname"}, "SCMP_ACT_ERRNO", ENOSYS),
        rule({"getgid"}, "SCMP_ACT_TRAP"),
        rule({"getegid"}, "SCMP_ACT_KILL_PROCESS"),
        rule({"write"}, "SCMP_ACT_ERRNO", EACCES, {arg(0, "SCMP_CMP_EQ", 4242)}),
        rule({"lseek"}, "SCMP_ACT_ERRNO", EXDEV, {arg(2, "SCMP_CMP_GT", 4)}),
        rule({"openat"}, "SCMP_ACT_ERRNO", ETXTBSY, {arg(2, "SCMP_CMP_MASKED_EQ", 3, 1)}),
        rule({"dup3"}, "SCMP_ACT_ERRNO", EDOM, {arg(0, "SCMP_CMP_NE", 7), arg(1, "SCMP_CMP_LE", 100)}),
        rule({"fchmod"}, "SCMP_ACT_ERRNO", ENOTTY, {arg(1, "SCMP_CMP_LT", 0x1ffffffffull)}),
        rule({"fchown"}, "SCMP_ACT_ERRNO", ENXIO, {arg(2, "SCMP_CMP_GE", 0x100000000ull)}),
        rule({"open", "openat2", "creat"}, "SCMP_ACT_ERRNO", EACCES),
    };
    return p;
}

AppSeccomp compiled(const oci::Seccomp& p) {
    auto prog = runtime::security::compile_seccomp(p);
    REQUIRE(prog.ok());
    auto s = make_app_seccomp(prog->bpf.data(), prog->bpf.size(), "test");
    if (!s) FAIL(s.error().message);
    return std::move(*s);
}

uint32_t eval(const AppSeccomp& s, int nr, std::array<uint64_t, 6> args = {}) {
    skiff_seccomp_data d{};
    d.nr = nr;
    d.arch = SKIFF_AUDIT_ARCH_X86_64;
    for (size_t i = 0; i < 6; ++i) d.args[i] = args[i];
    uint32_t touched;
    return skiff_bpf_run(s.filter.data(), static_cast<uint32_t>(s.filter.size()), &d, &touched);
}

constexpr uint32_t errno_ret(int e) { return SKIFF_SECCOMP_RET_ERRNO | uint32_t(e); }

} // namespace

TEST_CASE("app seccomp: unconditional rules have one verdict, conditional ones are evaluated") {
    AppSeccomp s = compiled(test_profile());
    // Nothing is evaluated at start: the libOS does it per number on first use, the VMM per
    // hypercall.
    for (uint32_t v : s.action) CHECK(v == SKIFF_SECCOMP_UNKNOWN);
    CHECK(s.refusal(SKIFF_HC_OPEN) == 0);
    CHECK(s.action[__NR_openat] == SKIFF_SECCOMP_EVAL);
    CHECK(s.action[__NR_getppid] == SKIFF_SECCOMP_UNKNOWN);
    CHECK(seccomp_verdict_of(s, uint32_t(__NR_getppid)) == errno_ret(EPERM));
    CHECK(seccomp_verdict_of(s, uint32_t(__NR_uname)) == errno_ret(ENOSYS));
    CHECK(seccomp_verdict_of(s, uint32_t(__NR_getgid)) == SKIFF_SECCOMP_RET_TRAP);
    CHECK(seccomp_verdict_of(s, uint32_t(__NR_getegid)) == SKIFF_SECCOMP_RET_KILL_PROCESS);
    CHECK(seccomp_verdict_of(s, uint32_t(__NR_read)) == SKIFF_SECCOMP_RET_ALLOW);
    for (int nr : {__NR_write, __NR_lseek, __NR_openat, __NR_dup3, __NR_fchmod, __NR_fchown})
        CHECK(seccomp_verdict_of(s, uint32_t(size_t(nr))) == SKIFF_SECCOMP_EVAL);

    CHECK(eval(s, __NR_write, {4242}) == errno_ret(EACCES));
    CHECK(eval(s, __NR_write, {1}) == SKIFF_SECCOMP_RET_ALLOW);
    CHECK(eval(s, __NR_write, {4242 | (1ull << 32)}) == SKIFF_SECCOMP_RET_ALLOW);
    CHECK(eval(s, __NR_lseek, {3, 0, 7}) == errno_ret(EXDEV));
    CHECK(eval(s, __NR_lseek, {3, 0, 4}) == SKIFF_SECCOMP_RET_ALLOW);
    CHECK(eval(s, __NR_openat, {0, 0, 1}) == errno_ret(ETXTBSY));
    CHECK(eval(s, __NR_openat, {0, 0, 2}) == SKIFF_SECCOMP_RET_ALLOW);
    CHECK(eval(s, __NR_dup3, {8, 100}) == errno_ret(EDOM));
    CHECK(eval(s, __NR_dup3, {7, 100}) == SKIFF_SECCOMP_RET_ALLOW);
    CHECK(eval(s, __NR_dup3, {8, 101}) == SKIFF_SECCOMP_RET_ALLOW);
    CHECK(eval(s, __NR_fchmod, {0, 0x1fffffffeull}) == errno_ret(ENOTTY));
    CHECK(eval(s, __NR_fchmod, {0, 0x1ffffffffull}) == SKIFF_SECCOMP_RET_ALLOW);
    CHECK(eval(s, __NR_fchown, {0, 0, 0x100000000ull}) == errno_ret(ENXIO));
    CHECK(eval(s, __NR_fchown, {0, 0, 0xffffffffull}) == SKIFF_SECCOMP_RET_ALLOW);
}

TEST_CASE("app seccomp: a hypercall is refused only when every syscall behind it is blocked") {
    AppSeccomp s = compiled(test_profile());
    // openat is only blocked for some arguments: opens still reach the VMM.
    CHECK(s.refusal(SKIFF_HC_OPEN) == 0);
    CHECK(s.refusal(SKIFF_HC_WRITE) == 0);
    oci::Seccomp p = test_profile();
    p.syscalls.push_back(rule({"openat"}, "SCMP_ACT_ERRNO", EACCES));
    p.syscalls.erase(p.syscalls.begin() + 6); // the conditional openat rule
    AppSeccomp t = compiled(p);
    CHECK(t.refusal(SKIFF_HC_OPEN) == errno_ret(EACCES));
    CHECK(refused_hypercall_result(t.refusal(SKIFF_HC_OPEN)) == -EACCES);
    CHECK(t.refusal(SKIFF_HC_STAT) == 0);
    CHECK(refused_hypercall_result(SKIFF_SECCOMP_RET_KILL_PROCESS) == kEndBySigsys);
    CHECK(refused_hypercall_result(SKIFF_SECCOMP_RET_TRACE) == -ENOSYS);
}

TEST_CASE("app seccomp: programs the kernel would refuse are refused, naming the instruction") {
    auto check = [](std::vector<sock_filter> prog, const char* want) {
        auto s = make_app_seccomp(prog.data(), prog.size() * sizeof(sock_filter), "prog");
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().message == want);
    };
    check({{BPF_LD | BPF_W | BPF_ABS, 0, 0, 64}, {BPF_RET | BPF_K, 0, 0, 0}},
          "prog: instruction 0: load outside seccomp_data");
    check({{BPF_LD | BPF_W | BPF_ABS, 0, 0, 2}, {BPF_RET | BPF_K, 0, 0, 0}},
          "prog: instruction 0: load outside seccomp_data");
    check({{BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0}, {BPF_RET | BPF_K, 0, 0, 0}},
          "prog: instruction 0: jump out of the program");
    check({{BPF_LD | BPF_W | BPF_IND, 0, 0, 0}, {BPF_RET | BPF_K, 0, 0, 0}},
          "prog: instruction 0: opcode seccomp does not accept");
    check({{BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0}, {BPF_RET | BPF_K, 0, 0, 0}},
          "prog: instruction 0: division by zero");
    check({{BPF_ST, 0, 0, 16}, {BPF_RET | BPF_K, 0, 0, 0}}, "prog: instruction 0: scratch slot out of range");
    check({{BPF_LD | BPF_IMM, 0, 0, 0}}, "prog: the program does not end in a return");
    auto empty = make_app_seccomp(nullptr, 0, "prog");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().message == "prog: 0 bytes is not a BPF program of 1 to 4096 instructions");
}

// The verdicts must be the kernel's: a child loads the same program and makes each call; the
// interpreter's verdict must predict what it got (for ERRNO the errno, for ALLOW the call ran).
TEST_CASE("app seccomp: the interpreter agrees with the kernel on random arguments") {
    oci::Seccomp p = test_profile();
    p.syscalls.resize(10); // no blanket open block: the child needs nothing else, but keep it small
    auto prog = runtime::security::compile_seccomp(p);
    REQUIRE(prog.ok());
    AppSeccomp s = compiled(p);
    std::mt19937_64 rng(42);
    struct Case {
        int nr;
        std::array<uint64_t, 6> a;
    };
    std::vector<Case> cases;
    const uint64_t interesting[] = {0, 1, 3, 4, 5, 7, 8, 100, 101, 4242, 0xffffffffull, 0x100000000ull,
                                    0x1fffffffeull, 0x1ffffffffull, ~0ull};
    for (int i = 0; i < 400; ++i) {
        Case c{};
        const int nrs[] = {__NR_write, __NR_lseek, __NR_openat, __NR_dup3, __NR_fchmod, __NR_fchown};
        c.nr = nrs[rng() % 6];
        for (auto& v : c.a) v = rng() % 3 ? interesting[rng() % std::size(interesting)] : rng();
        // Keep the calls harmless when allowed: bad fds everywhere, no path for openat.
        if (c.nr != __NR_dup3) c.a[0] = c.nr == __NR_openat ? uint64_t(-1) : (c.a[0] | 0x40000000u);
        if (c.nr == __NR_write || c.nr == __NR_openat) c.a[1] = 0;
        if (c.nr == __NR_dup3) c.a[0] = c.a[0] == 7 ? 7 : 1000 + (c.a[0] & 0xfff), c.a[1] = c.a[1] % 200 + 1000 * (c.a[1] & 1);
        cases.push_back(c);
    }
    int pipefd[2];
    REQUIRE(::pipe(pipefd) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(pipefd[0]);
        sock_fprog fp{static_cast<unsigned short>(prog->bpf.size() / 8),
                      reinterpret_cast<sock_filter*>(prog->bpf.data())};
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) != 0)
            ::_exit(3);
        for (const auto& c : cases) {
            long r = ::syscall(c.nr, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], c.a[5]);
            int32_t e = r < 0 ? errno : 0;
            if (::write(pipefd[1], &e, 4) != 4) ::_exit(4);
        }
        ::_exit(0);
    }
    ::close(pipefd[1]);
    std::vector<int32_t> got(cases.size());
    size_t off = 0;
    while (off < got.size() * 4) {
        ssize_t n = ::read(pipefd[0], reinterpret_cast<char*>(got.data()) + off, got.size() * 4 - off);
        if (n <= 0) break;
        off += size_t(n);
    }
    ::close(pipefd[0]);
    int st;
    ::waitpid(pid, &st, 0);
    REQUIRE(WIFEXITED(st));
    REQUIRE(WEXITSTATUS(st) == 0);
    int blocked = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
        const uint32_t v = eval(s, cases[i].nr, cases[i].a);
        INFO("case " << i << " nr " << cases[i].nr << " verdict " << std::hex << v);
        if ((v & SKIFF_SECCOMP_RET_ACTION_FULL) == SKIFF_SECCOMP_RET_ERRNO) {
            ++blocked;
            CHECK(got[i] == int32_t(v & SKIFF_SECCOMP_RET_DATA));
        } else {
            REQUIRE(v == SKIFF_SECCOMP_RET_ALLOW);
            // Allowed calls ran and failed on their bad fds, never with a rule's errno.
            CHECK(got[i] != EACCES);
            CHECK(got[i] != EXDEV);
            CHECK(got[i] != ETXTBSY);
            CHECK(got[i] != EDOM);
            CHECK(got[i] != ENOTTY);
            CHECK(got[i] != ENXIO);
        }
    }
    CHECK(blocked > 20);
}

// podman's default profile (deny by default with ENOSYS, ~370 names, argument conditions on
// personality and socket), as podman 4 writes it into config.json.
TEST_CASE("app seccomp: podman's default profile tabulates as the kernel would answer") {
    auto spec = oci::parse_spec(skiff_test::kPodmanConfig, "podman config.json");
    REQUIRE(spec.ok());
    REQUIRE(spec->linux_);
    REQUIRE(spec->linux_->seccomp);
    AppSeccomp s = compiled(*spec->linux_->seccomp);
    CHECK(seccomp_verdict_of(s, uint32_t(__NR_read)) == SKIFF_SECCOMP_RET_ALLOW);
    CHECK(seccomp_verdict_of(s, uint32_t(__NR_getppid)) == SKIFF_SECCOMP_RET_ALLOW);
    CHECK(seccomp_verdict_of(s, uint32_t(__NR_kexec_load)) == errno_ret(EPERM));
    CHECK(seccomp_verdict_of(s, uint32_t(__NR_create_module)) == errno_ret(ENOSYS)); // not listed: the default
    CHECK(seccomp_verdict_of(s, uint32_t(__NR_personality)) == SKIFF_SECCOMP_EVAL);
    CHECK(eval(s, __NR_personality, {0}) == SKIFF_SECCOMP_RET_ALLOW);
    CHECK(eval(s, __NR_personality, {0xffffffffull}) == SKIFF_SECCOMP_RET_ALLOW);
    CHECK(eval(s, __NR_personality, {0x12345}) == errno_ret(ENOSYS));
    CHECK(seccomp_verdict_of(s, uint32_t(__NR_socket)) == SKIFF_SECCOMP_EVAL);
    CHECK(eval(s, __NR_socket, {16, 3, 9}) == errno_ret(EINVAL));
    CHECK(eval(s, __NR_socket, {2, 1, 0}) == SKIFF_SECCOMP_RET_ALLOW);
    CHECK(seccomp_verdict_of(s, uint32_t(SKIFF_SECCOMP_NR - 1)) == errno_ret(ENOSYS));
    // No forwarded operation is refused: the profile allows every syscall behind them.
    for (uint32_t hc = 0; hc < SKIFF_HC_COUNT; ++hc) CHECK(s.refusal(hc) == 0);
}
