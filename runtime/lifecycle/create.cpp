// `create`: parse the bundle once, make the state directory, cgroup and exec fifo, clone the
// init into its new namespaces and drive it through the sync protocol (sync.hpp). Every step
// is undone by a scope guard unless the whole create succeeds.
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>


#include "debug_steps.hpp"
#include "device_rules.hpp"
#include "hooks.hpp"
#include "init.hpp"
#include "interrupt.hpp"
#include "launch.hpp"
#include "proc.hpp"
#include "sync.hpp"
#include "terminal.hpp"

namespace skiff::runtime {
namespace {

Result<std::string> absolute_dir(const std::string& path, const char* what) {
    char buf[PATH_MAX];
    if (!::realpath(path.c_str(), buf)) return errno_error(std::string(what) + " " + path);
    return std::string(buf);
}

Result<std::string> resolve_rootfs(const oci::Spec& spec, const std::string& bundle) {
    std::string p = spec.root.path;
    if (p.empty()) return Error{"invalid rootfs: root.path is empty"};
    if (p[0] != '/') p = bundle + "/" + p;
    struct stat st{};
    if (::stat(p.c_str(), &st) != 0) return errno_error("invalid rootfs: stat " + p);
    if (!S_ISDIR(st.st_mode)) return Error{"invalid rootfs: " + p + " is not a directory"};
    char buf[PATH_MAX];
    if (!::realpath(p.c_str(), buf)) return errno_error("invalid rootfs: " + p);
    return std::string(buf);
}

int listen_fds() {
    const char* v = std::getenv("LISTEN_FDS");
    if (!v) return 0;
    int n = std::atoi(v);
    return n > 0 ? n : 0;
}

// An idmapped mount needs CAP_SYS_ADMIN over the source filesystem, which an init in its own
// user namespace lacks: the trees are made here, against its (now mapped) user namespace, and
// sent down before Go for the init to move into place (runc does the same).
Result<void> send_idmapped_mounts(int sync, const std::string& userns, const oci::Spec& spec,
                                  const std::string& bundle) {
    auto made = SKIFF_TRY(linux::open_idmapped_mounts_from_parent(userns, spec, bundle));
    std::vector<UniqueFd> owned;
    for (auto& [index, fd] : made) owned.emplace_back(fd);
    for (auto& [index, fd] : made)
        SKIFF_CHECK(sync_send(sync, SyncType::MountFd, std::to_string(index), fd));
    return ok();
}

// The init forked into the pid namespace it joined (init.cpp): reap the first process and
// return the one that goes on, our child too (CLONE_PARENT).
Result<pid_t> adopt_init_in_joined_pid_ns(int sync, pid_t first, const std::string& died) {
    auto msg = SKIFF_TRY(sync_expect(sync, SyncType::Pid, died)); // on error the caller reaps
    int st = 0;
    while (::waitpid(first, &st, 0) < 0 && errno == EINTR) {
    }
    pid_t pid = pid_t(std::strtol(msg.c_str(), nullptr, 10));
    if (pid <= 0) return Error{"sync: bad pid \"" + msg + "\" from the init"};
    return pid;
}

// clone3 puts the init straight into the cgroup2 part (CLONE_INTO_CGROUP): no migration, no
// write. Kernels before 5.7 refuse the flag (EINVAL) or clone3 itself (ENOSYS): then the plain
// clone, and the init writes itself into that part too (`cloned_into` false).
pid_t clone_init(unsigned long flags, int cgroup_fd, bool* cloned_into) {
    if (cgroup_fd >= 0) {
        clone_args ca{};
        ca.flags = flags | CLONE_INTO_CGROUP;
        ca.exit_signal = SIGCHLD;
        ca.cgroup = uint64_t(cgroup_fd);
        long r = ::syscall(SYS_clone3, &ca, sizeof ca);
        if (r >= 0 || (errno != ENOSYS && errno != EINVAL && errno != E2BIG)) {
            *cloned_into = r >= 0;
            return pid_t(r);
        }
    }
    *cloned_into = false;
    return pid_t(::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
}

void kill_and_reap(pid_t pid) {
    ::kill(pid, SIGKILL);
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
}

} // namespace

Result<Launched> launch(const Context& ctx, const CreateOptions& opts, StartGate gate,
                        bool receive_console) {
    SKIFF_CHECK(oci::validate_container_id(opts.id));
    std::string bundle = SKIFF_TRY(absolute_dir(opts.bundle, "bundle"));
    std::string config_path = bundle + "/config.json";
    oci::Spec spec = SKIFF_TRY(oci::load_spec(config_path));
    if (!spec.process) return Error{"config.json: process: required by create"};
    oci::Process& proc = *spec.process;
    if (proc.args.empty()) return Error{"config.json: process.args: must not be empty"};
    if (!spec.linux_) spec.linux_.emplace();
    const oci::Linux& lx = *spec.linux_;

    auto handler = SKIFF_TRY(select_handler(spec, ctx.root));
    const Isolation iso = handler->isolation();
    std::string rootfs = SKIFF_TRY(resolve_rootfs(spec, bundle));

    if (proc.terminal && opts.console_socket.empty() && !receive_console)
        return Error{"cannot allocate tty if skiff-runtime will detach without setting console socket"};
    if (!proc.terminal && !opts.console_socket.empty())
        return Error{"cannot use console socket if skiff-runtime will not detach or allocate tty"};

    int flags = SKIFF_TRY(linux::clone_flags(lx));
    SKIFF_CHECK(linux::validate_sysctl(spec));
    auto join = SKIFF_TRY(linux::open_namespaces_to_join(lx));
    debug_config(config_path, spec, iso, join);
    std::optional<security::SeccompProgram> seccomp;
    if (lx.seccomp && handler->kernel_seccomp())
        seccomp = SKIFF_TRY(security::compile_seccomp_cached(*lx.seccomp, ctx.root + "/seccomp-cache"));
    if (proc.capabilities) {
        auto unknown = security::unknown_capabilities(*proc.capabilities);
        if (!unknown.empty()) {
            std::string list;
            for (const auto& c : unknown) list += (list.empty() ? "" : " ") + c;
            log_warning("ignoring unknown or unavailable capabilities: [" + list + "]");
        }
    }

    int inherited = listen_fds();
    if (inherited > 0) {
        proc.env.push_back("LISTEN_FDS=" + std::to_string(inherited));
        proc.env.push_back("LISTEN_PID=1");
    }

    // From here on, everything made is undone unless the create completes.
    auto made = ContainerDir::create(ctx.root, opts.id);
    if (!made && made.error().code == EEXIST && clean_abandoned_create(ctx, opts.id))
        made = ContainerDir::create(ctx.root, opts.id); // the id was a killed create's leftover
    ContainerDir dir = SKIFF_TRY(std::move(made));
    ScopeGuard remove_dir([&] { (void)dir.remove(); });

    Record rec;
    rec.id = opts.id;
    rec.status = oci::Status::Creating;
    rec.bundle = bundle;
    rec.rootfs = rootfs;
    rec.config_path = config_path;
    rec.created = rfc3339_now();
    rec.annotations = spec.annotations;
    rec.isolation = iso;
    rec.systemd_cgroup = ctx.systemd_cgroup;
    if (spec.hooks) {
        rec.poststart = spec.hooks->poststart;
        rec.poststop = spec.hooks->poststop;
    }

    cgroups::Options cg_opts;
    cg_opts.container_id = opts.id;
    cg_opts.cgroups_path = lx.cgroups_path;
    cg_opts.systemd = ctx.systemd_cgroup;
    const oci::Resources resources = effective_resources(lx);
    auto cgroup = SKIFF_TRY(cgroups::Cgroup::create(cg_opts, &resources));
    ScopeGuard destroy_cgroup([&] {
        (void)kill_and_destroy(*cgroup);
    });
    rec.cgroup = cgroup->save();
    debug_cgroup(opts.id, rec.cgroup);
    // Written before the clone so that a create killed outright is recognised and undone by
    // the next command that opens this container.
    SKIFF_CHECK(dir.save(rec));

    UniqueFd fifo;
    if (gate == StartGate::Fifo) {
        std::string fifo_path = dir.file("exec.fifo");
        mode_t old = ::umask(0);
        int r = ::mkfifo(fifo_path.c_str(), 0622);
        ::umask(old);
        if (r != 0) return errno_error("mkfifo " + fifo_path);
        fifo.reset(::open(fifo_path.c_str(), O_PATH | O_CLOEXEC));
        if (!fifo) return errno_error("open " + fifo_path);
    }

    UniqueFd console, console_peer;
    if (!opts.console_socket.empty()) {
        console = SKIFF_TRY(connect_console_socket(opts.console_socket));
    } else if (proc.terminal && receive_console) {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            return errno_error("socketpair");
        console_peer.reset(sv[0]);
        console.reset(sv[1]);
    }

    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return errno_error("socketpair");
    UniqueFd sync(sv[0]), child_sync(sv[1]);

    InitArgs args;
    args.spec = &spec;
    args.id = opts.id;
    args.handler = handler.get();
    args.join = &join;
    args.seccomp = seccomp ? &*seccomp : nullptr;
    args.rootfs.bundle = bundle;
    args.rootfs.rootfs = rootfs;
    args.rootfs.no_pivot = opts.no_pivot;
    args.sync_fd = child_sync.get();
    args.console_fd = console.get();
    args.fifo_fd = fifo.get();
    args.preserve_fds = inherited + opts.preserve_fds;
    args.close_fds[0] = dir.lock_fd();
    args.close_fds[1] = sync.get();
    args.close_fds[2] = console_peer.get();
    args.new_user_ns = (flags & CLONE_NEWUSER) != 0;
    for (auto [fd, type] : join.fds) args.joins_pid_ns |= type == CLONE_NEWPID;
    // The init joins the cgroup itself, at once and without the wait enter() has (SelfJoin).
    // Where its files cannot be opened (say, a delegated cgroup with only cgroup.procs given
    // to us), we put the init in ourselves after the clone, as before.
    cgroups::SelfJoin self_join;
    if (auto j = cgroup->open_self_join()) {
        self_join = std::move(*j);
        args.cgroup_join = &self_join;
    }
    // A cgroup namespace takes the cgroup its creator is in as its root: the init unshares it
    // once it has joined the container's (as a clone flag it would be rooted at ours).
    args.new_cgroup_ns = (flags & CLONE_NEWCGROUP) != 0;
    flags &= ~CLONE_NEWCGROUP;
    const oci::Namespace* joined_user = lx.find_namespace("user");
    if (joined_user && joined_user->path.empty()) joined_user = nullptr;
    if (joined_user) {
        args.joins_user_ns = true;
        constexpr int kOwned = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID;
        args.unshare_after_join = flags & kOwned;
        flags &= ~kOwned;
        // unshare(CLONE_NEWPID), like setns, moves only children: the same extra fork.
        if (args.unshare_after_join & CLONE_NEWPID) args.joins_pid_ns = true;
    }
    args.no_new_keyring = opts.no_new_keyring;

    // Time offsets can only be set while no process is inside the namespace (and CLONE_NEWTIME
    // cannot go through clone(2)): the runtime enters a fresh one for its children with the
    // offsets written, the clone lands the init in it, and the runtime returns to its own.
    int saved_time_ns = SKIFF_TRY(linux::enter_time_namespace_for_clone(lx));

    install_interrupt_handlers();
    pid_t pid = clone_init(unsigned(flags), self_join.clone_into_fd(), &args.cloned_into);
    if (pid == 0) init_main(args); // born in the new time namespace: must not restore
    int clone_errno = errno;
    // Hooks and later children of the runtime stay in the host's time namespace.
    auto restored = linux::restore_time_namespace(saved_time_ns);
    if (pid < 0) return errno_error("clone", clone_errno);
    ScopeGuard kill_init([&] { kill_and_reap(pid); });
    SKIFF_CHECK(std::move(restored));
    child_sync.reset();
    console.reset();
    fifo.reset();
    self_join.close();
    if (!args.cgroup_join) SKIFF_CHECK(cgroup->enter(pid));
    if (args.new_user_ns) {
        SKIFF_CHECK(linux::write_id_mappings_from_parent(pid, lx));
        SKIFF_CHECK(send_idmapped_mounts(sync.get(), "/proc/" + std::to_string(pid) + "/ns/user", spec, bundle));
    } else if (joined_user) {
        SKIFF_CHECK(send_idmapped_mounts(sync.get(), joined_user->path, spec, bundle));
    }

    debug_step("init cloned into its namespaces and cgroup", opts.id, pid);
    auto st = read_proc_stat(pid);
    if (!st) return Error{"container init exited during create"};
    rec.init_pid = pid;
    rec.init_start_time = st->start_time;
    std::string state = hook_state_json(rec, oci::Status::Creating, pid);

    const std::string died = "container init exited during create";
    SKIFF_CHECK(sync_send(sync.get(), SyncType::Go, state));
    if (args.joins_pid_ns) {
        pid = SKIFF_TRY(adopt_init_in_joined_pid_ns(sync.get(), pid, died));
        debug_step("init forked into the joined pid namespace", opts.id, pid);
        st = read_proc_stat(pid);
        if (!st) return Error{died};
        rec.init_pid = pid;
        rec.init_start_time = st->start_time;
        state = hook_state_json(rec, oci::Status::Creating, pid);
        SKIFF_CHECK(sync_send(sync.get(), SyncType::Go, state));
    }
    if (has_runtime_hooks(spec)) {
        SKIFF_TRY(sync_expect(sync.get(), SyncType::RootfsReady, died));
        SKIFF_CHECK(run_hooks(spec.hooks->prestart, "prestart", state));
        SKIFF_CHECK(run_hooks(spec.hooks->create_runtime, "createRuntime", state));
        SKIFF_CHECK(sync_send(sync.get(), SyncType::HooksDone));
    }
    if (seccomp && seccomp->wants_listener) {
        auto listener = SKIFF_TRY(recv_fd(sync.get()));
        SKIFF_CHECK(security::send_seccomp_listener(*seccomp, listener.get(), state, pid));
    }
    SKIFF_TRY(sync_expect(sync.get(), SyncType::Ready, died));

    Launched out;
    if (console_peer) {
        out.console_master = SKIFF_TRY(recv_fd(console_peer.get()));
    }
    rec.status = oci::Status::Created;
    // run saves once more right away (running): one atomic write of state.json fewer.
    if (gate == StartGate::Fifo) SKIFF_CHECK(dir.save(rec));
    SKIFF_CHECK(write_pid_file(opts.pid_file, pid));
    if (int sig = interrupted()) return Error{"interrupted by signal " + std::to_string(sig)};

    kill_init.commit();
    destroy_cgroup.commit();
    remove_dir.commit();
    debug_step("container created", opts.id, pid);
    restore_default_handlers();
    out.pid = pid;
    out.sync = std::move(sync);
    out.poststart = rec.poststart;
    out.container.record = std::move(rec);
    out.container.status = oci::Status::Created;
    out.container.cgroup = std::move(cgroup);
    out.container.dir = std::move(dir);
    return out;
}

Result<void> create(const Context& ctx, const CreateOptions& opts) {
    SKIFF_TRY(launch(ctx, opts, StartGate::Fifo, false));
    return ok();
}

} // namespace skiff::runtime
