// `events --stats`: each controller read where it lives (v1 or the cgroup2 part), plus the
// readers whose files are the same in both versions.
#include <dirent.h>

#include <cstdlib>

#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups::detail {

uint64_t parse_u64_or_max(const std::string& s, uint64_t max_value) {
    std::string t = trim(s);
    if (t == "max") return max_value;
    return std::strtoull(t.c_str(), nullptr, 10);
}

Result<Stats> FsCgroup::stats() const {
    Stats s;
    auto cpu = target("cpu", "");
    auto cpuacct = target("cpuacct", "");
    if (cpu || cpuacct) {
        SKIFF_CHECK(stats_cpu_v1(cpu ? &cpu->dir : nullptr, cpuacct ? &cpuacct->dir : nullptr, s));
    } else if (!st_.unified.empty()) {
        SKIFF_CHECK(stats_cpu_v2(st_.unified, s)); // cpu.stat exists with or without the controller
    }
    if (auto t = target("memory", "memory"))
        SKIFF_CHECK(t->v2 ? stats_memory_v2(t->dir, s) : stats_memory_v1(t->dir, s));
    if (auto t = target("pids", "pids")) SKIFF_CHECK(stats_pids(t->dir, s));
    if (auto t = target("blkio", "io")) SKIFF_CHECK(t->v2 ? stats_io_v2(t->dir, s) : stats_blkio_v1(t->dir, s));
    if (auto t = target("hugetlb", "hugetlb")) SKIFF_CHECK(stats_hugetlb(t->dir, t->v2, s));
    return s;
}

Result<void> stats_pids(const std::string& dir, Stats& s) {
    auto cur = SKIFF_TRY(read_optional(join(dir, "pids.current")));
    if (cur) s.pids_current = std::strtoull(cur->c_str(), nullptr, 10);
    auto max = SKIFF_TRY(read_optional(join(dir, "pids.max")));
    if (max) s.pids_limit = parse_u64_or_max(*max, 0); // runc: 0 means unlimited
    return ok();
}

// Page sizes come from the file names the kernel made (hugetlb.2MB.*), no sysfs walk.
Result<void> stats_hugetlb(const std::string& dir, bool v2, Stats& s) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return errno_error("opendir " + dir);
    std::vector<std::string> sizes;
    const std::string suffix = v2 ? ".max" : ".limit_in_bytes";
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n.rfind("hugetlb.", 0) != 0 || n.size() <= 8 + suffix.size()) continue;
        if (n.compare(n.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
        std::string size = n.substr(8, n.size() - 8 - suffix.size());
        if (size.find('.') != std::string::npos) continue; // hugetlb.2MB.rsvd.max
        sizes.push_back(size);
    }
    ::closedir(d);
    for (const auto& size : sizes) {
        Stats::Entry e;
        std::string p = join(dir, "hugetlb." + size);
        auto rd = [&](const std::string& suf, uint64_t max_value) -> Result<uint64_t> {
            auto t = SKIFF_TRY(read_optional(p + suf));
            return t ? parse_u64_or_max(*t, max_value) : 0;
        };
        if (v2) {
            e.usage = SKIFF_TRY(rd(".current", 0));
            e.limit = SKIFF_TRY(rd(".max", UINT64_MAX));
            auto ev = SKIFF_TRY(read_optional(p + ".events"));
            if (ev) e.failcnt = parse_flat_keyed(*ev)["max"];
        } else {
            e.usage = SKIFF_TRY(rd(".usage_in_bytes", 0));
            e.max = SKIFF_TRY(rd(".max_usage_in_bytes", 0));
            e.failcnt = SKIFF_TRY(rd(".failcnt", 0));
            e.limit = SKIFF_TRY(rd(".limit_in_bytes", 0));
        }
        s.hugetlb[size] = e;
    }
    return ok();
}

} // namespace skiff::runtime::cgroups::detail
