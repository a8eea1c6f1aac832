// The OCI seccomp vocabulary (runtime-spec config-linux.md) mapped to libseccomp and kernel
// values; one table per kind, shared by the compiler and by `features`.
#pragma once

#include <seccomp.h>

#include <array>
#include <linux/seccomp.h>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::runtime::security::seccomp_names {

struct Action {
    std::string_view name;
    uint32_t value;
    bool takes_errno; // value | errnoRet
};

inline constexpr std::array<Action, 9> kActions{{
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false}, // runc: KILL is kill-thread
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
}};

struct Operator {
    std::string_view name;
    scmp_compare value;
};

inline constexpr std::array<Operator, 7> kOperators{{
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
}};

struct Arch {
    std::string_view name;
    uint32_t value;
};

// Only the architectures this libseccomp can build filters for.
inline constexpr Arch kArchs[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_LOONGARCH64
    {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#endif
#ifdef SCMP_ARCH_M68K
    {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#endif
#ifdef SCMP_ARCH_SH
    {"SCMP_ARCH_SH", SCMP_ARCH_SH},
    {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#endif
};

// Every architecture name the runtime-spec defines, known to this libseccomp or not.
inline bool is_spec_arch(std::string_view name) {
    for (std::string_view n : {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
                               "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
                               "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
                               "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
                               "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
                               "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
                               "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH",
                               "SCMP_ARCH_SHEB"})
        if (n == name) return true;
    return false;
}

struct Flag {
    std::string_view name;
    unsigned value;
};

inline constexpr std::array<Flag, 4> kFlags{{
    // TSYNC syncs sibling threads; the init loads its filter single-threaded and exec ends
    // any others, so it is accepted and means nothing (runc does the same).
    {"SECCOMP_FILTER_FLAG_TSYNC", 0},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1u << 5}, // not in every UAPI header yet
}};

template <class Table>
inline const auto* find_in(const Table& table, std::string_view name) {
    for (const auto& e : table)
        if (e.name == name) return &e;
    return static_cast<decltype(&*std::begin(table))>(nullptr);
}

inline const Action* find_action(std::string_view n) { return find_in(kActions, n); }
inline const Operator* find_operator(std::string_view n) { return find_in(kOperators, n); }
inline const Arch* find_arch(std::string_view n) { return find_in(kArchs, n); }
inline const Flag* find_flag(std::string_view n) { return find_in(kFlags, n); }

template <class Table>
inline std::vector<std::string> names_of(const Table& table) {
    std::vector<std::string> out;
    for (const auto& e : table) out.emplace_back(e.name);
    return out;
}

inline std::vector<std::string> action_names() { return names_of(kActions); }
inline std::vector<std::string> operator_names() { return names_of(kOperators); }
inline std::vector<std::string> arch_names() { return names_of(kArchs); }
inline std::vector<std::string> flag_names() { return names_of(kFlags); }

} // namespace skiff::runtime::security::seccomp_names
