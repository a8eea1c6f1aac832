// A container's cgroup on cgroup v1, v2, or the hybrid layout (v1 controllers plus a cgroup2
// mount at <root>/unified, as on our build machines). One interface; the drivers differ.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::runtime::cgroups {

enum class Mode { V1, V2, Hybrid };
// statfs of `root` (default /sys/fs/cgroup): cgroup2 -> V2; a tmpfs with cgroup2 mounted at
// <root>/unified -> Hybrid; else V1. Hybrid counts as v1 for resource control; its cgroup2
// part is used for what only exists there (each controller is looked up where it is mounted).
Result<Mode> detect_mode(const std::string& root = "/sys/fs/cgroup");

// The figures `events --stats` prints, in runc's field layout (all zero where the host lacks a
// controller).
struct Stats {
    struct { uint64_t total = 0, kernel = 0, user = 0; std::vector<uint64_t> percpu; } cpu_usage;
    struct { uint64_t periods = 0, throttled_periods = 0, throttled_time = 0; } cpu_throttling;
    struct Entry { uint64_t usage = 0, max = 0, failcnt = 0, limit = 0; };
    Entry memory, swap, kernel, kernel_tcp;
    uint64_t memory_cache = 0;
    std::map<std::string, uint64_t> memory_raw; // memory.stat
    uint64_t pids_current = 0, pids_limit = 0;
    struct BlkioEntry { uint64_t major = 0, minor = 0; std::string op; uint64_t value = 0; };
    std::vector<BlkioEntry> io_service_bytes, io_serviced;
    std::map<std::string, Entry> hugetlb; // page size ("2MB") -> usage
};

struct Options {
    std::string container_id;
    std::optional<std::string> cgroups_path; // linux.cgroupsPath; default derives from the id
    bool systemd = false; // --systemd-cgroup: "slice:prefix:name" paths, mapped onto cgroupfs
    std::string root = "/sys/fs/cgroup"; // tests point this at a private mount
    // Skips detect_mode(root): for a tree that is not a mount (tests populate a temp directory
    // with v1 or v2 file names to check the values written).
    std::optional<Mode> mode;
};

namespace detail {
class FsCgroup;
}

// Handles with which a child the caller is about to clone joins the container's cgroup itself,
// instead of the caller's enter(pid). enter() writes cgroup.procs, and the kernel makes the first
// such write in a while wait for an RCU grace period (its global threadgroup lock: 10-20 ms on
// our machines, more than the rest of `run`). A single-threaded process writing "0" to a v1
// hierarchy's `tasks` file moves only itself and skips that lock; the cgroup2 part needs no
// write at all with clone3(CLONE_INTO_CGROUP). The files are opened by the caller because the
// kernel checks the opener's credentials: the child may already be in a new user namespace.
class SelfJoin {
public:
    SelfJoin() = default;
    SelfJoin(SelfJoin&& o) noexcept { *this = std::move(o); }
    SelfJoin& operator=(SelfJoin&& o) noexcept;
    SelfJoin(const SelfJoin&) = delete;
    SelfJoin& operator=(const SelfJoin&) = delete;
    ~SelfJoin() { close(); }

    // The cgroup2 directory for clone3's CLONE_INTO_CGROUP, or -1 when there is no cgroup2 part.
    int clone_into_fd() const { return unified_dir_; }
    // In the child, while it is still single-threaded: joins every v1 hierarchy, and the cgroup2
    // part as well unless the clone already put it there (`cloned_into`); then closes the handles.
    // Error: "cgroup join: write <file> \"0\": <strerror>".
    Result<void> join(bool cloned_into);
    void close(); // the parent, once the child exists

private:
    friend class detail::FsCgroup;
    struct File {
        int fd = -1;
        std::string path;
    };
    std::vector<File> tasks_; // one `tasks` file per v1 hierarchy
    File unified_procs_;      // cgroup.procs of the cgroup2 part: clones without CLONE_INTO_CGROUP
    int unified_dir_ = -1;
};

class Cgroup {
public:
    virtual ~Cgroup() = default;

    // Creates the container's cgroup directories and applies `resources`. Nothing is left
    // behind on failure.
    static Result<std::unique_ptr<Cgroup>> create(const Options& opts,
                                                  const oci::Resources* resources);
    // Reattaches from what save() returned (stored in the container's state directory).
    static Result<std::unique_ptr<Cgroup>> load(const std::string& saved);
    // The directories create() would make for `opts`, those that exist, without creating or
    // writing anything: for a container whose saved state is lost (a wiped state root). Its
    // destroy() removes only those, not the parents create() may have made. ENOENT when none
    // exists.
    static Result<std::unique_ptr<Cgroup>> find(const Options& opts);

    // Moves pid (0: the calling process) into every hierarchy through cgroup.procs. The first
    // such write in a while waits for an RCU grace period: see SelfJoin for the fast way.
    virtual Result<void> enter(pid_t pid) = 0;
    // For a child about to be cloned: see SelfJoin. Nothing is joined until its join().
    virtual Result<SelfJoin> open_self_join() const = 0;
    virtual Result<void> update(const oci::Resources& resources) = 0; // `update`
    virtual Result<void> freeze() = 0;                          // `pause`; waits until frozen
    virtual Result<void> thaw() = 0;                            // `resume`
    virtual Result<bool> frozen() const = 0;
    virtual Result<std::vector<pid_t>> pids() const = 0;        // `ps`, `kill --all`
    virtual Result<Stats> stats() const = 0;                    // `events --stats`
    virtual Result<bool> oom_killed() const = 0;                // for `events` oom notices
    virtual Result<void> kill_all(int signal) = 0;              // every process, frozen or not
    virtual Result<void> destroy() = 0;                         // rmdir; processes must be gone
    virtual std::string save() const = 0;                       // JSON text for load()
    // The directory the container's processes sit in, for the v2 driver the single path; used
    // by clone3(CLONE_INTO_CGROUP) and for cgroup namespace roots. Hybrid: the cgroup2 part
    // only (enter() is still needed for the v1 hierarchies); pure v1: "".
    virtual std::string unified_path() const = 0;
};

} // namespace skiff::runtime::cgroups
