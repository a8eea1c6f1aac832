// Statistics from cgroup v1 files.
#include <unistd.h>

#include <cstdlib>

#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups::detail {

uint64_t parse_u64_or_max(const std::string& s, uint64_t max_value);

Result<void> stats_cpu_v1(const std::string* cpu, const std::string* cpuacct, Stats& s) {
    if (cpuacct) {
        auto usage = SKIFF_TRY(read_optional(join(*cpuacct, "cpuacct.usage")));
        if (usage) s.cpu_usage.total = std::strtoull(usage->c_str(), nullptr, 10);
        auto percpu = SKIFF_TRY(read_optional(join(*cpuacct, "cpuacct.usage_percpu")));
        if (percpu)
            for (const auto& v : split_ws(*percpu))
                s.cpu_usage.percpu.push_back(std::strtoull(v.c_str(), nullptr, 10));
        // cpuacct.stat counts USER_HZ ticks.
        auto st = SKIFF_TRY(read_optional(join(*cpuacct, "cpuacct.stat")));
        if (st) {
            auto kv = parse_flat_keyed(*st);
            const uint64_t ns_per_tick = 1000000000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
            s.cpu_usage.user = kv["user"] * ns_per_tick;
            s.cpu_usage.kernel = kv["system"] * ns_per_tick;
        }
    }
    if (cpu) {
        auto st = SKIFF_TRY(read_optional(join(*cpu, "cpu.stat")));
        if (st) {
            auto kv = parse_flat_keyed(*st);
            s.cpu_throttling.periods = kv["nr_periods"];
            s.cpu_throttling.throttled_periods = kv["nr_throttled"];
            s.cpu_throttling.throttled_time = kv["throttled_time"];
        }
    }
    return ok();
}

namespace {

Result<Stats::Entry> memory_entry(const std::string& dir, const std::string& prefix) {
    Stats::Entry e;
    auto rd = [&](const char* name) -> Result<uint64_t> {
        auto t = SKIFF_TRY(read_optional(join(dir, prefix + name)));
        return t ? std::strtoull(t->c_str(), nullptr, 10) : 0;
    };
    e.usage = SKIFF_TRY(rd("usage_in_bytes"));
    e.max = SKIFF_TRY(rd("max_usage_in_bytes"));
    e.failcnt = SKIFF_TRY(rd("failcnt"));
    e.limit = SKIFF_TRY(rd("limit_in_bytes"));
    return e;
}

void parse_blkio(const std::string& text, std::vector<Stats::BlkioEntry>& out) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        auto f = split_ws(text.substr(pos, nl - pos));
        pos = nl + 1;
        if (f.size() != 3) continue; // "Total N"
        size_t colon = f[0].find(':');
        if (colon == std::string::npos) continue;
        Stats::BlkioEntry e;
        e.major = std::strtoull(f[0].c_str(), nullptr, 10);
        e.minor = std::strtoull(f[0].c_str() + colon + 1, nullptr, 10);
        e.op = f[1];
        e.value = std::strtoull(f[2].c_str(), nullptr, 10);
        out.push_back(e);
    }
}

} // namespace

Result<void> stats_memory_v1(const std::string& dir, Stats& s) {
    s.memory = SKIFF_TRY(memory_entry(dir, "memory."));
    s.swap = SKIFF_TRY(memory_entry(dir, "memory.memsw."));
    s.kernel = SKIFF_TRY(memory_entry(dir, "memory.kmem."));
    s.kernel_tcp = SKIFF_TRY(memory_entry(dir, "memory.kmem.tcp."));
    auto st = SKIFF_TRY(read_optional(join(dir, "memory.stat")));
    if (st) {
        s.memory_raw = parse_flat_keyed(*st);
        s.memory_cache = s.memory_raw["cache"];
    }
    return ok();
}

// CFQ's recursive files when present, else BFQ's, else the throttle layer's (always there).
Result<void> stats_blkio_v1(const std::string& dir, Stats& s) {
    for (const char* prefix : {"blkio.", "blkio.bfq.", "blkio.throttle."}) {
        auto bytes = SKIFF_TRY(read_optional(join(dir, std::string(prefix) + "io_service_bytes_recursive")));
        auto ios = SKIFF_TRY(read_optional(join(dir, std::string(prefix) + "io_serviced_recursive")));
        std::vector<Stats::BlkioEntry> b, o;
        if (bytes) parse_blkio(*bytes, b);
        if (ios) parse_blkio(*ios, o);
        if (b.empty() && o.empty() && std::string(prefix) != "blkio.throttle.") continue;
        s.io_service_bytes = std::move(b);
        s.io_serviced = std::move(o);
        break;
    }
    return ok();
}

} // namespace skiff::runtime::cgroups::detail
