// `start`: the init blocks opening exec.fifo for writing; opening it for reading releases it.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "container.hpp"
#include "debug_steps.hpp"
#include "hooks.hpp"
#include "launch.hpp"
#include "proc.hpp"

namespace skiff::runtime {

Result<void> run_poststart(Container& c, const std::vector<oci::Hook>& hooks) {
    if (hooks.empty()) return ok();
    auto r = run_hooks(hooks, "poststart", hook_state_json(c.record, oci::Status::Running,
                                                           c.record.init_pid));
    if (!r) {
        if (c.cgroup) (void)c.cgroup->kill_all(SIGKILL);
        ::kill(c.record.init_pid, SIGKILL);
        return r;
    }
    return ok();
}

Result<void> start(const Context& ctx, const std::string& id) {
    auto c = SKIFF_TRY(load_container(ctx, id));
    switch (c.status) {
    case oci::Status::Created: break;
    case oci::Status::Stopped: return Error{"cannot start a container that has stopped"};
    default: return Error{"cannot start an already running container"};
    }
    std::string fifo = c.dir.file("exec.fifo");
    UniqueFd fd(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd) return errno_error("open " + fifo);
    for (;;) {
        char b;
        ssize_t n = ::read(fd.get(), &b, 1);
        if (n == 1) break;
        if (n < 0 && errno != EAGAIN && errno != EINTR) return errno_error("read " + fifo);
        if (!process_alive(c.record.init_pid, c.record.init_start_time)) {
            // It may have been released, run and exited between our read and this check:
            // then its byte is in the fifo.
            if (::read(fd.get(), &b, 1) == 1) break;
            return Error{"cannot start a container that has stopped"};
        }
        pollfd p{fd.get(), POLLIN, 0};
        ::poll(&p, 1, 50);
    }
    ::unlink(fifo.c_str());
    debug_step("container started", id, c.record.init_pid);
    c.record.status = oci::Status::Running;
    SKIFF_CHECK(c.dir.save(c.record));
    if (!c.record.poststart.empty() && !c.cgroup && !c.record.cgroup.empty())
        (void)cgroup_of(c);
    return run_poststart(c, c.record.poststart);
}

} // namespace skiff::runtime
