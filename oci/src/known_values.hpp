// The values of config.json's enumerated fields that skiff accepts. The parser checks against
// them and the features document reports them, so the two cannot disagree.
#pragma once

#include <string_view>

namespace skiff::oci::detail {

inline constexpr std::string_view kNamespaceTypes[] = {"pid", "network", "mount", "ipc",
                                                       "uts", "user",    "cgroup", "time"};

inline constexpr std::string_view kHookNames[] = {"prestart",        "createRuntime",
                                                  "createContainer", "startContainer",
                                                  "poststart",       "poststop"};

inline constexpr std::string_view kRlimitTypes[] = {
    "RLIMIT_AS",     "RLIMIT_CORE",   "RLIMIT_CPU",        "RLIMIT_DATA",
    "RLIMIT_FSIZE",  "RLIMIT_LOCKS",  "RLIMIT_MEMLOCK",    "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",   "RLIMIT_NOFILE", "RLIMIT_NPROC",      "RLIMIT_RSS",
    "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK"};

inline constexpr std::string_view kSeccompActions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY"};

inline constexpr std::string_view kSeccompOperators[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};

// libseccomp 2.5's architecture names.
inline constexpr std::string_view kSeccompArchs[] = {
    "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",      "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",  "SCMP_ARCH_MIPS",        "SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",   "SCMP_ARCH_MIPSEL64",    "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_S390",     "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",   "SCMP_ARCH_PARISC64",    "SCMP_ARCH_RISCV64",  "SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",     "SCMP_ARCH_SH",          "SCMP_ARCH_SHEB"};

inline constexpr std::string_view kSeccompFlags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};

inline constexpr std::string_view kRootfsPropagations[] = {
    "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable"};

} // namespace skiff::oci::detail
