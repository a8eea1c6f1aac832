// `delete` (remove: delete is a keyword): kill what is left, remove the cgroup and the state,
// then run the poststop hooks (a failing one fails the command, the container is gone anyway).
#include <signal.h>
#include <unistd.h>

#include "container.hpp"
#include "debug_steps.hpp"
#include "hooks.hpp"
#include "proc.hpp"

namespace skiff::runtime {

Result<void> remove(const Context& ctx, const std::string& id, bool force) {
    auto loaded = load_container(ctx, id);
    if (!loaded) {
        if (loaded.error().code == ENOENT && force) return ok();
        return std::move(loaded).error();
    }
    Container& c = *loaded;
    switch (c.status) {
    case oci::Status::Stopped:
    case oci::Status::Created: break;
    default:
        if (!force)
            return Error{"cannot delete container " + id + " that is not stopped: " +
                         (c.status == oci::Status::Paused ? "paused" : "running")};
    }
    if (c.status != oci::Status::Stopped) {
        ::kill(c.record.init_pid, SIGKILL);
        poll_until([&] { return !process_alive(c.record.init_pid, c.record.init_start_time); }, kKillWaitMs);
    }
    std::string state = hook_state_json(c.record, oci::Status::Stopped, 0);
    auto hooks = c.record.poststop;
    SKIFF_CHECK(destroy_container(c));
    debug_step("container deleted (processes, cgroup and state removed)", id);
    return run_hooks(hooks, "poststop", state);
}

Result<void> remove_lost(const Context& ctx, const std::string& id, const std::string& bundle) {
    SKIFF_CHECK(oci::validate_container_id(id));
    if (auto st = state(ctx, id); st || st.error().code != ENOENT)
        return Error{"container " + id + " still has state in " + ctx.root + ": delete it instead"};
    auto spec = SKIFF_TRY(oci::load_spec(bundle + "/config.json"));
    cgroups::Options o;
    o.container_id = id;
    if (spec.linux_) o.cgroups_path = spec.linux_->cgroups_path;
    o.systemd = ctx.systemd_cgroup;
    auto cg = cgroups::Cgroup::find(o);
    if (!cg) return cg.error().code == ENOENT ? ok() : Result<void>(std::move(cg).error());
    SKIFF_CHECK(kill_and_destroy(**cg));
    debug_step("lost container's cgroup removed", id);
    return ok();
}

} // namespace skiff::runtime
