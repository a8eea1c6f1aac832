// A container as the verbs see it: its locked directory, its record, its live status and (when
// it has one) its cgroup.
#pragma once

#include <memory>
#include <string>

#include "cgroups/cgroup.hpp"
#include "skiff/oci/spec.hpp"
#include "skiff/runtime/runtime.hpp"
#include "state_store.hpp"

namespace skiff::runtime {

struct Container {
    ContainerDir dir;
    Record record;
    oci::Status status = oci::Status::Stopped;
    std::unique_ptr<cgroups::Cgroup> cgroup; // loaded lazily by cgroup_of()

    bool alive() const { return status != oci::Status::Stopped; }
};

// Validates the id, opens and locks the container directory, reads its record and computes
// its live status. A record left by a create that died is cleaned up (error: does not exist).
Result<Container> load_container(const Context& ctx, const std::string& id);

// Status from what the kernel says now: stopped when the init is gone, a zombie or a reused
// pid; created while the exec fifo exists; paused when the cgroup is frozen; else running.
oci::Status live_status(const Record& r, const std::string& dir, cgroups::Cgroup* cgroup);

Result<cgroups::Cgroup*> cgroup_of(Container& c);

// The OCI state JSON hooks read on stdin.
std::string hook_state_json(const Record& r, oci::Status status, pid_t pid);
ContainerInfo info_of(const Record& r, oci::Status status);

// Removes what a container holds on the host: kills what is left in its cgroup, removes the
// cgroup and the state directory. Used by delete and by failed creates found later.
Result<void> destroy_container(Container& c);

// SIGKILLs every process of the cgroup, waits until they are gone (kKillWaitMs at most) and
// removes it; rmdir fails while any is left.
inline constexpr int kKillWaitMs = 10000;
Result<void> kill_and_destroy(cgroups::Cgroup& cg);

// A create killed outright (SIGKILL) leaves its directory, record ("creating" or none yet)
// and cgroup; its init died with it. When `id` is such a leftover and no command holds its
// lock, removes it all and returns true; false for a live or in-progress container.
bool clean_abandoned_create(const Context& ctx, const std::string& id);

Result<void> write_pid_file(const std::string& path, pid_t pid);

} // namespace skiff::runtime
