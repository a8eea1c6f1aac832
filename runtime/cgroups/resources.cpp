// linux.resources -> the writer of each controller, in v1 or v2 depending on where the host
// carries that controller. create() and update() share this.
#include "cgroups/devices_bpf.hpp"
#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups::detail {

namespace {

bool cpu_wanted(const oci::Cpu& c) {
    return (c.shares && *c.shares) || (c.quota && *c.quota) || (c.period && *c.period) ||
           c.burst || (c.realtime_runtime && *c.realtime_runtime) ||
           (c.realtime_period && *c.realtime_period) || c.idle;
}

bool memory_wanted(const oci::Memory& m) {
    return m.limit || m.reservation || m.swap || m.kernel || m.kernel_tcp || m.swappiness ||
           m.disable_oom_killer || m.use_hierarchy;
}

bool blkio_wanted(const oci::BlockIO& b) {
    return b.weight || b.leaf_weight || !b.weight_device.empty() ||
           !b.throttle_read_bps_device.empty() || !b.throttle_write_bps_device.empty() ||
           !b.throttle_read_iops_device.empty() || !b.throttle_write_iops_device.empty();
}

} // namespace

Result<void> FsCgroup::apply(const oci::Resources& r, bool creating) {
    const bool v1_host = st_.mode != Mode::V2;
    auto missing = [&](const std::string& field, const std::string& ctrl) -> Error {
        if (st_.mode == Mode::V2)
            return Error{field + ": the " + ctrl + " controller is not enabled in " +
                         join(st_.unified, "cgroup.controllers")};
        return Error{field + ": the " + ctrl + " controller is not mounted on this host"};
    };

    if (r.cpu) {
        if (!r.cpu->cpus.empty() || !r.cpu->mems.empty()) {
            auto t = target("cpuset", "cpuset");
            if (!t) return missing("linux.resources.cpu.cpus/mems", "cpuset");
            SKIFF_CHECK(set_cpuset(t->dir, *r.cpu));
        }
        if (cpu_wanted(*r.cpu)) {
            auto t = target("cpu", "cpu");
            if (!t) return missing("linux.resources.cpu", "cpu");
            SKIFF_CHECK(t->v2 ? set_cpu_v2(t->dir, *r.cpu) : set_cpu_v1(t->dir, *r.cpu));
        }
    }
    if (r.memory && memory_wanted(*r.memory)) {
        auto t = target("memory", "memory");
        if (!t) return missing("linux.resources.memory", "memory");
        SKIFF_CHECK(t->v2 ? set_memory_v2(t->dir, *r.memory, !creating)
                          : set_memory_v1(t->dir, *r.memory, !creating));
    }
    if (r.pids) {
        auto t = target("pids", "pids");
        if (!t) return missing("linux.resources.pids", "pids");
        SKIFF_CHECK(set_pids(t->dir, *r.pids));
    }
    if (r.block_io && blkio_wanted(*r.block_io)) {
        auto t = target("blkio", "io");
        if (!t) return missing("linux.resources.blockIO", v1_host ? "blkio" : "io");
        SKIFF_CHECK(t->v2 ? set_io_v2(t->dir, *r.block_io) : set_blkio_v1(t->dir, *r.block_io));
    }
    if (!r.hugepage_limits.empty()) {
        auto t = target("hugetlb", "hugetlb");
        if (!t) return missing("linux.resources.hugepageLimits", "hugetlb");
        SKIFF_CHECK(set_hugetlb(t->dir, r.hugepage_limits, t->v2));
    }
    if (!r.devices.empty()) {
        if (auto t = target("devices", ""); t) {
            SKIFF_CHECK(set_devices_v1(t->dir, r.devices, creating));
        } else if (!st_.unified.empty() && st_.mode != Mode::V1) {
            // Device filtering on cgroup2 is an eBPF program, no controller to enable.
            SKIFF_CHECK(bpf::set_devices_v2(st_.unified, r.devices));
        } else {
            return missing("linux.resources.devices", "devices");
        }
    }
    if (r.network) {
        if (r.network->class_id) {
            auto t = target("net_cls", "");
            if (!t) return Error{"linux.resources.network.classID: net_cls is not supported on "
                                 "this host (" + std::string(st_.mode == Mode::V2
                                     ? "cgroup v2 has no net_cls controller"
                                     : "no net_cls hierarchy mounted") + ")"};
            SKIFF_CHECK(set_net_cls(t->dir, *r.network->class_id));
        }
        if (!r.network->priorities.empty()) {
            auto t = target("net_prio", "");
            if (!t) return Error{"linux.resources.network.priorities: net_prio is not supported on "
                                 "this host (" + std::string(st_.mode == Mode::V2
                                     ? "cgroup v2 has no net_prio controller"
                                     : "no net_prio hierarchy mounted") + ")"};
            SKIFF_CHECK(set_net_prio(t->dir, r.network->priorities));
        }
    }
    if (!r.rdma.empty()) {
        auto t = target("rdma", "rdma");
        if (!t) return missing("linux.resources.rdma", "rdma");
        SKIFF_CHECK(set_rdma(t->dir, r.rdma));
    }
    if (!r.unified.empty()) {
        if (st_.unified.empty())
            return Error{"linux.resources.unified: needs cgroup v2, and this host has cgroup v1 only"};
        // On a hybrid host only the controllers the cgroup2 part carries can be set this way.
        SKIFF_CHECK(set_unified(st_.unified, r.unified, st_.unified_controllers));
    }
    return ok();
}

} // namespace skiff::runtime::cgroups::detail
