// Process-level confinement applied inside the container's init just before exec: rlimits,
// identity, capabilities, no_new_privs, seccomp, OOM score, personality, scheduling.
// Order matters and is the caller's job (see lifecycle/init.cpp):
//   rlimits, oom_score_adj, personality -> drop_bounding -> switch_user -> apply_capabilities
//   -> no_new_privileges -> load_seccomp (last, so setup syscalls are not filtered).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::runtime::security {

Result<void> apply_rlimits(const std::vector<oci::Rlimit>& rlimits); // error names the type
Result<void> set_oom_score_adj(int value);
Result<void> set_personality(const oci::Personality& personality);
Result<void> set_scheduler(const oci::Scheduler& scheduler);
Result<void> set_io_priority(const oci::IoPriority& prio);
Result<void> set_no_new_privileges();

// Drops bounding-set capabilities not listed (needs CAP_SETPCAP, so before switch_user).
Result<void> drop_bounding(const oci::Capabilities& caps);
// setgroups(additional_gids) (skipped when setgroups is denied in a user namespace), setresgid,
// setresuid, umask; capabilities are kept across the uid change for apply_capabilities.
Result<void> switch_user(const oci::User& user, bool setgroups_allowed = true);
// Sets effective, permitted, inheritable and ambient sets exactly as listed.
Result<void> apply_capabilities(const oci::Capabilities& caps);
// Names the kernel knows ("CAP_CHOWN", ...), for `features` and for validation.
std::vector<std::string> known_capabilities();

// A compiled seccomp program: built from the OCI profile with libseccomp, loaded later with one
// syscall. Compiling validates every name, action, operator, architecture and flag.
struct SeccompProgram {
    std::vector<unsigned char> bpf; // struct sock_filter[] bytes
    unsigned int flags = 0;         // SECCOMP_FILTER_FLAG_*
    bool wants_listener = false;    // some rule uses SCMP_ACT_NOTIFY
    std::string listener_path, listener_metadata;
};
Result<SeccompProgram> compile_seccomp(const oci::Seccomp& profile);
// Loads the program into the calling thread; returns the notify listener fd or -1.
Result<int> load_seccomp(const SeccompProgram& program);
// Sends the listener fd with the container state to listenerPath (runc's seccomp-agent protocol).
Result<void> send_seccomp_listener(const SeccompProgram& program, int listener_fd,
                                   const std::string& state_json);
// What `features` reports.
std::vector<std::string> seccomp_actions();
std::vector<std::string> seccomp_operators();
std::vector<std::string> seccomp_architectures();

} // namespace skiff::runtime::security
