#include "init.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

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

Result<void> apply_apparmor(const std::string& profile) {
    if (profile.empty()) return ok();
    int en = ::open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
    if (en < 0) return Error{"apparmor profile \"" + profile + "\" set but AppArmor is not enabled"};
    ::close(en);
    // The profile takes effect at the next execve, like runc's ApplyProfile.
    std::string cmd = "exec " + profile;
    int fd = ::open("/proc/self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
    if (fd < 0) fd = ::open("/proc/self/attr/exec", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno_error("open /proc/self/attr/exec");
    ssize_t n = ::write(fd, cmd.data(), cmd.size());
    int err = errno;
    ::close(fd);
    if (n < 0) return errno_error("set apparmor profile " + profile, err);
    return ok();
}

// Only fds the caller passes down survive the exec: stdio and 3..3+n-1 lose close-on-exec,
// everything else of the runtime keeps it (or is closed now).
void settle_fds(const InitArgs& a) {
    for (int fd : a.close_fds)
        if (fd >= 0) ::close(fd);
    for (int fd = 3; fd < 3 + a.preserve_fds; ++fd) ::fcntl(fd, F_SETFD, 0);
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

    // The runtime has put us in the cgroup and written id maps and time offsets.
    auto go = sync_expect(a.sync_fd, SyncType::Go, "runtime exited during create");
    if (!go) ::_exit(1);
    std::string state = *go;

    if (a.new_user_ns) {
        if (::setresgid(0, 0, 0) != 0) fail(a.sync_fd, errno_error("setresgid 0 in user namespace"));
        if (::setresuid(0, 0, 0) != 0) fail(a.sync_fd, errno_error("setresuid 0 in user namespace"));
    }
    if (a.join && !a.join->fds.empty()) INIT_TRY(linux::join_namespaces(*a.join));
    if (::setsid() < 0) fail(a.sync_fd, errno_error("setsid"));
    if (!a.no_new_keyring) {
        std::string name = "_ses." + a.id;
        if (::syscall(SYS_keyctl, kKeyctlJoinSessionKeyring, name.c_str()) < 0 && errno != ENOSYS &&
            errno != EACCES && errno != EPERM)
            fail(a.sync_fd, errno_error("join session keyring"));
    }

    const bool mount_ns = lx.has_namespace("mount");
    if (mount_ns) INIT_TRY(linux::prepare_rootfs(spec, a.rootfs));
    INIT_TRY(a.handler->before_pivot(spec));

    // prestart and createRuntime hooks run on the runtime side, with the old root still here.
    INIT_TRY(sync_send(a.sync_fd, SyncType::RootfsReady));
    INIT_TRY(sync_expect(a.sync_fd, SyncType::HooksDone, "runtime exited during create"));
    if (spec.hooks) INIT_TRY(run_hooks(spec.hooks->create_container, "createContainer", state));

    if (mount_ns) INIT_TRY(linux::enter_rootfs(spec, a.rootfs));
    if (proc.terminal) {
        auto pty = open_pty(proc.console_size);
        if (!pty) fail(a.sync_fd, pty.error());
        if (mount_ns) INIT_TRY(mount_console(pty->slave_path));
        if (a.console_fd >= 0) {
            INIT_TRY(send_fd(a.console_fd, pty->master.get(), pty->slave_path));
            ::close(a.console_fd);
        }
        pty->master.reset();
        INIT_TRY(attach_stdio_to_pty(pty->slave.get()));
    }
    if (mount_ns) INIT_TRY(linux::finalize_rootfs(spec));
    if (!spec.hostname.empty() || !spec.domainname.empty()) INIT_TRY(linux::set_hostname(spec));
    if (!lx.sysctl.empty()) INIT_TRY(linux::apply_sysctl(lx.sysctl));

    // Confinement, in the order security.hpp gives (seccomp placement as runc: without
    // no_new_privs the filter must be loaded while we still hold CAP_SYS_ADMIN).
    INIT_TRY(security::apply_rlimits(proc.rlimits));
    if (proc.oom_score_adj) INIT_TRY(security::set_oom_score_adj(*proc.oom_score_adj));
    if (lx.personality) INIT_TRY(security::set_personality(*lx.personality));
    if (proc.scheduler) INIT_TRY(security::set_scheduler(*proc.scheduler));
    if (proc.io_priority) INIT_TRY(security::set_io_priority(*proc.io_priority));
    INIT_TRY(apply_apparmor(proc.apparmor_profile));
    int listener = -1;
    if (a.seccomp && !proc.no_new_privileges) {
        auto l = security::load_seccomp(*a.seccomp);
        if (!l) fail(a.sync_fd, l.error());
        listener = *l;
    }
    if (proc.capabilities) INIT_TRY(security::drop_bounding(*proc.capabilities));
    INIT_TRY(security::switch_user(proc.user, !a.new_user_ns));
    if (!proc.cwd.empty() && ::chdir(proc.cwd.c_str()) != 0)
        fail(a.sync_fd, errno_error("chdir to cwd (\"" + proc.cwd + "\") set in config.json"));
    if (proc.capabilities) INIT_TRY(security::apply_capabilities(*proc.capabilities));
    if (proc.no_new_privileges) INIT_TRY(security::set_no_new_privileges());
    ::prctl(PR_SET_PDEATHSIG, SIGKILL); // a uid change clears it
    INIT_TRY(a.handler->resolve(proc));
    if (a.seccomp && proc.no_new_privileges) {
        auto l = security::load_seccomp(*a.seccomp);
        if (!l) fail(a.sync_fd, l.error());
        listener = *l;
    }
    if (listener >= 0) {
        INIT_TRY(security::send_seccomp_listener(*a.seccomp, listener, state));
        ::close(listener);
    }

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
    Error e = a.handler->exec(proc);
    std::fprintf(stderr, "skiff-runtime init: %s\n", e.message.c_str());
    ::_exit(127);
}

} // namespace skiff::runtime
