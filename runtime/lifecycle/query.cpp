// `state`, `list`, `ps` pids: read-only views of containers.
#include <pwd.h>
#include <sys/stat.h>

#include "container.hpp"
#include "device_rules.hpp"
#include "proc.hpp"

namespace skiff::runtime {

Result<ContainerInfo> state(const Context& ctx, const std::string& id) {
    auto c = SKIFF_TRY(load_container(ctx, id));
    return info_of(c.record, c.status);
}

Result<std::vector<ContainerInfo>> list(const Context& ctx) {
    std::vector<ContainerInfo> out;
    auto ids = SKIFF_TRY(list_ids(ctx.root));
    for (const auto& id : ids) {
        // Unlocked read: state.json is replaced atomically, and list must not wait for a
        // long-running command on one container.
        auto rec = read_record(ctx.root, id);
        if (!rec || rec->status == oci::Status::Creating) {
            // Not shown either way; a create that died is cleaned up now (runc leaves it).
            (void)clean_abandoned_create(ctx, id);
            continue;
        }
        std::string dir = ctx.root + "/" + id;
        std::unique_ptr<cgroups::Cgroup> cg;
        if (!rec->cgroup.empty() && process_alive(rec->init_pid, rec->init_start_time)) {
            auto l = cgroups::Cgroup::load(rec->cgroup);
            if (l) cg = std::move(*l);
        }
        ContainerInfo info = info_of(*rec, live_status(*rec, dir, cg.get()));
        struct stat st{};
        if (::stat(dir.c_str(), &st) == 0) {
            passwd pw{}, *res = nullptr;
            char buf[1024];
            if (::getpwuid_r(st.st_uid, &pw, buf, sizeof buf, &res) == 0 && res)
                info.owner = pw.pw_name;
            else
                info.owner = "#" + std::to_string(st.st_uid);
        }
        out.push_back(std::move(info));
    }
    return out;
}

Result<std::vector<pid_t>> pids(const Context& ctx, const std::string& id) {
    auto c = SKIFF_TRY(load_container(ctx, id));
    if (c.record.cgroup.empty()) return std::vector<pid_t>{};
    auto cg = SKIFF_TRY(cgroup_of(c));
    return cg->pids();
}

Result<void> pause(const Context& ctx, const std::string& id) {
    auto c = SKIFF_TRY(load_container(ctx, id));
    if (c.status != oci::Status::Running) return Error{"container not running"};
    auto cg = SKIFF_TRY(cgroup_of(c));
    SKIFF_CHECK(cg->freeze());
    c.record.status = oci::Status::Paused;
    return c.dir.save(c.record);
}

Result<void> resume(const Context& ctx, const std::string& id) {
    auto c = SKIFF_TRY(load_container(ctx, id));
    if (c.status != oci::Status::Paused) return Error{"container not paused"};
    auto cg = SKIFF_TRY(cgroup_of(c));
    SKIFF_CHECK(cg->thaw());
    c.record.status = oci::Status::Running;
    return c.dir.save(c.record);
}

Result<void> update(const Context& ctx, const std::string& id, const oci::Resources& resources) {
    auto c = SKIFF_TRY(load_container(ctx, id));
    if (c.status == oci::Status::Stopped) return Error{"container not running"};
    auto cg = SKIFF_TRY(cgroup_of(c));
    if (resources.devices.empty()) return cg->update(resources);
    // Device rules describe the whole target, as at create: the container's own devices and
    // the default ones stay allowed, so the same rules as in config.json give create's state.
    auto spec = SKIFF_TRY(oci::load_spec(c.record.config_path));
    oci::Linux lx = spec.linux_.value_or(oci::Linux{});
    lx.resources = resources;
    return cg->update(effective_resources(lx));
}

} // namespace skiff::runtime
