// `exec`: a new process in a running container. A helper child joins every namespace of the
// container's init (through /proc/PID/ns), then clones the process itself with CLONE_PARENT so
// that it is our child, inside the joined pid namespace. We put it into the container's cgroup
// before it proceeds; it takes the container's confinement and execs. Its exec closing the
// sync socket (close-on-exec) is the success signal; an error arrives as a message instead.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "container.hpp"
#include "debug_steps.hpp"
#include "handler.hpp"
#include "security/security.hpp"
#include "sync.hpp"
#include "terminal.hpp"
#include "wait.hpp"

namespace skiff::runtime {
namespace {

struct NsFd {
    int type;
    UniqueFd fd;
};

// The container's namespaces that differ from ours, user first (it grants the rights to join
// the others), mount last.
Result<std::vector<NsFd>> open_container_namespaces(pid_t pid) {
    static const std::pair<const char*, int> kinds[] = {
        {"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},
        {"uts", CLONE_NEWUTS},   {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID},
        {"time", CLONE_NEWTIME}, {"mnt", CLONE_NEWNS},
    };
    std::vector<NsFd> out;
    for (const auto& [name, type] : kinds) {
        std::string path = "/proc/" + std::to_string(pid) + "/ns/" + name;
        std::string self = std::string("/proc/self/ns/") + name;
        struct stat a{}, b{};
        if (::stat(path.c_str(), &a) != 0) {
            if (errno == ENOENT) continue; // kernel without this namespace type
            return errno_error("stat " + path);
        }
        if (::stat(self.c_str(), &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            continue;
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return errno_error("open " + path);
        out.push_back({type, std::move(fd)});
    }
    return out;
}

struct ExecChild {
    const oci::Process* proc;
    Handler* handler;
    const security::SeccompProgram* seccomp;
    int sync_fd, console_fd, preserve_fds;
    bool setgroups_allowed;
};

[[noreturn]] void child_fail(int fd, const Error& e) {
    (void)sync_send(fd, SyncType::Error, e.message);
    ::_exit(1);
}

#define EXEC_TRY(expr)                                                                             \
    do {                                                                                           \
        auto exec_r_ = (expr);                                                                     \
        if (!exec_r_.ok()) child_fail(a.sync_fd, exec_r_.error());                                 \
    } while (0)

// The process itself: in the container's namespaces, waiting until it is in the cgroup.
[[noreturn]] void exec_process(const ExecChild& a) {
    const oci::Process& p = *a.proc;
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int fd = 3; fd < 3 + a.preserve_fds; ++fd) ::fcntl(fd, F_SETFD, 0);
    ::syscall(SYS_close_range, 3 + a.preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
    if (!sync_expect(a.sync_fd, SyncType::Go, "runtime exited during exec")) ::_exit(1);
    if (::setsid() < 0) child_fail(a.sync_fd, errno_error("setsid"));
    if (p.terminal) {
        auto pty = open_pty(p.console_size);
        if (!pty) child_fail(a.sync_fd, pty.error());
        EXEC_TRY(send_fd(a.console_fd, pty->master.get(), pty->slave_path));
        ::close(a.console_fd);
        pty->master.reset();
        EXEC_TRY(attach_stdio_to_pty(pty->slave.get()));
    }
    EXEC_TRY(security::apply_rlimits(p.rlimits));
    if (p.oom_score_adj) EXEC_TRY(security::set_oom_score_adj(*p.oom_score_adj));
    if (p.scheduler) EXEC_TRY(security::set_scheduler(*p.scheduler));
    if (p.io_priority) EXEC_TRY(security::set_io_priority(*p.io_priority));
    EXEC_TRY(security::set_apparmor_profile(p.apparmor_profile));
    EXEC_TRY(security::set_selinux_label(p.selinux_label));
    const bool nnp = p.no_new_privileges;
    if (nnp) EXEC_TRY(security::set_no_new_privileges());
    int listener = -1;
    if (a.seccomp && !nnp) {
        auto l = security::load_seccomp(*a.seccomp);
        if (!l) child_fail(a.sync_fd, l.error());
        listener = *l;
    }
    const oci::Capabilities caps = p.capabilities.value_or(oci::Capabilities{});
    EXEC_TRY(security::drop_bounding(caps));
    EXEC_TRY(security::switch_user(p.user, a.setgroups_allowed));
    if (!p.cwd.empty() && ::chdir(p.cwd.c_str()) != 0)
        child_fail(a.sync_fd, errno_error("chdir to cwd (\"" + p.cwd + "\")"));
    EXEC_TRY(security::apply_capabilities(caps));
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    EXEC_TRY(a.handler->resolve(p));
    if (a.seccomp && nnp) {
        auto l = security::load_seccomp(*a.seccomp);
        if (!l) child_fail(a.sync_fd, l.error());
        listener = *l;
    }
    if (listener >= 0) {
        // The runtime forwards it to the agent, as create does for the init (security.hpp).
        EXEC_TRY(sync_send(a.sync_fd, SyncType::SeccompFd, {}, listener));
        ::close(listener);
    }
    // Like runc's, the process outlives the exec command (exec -d returns at once).
    ::prctl(PR_SET_PDEATHSIG, 0);
    child_fail(a.sync_fd, a.handler->exec(p));
}

pid_t raw_clone(unsigned long flags) {
    return pid_t(::syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr));
}

} // namespace

Result<oci::Process> container_process(const Context& ctx, const std::string& id) {
    auto c = SKIFF_TRY(load_container(ctx, id));
    auto spec = SKIFF_TRY(oci::load_spec(c.record.config_path));
    if (!spec.process) return Error{c.record.config_path + ": process: missing"};
    return *spec.process;
}

Result<int> exec(const Context& ctx, const ExecOptions& o) {
    auto c = SKIFF_TRY(load_container(ctx, o.id));
    if (c.status == oci::Status::Stopped) return Error{"cannot exec in a stopped container"};
    if (c.status == oci::Status::Paused && !o.ignore_paused)
        return Error{"cannot exec in a paused container"};
    if (o.process.args.empty()) return Error{"exec: process.args: must not be empty"};
    auto spec = SKIFF_TRY(oci::load_spec(c.record.config_path));
    const bool foreground = !o.detach;
    const oci::Process& p = o.process;
    if (p.terminal && o.console_socket.empty() && !foreground)
        return Error{"cannot allocate tty if skiff-runtime will detach without setting console socket"};
    if (!p.terminal && !o.console_socket.empty())
        return Error{"cannot use console socket if skiff-runtime will not detach or allocate tty"};

    auto handler = SKIFF_TRY(make_handler(c.record.isolation, ctx.root));
    SKIFF_CHECK(handler->check(spec));
    std::optional<security::SeccompProgram> seccomp;
    if (spec.linux_ && spec.linux_->seccomp && handler->kernel_seccomp())
        seccomp = SKIFF_TRY(security::compile_seccomp_cached(*spec.linux_->seccomp, ctx.root + "/seccomp-cache"));
    auto cg = c.record.cgroup.empty() ? nullptr : SKIFF_TRY(cgroup_of(c));
    // The helper joins the cgroup itself, as create's init does: a write by the runtime into
    // v1 cgroup.procs waits 10-20 ms here for an RCU grace period, the helper's own "0" into
    // `tasks` does not. The process it clones inherits the cgroup.
    std::optional<cgroups::SelfJoin> self_join;
    if (cg) self_join = SKIFF_TRY(cg->open_self_join());
    auto namespaces = SKIFF_TRY(open_container_namespaces(c.record.init_pid));
    bool user_ns = false;
    for (const auto& n : namespaces) user_ns |= n.type == CLONE_NEWUSER;

    UniqueFd console, console_peer;
    if (p.terminal) {
        if (!o.console_socket.empty()) {
            console = SKIFF_TRY(connect_console_socket(o.console_socket));
        } else {
            int sv[2];
            if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
                return errno_error("socketpair");
            console_peer.reset(sv[0]);
            console.reset(sv[1]);
        }
    }
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return errno_error("socketpair");
    UniqueFd sync(sv[0]), child_sync(sv[1]);

    int listen = 0;
    if (const char* v = std::getenv("LISTEN_FDS")) listen = std::max(0, std::atoi(v));
    ExecChild args{&p, handler.get(), seccomp ? &*seccomp : nullptr, child_sync.get(),
                   console.get(), listen + o.preserve_fds, !user_ns};

    if (foreground) ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    pid_t helper = raw_clone(SIGCHLD);
    if (helper < 0) return errno_error("clone");
    if (helper == 0) {
        ::close(c.dir.lock_fd());
        ::close(sync.get());
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (self_join)
            if (auto r = self_join->join(false); !r) child_fail(args.sync_fd, r.error());
        for (const auto& n : namespaces)
            if (::setns(n.fd.get(), n.type) != 0)
                child_fail(args.sync_fd, errno_error("setns " + std::to_string(n.type)));
        pid_t pid = raw_clone(CLONE_PARENT | SIGCHLD);
        if (pid < 0) child_fail(args.sync_fd, errno_error("clone"));
        if (pid == 0) exec_process(args);
        // clone ran in our pid namespace: this is the pid as the runtime sees it.
        if (!sync_send(args.sync_fd, SyncType::Ready, std::to_string(pid))) ::_exit(1);
        ::_exit(0);
    }
    child_sync.reset();
    console.reset();
    if (self_join) self_join->close();
    int hst = 0;
    while (::waitpid(helper, &hst, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(hst) || WEXITSTATUS(hst) != 0) {
        auto m = sync_recv(sync.get(), "exec: joining the container's namespaces failed");
        return m ? Error{"exec: joining the container's namespaces failed"} : m.error();
    }
    auto pid_msg = SKIFF_TRY(sync_expect(sync.get(), SyncType::Ready, "exec: helper exited"));
    pid_t pid = pid_t(std::atoi(pid_msg.c_str()));
    if (pid <= 0) return Error{"exec: bad pid from helper"};
    auto fail_kill = [&] {
        ::kill(pid, SIGKILL);
        int st;
        ::waitpid(pid, &st, 0);
    };
    // From here its exit (and any signal for it) must not be missed.
    sigset_t all, old;
    sigfillset(&all);
    if (foreground) ::sigprocmask(SIG_BLOCK, &all, &old);
    if (auto r = sync_send(sync.get(), SyncType::Go); !r) {
        fail_kill();
        return r.error();
    }
    // Our end sees EOF once the process has exec'd (its end is close-on-exec).
    auto m = sync_recv(sync.get(), "");
    if (m && m->type == SyncType::SeccompFd && seccomp) {
        // Its notified syscalls wait until the agent has the listener.
        std::string state = hook_state_json(c.record, c.status, c.record.init_pid);
        if (auto r = security::send_seccomp_listener(*seccomp, m->fd.get(), state, pid); !r) {
            fail_kill();
            return r.error();
        }
        m = sync_recv(sync.get(), "");
    }
    if (!m && !m.error().message.empty()) {
        fail_kill();
        return m.error();
    }
    UniqueFd master;
    if (console_peer) master = SKIFF_TRY(recv_fd(console_peer.get()));
    SKIFF_CHECK(write_pid_file(o.pid_file, pid));
    debug_step("exec process started", o.id, pid, p.args[0]);
    if (!foreground) return 0;
    c.dir.unlock();
    int code = wait_forwarding(pid, master.get(), &old);
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    return code;
}

} // namespace skiff::runtime
