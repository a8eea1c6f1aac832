// skiff builds one libseccomp program per architecture and joins them (seccomp_arch_dispatch),
// and may prepend runc's ENOSYS stub. These tests run both skiff's program and the filter
// libseccomp builds for all architectures at once through a classic-BPF interpreter, over every
// syscall number of every architecture and a spread of arguments, and require the same verdict.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>

#include <map>

#include "seccomp_util.hpp"

using namespace skiff::test;

namespace {

constexpr uint32_t kBadOpcode = 0xdeadbeef;

// The classic BPF machine the kernel runs seccomp filters on.
uint32_t run_bpf(const std::vector<unsigned char>& bytes, const seccomp_data& data) {
    const auto* prog = reinterpret_cast<const sock_filter*>(bytes.data());
    const size_t len = bytes.size() / sizeof(sock_filter);
    const auto* packet = reinterpret_cast<const unsigned char*>(&data);
    uint32_t A = 0, X = 0, mem[BPF_MEMWORDS] = {};
    for (size_t pc = 0; pc < len; ++pc) {
        const sock_filter& i = prog[pc];
        const uint32_t src = BPF_SRC(i.code) == BPF_X ? X : i.k;
        switch (BPF_CLASS(i.code)) {
        case BPF_LD:
            if (BPF_MODE(i.code) == BPF_ABS && BPF_SIZE(i.code) == BPF_W && i.k + 4 <= sizeof data)
                std::memcpy(&A, packet + i.k, 4);
            else if (BPF_MODE(i.code) == BPF_IMM) A = i.k;
            else if (BPF_MODE(i.code) == BPF_MEM && i.k < BPF_MEMWORDS) A = mem[i.k];
            else return kBadOpcode;
            break;
        case BPF_LDX:
            if (BPF_MODE(i.code) == BPF_IMM) X = i.k;
            else if (BPF_MODE(i.code) == BPF_MEM && i.k < BPF_MEMWORDS) X = mem[i.k];
            else return kBadOpcode;
            break;
        case BPF_ST: if (i.k >= BPF_MEMWORDS) return kBadOpcode; mem[i.k] = A; break;
        case BPF_STX: if (i.k >= BPF_MEMWORDS) return kBadOpcode; mem[i.k] = X; break;
        case BPF_ALU:
            switch (BPF_OP(i.code)) {
            case BPF_ADD: A += src; break;
            case BPF_SUB: A -= src; break;
            case BPF_MUL: A *= src; break;
            case BPF_DIV: if (!src) return 0; A /= src; break;
            case BPF_MOD: if (!src) return 0; A %= src; break;
            case BPF_AND: A &= src; break;
            case BPF_OR: A |= src; break;
            case BPF_XOR: A ^= src; break;
            case BPF_LSH: A <<= src; break;
            case BPF_RSH: A >>= src; break;
            case BPF_NEG: A = -A; break;
            default: return kBadOpcode;
            }
            break;
        case BPF_JMP: {
            bool taken;
            switch (BPF_OP(i.code)) {
            case BPF_JA: pc += i.k; continue;
            case BPF_JEQ: taken = A == src; break;
            case BPF_JGT: taken = A > src; break;
            case BPF_JGE: taken = A >= src; break;
            case BPF_JSET: taken = (A & src) != 0; break;
            default: return kBadOpcode;
            }
            pc += taken ? i.jt : i.jf;
            break;
        }
        case BPF_RET: return BPF_RVAL(i.code) == BPF_A ? A : i.k;
        case BPF_MISC:
            if (BPF_MISCOP(i.code) == BPF_TAX) X = A;
            else A = X;
            break;
        default: return kBadOpcode;
        }
    }
    return kBadOpcode; // fell off the end: the kernel rejects such programs
}

uint32_t action_value(const std::string& name, std::optional<uint32_t> errno_ret) {
    static const std::map<std::string, uint32_t> plain = {
        {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD}, {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
        {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS}, {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
        {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW}, {"SCMP_ACT_LOG", SCMP_ACT_LOG},
        {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY}};
    if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errno_ret.value_or(EPERM));
    if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(errno_ret.value_or(EPERM));
    return plain.at(name);
}

// The straightforward translation: one libseccomp filter holding every architecture.
std::vector<unsigned char> libseccomp_reference(const skiff::oci::Seccomp& p) {
    const uint32_t def = action_value(p.default_action, p.default_errno_ret);
    scmp_filter_ctx ctx = seccomp_init(def);
    REQUIRE(ctx);
    std::map<std::string, uint32_t> arch = {{"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
                                            {"SCMP_ARCH_X86", SCMP_ARCH_X86},
                                            {"SCMP_ARCH_X32", SCMP_ARCH_X32}};
    for (const auto& a : p.architectures) seccomp_arch_add(ctx, arch.at(a));
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    for (const auto& sc : p.syscalls) {
        uint32_t act = action_value(sc.action, sc.errno_ret);
        if (act == def) continue;
        std::vector<scmp_arg_cmp> conds;
        std::map<uint32_t, int> per_index;
        bool split = false;
        for (const auto& a : sc.args) {
            static const std::map<std::string, scmp_compare> ops = {
                {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT},
                {"SCMP_CMP_LE", SCMP_CMP_LE}, {"SCMP_CMP_EQ", SCMP_CMP_EQ},
                {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
                {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
            conds.push_back({a.index, ops.at(a.op), a.value, a.value_two});
            split |= ++per_index[a.index] > 1;
        }
        for (const auto& name : sc.names) {
            int nr = seccomp_syscall_resolve_name(name.c_str());
            if (nr == __NR_SCMP_ERROR) continue;
            if (!split) {
                REQUIRE(seccomp_rule_add_array(ctx, act, nr, conds.size(), conds.data()) == 0);
            } else {
                for (const auto& c : conds) REQUIRE(seccomp_rule_add_array(ctx, act, nr, 1, &c) == 0);
            }
        }
    }
    int fd = memfd_create("reference", MFD_CLOEXEC);
    REQUIRE(seccomp_export_bpf(ctx, fd) == 0);
    seccomp_release(ctx);
    std::vector<unsigned char> out(static_cast<size_t>(lseek(fd, 0, SEEK_END)));
    REQUIRE(pread(fd, out.data(), out.size(), 0) == static_cast<ssize_t>(out.size()));
    close(fd);
    return out;
}

// Every (arch, nr) a process on this machine can produce, and some it cannot, with argument
// values the rules above look at.
size_t compare_everywhere(const std::vector<unsigned char>& ours, const std::vector<unsigned char>& ref,
                          std::vector<std::string>& mismatches) {
    const std::vector<std::vector<uint64_t>> arg_sets = {
        {0, 0, 0, 0, 0, 0},       {8, 0, 0, 0, 0, 0},          {0x20000, 0, 9, 0, 0, 0},
        {0xffffffff, 1, 2, 3, 4, 5}, {16, 3, 9, 0, 0, 0},       {16, 3, 0, 0, 0, 0},
        {0x7e020000, 0, 0, 0, 0, 0}, {1ull << 40, 0, 0, 0, 0, 0}, {100, 200, 0, 0, 0, 0},
        {0x35, 0x35, 0x35, 0, 0, 0}};
    const std::vector<std::pair<uint32_t, std::vector<uint32_t>>> spaces = {
        {AUDIT_ARCH_X86_64, {0, 600}},      {AUDIT_ARCH_X86_64, {0x40000000, 0x40000000 + 600}},
        {AUDIT_ARCH_I386, {0, 600}},        {AUDIT_ARCH_AARCH64, {0, 20}},
        {AUDIT_ARCH_X86_64, {0xfffffff0, 0xffffffff}}};
    size_t checked = 0;
    for (const auto& [arch, range] : spaces)
        for (uint64_t nr = range[0]; nr <= range[1]; ++nr)
            for (const auto& args : arg_sets) {
                seccomp_data d{};
                d.nr = static_cast<int>(nr);
                d.arch = arch;
                for (int k = 0; k < 6; ++k) d.args[k] = args[static_cast<size_t>(k)];
                uint32_t a = run_bpf(ours, d), b = run_bpf(ref, d);
                ++checked;
                if (a != b && mismatches.size() < 10) {
                    char buf[160];
                    snprintf(buf, sizeof buf, "arch %#x nr %#llx arg0 %#llx: skiff %#x, libseccomp %#x",
                             arch, static_cast<unsigned long long>(nr),
                             static_cast<unsigned long long>(args[0]), a, b);
                    mismatches.push_back(buf);
                }
            }
    return checked;
}

} // namespace

TEST_CASE("the per-architecture program decides exactly like libseccomp's multi-arch filter",
          "[seccomp][equivalence]") {
    auto p = docker_sized_profile();
    if (!p) {
        WARN("skipped: needs " << kProfilePath);
        return;
    }
    REQUIRE(p->architectures.size() == 3); // x86-64, x86, x32: the dispatch is in use
    REQUIRE(p->default_errno_ret == 38u);  // so no ENOSYS stub: the programs must agree exactly
    auto ours = sec::compile_seccomp(*p);
    REQUIRE(ours.ok());
    auto ref = libseccomp_reference(*p);
    std::vector<std::string> mismatches;
    size_t checked = compare_everywhere(ours->bpf, ref, mismatches);
    INFO(checked << " inputs; first mismatches:\n" << [&] {
        std::string s;
        for (const auto& m : mismatches) s += m + "\n";
        return s;
    }());
    CHECK(mismatches.empty());
}

TEST_CASE("every action, operator and same-index OR agree with libseccomp across architectures",
          "[seccomp][equivalence]") {
    auto p = profile("SCMP_ACT_KILL_PROCESS",
                     {rule({"read", "write", "exit_group", "socketcall", "_llseek", "mmap2"}, "SCMP_ACT_ALLOW"),
                      rule({"getpid"}, "SCMP_ACT_TRAP"),
                      rule({"getppid"}, "SCMP_ACT_LOG"),
                      rule({"getuid"}, "SCMP_ACT_TRACE", 3),
                      rule({"getgid"}, "SCMP_ACT_KILL"),
                      rule({"personality"}, "SCMP_ACT_ALLOW", {}, {arg(0, "SCMP_CMP_EQ", 8), arg(0, "SCMP_CMP_EQ", 0xffffffff)}),
                      rule({"socket"}, "SCMP_ACT_ERRNO", 22, {arg(0, "SCMP_CMP_EQ", 16), arg(2, "SCMP_CMP_EQ", 9)}),
                      rule({"socket"}, "SCMP_ACT_ALLOW", {}, {arg(2, "SCMP_CMP_NE", 9)}),
                      rule({"clone"}, "SCMP_ACT_ALLOW", {}, {arg(0, "SCMP_CMP_MASKED_EQ", 0x7e020000, 0)}),
                      rule({"getpriority"}, "SCMP_ACT_ERRNO", 33,
                           {arg(0, "SCMP_CMP_GE", 100), arg(1, "SCMP_CMP_LT", 300)}),
                      rule({"setpriority"}, "SCMP_ACT_ERRNO", 34, {arg(0, "SCMP_CMP_GT", 1ull << 35)}),
                      rule({"kill"}, "SCMP_ACT_ERRNO", 35, {arg(1, "SCMP_CMP_LE", 0x35)})});
    p.default_errno_ret = ENOSYS; // runc's rule: no ENOSYS stub then, so exact agreement
    p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    auto ours = sec::compile_seccomp(p);
    INFO((ours ? std::string() : ours.error().message));
    REQUIRE(ours.ok());
    auto ref = libseccomp_reference(p);
    std::vector<std::string> mismatches;
    compare_everywhere(ours->bpf, ref, mismatches);
    CHECK(mismatches.empty());
    for (const auto& m : mismatches) WARN(m);
}

TEST_CASE("with an EPERM default, the only differences from libseccomp are ENOSYS for syscalls "
          "newer than the profile",
          "[seccomp][equivalence]") {
    auto p = docker_sized_profile();
    if (!p) {
        WARN("skipped: needs " << kProfilePath);
        return;
    }
    p->default_errno_ret = EPERM; // moby's default profile answers EPERM
    auto ours = sec::compile_seccomp(*p);
    REQUIRE(ours.ok());
    auto ref = libseccomp_reference(*p);
    size_t enosys = 0, other = 0;
    for (uint32_t nr = 0; nr < 1000; ++nr) {
        seccomp_data d{};
        d.nr = static_cast<int>(nr);
        d.arch = AUDIT_ARCH_X86_64;
        uint32_t a = run_bpf(ours->bpf, d), b = run_bpf(ref, d);
        if (a == b) continue;
        if (a == (SECCOMP_RET_ERRNO | ENOSYS) && b == (SECCOMP_RET_ERRNO | EPERM)) ++enosys;
        else ++other;
    }
    CHECK(other == 0);
    CHECK(enosys > 400); // everything past the profile's newest syscall, up to 1000
}
