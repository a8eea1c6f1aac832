#include <signal.h>

#include <cerrno>

#include "container.hpp"
#include "debug_steps.hpp"

namespace skiff::runtime {

Result<void> kill(const Context& ctx, const std::string& id, int signal, bool all) {
    auto c = SKIFF_TRY(load_container(ctx, id));
    if (all) {
        if (c.record.cgroup.empty()) return Error{"container not running"};
        auto cg = SKIFF_TRY(cgroup_of(c));
        debug_step("signalling every process in the cgroup", id, 0,
                   "signal " + std::to_string(signal));
        return cg->kill_all(signal);
    }
    if (c.status == oci::Status::Stopped) return Error{"container not running"};
    debug_step("signalling the init", id, c.record.init_pid, "signal " + std::to_string(signal));
    if (::kill(c.record.init_pid, signal) != 0) {
        if (errno == ESRCH) return Error{"container not running"};
        return errno_error("kill " + std::to_string(c.record.init_pid));
    }
    return ok();
}

} // namespace skiff::runtime
