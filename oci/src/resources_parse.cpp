// linux.resources, also read on its own by `update -r`.
#include "skiff/oci/resources.hpp"
#include "spec_readers.hpp"

namespace skiff::oci::detail {

bool read(const Val& v, DeviceRule& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "allow", out.allow)) return false;
    if (read(v["type"], out.type) && !out.type.empty() &&
        !check_one_of(v["type"], out.type, {"a", "c", "b"}, "device rule type"))
        return false;
    read(v["major"], out.major);
    read(v["minor"], out.minor);
    if (read(v["access"], out.access)) {
        for (char c : out.access)
            if (c != 'r' && c != 'w' && c != 'm')
                return v["access"].fail("invalid access \"" + out.access +
                                        "\": expected letters of rwm");
    }
    return !v.reader->failed();
}

bool read(const Val& v, Memory& out) {
    if (!v.expect_object()) return false;
    read(v["limit"], out.limit);
    read(v["reservation"], out.reservation);
    read(v["swap"], out.swap);
    read(v["kernel"], out.kernel);
    read(v["kernelTCP"], out.kernel_tcp);
    if (read(v["swappiness"], out.swappiness) && *out.swappiness > 100)
        return v["swappiness"].fail(std::to_string(*out.swappiness) + " is out of range (0..100)");
    read(v["disableOOMKiller"], out.disable_oom_killer);
    read(v["useHierarchy"], out.use_hierarchy);
    read(v["checkBeforeUpdate"], out.check_before_update);
    return !v.reader->failed();
}

bool read(const Val& v, Cpu& out) {
    if (!v.expect_object()) return false;
    read(v["shares"], out.shares);
    read(v["quota"], out.quota);
    read(v["burst"], out.burst);
    read(v["period"], out.period);
    read(v["realtimeRuntime"], out.realtime_runtime);
    read(v["realtimePeriod"], out.realtime_period);
    read(v["cpus"], out.cpus);
    read(v["mems"], out.mems);
    // The spec types "idle" as an integer (cgroup v2 cpu.idle is 0 or 1); accept a boolean too.
    if (Val idle = v["idle"]) {
        if (idle.node->type == JNode::Bool) {
            out.idle = idle.node->boolean;
        } else {
            int64_t x = 0;
            if (!read(idle, x)) return false;
            if (x != 0 && x != 1) return idle.fail(std::to_string(x) + " is out of range (0..1)");
            out.idle = x == 1;
        }
    }
    return !v.reader->failed();
}

bool read(const Val& v, Pids& out) {
    if (!v.expect_object()) return false;
    return read_required(v, "limit", out.limit);
}

static bool read_weight(const Val& v, std::optional<uint16_t>& out) {
    // blkio.weight and io.bfq.weight accept 10..1000; 0 has no meaning for either.
    if (read(v, out) && (*out < 10 || *out > 1000))
        return v.fail(std::to_string(*out) + " is out of range (10..1000)");
    return !v.reader->failed();
}

bool read(const Val& v, WeightDevice& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "major", out.major) || !read_required(v, "minor", out.minor))
        return false;
    read_weight(v["weight"], out.weight);
    read_weight(v["leafWeight"], out.leaf_weight);
    return !v.reader->failed();
}

bool read(const Val& v, ThrottleDevice& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "major", out.major) || !read_required(v, "minor", out.minor))
        return false;
    return read_required(v, "rate", out.rate);
}

bool read(const Val& v, BlockIO& out) {
    if (!v.expect_object()) return false;
    read_weight(v["weight"], out.weight);
    read_weight(v["leafWeight"], out.leaf_weight);
    read(v["weightDevice"], out.weight_device);
    read(v["throttleReadBpsDevice"], out.throttle_read_bps_device);
    read(v["throttleWriteBpsDevice"], out.throttle_write_bps_device);
    read(v["throttleReadIOPSDevice"], out.throttle_read_iops_device);
    read(v["throttleWriteIOPSDevice"], out.throttle_write_iops_device);
    return !v.reader->failed();
}

bool read(const Val& v, HugepageLimit& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "pageSize", out.page_size)) return false;
    if (out.page_size.empty()) return v["pageSize"].fail("must not be empty");
    return read_required(v, "limit", out.limit);
}

bool read(const Val& v, NetworkPriority& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "name", out.name)) return false;
    return read_required(v, "priority", out.priority);
}

bool read(const Val& v, Network& out) {
    if (!v.expect_object()) return false;
    read(v["classID"], out.class_id);
    read(v["priorities"], out.priorities);
    return !v.reader->failed();
}

bool read(const Val& v, Rdma& out) {
    if (!v.expect_object()) return false;
    read(v["hcaHandles"], out.hca_handles);
    read(v["hcaObjects"], out.hca_objects);
    return !v.reader->failed();
}

bool read(const Val& v, Resources& out) {
    if (!v.expect_object()) return false;
    read(v["devices"], out.devices);
    read(v["memory"], out.memory);
    read(v["cpu"], out.cpu);
    read(v["pids"], out.pids);
    read(v["blockIO"], out.block_io);
    read(v["hugepageLimits"], out.hugepage_limits);
    read(v["network"], out.network);
    read(v["rdma"], out.rdma);
    read(v["unified"], out.unified);
    return !v.reader->failed();
}

} // namespace skiff::oci::detail

namespace skiff::oci {

Result<Resources> parse_resources(const std::string& json_text, const std::string& source) {
    return detail::read_document<Resources>(json_text, source);
}

Result<Resources> load_resources(const std::string& path) {
    std::string text = SKIFF_TRY(detail::read_small_file(path));
    return parse_resources(text, path);
}

} // namespace skiff::oci
