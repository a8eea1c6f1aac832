// linux.resources written to cgroup v2 files, with the conversions runc and crun apply to the
// v1-shaped OCI values.
#include <cerrno>

#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups::detail {

namespace {

std::string dev(int64_t major, int64_t minor) {
    return std::to_string(major) + ":" + std::to_string(minor);
}

std::string max_or(int64_t v) { return v < 0 ? "max" : std::to_string(v); }

} // namespace

// shares [2, 262144] -> weight [1, 10000], linear, as runc 1.1 and crun 1.8 (the peers on our
// machines) convert. Newer runc/crun map 1024 -> 100 with a log curve; switching is this one
// function.
uint64_t cpu_shares_to_weight(uint64_t shares) {
    if (shares == 0) return 0;
    if (shares < 2) shares = 2;
    if (shares > 262144) shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

// blkio weight [10, 1000] -> io.weight [1, 10000].
uint64_t blkio_weight_to_io_weight(uint64_t weight) {
    if (weight == 0) return 0;
    if (weight < 10) weight = 10;
    if (weight > 1000) weight = 1000;
    return 1 + (weight - 10) * 9999 / 990;
}

Result<std::string> swap_max_v2(std::optional<int64_t> swap_opt, std::optional<int64_t> limit_opt) {
    int64_t swap = swap_opt.value_or(0), limit = limit_opt.value_or(0);
    // v1 compatibility: unlimited memory with no swap value means unlimited swap too.
    if (limit == -1 && swap == 0) return std::string("max");
    if (swap == -1) return std::string("max");
    if (swap == 0) return std::string();
    if (limit == 0 || limit == -1)
        return Error{"linux.resources.memory.swap: setting swap needs a memory limit"};
    if (limit < 0) return Error{"linux.resources.memory.limit: invalid value " + std::to_string(limit)};
    if (swap < limit)
        return Error{"linux.resources.memory.swap: " + std::to_string(swap) +
                     " is below the memory limit " + std::to_string(limit) +
                     " (OCI swap counts memory+swap)"};
    return std::to_string(swap - limit);
}

Result<void> set_cpu_v2(const std::string& dir, const oci::Cpu& c) {
    if ((c.realtime_runtime && *c.realtime_runtime != 0) ||
        (c.realtime_period && *c.realtime_period != 0))
        return Error{"linux.resources.cpu.realtimeRuntime/realtimePeriod: real-time CPU "
                     "bandwidth is not supported on cgroup v2"};
    if (c.shares && *c.shares != 0) {
        if (*c.shares < 2 || *c.shares > 262144)
            return Error{"linux.resources.cpu.shares: " + std::to_string(*c.shares) +
                         " is outside 2..262144"};
        SKIFF_CHECK(write_file(join(dir, "cpu.weight"),
                               std::to_string(cpu_shares_to_weight(*c.shares)),
                               "linux.resources.cpu.shares"));
    }
    if (c.idle)
        SKIFF_CHECK(write_file(join(dir, "cpu.idle"), *c.idle ? "1" : "0",
                               "linux.resources.cpu.idle"));
    int64_t quota = c.quota.value_or(0);
    uint64_t period = c.period.value_or(0);
    if (quota != 0 || period != 0) {
        // Only the quota given: the kernel keeps the current period.
        std::string v = quota > 0 ? std::to_string(quota) : "max";
        if (period != 0) v += " " + std::to_string(period);
        SKIFF_CHECK(write_file(join(dir, "cpu.max"), v, "linux.resources.cpu.quota/period"));
    }
    if (c.burst)
        SKIFF_CHECK(write_file(join(dir, "cpu.max.burst"), std::to_string(*c.burst),
                               "linux.resources.cpu.burst"));
    return ok();
}

Result<void> set_memory_v2(const std::string& dir, const oci::Memory& m, bool updating) {
    if (updating && m.check_before_update.value_or(false) && m.limit && *m.limit > 0) {
        auto cur = std::strtoull(trim(SKIFF_TRY(read_file(join(dir, "memory.current")))).c_str(),
                                 nullptr, 10);
        if (cur > static_cast<uint64_t>(*m.limit))
            return Error{"linux.resources.memory.limit: " + std::to_string(*m.limit) +
                         " is below the current usage " + std::to_string(cur) +
                         " (checkBeforeUpdate)"};
    }
    std::string swap = SKIFF_TRY(swap_max_v2(m.swap, m.limit));
    if (!swap.empty()) {
        auto r = write_file(join(dir, "memory.swap.max"), swap, "linux.resources.memory.swap");
        // Without swap accounting there is nothing to limit; "no swap" and "any swap" both hold.
        if (!r.ok() && !(r.error().code == ENOENT && (swap == "max" || swap == "0"))) return r;
    }
    if (m.limit && *m.limit != 0)
        SKIFF_CHECK(write_file(join(dir, "memory.max"), max_or(*m.limit),
                               "linux.resources.memory.limit"));
    if (m.reservation && *m.reservation != 0)
        SKIFF_CHECK(write_file(join(dir, "memory.low"), max_or(*m.reservation),
                               "linux.resources.memory.reservation"));
    // kernel, kernelTCP, swappiness, disableOOMKiller, useHierarchy have no v2 file (runc
    // ignores them too); memory.oom.group and memory.high go through linux.resources.unified.
    return ok();
}

Result<void> set_io_v2(const std::string& dir, const oci::BlockIO& b) {
    // With BFQ, io.bfq.weight takes the blkio weight range as is; io.weight wants 1..10000.
    bool bfq = true;
    if (b.weight) {
        auto r = write_file(join(dir, "io.bfq.weight"), std::to_string(*b.weight),
                            "linux.resources.blockIO.weight");
        if (!r.ok() && r.error().code == ENOENT) {
            bfq = false;
            SKIFF_CHECK(write_file(join(dir, "io.weight"),
                                   std::to_string(blkio_weight_to_io_weight(*b.weight)),
                                   "linux.resources.blockIO.weight"));
        } else {
            SKIFF_CHECK(r);
        }
    }
    for (size_t i = 0; i < b.weight_device.size(); ++i) {
        const auto& wd = b.weight_device[i];
        if (!wd.weight) continue; // leafWeight has no v2 counterpart
        std::string field = "linux.resources.blockIO.weightDevice[" + std::to_string(i) + "]";
        Result<void> r = Error{"", ENOENT};
        if (bfq) r = write_file(join(dir, "io.bfq.weight"),
                                dev(wd.major, wd.minor) + " " + std::to_string(*wd.weight), field);
        if (!r.ok() && r.error().code == ENOENT) {
            bfq = false;
            r = write_file(join(dir, "io.weight"),
                           dev(wd.major, wd.minor) + " " +
                               std::to_string(blkio_weight_to_io_weight(*wd.weight)),
                           field);
        }
        SKIFF_CHECK(r);
    }
    struct List {
        const std::vector<oci::ThrottleDevice>* v;
        const char* key;
        const char* field;
    };
    const List lists[] = {
        {&b.throttle_read_bps_device, "rbps", "throttleReadBpsDevice"},
        {&b.throttle_write_bps_device, "wbps", "throttleWriteBpsDevice"},
        {&b.throttle_read_iops_device, "riops", "throttleReadIOPSDevice"},
        {&b.throttle_write_iops_device, "wiops", "throttleWriteIOPSDevice"},
    };
    for (const auto& l : lists)
        for (size_t i = 0; i < l.v->size(); ++i) {
            const auto& t = (*l.v)[i];
            // v1 used 0 for "no limit".
            std::string v = dev(t.major, t.minor) + " " + l.key + "=" +
                            (t.rate == 0 ? std::string("max") : std::to_string(t.rate));
            SKIFF_CHECK(write_file(join(dir, "io.max"), v,
                                   std::string("linux.resources.blockIO.") + l.field + "[" +
                                       std::to_string(i) + "]"));
        }
    return ok();
}

Result<void> set_unified(const std::string& dir, const std::map<std::string, std::string>& files,
                         const std::vector<std::string>& controllers) {
    for (const auto& [key, value] : files) {
        std::string field = "linux.resources.unified.\"" + key + "\"";
        if (key.empty() || key == "." || key == ".." || key.find('/') != std::string::npos)
            return Error{field + ": not a cgroup file name"};
        size_t dot = key.find('.');
        if (dot == std::string::npos || dot == 0)
            return Error{field + ": not a cgroup file name (expected <controller>.<file>)"};
        std::string ctrl = key.substr(0, dot);
        if (ctrl != "cgroup" && !contains(controllers, ctrl))
            return Error{field + ": the " + ctrl + " controller is not enabled in " +
                         join(dir, "cgroup.controllers")};
        auto r = write_file(join(dir, key), value, field);
        if (!r.ok() && r.error().code == ENOENT)
            return Error{field + ": no such file " + join(dir, key), ENOENT};
        SKIFF_CHECK(r);
    }
    return ok();
}

} // namespace skiff::runtime::cgroups::detail
