// The processes of a container's cgroup: freezing, listing, signalling, OOM kills.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>

#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups::detail {

namespace {

constexpr auto kFreezeTimeout = std::chrono::seconds(5);

bool events_frozen(const std::string& events) {
    return parse_flat_keyed(events)["frozen"] == 1;
}

} // namespace

// v1: the freezer walks the tasks asynchronously; "FREEZING" means some have not stopped yet.
// Writing FROZEN again retries the stragglers.
Result<void> FsCgroup::freeze_v1(const std::string& dir) {
    const std::string f = join(dir, "freezer.state");
    const auto deadline = std::chrono::steady_clock::now() + kFreezeTimeout;
    long delay = 50;
    for (;;) {
        SKIFF_CHECK(write_file(f, "FROZEN"));
        std::string s = trim(SKIFF_TRY(read_file(f)));
        if (s == "FROZEN") return ok();
        if (std::chrono::steady_clock::now() > deadline) {
            (void)write_file(f, "THAWED");
            return Error{"freeze: " + f + " still " + s + " after 5 s; thawed again"};
        }
        sleep_us(delay);
        if (delay < 10000) delay *= 2;
    }
}

// v2: cgroup.freeze asks, cgroup.events reports "frozen 1" once every task has stopped; the
// kernel signals changes of cgroup.events as POLLPRI.
Result<void> FsCgroup::freeze_v2(const std::string& dir) {
    SKIFF_CHECK(write_file(join(dir, "cgroup.freeze"), "1"));
    const std::string ev = join(dir, "cgroup.events");
    int fd = ::open(ev.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_error("open " + ev);
    const auto deadline = std::chrono::steady_clock::now() + kFreezeTimeout;
    for (;;) {
        char buf[512];
        ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
        if (n < 0) {
            int err = errno;
            ::close(fd);
            return errno_error("read " + ev, err);
        }
        if (events_frozen(std::string(buf, static_cast<size_t>(n)))) {
            ::close(fd);
            return ok();
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) {
            ::close(fd);
            (void)write_file(join(dir, "cgroup.freeze"), "0");
            return Error{"freeze: " + ev + " not \"frozen 1\" after 5 s; thawed again"};
        }
        pollfd p{fd, POLLPRI, 0};
        // Cap the wait: a regular file (or a missed edge) must not stall us for the whole 5 s.
        (void)::poll(&p, 1, static_cast<int>(left < 20 ? left : 20));
    }
}

Result<void> FsCgroup::freeze() {
    if (auto it = st_.v1.find("freezer"); it != st_.v1.end()) return freeze_v1(it->second);
    if (!st_.unified.empty()) return freeze_v2(st_.unified);
    return Error{"freeze: no freezer on this host (no v1 freezer hierarchy, no cgroup2)"};
}

Result<void> FsCgroup::thaw() {
    if (auto it = st_.v1.find("freezer"); it != st_.v1.end()) {
        const std::string f = join(it->second, "freezer.state");
        for (int i = 0; i < 1000; ++i) {
            SKIFF_CHECK(write_file(f, "THAWED"));
            if (trim(SKIFF_TRY(read_file(f))) == "THAWED") return ok();
            sleep_us(1000);
        }
        return Error{"thaw: " + f + " does not read THAWED"};
    }
    if (!st_.unified.empty()) return write_file(join(st_.unified, "cgroup.freeze"), "0");
    return Error{"thaw: no freezer on this host"};
}

Result<bool> FsCgroup::frozen() const {
    if (auto it = st_.v1.find("freezer"); it != st_.v1.end())
        return trim(SKIFF_TRY(read_file(join(it->second, "freezer.state")))) == "FROZEN";
    if (!st_.unified.empty())
        return events_frozen(SKIFF_TRY(read_file(join(st_.unified, "cgroup.events"))));
    return false;
}

// The directory whose subtree holds every process of the container: the freezer's where it
// exists (so the set we freeze is the set we list), else the cgroup2 one.
std::string FsCgroup::procs_dir() const {
    if (auto it = st_.v1.find("freezer"); it != st_.v1.end()) return it->second;
    if (!st_.unified.empty()) return st_.unified;
    for (const char* c : {"pids", "memory", "cpu", "devices"})
        if (auto it = st_.v1.find(c); it != st_.v1.end()) return it->second;
    return st_.v1.begin()->second;
}

Result<std::vector<pid_t>> FsCgroup::pids() const {
    std::vector<pid_t> out;
    SKIFF_CHECK(collect_pids(procs_dir(), out));
    return out;
}

Result<void> FsCgroup::kill_all(int signal) {
    // cgroup.kill (5.14+) kills the whole subtree atomically, forks in flight included.
    if (signal == SIGKILL && !st_.unified.empty()) {
        auto r = write_file(join(st_.unified, "cgroup.kill"), "1");
        if (r.ok()) {
            // A task frozen by the v1 freezer of a hybrid host dies only once thawed.
            if (st_.v1.count("freezer") && SKIFF_TRY(frozen())) SKIFF_CHECK(thaw());
            return ok();
        }
        if (r.error().code != ENOENT) return std::move(r).error().wrap("kill");
    }
    // An empty cgroup has nobody to signal and nobody who could fork: no freeze (the common
    // case: `delete` after an init with its own pid namespace exited).
    {
        auto now = pids();
        if (!now.ok()) return std::move(now).error();
        if (now->empty()) return ok();
    }
    // Otherwise freeze so nothing forks between listing and signalling. A frozen v1 task
    // takes SIGKILL only once thawed, so thaw afterwards unless the container was paused and
    // the signal is not fatal.
    bool has_freezer = st_.v1.count("freezer") || !st_.unified.empty();
    bool was_frozen = has_freezer ? SKIFF_TRY(frozen()) : false;
    if (has_freezer && !was_frozen) SKIFF_CHECK(freeze());
    auto list = pids();
    if (!list.ok()) {
        if (has_freezer && !was_frozen) (void)thaw();
        return std::move(list).error();
    }
    Result<void> res = ok();
    for (pid_t p : *list)
        if (::kill(p, signal) != 0 && errno != ESRCH && res.ok())
            res = errno_error("kill " + std::to_string(p));
    if (has_freezer && (!was_frozen || signal == SIGKILL)) SKIFF_CHECK(thaw());
    return res;
}

Result<bool> FsCgroup::oom_killed() const {
    auto t = target("memory", "memory");
    if (!t) return false;
    auto text = SKIFF_TRY(read_optional(join(t->dir, t->v2 ? "memory.events" : "memory.oom_control")));
    if (!text) return false;
    return parse_flat_keyed(*text)["oom_kill"] > 0;
}

} // namespace skiff::runtime::cgroups::detail
