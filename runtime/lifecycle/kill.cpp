#include <signal.h>

#include <cerrno>

#include "container.hpp"

namespace skiff::runtime {

Result<void> kill(const Context& ctx, const std::string& id, int signal, bool all) {
    auto c = SKIFF_TRY(load_container(ctx, id));
    if (all) {
        if (c.record.cgroup.empty()) return Error{"container not running"};
        auto cg = SKIFF_TRY(cgroup_of(c));
        return cg->kill_all(signal);
    }
    if (c.status == oci::Status::Stopped) return Error{"container not running"};
    if (::kill(c.record.init_pid, signal) != 0) {
        if (errno == ESRCH) return Error{"container not running"};
        return errno_error("kill " + std::to_string(c.record.init_pid));
    }
    return ok();
}

} // namespace skiff::runtime
