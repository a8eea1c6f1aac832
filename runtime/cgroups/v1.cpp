// linux.resources written to cgroup v1 files. Writers shared with v2 (cpuset, pids, rdma,
// hugetlb) live here too: the file names are the same or differ only in a suffix.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups::detail {

namespace {

std::string dev(int64_t major, int64_t minor) {
    return std::to_string(major) + ":" + std::to_string(minor);
}

// A kernel that dropped a legacy knob (kmem limits) either lacks the file or refuses writes.
bool knob_absent(const Error& e) {
    return e.code == ENOENT || e.code == EOPNOTSUPP || e.code == ENOTSUP;
}

} // namespace

Result<void> set_cpuset(const std::string& dir, const oci::Cpu& c) {
    if (!c.cpus.empty())
        SKIFF_CHECK(write_file(join(dir, "cpuset.cpus"), c.cpus, "linux.resources.cpu.cpus"));
    if (!c.mems.empty())
        SKIFF_CHECK(write_file(join(dir, "cpuset.mems"), c.mems, "linux.resources.cpu.mems"));
    return ok();
}

Result<void> set_cpu_v1(const std::string& dir, const oci::Cpu& c) {
    if (c.shares && *c.shares != 0) {
        // The kernel clamps silently; say so instead of running with another value.
        if (*c.shares < 2 || *c.shares > 262144)
            return Error{"linux.resources.cpu.shares: " + std::to_string(*c.shares) +
                         " is outside 2..262144"};
        SKIFF_CHECK(write_file(join(dir, "cpu.shares"), std::to_string(*c.shares),
                               "linux.resources.cpu.shares"));
    }
    // A smaller period can be refused (EINVAL) while the old quota/new period ratio exceeds the
    // parent's; then set the quota first and the period again.
    bool period_pending = false;
    if (c.period && *c.period != 0) {
        auto r = write_file(join(dir, "cpu.cfs_period_us"), std::to_string(*c.period),
                            "linux.resources.cpu.period");
        if (!r.ok()) {
            if (r.error().code != EINVAL || !c.quota || *c.quota == 0) return r;
            period_pending = true;
        }
    }
    if (c.quota && *c.quota != 0) {
        SKIFF_CHECK(write_file(join(dir, "cpu.cfs_quota_us"), std::to_string(*c.quota),
                               "linux.resources.cpu.quota"));
        if (period_pending)
            SKIFF_CHECK(write_file(join(dir, "cpu.cfs_period_us"), std::to_string(*c.period),
                                   "linux.resources.cpu.period"));
    }
    if (c.burst)
        SKIFF_CHECK(write_file(join(dir, "cpu.cfs_burst_us"), std::to_string(*c.burst),
                               "linux.resources.cpu.burst"));
    if (c.realtime_period && *c.realtime_period != 0)
        SKIFF_CHECK(write_file(join(dir, "cpu.rt_period_us"), std::to_string(*c.realtime_period),
                               "linux.resources.cpu.realtimePeriod"));
    if (c.realtime_runtime && *c.realtime_runtime != 0)
        SKIFF_CHECK(write_file(join(dir, "cpu.rt_runtime_us"),
                               std::to_string(*c.realtime_runtime),
                               "linux.resources.cpu.realtimeRuntime"));
    if (c.idle)
        SKIFF_CHECK(write_file(join(dir, "cpu.idle"), *c.idle ? "1" : "0",
                               "linux.resources.cpu.idle"));
    return ok();
}

Result<void> set_memory_v1(const std::string& dir, const oci::Memory& m, bool updating) {
    const std::string limit_f = join(dir, "memory.limit_in_bytes");
    const std::string memsw_f = join(dir, "memory.memsw.limit_in_bytes");
    int64_t limit = m.limit.value_or(0), swap = m.swap.value_or(0);

    if (updating && m.check_before_update.value_or(false) && limit > 0) {
        auto usage = std::strtoull(trim(SKIFF_TRY(read_file(join(dir, "memory.usage_in_bytes")))).c_str(),
                                   nullptr, 10);
        if (usage > static_cast<uint64_t>(limit))
            return Error{"linux.resources.memory.limit: " + std::to_string(limit) +
                         " is below the current usage " + std::to_string(usage) +
                         " (checkBeforeUpdate)"};
    }
    // "unlimited memory" without a swap value means unlimited memory+swap as well.
    if (limit == -1 && swap == 0) {
        auto have = SKIFF_TRY(read_optional(memsw_f));
        if (have) swap = -1;
    }
    auto set_limit = [&]() -> Result<void> {
        if (limit == 0) return ok();
        return write_file(limit_f, std::to_string(limit), "linux.resources.memory.limit");
    };
    auto set_swap = [&]() -> Result<void> {
        if (swap == 0) return ok();
        return write_file(memsw_f, std::to_string(swap), "linux.resources.memory.swap");
    };
    // memsw must stay >= the memory limit at every step: raise memsw first when growing.
    bool swap_first = false;
    if (limit != 0 && swap != 0) {
        if (swap == -1) {
            swap_first = true;
        } else {
            auto cur = trim(SKIFF_TRY(read_file(limit_f)));
            swap_first = std::strtoull(cur.c_str(), nullptr, 10) < static_cast<uint64_t>(swap);
        }
    }
    if (swap_first) {
        SKIFF_CHECK(set_swap());
        SKIFF_CHECK(set_limit());
    } else {
        SKIFF_CHECK(set_limit());
        SKIFF_CHECK(set_swap());
    }
    if (m.reservation && *m.reservation != 0)
        SKIFF_CHECK(write_file(join(dir, "memory.soft_limit_in_bytes"),
                               std::to_string(*m.reservation), "linux.resources.memory.reservation"));
    if (m.kernel && *m.kernel != 0) {
        auto r = write_file(join(dir, "memory.kmem.limit_in_bytes"), std::to_string(*m.kernel),
                            "linux.resources.memory.kernel");
        if (!r.ok() && !knob_absent(r.error())) return r;
    }
    if (m.kernel_tcp && *m.kernel_tcp != 0) {
        auto r = write_file(join(dir, "memory.kmem.tcp.limit_in_bytes"),
                            std::to_string(*m.kernel_tcp), "linux.resources.memory.kernelTCP");
        if (!r.ok() && !knob_absent(r.error())) return r;
    }
    if (m.swappiness) {
        if (*m.swappiness > 100)
            return Error{"linux.resources.memory.swappiness: " + std::to_string(*m.swappiness) +
                         " is outside 0..100"};
        SKIFF_CHECK(write_file(join(dir, "memory.swappiness"), std::to_string(*m.swappiness),
                               "linux.resources.memory.swappiness"));
    }
    if (m.disable_oom_killer && (*m.disable_oom_killer || updating))
        SKIFF_CHECK(write_file(join(dir, "memory.oom_control"), *m.disable_oom_killer ? "1" : "0",
                               "linux.resources.memory.disableOOMKiller"));
    if (m.use_hierarchy) {
        // Kernels since 5.x are always hierarchical and refuse 0; writing 1 is a no-op there.
        auto r = write_file(join(dir, "memory.use_hierarchy"), *m.use_hierarchy ? "1" : "0",
                            "linux.resources.memory.useHierarchy");
        if (!r.ok() && !(knob_absent(r.error()) && *m.use_hierarchy)) return r;
    }
    return ok();
}

Result<void> set_pids(const std::string& dir, const oci::Pids& p) {
    return write_file(join(dir, "pids.max"), p.limit > 0 ? std::to_string(p.limit) : "max",
                      "linux.resources.pids.limit");
}

Result<void> set_blkio_v1(const std::string& dir, const oci::BlockIO& b) {
    // BFQ exposes its own weight files; CFQ (gone since 5.0) used blkio.weight.
    if (b.weight) {
        auto r = write_file(join(dir, "blkio.bfq.weight"), std::to_string(*b.weight),
                            "linux.resources.blockIO.weight");
        if (!r.ok() && r.error().code == ENOENT) {
            auto r2 = write_file(join(dir, "blkio.weight"), std::to_string(*b.weight),
                                 "linux.resources.blockIO.weight");
            if (!r2.ok() && r2.error().code == ENOENT)
                return Error{"linux.resources.blockIO.weight: neither blkio.bfq.weight nor "
                             "blkio.weight exists in " + dir + " (no BFQ/CFQ I/O scheduler)",
                             ENOENT};
            SKIFF_CHECK(r2);
        } else {
            SKIFF_CHECK(r);
        }
    }
    if (b.leaf_weight)
        SKIFF_CHECK(write_file(join(dir, "blkio.leaf_weight"), std::to_string(*b.leaf_weight),
                               "linux.resources.blockIO.leafWeight"));
    for (size_t i = 0; i < b.weight_device.size(); ++i) {
        const auto& wd = b.weight_device[i];
        std::string field = "linux.resources.blockIO.weightDevice[" + std::to_string(i) + "]";
        if (wd.weight) {
            std::string v = dev(wd.major, wd.minor) + " " + std::to_string(*wd.weight);
            auto r = write_file(join(dir, "blkio.bfq.weight_device"), v, field);
            if (!r.ok() && r.error().code == ENOENT)
                r = write_file(join(dir, "blkio.weight_device"), v, field);
            SKIFF_CHECK(r);
        }
        if (wd.leaf_weight)
            SKIFF_CHECK(write_file(join(dir, "blkio.leaf_weight_device"),
                                   dev(wd.major, wd.minor) + " " + std::to_string(*wd.leaf_weight),
                                   field));
    }
    struct List {
        const std::vector<oci::ThrottleDevice>* v;
        const char* file;
        const char* field;
    };
    const List lists[] = {
        {&b.throttle_read_bps_device, "blkio.throttle.read_bps_device", "throttleReadBpsDevice"},
        {&b.throttle_write_bps_device, "blkio.throttle.write_bps_device", "throttleWriteBpsDevice"},
        {&b.throttle_read_iops_device, "blkio.throttle.read_iops_device", "throttleReadIOPSDevice"},
        {&b.throttle_write_iops_device, "blkio.throttle.write_iops_device",
         "throttleWriteIOPSDevice"},
    };
    for (const auto& l : lists)
        for (size_t i = 0; i < l.v->size(); ++i) {
            const auto& t = (*l.v)[i];
            SKIFF_CHECK(write_file(join(dir, l.file),
                                   dev(t.major, t.minor) + " " + std::to_string(t.rate),
                                   std::string("linux.resources.blockIO.") + l.field + "[" +
                                       std::to_string(i) + "]"));
        }
    return ok();
}

Result<void> set_hugetlb(const std::string& dir, const std::vector<oci::HugepageLimit>& l,
                         bool v2) {
    for (size_t i = 0; i < l.size(); ++i) {
        const auto& h = l[i];
        std::string field = "linux.resources.hugepageLimits[" + std::to_string(i) + "]";
        const std::string& ps = h.page_size;
        size_t digits = 0;
        while (digits < ps.size() && ps[digits] >= '0' && ps[digits] <= '9') ++digits;
        std::string unit = ps.substr(digits);
        if (digits == 0 || (unit != "KB" && unit != "MB" && unit != "GB"))
            return Error{field + ".pageSize: \"" + ps + "\" is not a size like \"2MB\""};
        std::string base = "hugetlb." + ps + (v2 ? ".max" : ".limit_in_bytes");
        std::string rsvd = "hugetlb." + ps + (v2 ? ".rsvd.max" : ".rsvd.limit_in_bytes");
        auto r = write_file(join(dir, base), std::to_string(h.limit), field);
        if (!r.ok() && r.error().code == ENOENT)
            return Error{field + ".pageSize: no " + ps + " huge pages on this host (" +
                             join(dir, base) + " missing)",
                         ENOENT};
        SKIFF_CHECK(r);
        // The reservation limit keeps later faults from overrunning what mmap promised.
        auto rr = write_file(join(dir, rsvd), std::to_string(h.limit), field);
        if (!rr.ok() && rr.error().code != ENOENT) return rr;
    }
    return ok();
}

Result<std::vector<DeviceRuleNorm>> normalize_device_rules(const std::vector<oci::DeviceRule>& rules) {
    std::vector<DeviceRuleNorm> out;
    for (size_t i = 0; i < rules.size(); ++i) {
        const auto& r = rules[i];
        std::string field = "linux.resources.devices[" + std::to_string(i) + "]";
        DeviceRuleNorm n;
        n.allow = r.allow;
        if (r.type.empty() || r.type == "a") n.type = 'a';
        else if (r.type == "c" || r.type == "b") n.type = r.type[0];
        else return Error{field + ".type: \"" + r.type + "\" is not one of a, c, b"};
        n.major = r.major && *r.major >= 0 ? *r.major : -1;
        n.minor = r.minor && *r.minor >= 0 ? *r.minor : -1;
        if (n.major > 0xffffffffLL || n.minor > 0xffffffffLL)
            return Error{field + ": device number out of range"};
        if (!r.access.empty()) {
            n.access = 0;
            for (char ch : r.access) {
                if (ch == 'm') n.access |= 1;
                else if (ch == 'r') n.access |= 2;
                else if (ch == 'w') n.access |= 4;
                else return Error{field + ".access: \"" + r.access + "\" has letters other than rwm"};
            }
        }
        out.push_back(n);
    }
    return out;
}

Result<void> set_net_cls(const std::string& dir, uint32_t class_id) {
    return write_file(join(dir, "net_cls.classid"), std::to_string(class_id),
                      "linux.resources.network.classID");
}

Result<void> set_net_prio(const std::string& dir, const std::vector<oci::NetworkPriority>& p) {
    for (size_t i = 0; i < p.size(); ++i)
        SKIFF_CHECK(write_file(join(dir, "net_prio.ifpriomap"),
                               p[i].name + " " + std::to_string(p[i].priority),
                               "linux.resources.network.priorities[" + std::to_string(i) + "]"));
    return ok();
}

Result<void> set_rdma(const std::string& dir, const std::map<std::string, oci::Rdma>& r) {
    for (const auto& [dev_name, lim] : r) {
        if (!lim.hca_handles && !lim.hca_objects) continue;
        std::string line = dev_name;
        if (lim.hca_handles) line += " hca_handle=" + std::to_string(*lim.hca_handles);
        if (lim.hca_objects) line += " hca_object=" + std::to_string(*lim.hca_objects);
        SKIFF_CHECK(write_file(join(dir, "rdma.max"), line, "linux.resources.rdma." + dev_name));
    }
    return ok();
}

} // namespace skiff::runtime::cgroups::detail
