// `events`: runc's stats event layout (Go's omitempty rules kept, so tools that parse runc's
// output parse ours) and the OOM notice stream.
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "container.hpp"
#include "proc.hpp"

namespace skiff::runtime {
namespace {

using json = nlohmann::ordered_json;

json entry_json(const cgroups::Stats::Entry& e) {
    json j;
    j["limit"] = e.limit;
    if (e.usage) j["usage"] = e.usage;
    if (e.max) j["max"] = e.max;
    j["failcnt"] = e.failcnt;
    return j;
}

json blkio_list(const std::vector<cgroups::Stats::BlkioEntry>& v) {
    json a = json::array();
    for (const auto& e : v) {
        json o;
        o["major"] = e.major;
        o["minor"] = e.minor;
        o["op"] = e.op;
        o["value"] = e.value;
        a.push_back(std::move(o));
    }
    return a;
}

json stats_data(const cgroups::Stats& s) {
    json cpu, usage, thr;
    usage["total"] = s.cpu_usage.total;
    if (!s.cpu_usage.percpu.empty()) usage["percpu"] = s.cpu_usage.percpu;
    usage["kernel"] = s.cpu_usage.kernel;
    usage["user"] = s.cpu_usage.user;
    thr = json::object();
    if (s.cpu_throttling.periods) thr["periods"] = s.cpu_throttling.periods;
    if (s.cpu_throttling.throttled_periods)
        thr["throttled_periods"] = s.cpu_throttling.throttled_periods;
    if (s.cpu_throttling.throttled_time) thr["throttled_time"] = s.cpu_throttling.throttled_time;
    cpu["usage"] = std::move(usage);
    cpu["throttling"] = std::move(thr);

    json mem;
    if (s.memory_cache) mem["cache"] = s.memory_cache;
    mem["usage"] = entry_json(s.memory);
    mem["swap"] = entry_json(s.swap);
    mem["kernel"] = entry_json(s.kernel);
    mem["kernelTCP"] = entry_json(s.kernel_tcp);
    if (!s.memory_raw.empty()) mem["raw"] = s.memory_raw;

    json pids;
    pids["current"] = s.pids_current;
    if (s.pids_limit) pids["limit"] = s.pids_limit;

    json blkio = json::object();
    if (!s.io_service_bytes.empty())
        blkio["ioServiceBytesRecursive"] = blkio_list(s.io_service_bytes);
    if (!s.io_serviced.empty()) blkio["ioServicedRecursive"] = blkio_list(s.io_serviced);

    json huge = json::object();
    for (const auto& [size, e] : s.hugetlb) {
        json o;
        if (e.usage) o["usage"] = e.usage;
        if (e.max) o["max"] = e.max;
        o["failcnt"] = e.failcnt;
        huge[size] = std::move(o);
    }

    json d;
    d["cpu"] = std::move(cpu);
    d["memory"] = std::move(mem);
    d["pids"] = std::move(pids);
    d["blkio"] = std::move(blkio);
    d["hugetlb"] = std::move(huge);
    d["intel_rdt"] = json::object();
    d["network_interfaces"] = nullptr;
    return d;
}

std::string event_json(const std::string& type, const std::string& id, json data) {
    json j;
    j["type"] = type;
    j["id"] = id;
    if (!data.is_null()) j["data"] = std::move(data);
    return j.dump();
}

} // namespace

Result<std::string> stats_event_json(const Context& ctx, const std::string& id) {
    auto c = SKIFF_TRY(load_container(ctx, id));
    if (c.status == oci::Status::Stopped) return Error{"container not running"};
    auto cg = SKIFF_TRY(cgroup_of(c));
    auto s = SKIFF_TRY(cg->stats());
    return event_json("stats", id, stats_data(s));
}

Result<void> stream_events(const Context& ctx, const std::string& id, int interval_ms,
                           void (*emit)(const std::string& json_line)) {
    Record rec;
    std::unique_ptr<cgroups::Cgroup> cg;
    {
        auto c = SKIFF_TRY(load_container(ctx, id));
        if (c.status == oci::Status::Stopped) return Error{"container not running"};
        SKIFF_TRY(cgroup_of(c));
        cg = std::move(c.cgroup);
        rec = c.record;
    } // the lock is not held while streaming
    bool oom_seen = false;
    if (auto o = cg->oom_killed(); o) oom_seen = *o;
    const int tick = interval_ms < 200 ? interval_ms : 200;
    int waited = interval_ms;
    while (process_alive(rec.init_pid, rec.init_start_time)) {
        if (auto o = cg->oom_killed(); o && *o && !oom_seen) {
            oom_seen = true;
            emit(event_json("oom", id, nullptr));
        }
        if (waited >= interval_ms) {
            waited = 0;
            auto s = cg->stats();
            if (s) emit(event_json("stats", id, stats_data(*s)));
        }
        ::usleep(useconds_t(tick) * 1000);
        waited += tick;
    }
    return ok();
}

} // namespace skiff::runtime
