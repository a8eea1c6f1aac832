// docker's default seccomp profile (moby profiles/seccomp/default.json), resolved for one
// container the way dockerd resolves it: rules tied to a capability are kept only when the
// container's bounding set has it (or, for "unless" rules, lacks it), rules tied to another
// architecture are dropped, and the architecture list is the native one plus the ones its
// kernel also runs (x86-64 also runs x86 and x32 binaries, so a filter without them would let
// a process in through the 32-bit syscall table).
//
// What the profile is for: everything a normal program does stays allowed; what stays denied
// (EPERM, like docker) is the kernel surface a container without CAP_SYS_ADMIN and friends
// cannot use anyway or should never reach: namespaces (unshare, setns, clone with CLONE_NEW*),
// mounts, bpf, perf, keyrings, kexec/modules, clock setting, AF_ALG/AF_VSOCK sockets and the
// personality flags that weaken ASLR. clone3 answers ENOSYS instead, because its flags sit in
// memory a filter cannot read; glibc then falls back to clone, whose flags it can.
#include "skiff/oci/image/bundle.hpp"

#include <algorithm>
#include <cerrno>
#include <string_view>

namespace skiff::image {
namespace {

enum class Arch { Any, X86_64, Aarch64 };

#if defined(__x86_64__)
constexpr Arch kNative = Arch::X86_64;
#elif defined(__aarch64__)
constexpr Arch kNative = Arch::Aarch64;
#else
constexpr Arch kNative = Arch::Any; // native architecture only, no arch-specific rules
#endif

struct Arg {
    uint32_t index;
    const char* op;
    uint64_t value;
    uint64_t value_two = 0;
};

// One rule of the profile. `names` is space-separated; a rule whose action is SCMP_ACT_ERRNO
// carries its errno.
struct Rule {
    std::string_view names;
    // "CAP_X": kept only when the bounding set has CAP_X; "!CAP_X": only when it lacks it.
    const char* cap = nullptr;
    Arch arch = Arch::Any;
    Arg arg{0, nullptr, 0};
    const char* action = "SCMP_ACT_ALLOW";
    uint32_t errno_ret = 0;
};

// AF_ALG (38) and AF_VSOCK (40) are the families denied; 39 between them is allowed.
constexpr uint64_t kAfAlg = 38, kAfVsock = 40;
// CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
// CLONE_NEWNET: clone(2) is allowed when none of these is set.
constexpr uint64_t kCloneNamespaceFlags = 0x7E020000;

const Rule kRules[] = {
    {"accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir chmod chown "
     "chown32 clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime "
     "clock_gettime64 clock_nanosleep clock_nanosleep_time64 close close_range connect "
     "copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old "
     "epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit "
     "exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir "
     "fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr "
     "flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 "
     "fsync ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait futex_waitv "
     "futex_wake futimesat getcpu getcwd getdents getdents64 getegid getegid32 geteuid "
     "geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp "
     "getpid getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32 "
     "getrlimit get_robust_list getrusage getsid getsockname getsockopt get_thread_area gettid "
     "gettimeofday getuid getuid32 getxattr getxattrat inotify_add_watch inotify_init "
     "inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents "
     "io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit ipc kill landlock_add_rule "
     "landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat "
     "listen listmount listxattr listxattrat llistxattr _llseek lremovexattr lseek lsetxattr "
     "lstat lstat64 madvise map_shadow_stack membarrier memfd_create memfd_secret mincore mkdir "
     "mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify "
     "mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 "
     "mq_unlink mremap mseal msgctl msgget msgrcv msgsnd msync munlock munlockall munmap "
     "name_to_handle_at nanosleep newfstatat _newselect open openat openat2 pause pidfd_open "
     "pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 "
     "prctl pread64 preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 "
     "pwrite64 pwritev pwritev2 read readahead readlink readlinkat readv recv recvfrom recvmmsg "
     "recvmmsg_time64 recvmsg remap_file_pages removexattr removexattrat rename renameat "
     "renameat2 restart_syscall riscv_hwprobe rmdir rseq rt_sigaction rt_sigpending "
     "rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait "
     "rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam "
     "sched_get_priority_max sched_get_priority_min sched_getscheduler sched_rr_get_interval "
     "sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam "
     "sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop "
     "semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32 "
     "setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority "
     "setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 "
     "setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address setuid "
     "setuid32 setxattr setxattrat shmat shmctl shmdt shmget shutdown sigaltstack signalfd "
     "signalfd4 sigprocmask sigreturn socketcall socketpair splice stat stat64 statfs statfs64 "
     "statmount statx symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill time "
     "timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime "
     "timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime "
     "timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat "
     "uretprobe utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid "
     "write writev"},
    // docker keys these on kernel >= 4.8 (ptrace could bypass seccomp before); skiff needs 5.6+.
    {"process_vm_readv process_vm_writev ptrace"},
    {.names = "socket", .arg = {0, "SCMP_CMP_LT", kAfAlg}},
    {.names = "socket", .arg = {0, "SCMP_CMP_EQ", kAfAlg + 1}},
    {.names = "socket", .arg = {0, "SCMP_CMP_GT", kAfVsock}},
    // PER_LINUX, UNAME26 (8), PER_LINUX32 (0x20000), both, and the 0xffffffff query.
    {.names = "personality", .arg = {0, "SCMP_CMP_EQ", 0x0}},
    {.names = "personality", .arg = {0, "SCMP_CMP_EQ", 0x0008}},
    {.names = "personality", .arg = {0, "SCMP_CMP_EQ", 0x20000}},
    {.names = "personality", .arg = {0, "SCMP_CMP_EQ", 0x20008}},
    {.names = "personality", .arg = {0, "SCMP_CMP_EQ", 0xffffffff}},
    {.names = "arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls",
     .arch = Arch::Aarch64},
    {.names = "arch_prctl", .arch = Arch::X86_64},
    {.names = "modify_ldt", .arch = Arch::X86_64},
    {.names = "open_by_handle_at", .cap = "CAP_DAC_READ_SEARCH"},
    {.names = "bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie "
     "lsm_get_self_attr lsm_list_modules lsm_set_self_attr mount mount_setattr move_mount "
     "open_tree perf_event_open quotactl quotactl_fd setdomainname sethostname setns syslog "
     "umount umount2 unshare",
     .cap = "CAP_SYS_ADMIN"},
    {.names = "clone", .cap = "!CAP_SYS_ADMIN", .arg = {0, "SCMP_CMP_MASKED_EQ", kCloneNamespaceFlags, 0}},
    {.names = "clone3", .cap = "!CAP_SYS_ADMIN", .action = "SCMP_ACT_ERRNO", .errno_ret = ENOSYS},
    {.names = "reboot", .cap = "CAP_SYS_BOOT"},
    {.names = "chroot", .cap = "CAP_SYS_CHROOT"},
    {.names = "delete_module init_module finit_module", .cap = "CAP_SYS_MODULE"},
    {.names = "acct", .cap = "CAP_SYS_PACCT"},
    {.names = "kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace",
     .cap = "CAP_SYS_PTRACE"},
    {.names = "iopl ioperm", .cap = "CAP_SYS_RAWIO"},
    {.names = "settimeofday stime clock_settime clock_settime64", .cap = "CAP_SYS_TIME"},
    {.names = "vhangup", .cap = "CAP_SYS_TTY_CONFIG"},
    {.names = "get_mempolicy mbind set_mempolicy set_mempolicy_home_node", .cap = "CAP_SYS_NICE"},
    {.names = "syslog", .cap = "CAP_SYSLOG"},
    {.names = "bpf", .cap = "CAP_BPF"},
    {.names = "perf_event_open", .cap = "CAP_PERFMON"},
};

std::vector<std::string> split_names(std::string_view s) {
    std::vector<std::string> out;
    while (!s.empty()) {
        auto sp = s.find(' ');
        if (sp != 0) out.emplace_back(s.substr(0, sp));
        if (sp == std::string_view::npos) break;
        s.remove_prefix(sp + 1);
    }
    return out;
}

} // namespace

oci::Seccomp default_seccomp(const std::vector<std::string>& bounding_caps) {
    auto keep = [&](const char* cap) {
        if (!cap) return true;
        bool unless = *cap == '!';
        bool has = std::find(bounding_caps.begin(), bounding_caps.end(), cap + unless) != bounding_caps.end();
        return has != unless;
    };
    oci::Seccomp s;
    s.default_action = "SCMP_ACT_ERRNO";
    s.default_errno_ret = EPERM;
    if (kNative == Arch::X86_64) s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    if (kNative == Arch::Aarch64) s.architectures = {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
    for (const Rule& r : kRules) {
        if (!keep(r.cap) || (r.arch != Arch::Any && r.arch != kNative)) continue;
        oci::SeccompSyscall sc;
        sc.names = split_names(r.names);
        sc.action = r.action;
        if (r.errno_ret) sc.errno_ret = r.errno_ret;
        if (r.arg.op) sc.args.push_back({r.arg.index, r.arg.value, r.arg.value_two, r.arg.op});
        s.syscalls.push_back(std::move(sc));
    }
    return s;
}

} // namespace skiff::image
