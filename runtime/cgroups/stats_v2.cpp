// Statistics from cgroup v2 files, in the v1-shaped fields runc reports.
#include <cstdlib>

#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups::detail {

uint64_t parse_u64_or_max(const std::string& s, uint64_t max_value);

Result<void> stats_cpu_v2(const std::string& dir, Stats& s) {
    auto st = SKIFF_TRY(read_optional(join(dir, "cpu.stat")));
    if (!st) return ok();
    auto kv = parse_flat_keyed(*st);
    s.cpu_usage.total = kv["usage_usec"] * 1000;
    s.cpu_usage.user = kv["user_usec"] * 1000;
    s.cpu_usage.kernel = kv["system_usec"] * 1000;
    s.cpu_throttling.periods = kv["nr_periods"];
    s.cpu_throttling.throttled_periods = kv["nr_throttled"];
    s.cpu_throttling.throttled_time = kv["throttled_usec"] * 1000;
    return ok();
}

Result<void> stats_memory_v2(const std::string& dir, Stats& s) {
    auto rd = [&](const char* name, uint64_t max_value) -> Result<std::optional<uint64_t>> {
        auto t = SKIFF_TRY(read_optional(join(dir, name)));
        if (!t) return std::optional<uint64_t>{};
        return std::optional<uint64_t>{parse_u64_or_max(*t, max_value)};
    };
    s.memory.usage = SKIFF_TRY(rd("memory.current", 0)).value_or(0);
    s.memory.limit = SKIFF_TRY(rd("memory.max", UINT64_MAX)).value_or(UINT64_MAX);
    s.memory.max = SKIFF_TRY(rd("memory.peak", 0)).value_or(0); // 5.19+
    if (auto ev = SKIFF_TRY(read_optional(join(dir, "memory.events"))))
        s.memory.failcnt = parse_flat_keyed(*ev)["max"];
    // v1's memsw counts memory+swap; report swap the same way.
    auto swap_cur = SKIFF_TRY(rd("memory.swap.current", 0));
    if (swap_cur) {
        s.swap.usage = *swap_cur + s.memory.usage;
        uint64_t swap_max = SKIFF_TRY(rd("memory.swap.max", UINT64_MAX)).value_or(UINT64_MAX);
        s.swap.limit = swap_max == UINT64_MAX || s.memory.limit == UINT64_MAX
                           ? UINT64_MAX
                           : swap_max + s.memory.limit;
        s.swap.max = SKIFF_TRY(rd("memory.swap.peak", 0)).value_or(0);
    }
    if (auto st = SKIFF_TRY(read_optional(join(dir, "memory.stat")))) {
        s.memory_raw = parse_flat_keyed(*st);
        s.memory_cache = s.memory_raw["file"];
    }
    return ok();
}

// io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device.
Result<void> stats_io_v2(const std::string& dir, Stats& s) {
    auto st = SKIFF_TRY(read_optional(join(dir, "io.stat")));
    if (!st) return ok();
    size_t pos = 0;
    while (pos < st->size()) {
        size_t nl = st->find('\n', pos);
        if (nl == std::string::npos) nl = st->size();
        auto f = split_ws(st->substr(pos, nl - pos));
        pos = nl + 1;
        if (f.empty()) continue;
        size_t colon = f[0].find(':');
        if (colon == std::string::npos) continue;
        uint64_t major = std::strtoull(f[0].c_str(), nullptr, 10);
        uint64_t minor = std::strtoull(f[0].c_str() + colon + 1, nullptr, 10);
        for (size_t i = 1; i < f.size(); ++i) {
            size_t eq = f[i].find('=');
            if (eq == std::string::npos) continue;
            std::string k = f[i].substr(0, eq);
            uint64_t v = std::strtoull(f[i].c_str() + eq + 1, nullptr, 10);
            if (k == "rbytes") s.io_service_bytes.push_back({major, minor, "Read", v});
            else if (k == "wbytes") s.io_service_bytes.push_back({major, minor, "Write", v});
            else if (k == "rios") s.io_serviced.push_back({major, minor, "Read", v});
            else if (k == "wios") s.io_serviced.push_back({major, minor, "Write", v});
        }
    }
    return ok();
}

} // namespace skiff::runtime::cgroups::detail
