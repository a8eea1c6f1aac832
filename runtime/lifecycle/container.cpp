#include "container.hpp"

#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "proc.hpp"

namespace skiff::runtime {


oci::Status live_status(const Record& r, const std::string& dir, cgroups::Cgroup* cgroup) {
    if (r.status == oci::Status::Creating) return oci::Status::Creating;
    if (!process_alive(r.init_pid, r.init_start_time)) return oci::Status::Stopped;
    if (::access((dir + "/exec.fifo").c_str(), F_OK) == 0) return oci::Status::Created;
    if (cgroup) {
        auto f = cgroup->frozen();
        if (f && *f) return oci::Status::Paused;
    }
    return oci::Status::Running;
}

Result<cgroups::Cgroup*> cgroup_of(Container& c) {
    if (c.cgroup) return c.cgroup.get();
    if (c.record.cgroup.empty()) return Error{"container " + c.record.id + " has no cgroup"};
    c.cgroup = SKIFF_TRY(cgroups::Cgroup::load(c.record.cgroup));
    return c.cgroup.get();
}

namespace {

// Under the directory's lock: true (and everything removed) when a dead create left it.
bool clean_if_abandoned(ContainerDir& dir, Result<Record>& rec) {
    if (!rec) {
        // A directory without state.json can only come from a create that died between
        // renaming it into place and its first write: nothing else was made yet.
        if (rec.error().code != ENOENT) return false;
        (void)dir.remove();
        return true;
    }
    if (rec->status != oci::Status::Creating) return false;
    // We hold the lock, so the create that wrote this is gone: undo what it left.
    Container c{std::move(dir), std::move(*rec)};
    (void)destroy_container(c);
    return true;
}

} // namespace

bool clean_abandoned_create(const Context& ctx, const std::string& id) {
    auto dir = ContainerDir::open(ctx.root, id, /*wait=*/false);
    if (!dir) return false; // gone, or a command (maybe the create itself) holds it
    auto rec = dir->load();
    return clean_if_abandoned(*dir, rec);
}

Result<Container> load_container(const Context& ctx, const std::string& id) {
    SKIFF_CHECK(oci::validate_container_id(id));
    auto dir = SKIFF_TRY(ContainerDir::open(ctx.root, id));
    auto rec = dir.load();
    if (clean_if_abandoned(dir, rec)) return Error{"container does not exist", ENOENT};
    if (!rec) return std::move(rec).error();
    Container c{std::move(dir), std::move(*rec)};
    bool alive = process_alive(c.record.init_pid, c.record.init_start_time);
    if (alive && ::access(c.dir.file("exec.fifo").c_str(), F_OK) != 0 && !c.record.cgroup.empty()) {
        auto cg = cgroups::Cgroup::load(c.record.cgroup);
        if (cg) c.cgroup = std::move(*cg);
    }
    c.status = live_status(c.record, c.dir.path(), c.cgroup.get());
    return c;
}

std::string hook_state_json(const Record& r, oci::Status status, pid_t pid) {
    nlohmann::ordered_json j;
    j["ociVersion"] = oci::kSpecVersion;
    j["id"] = r.id;
    j["status"] = oci::to_string(status);
    if (pid > 0) j["pid"] = pid;
    j["bundle"] = r.bundle;
    if (!r.annotations.empty()) j["annotations"] = r.annotations;
    return j.dump();
}

ContainerInfo info_of(const Record& r, oci::Status status) {
    ContainerInfo i;
    i.id = r.id;
    i.status = status;
    i.pid = status == oci::Status::Stopped ? 0 : r.init_pid;
    i.bundle = r.bundle;
    i.rootfs = r.rootfs;
    i.created = r.created;
    i.annotations = r.annotations;
    return i;
}

std::string state_json(const ContainerInfo& info, int indent) {
    nlohmann::ordered_json j;
    j["ociVersion"] = oci::kSpecVersion;
    j["id"] = info.id;
    j["pid"] = info.pid;
    j["status"] = oci::to_string(info.status);
    j["bundle"] = info.bundle;
    j["rootfs"] = info.rootfs;
    j["created"] = info.created;
    j["owner"] = info.owner;
    if (!info.annotations.empty()) j["annotations"] = info.annotations;
    return j.dump(indent);
}

Result<void> destroy_container(Container& c) {
    Result<void> result = ok();
    if (!c.record.cgroup.empty()) {
        auto cg = cgroup_of(c);
        if (cg) {
            if (auto r = kill_and_destroy(**cg); !r) result = r;
        }
    } else if (c.record.init_pid > 0 &&
               process_alive(c.record.init_pid, c.record.init_start_time)) {
        ::kill(c.record.init_pid, SIGKILL);
    }
    if (auto r = c.dir.remove(); !r && result) result = r;
    return result;
}

Result<void> kill_and_destroy(cgroups::Cgroup& cg) {
    // A frozen cgroup's processes cannot die: kill_all thaws as needed.
    auto killed = cg.kill_all(SIGKILL);
    // SIGKILL is asynchronous: the cgroup can only be removed once it is empty.
    poll_until([&] {
        auto p = cg.pids();
        return !p || p->empty();
    }, kKillWaitMs);
    SKIFF_CHECK(cg.destroy());
    return killed;
}

Result<void> write_pid_file(const std::string& path, pid_t pid) {
    if (path.empty()) return ok();
    return write_file_atomic(path, std::to_string(pid), 0644);
}

} // namespace skiff::runtime
