// `run`: create and start in one process. The init waits on the sync socket instead of an exec
// fifo. In the foreground we stay its parent: signals are forwarded, a terminal is proxied
// when we hold the pty, and the container is deleted when it exits.
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "container.hpp"
#include "debug_steps.hpp"
#include "init.hpp"
#include "launch.hpp"
#include "sync.hpp"
#include "terminal.hpp"
#include "wait.hpp"

namespace skiff::runtime {

Result<int> run(const Context& ctx, const RunOptions& opts) {
    const bool foreground = !opts.detach;
    // Orphans of a container without its own pid namespace come back to us to be reaped.
    if (foreground && !opts.no_subreaper) ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    // Signals arriving once the container runs are for the container: block them now so none
    // is lost between the start and the forwarding loop.
    sigset_t all, old;
    sigfillset(&all);
    auto l = SKIFF_TRY(launch(ctx, opts.create, StartGate::Sync, foreground));
    if (foreground) ::sigprocmask(SIG_BLOCK, &all, &old);

    SKIFF_CHECK(sync_send(l.sync.get(), SyncType::Go, kStartPayload));
    debug_step("container started", l.container.record.id, l.pid);
    l.sync.reset();
    // Written while the process starts, not before: we hold the container's lock, so no command
    // sees the record before it says so (and `list` would only see "creating" meanwhile). If
    // it cannot be written, the container must not outlive this error.
    l.container.record.status = oci::Status::Running;
    if (auto saved = l.container.dir.save(l.container.record); !saved) {
        ::kill(l.pid, SIGKILL);
        (void)destroy_container(l.container); // the rest of it, its cgroup and state directory
        int st;
        while (::waitpid(l.pid, &st, 0) < 0 && errno == EINTR) {
        }
        return std::move(saved).error();
    }
    SKIFF_CHECK(run_poststart(l.container, l.poststart));
    if (!foreground) return 0;

    std::string id = l.container.record.id;
    l.container.dir.unlock(); // let state/kill/exec in while we wait
    int status = wait_forwarding(l.pid, l.console_master.get(), &old);
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    if (!opts.keep) SKIFF_CHECK(remove(ctx, id, true));
    return status;
}

} // namespace skiff::runtime
