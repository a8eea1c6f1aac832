#include "init.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "hooks.hpp"
#include "sync.hpp"
#include "terminal.hpp"

namespace skiff::runtime {
namespace {

constexpr long kKeyctlJoinSessionKeyring = 1; // KEYCTL_JOIN_SESSION_KEYRING

[[noreturn]] void fail(int sync_fd, const Error& e) {
    (void)sync_send(sync_fd, SyncType::Error, e.message);
    ::_exit(1);
}

#define INIT_TRY(expr)                                                                             \
    do {                                                                                           \
        auto init_r_ = (expr);                                                                     \
        if (!init_r_.ok()) fail(a.sync_fd, init_r_.error());                                       \
    } while (0)

// Only fds the caller passes down survive the exec: stdio and 3..3+n-1 lose close-on-exec,
// everything else of the runtime keeps it (or is closed now).
void settle_fds(const InitArgs& a) {
    for (int fd : a.close_fds)
        if (fd >= 0) ::close(fd);
    for (int fd = 3; fd < 3 + a.preserve_fds; ++fd) ::fcntl(fd, F_SETFD, 0);
    // What the caller left open beyond those must not reach the container (runc does the same).
    ::syscall(SYS_close_range, 3 + a.preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
}

Result<void> wait_for_start(const InitArgs& a) {
    if (a.fifo_fd < 0) {
        SKIFF_TRY(sync_expect(a.sync_fd, SyncType::Go, "runtime exited before start"));
        return ok();
    }
    // The fifo's path lies outside the rootfs: reopen it through our O_PATH fd. The open
    // blocks until `start` opens the reading end.
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", a.fifo_fd);
    int fd;
    do fd = ::open(path, O_WRONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) return errno_error("open exec fifo");
    ssize_t n = ::write(fd, "0", 1);
    int err = errno;
    ::close(fd);
    ::close(a.fifo_fd);
    if (n != 1) return errno_error("write exec fifo", err);
    return ok();
}

// Idmapped mount trees the runtime made for us (create.cpp) come before Go.
Result<std::string> wait_for_go(int sync_fd, linux::RootfsOptions& rootfs) {
    for (;;) {
        auto m = SKIFF_TRY(sync_recv(sync_fd, "runtime exited during create"));
        if (m.type == SyncType::Go) return std::move(m.payload);
        if (m.type != SyncType::MountFd || !m.fd)
            return Error{"sync: unexpected message " + std::to_string(uint32_t(m.type))};
        rootfs.idmapped_mounts[std::strtoul(m.payload.c_str(), nullptr, 10)] = m.fd.release();
    }
}

// After setns(CLONE_NEWPID) only our children are in the joined pid namespace (runc's nsexec
// forks for the same reason). The child, our runtime's child through CLONE_PARENT, goes on as
// the init; we report its pid (in our, the runtime's, pid namespace) and leave. Returns the
// state the runtime sends again with that pid.
Result<std::string> fork_into_joined_pid_ns(int sync_fd) {
    pid_t child = pid_t(::syscall(SYS_clone, CLONE_PARENT | SIGCHLD, nullptr, nullptr, nullptr,
                                  nullptr));
    if (child < 0) return errno_error("clone into the joined pid namespace");
    if (child > 0) {
        (void)sync_send(sync_fd, SyncType::Pid, std::to_string(child));
        ::_exit(0);
    }
    ::prctl(PR_SET_PDEATHSIG, SIGKILL); // not inherited; our parent is now the runtime
    return sync_expect(sync_fd, SyncType::Go, "runtime exited during create");
}

} // namespace

void init_main(const InitArgs& a) {
    const oci::Spec& spec = *a.spec;
    const oci::Process& proc = *spec.process;
    const oci::Linux empty_linux;
    const oci::Linux& lx = spec.linux_ ? *spec.linux_ : empty_linux;
    settle_fds(a);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);

    // First, so that what the init allocates from here on is charged to the container. Its
    // error waits for Go: the runtime reads the sync socket only after sending that.
    Result<void> joined = a.cgroup_join ? a.cgroup_join->join(a.cloned_into) : ok();

    // The runtime has written id maps and time offsets, and sent idmapped mount trees.
    linux::RootfsOptions rootfs = a.rootfs;
    auto go = wait_for_go(a.sync_fd, rootfs);
    if (!go) fail(a.sync_fd, go.error());
    std::string state = *go;
    INIT_TRY(std::move(joined));

    if (a.new_user_ns) {
        if (::setresgid(0, 0, 0) != 0) fail(a.sync_fd, errno_error("setresgid 0 in user namespace"));
        if (::setresuid(0, 0, 0) != 0) fail(a.sync_fd, errno_error("setresuid 0 in user namespace"));
    }
    if (a.join && !a.join->fds.empty()) INIT_TRY(linux::join_namespaces(*a.join));
    if (a.joins_user_ns) {
        // Our ids stay the host's across setns; files made in the namespaces the joined user
        // namespace owns need ids it maps (EOVERFLOW otherwise).
        if (::setresgid(0, 0, 0) != 0) fail(a.sync_fd, errno_error("setresgid 0 in the joined user namespace"));
        if (::setresuid(0, 0, 0) != 0) fail(a.sync_fd, errno_error("setresuid 0 in the joined user namespace"));
    }
    // Those credential changes cleared it; until Ready we must die with a killed create.
    if (a.new_user_ns || (a.join && !a.join->fds.empty())) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (a.unshare_after_join && ::unshare(a.unshare_after_join) != 0)
        fail(a.sync_fd, errno_error("unshare the container's namespaces in the joined user namespace"));
    if (a.joins_pid_ns) {
        auto again = fork_into_joined_pid_ns(a.sync_fd);
        if (!again) fail(a.sync_fd, again.error());
        state = std::move(*again);
    }
    // After the joins: a user namespace joined by path must own it.
    if (a.new_cgroup_ns && ::unshare(CLONE_NEWCGROUP) != 0)
        fail(a.sync_fd, errno_error("unshare cgroup namespace"));
    if (::setsid() < 0) fail(a.sync_fd, errno_error("setsid"));
    if (!a.no_new_keyring) {
        std::string name = "_ses." + a.id;
        if (::syscall(SYS_keyctl, kKeyctlJoinSessionKeyring, name.c_str()) < 0 && errno != ENOSYS &&
            errno != EACCES && errno != EPERM)
            fail(a.sync_fd, errno_error("join session keyring"));
    }

    const bool mount_ns = lx.has_namespace("mount");
    if (mount_ns) INIT_TRY(linux::prepare_rootfs(spec, rootfs));
    INIT_TRY(a.handler->before_pivot(spec));

    // prestart and createRuntime hooks run on the runtime side, with the old root still here.
    if (has_runtime_hooks(spec)) {
        INIT_TRY(sync_send(a.sync_fd, SyncType::RootfsReady));
        INIT_TRY(sync_expect(a.sync_fd, SyncType::HooksDone, "runtime exited during create"));
    }
    if (spec.hooks) INIT_TRY(run_hooks(spec.hooks->create_container, "createContainer", state));

    if (mount_ns) INIT_TRY(linux::enter_rootfs(spec, rootfs));
    if (proc.terminal) {
        auto pty = open_pty(proc.console_size);
        if (!pty) fail(a.sync_fd, pty.error());
        if (mount_ns) INIT_TRY(linux::mount_console(pty->slave_path));
        if (a.console_fd >= 0) {
            INIT_TRY(send_fd(a.console_fd, pty->master.get(), pty->slave_path));
            ::close(a.console_fd);
        }
        pty->master.reset();
        INIT_TRY(attach_stdio_to_pty(pty->slave.get()));
    }
    if (!spec.hostname.empty() || !spec.domainname.empty()) INIT_TRY(linux::set_hostname(spec));
    // Before finalize: /proc/sys is one of the default readonlyPaths.
    if (!lx.sysctl.empty()) INIT_TRY(linux::apply_sysctl(lx.sysctl)); // validated by create
    if (mount_ns) INIT_TRY(linux::finalize_rootfs(spec));

    // Confinement, in the order security.hpp gives (runc's standard init).
    INIT_TRY(security::apply_rlimits(proc.rlimits));
    if (proc.oom_score_adj) INIT_TRY(security::set_oom_score_adj(*proc.oom_score_adj));
    if (lx.personality) INIT_TRY(security::set_personality(*lx.personality));
    if (proc.scheduler) INIT_TRY(security::set_scheduler(*proc.scheduler));
    if (proc.io_priority) INIT_TRY(security::set_io_priority(*proc.io_priority));
    INIT_TRY(security::set_apparmor_profile(proc.apparmor_profile));
    INIT_TRY(security::set_selinux_label(proc.selinux_label));
    const bool nnp = proc.no_new_privileges;
    // A notify listener must reach the runtime before Ready, so with one the filter goes in
    // before the sync even under no_new_privs.
    const bool early_seccomp = a.seccomp && (!nnp || a.seccomp->wants_listener);
    if (nnp) INIT_TRY(security::set_no_new_privileges());
    int listener = -1;
    if (early_seccomp && !nnp) {
        auto l = security::load_seccomp(*a.seccomp);
        if (!l) fail(a.sync_fd, l.error());
        listener = *l;
    }
    const oci::Capabilities caps = proc.capabilities.value_or(oci::Capabilities{});
    INIT_TRY(security::drop_bounding(caps));
    INIT_TRY(security::switch_user(proc.user, !a.new_user_ns));
    if (!proc.cwd.empty() && ::chdir(proc.cwd.c_str()) != 0)
        fail(a.sync_fd, errno_error("chdir to cwd (\"" + proc.cwd + "\") set in config.json"));
    INIT_TRY(security::apply_capabilities(caps));
    ::prctl(PR_SET_PDEATHSIG, SIGKILL); // a uid change clears it
    INIT_TRY(a.handler->resolve(proc));
    if (early_seccomp && nnp) {
        auto l = security::load_seccomp(*a.seccomp);
        if (!l) fail(a.sync_fd, l.error());
        listener = *l;
    }
    if (listener >= 0) {
        // The runtime hands it to the agent (security.hpp: we must not connect ourselves).
        INIT_TRY(send_fd(a.sync_fd, listener, "seccomp"));
        ::close(listener);
    }

    // The container outlives the command that created it (create exits, run -d too); until
    // now the death of the runtime had to take us with it. Cleared before Ready: after it the
    // runtime may exit at once. (Should it die right here instead, its record still says
    // "creating" and the next command on this id kills us through the cgroup.)
    ::prctl(PR_SET_PDEATHSIG, 0);
    INIT_TRY(sync_send(a.sync_fd, SyncType::Ready));
    // From here nobody waits for our errors: report them on stderr like runc's init does.
    auto started = wait_for_start(a);
    if (!started) {
        std::fprintf(stderr, "skiff-runtime init: %s\n", started.error().message.c_str());
        ::_exit(1);
    }
    if (a.fifo_fd >= 0) ::close(a.sync_fd);
    // The runtime is gone (create exited) or waits for us; runc rewrites the state for these.
    if (spec.hooks && !spec.hooks->start_container.empty()) {
        auto pos = state.find("\"creating\"");
        if (pos != std::string::npos) state.replace(pos, 10, "\"created\"");
        auto r = run_hooks(spec.hooks->start_container, "startContainer", state);
        if (!r) {
            std::fprintf(stderr, "skiff-runtime init: %s\n", r.error().message.c_str());
            ::_exit(1);
        }
    }
    if (a.seccomp && nnp && !early_seccomp) {
        // The very last step before execve: the profile only has to allow the program's calls.
        auto l = security::load_seccomp(*a.seccomp);
        if (!l) {
            std::fprintf(stderr, "skiff-runtime init: %s\n", l.error().message.c_str());
            ::_exit(1);
        }
    }
    Error e = a.handler->exec(proc);
    std::fprintf(stderr, "skiff-runtime init: %s\n", e.message.c_str());
    ::_exit(127);
}

} // namespace skiff::runtime
