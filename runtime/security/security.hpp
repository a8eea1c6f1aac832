// Process-level confinement applied inside the container's init just before exec: rlimits,
// identity, capabilities, no_new_privs, seccomp, OOM score, personality, scheduling.
//
// Order (the caller's job, lifecycle/init.cpp), the same as runc's standard init:
//
//   parent, before the child runs:  p = compile_seccomp_cached(profile, root + "/seccomp-cache")
//                                   (no process state changes; compile errors surface at create)
//   child:
//    1. apply_rlimits, set_oom_score_adj, set_personality, set_scheduler, set_io_priority
//       (raising a hard rlimit, lowering oom_score_adj and real-time policies need privileges
//       that the later steps take away)
//    2. (all mounts, pivot_root, hostname, sysctl, masked/readonly paths are done)
//    3. if process.noNewPrivileges: set_no_new_privileges()
//    4. if !process.noNewPrivileges: fd = load_seccomp(p)
//         Without no_new_privs, installing a filter needs CAP_SYS_ADMIN, which step 6 drops, so
//         the filter goes in here, and every syscall of steps 5-8 (prctl, capset, setgroups,
//         setresgid, setresuid, umask, the sync with the parent, execve) must be allowed by the
//         profile -- as with runc, a profile that blocks them breaks the start.
//    5. drop_bounding(caps)            needs CAP_SETPCAP, so while still root
//    6. switch_user(user, setgroups)   keeps permitted caps across the uid change
//    7. apply_capabilities(caps)       exact sets, ambient last
//    8. if process.noNewPrivileges: fd = load_seccomp(p)
//         With no_new_privs no privilege is needed, so the filter goes in as late as possible
//         (runc: after the "ready" sync with the parent): whatever still runs between it and
//         execve (waiting for `start`, startContainer hooks) must be allowed by the profile,
//         so the less the better.
//    9. if fd >= 0: hand it to the parent (pidfd_getfd of the number, or SCM_RIGHTS), which
//       calls send_seccomp_listener; the child must not connect to the agent itself when
//       connect/sendmsg could be notified. Then execve.
//   Steps 5-7 always run, with process.capabilities.value_or({}): like runc, an absent
//   capabilities object or an absent set means an empty set, not "leave as is". Warn once, in
//   the parent, about unknown_capabilities() (runc 1.1 ignores such names with a warning).
//   The child-side steps 1-8 for runc's default process and a docker-sized profile take about
//   1 ms, most of it the kernel installing the filter.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::runtime::security {

// Validates every type first (error names the entry: "process.rlimits[2].type: unknown rlimit
// \"RLIMIT_FOO\""), then applies them with prlimit to `pid` (0 = the caller).
Result<void> apply_rlimits(const std::vector<oci::Rlimit>& rlimits, pid_t pid = 0);
Result<void> set_oom_score_adj(int value);
Result<void> set_personality(const oci::Personality& personality);
Result<void> set_scheduler(const oci::Scheduler& scheduler);
Result<void> set_io_priority(const oci::IoPriority& prio);
Result<void> set_no_new_privileges();
// Queues the AppArmor profile for the next execve; an error when a profile is set but AppArmor
// is off (runc's behaviour). Empty profile: nothing to do.
Result<void> set_apparmor_profile(const std::string& profile);
// Sets the SELinux label for the next execve (/proc/thread-self/attr/exec); an error naming the
// label when one is given and SELinux is not enabled. Empty label: nothing to do.
Result<void> set_selinux_label(const std::string& label);
bool selinux_enabled();

// Drops bounding-set capabilities not listed (needs CAP_SETPCAP, so before switch_user).
// An absent set is empty (runc). Names unknown to the kernel are ignored (runc 1.1 warns and
// ignores both unknown-to-this-kernel and made-up names; see unknown_capabilities).
Result<void> drop_bounding(const oci::Capabilities& caps);
// setgroups(additional_gids) (skipped when setgroups is denied in a user namespace), setresgid,
// setresuid, umask; capabilities are kept across the uid change for apply_capabilities.
Result<void> switch_user(const oci::User& user, bool setgroups_allowed = true);
// Sets effective, permitted and inheritable exactly as listed (absent = empty), then clears the
// ambient set and raises each listed ambient capability that is both permitted and inheritable.
Result<void> apply_capabilities(const oci::Capabilities& caps);
// Names the kernel knows ("CAP_CHOWN", ...), for `features` and for validation.
std::vector<std::string> known_capabilities();
// The names in any set that this kernel does not know, sorted and deduplicated, for the caller
// to warn about once (runc: "ignoring unknown or unavailable capabilities: [...]").
std::vector<std::string> unknown_capabilities(const oci::Capabilities& caps);

// A compiled seccomp program: built from the OCI profile with libseccomp, loaded later with one
// syscall. Compiling validates every action, operator, architecture and flag; errors name the
// JSON path ("linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\""). Syscall names
// libseccomp does not know are skipped, like runc, and so are listed architectures of the other
// byte order (this machine cannot run them). As runc does, a deny-by-default profile answers
// ENOSYS, not its default errno, for syscalls numbered above every one it names, so libc falls
// back from calls newer than the profile. A profile with neither defaultAction nor syscalls
// compiles to an empty program (seccomp disabled, as runc does) that loads as a no-op.
struct SeccompProgram {
    std::vector<unsigned char> bpf; // struct sock_filter[] bytes
    unsigned int flags = 0;         // SECCOMP_FILTER_FLAG_*
    bool wants_listener = false;    // some rule uses SCMP_ACT_NOTIFY
    std::string listener_path, listener_metadata;
};
Result<SeccompProgram> compile_seccomp(const oci::Seccomp& profile);
// compile_seccomp with a cache in cache_dir (created 0700; e.g. "<runtime root>/seccomp-cache"):
// an identical profile compiled before is read back from a file (tens of microseconds instead of
// milliseconds). Only files owned by the caller and not writable by others whose stored key
// equals the profile's are used; a cache that cannot be written is not an error.
Result<SeccompProgram> compile_seccomp_cached(const oci::Seccomp& profile,
                                              const std::string& cache_dir);
// Loads the program into the calling thread; returns the notify listener fd or -1.
Result<int> load_seccomp(const SeccompProgram& program);
// Sends the listener fd with the container state to listenerPath (runc's seccomp-agent
// protocol): one SOCK_STREAM message holding the runtime-spec ContainerProcessState JSON
// {"ociVersion","fds":["seccompFd"],"pid","metadata","state":<state_json>} and the fd in
// SCM_RIGHTS. `pid` is the process the fd belongs to; 0 takes state_json's "pid".
Result<void> send_seccomp_listener(const SeccompProgram& program, int listener_fd,
                                   const std::string& state_json, pid_t pid = 0);
// What `features` reports.
std::vector<std::string> seccomp_actions();
std::vector<std::string> seccomp_operators();
std::vector<std::string> seccomp_architectures();
std::vector<std::string> seccomp_known_flags();
std::vector<std::string> seccomp_supported_flags(); // known flags this kernel accepts (probed)

} // namespace skiff::runtime::security
