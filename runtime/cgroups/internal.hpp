// Private to runtime/cgroups: the file helpers, the host's hierarchy layout, the cgroupsPath
// rules and the one Cgroup implementation that drives v1, v2 and hybrid alike. Each resource
// controller is looked up on its own: in v1 when a v1 hierarchy carries it, else in the cgroup2
// part when that lists it (pure v2, or e.g. hugetlb on a hybrid host).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cgroups/cgroup.hpp"

namespace skiff::runtime::cgroups::detail {

// ---- files.cpp -------------------------------------------------------------------------------
std::string join(const std::string& dir, const std::string& name);
Result<std::string> read_file(const std::string& path);
// Like read_file but std::nullopt when the file does not exist.
Result<std::optional<std::string>> read_optional(const std::string& path);
// Writes `value` in one write(2). Error: "<field>: write <path> \"<value>\": <strerror>"
// (without "<field>: " when field is empty).
Result<void> write_file(const std::string& path, const std::string& value,
                        const std::string& field = {});
std::string trim(const std::string& s);
std::vector<std::string> split_ws(const std::string& s);
bool contains(const std::vector<std::string>& v, const std::string& s);
// "key value" lines (memory.stat, cpu.stat, cgroup.events, ...).
std::map<std::string, uint64_t> parse_flat_keyed(const std::string& text);
// mkdir -p; appends every directory it made (parents first) to `created`.
Result<void> mkdir_p(const std::string& path, std::vector<std::string>& created);
// rmdir of a cgroup: its descendants first, retrying while the kernel reaps exiting tasks.
Result<void> remove_cgroup_tree(const std::string& path);
// Best effort, newest first: for undoing a failed create.
void remove_created(const std::vector<std::string>& created);
void sleep_us(long us);
// Every pid in cgroup.procs of `dir` and of its descendants.
Result<void> collect_pids(const std::string& dir, std::vector<pid_t>& out);

// ---- mode.cpp --------------------------------------------------------------------------------
struct Hierarchy {
    std::string mount;                    // mount point
    std::string mount_root = "/";         // mountinfo field 4: the cgroup seen at the mount point
    std::vector<std::string> controllers; // v1: "cpu", "name=systemd", ...; v2: unused
    bool unified = false;                 // the cgroup2 hierarchy
};
struct Layout {
    Mode mode = Mode::V1;
    std::vector<Hierarchy> hierarchies; // v1 ones plus at most one unified
};
// `relative`: the cgroupsPath is relative, so mount roots matter (pure v2 skips mountinfo
// otherwise: no read on the common create path).
Result<Layout> discover_layout(const std::string& root, std::optional<Mode> forced,
                               bool relative = true);
const char* mode_name(Mode m);
std::optional<Mode> mode_from_name(const std::string& s);

// ---- path.cpp --------------------------------------------------------------------------------
struct InnerPath {
    std::string path; // cleaned; starts with '/' when absolute
    bool absolute() const { return !path.empty() && path[0] == '/'; }
};
// linux.cgroupsPath (or its absence) -> the path inside each hierarchy, runc's rules.
Result<InnerPath> inner_path(const Options& opts);
std::string clean_path(const std::string& p); // runc's CleanPath: relative never escapes
Result<std::string> expand_slice(const std::string& slice); // "a-b.slice" -> "/a.slice/a-b.slice"
// /proc/self/cgroup: key is the controller list ("cpu,cpuacct", "name=systemd", "" for v2).
std::map<std::string, std::string> parse_proc_cgroup(const std::string& text);
// The container's directory in hierarchy `h`. `own` is this process's cgroup there (only read
// for relative paths). Pure v2 resolves relative paths against the parent of our own cgroup
// (ours usually holds processes, so controllers could not be enabled below it), like runc.
std::string hierarchy_dir(const Hierarchy& h, const InnerPath& inner, const std::string& own,
                          bool v2_parent);
// Looks up this process's cgroup for `h` in parsed /proc/self/cgroup.
std::optional<std::string> own_cgroup(const Hierarchy& h,
                                      const std::map<std::string, std::string>& proc_cgroup);

// ---- the implementation ------------------------------------------------------------------------
struct State {
    Mode mode = Mode::V1;
    std::map<std::string, std::string> v1;       // controller -> directory
    std::string unified;                         // directory in the cgroup2 hierarchy, or ""
    std::vector<std::string> unified_controllers; // its cgroup.controllers
    std::vector<std::string> created;            // directories create() made, parents first
};

// Where a controller lives for this container.
struct Target {
    std::string dir;
    bool v2 = false;
};

class FsCgroup final : public Cgroup {
public:
    explicit FsCgroup(State st) : st_(std::move(st)) {}

    Result<void> enter(pid_t pid) override;
    Result<SelfJoin> open_self_join() const override;
    Result<void> update(const oci::Resources& resources) override;
    Result<void> freeze() override;
    Result<void> thaw() override;
    Result<bool> frozen() const override;
    Result<std::vector<pid_t>> pids() const override;
    Result<Stats> stats() const override;
    Result<bool> oom_killed() const override;
    Result<void> kill_all(int signal) override;
    Result<void> destroy() override;
    std::string save() const override;
    std::string unified_path() const override { return st_.unified; }

    // resources.cpp: used by create() (creating = true) and update().
    Result<void> apply(const oci::Resources& r, bool creating);
    const State& state() const { return st_; }

    std::optional<Target> target(const std::string& v1name, const std::string& v2name) const;
    std::vector<std::string> dirs() const; // every distinct directory, v1 ones then unified

private:
    Result<void> freeze_v1(const std::string& dir);
    Result<void> freeze_v2(const std::string& dir);
    std::string procs_dir() const;

    State st_;
};

Result<State> state_from_json(const std::string& text);

// ---- v1.cpp / v2.cpp: one writer per controller --------------------------------------------------
Result<void> set_cpu_v1(const std::string& dir, const oci::Cpu& c);
Result<void> set_cpuset(const std::string& dir, const oci::Cpu& c); // same files in v1 and v2
Result<void> set_memory_v1(const std::string& dir, const oci::Memory& m, bool updating);
Result<void> set_pids(const std::string& dir, const oci::Pids& p); // same file in v1 and v2
Result<void> set_blkio_v1(const std::string& dir, const oci::BlockIO& b);
Result<void> set_hugetlb(const std::string& dir, const std::vector<oci::HugepageLimit>& l, bool v2);
Result<void> set_devices_v1(const std::string& dir, const std::vector<oci::DeviceRule>& rules);
Result<void> set_net_cls(const std::string& dir, uint32_t class_id);
Result<void> set_net_prio(const std::string& dir, const std::vector<oci::NetworkPriority>& p);
Result<void> set_rdma(const std::string& dir, const std::map<std::string, oci::Rdma>& r);

Result<void> set_cpu_v2(const std::string& dir, const oci::Cpu& c);
Result<void> set_memory_v2(const std::string& dir, const oci::Memory& m, bool updating);
Result<void> set_io_v2(const std::string& dir, const oci::BlockIO& b);
Result<void> set_unified(const std::string& dir, const std::map<std::string, std::string>& files,
                         const std::vector<std::string>& controllers);
// Conversions the v2 files need (runc/crun formulas).
uint64_t cpu_shares_to_weight(uint64_t shares);
uint64_t blkio_weight_to_io_weight(uint64_t weight);
// OCI memory.swap (memory+swap) -> memory.swap.max ("" = leave alone).
Result<std::string> swap_max_v2(std::optional<int64_t> swap, std::optional<int64_t> limit);

// Device rules shared by v1 and the eBPF program.
struct DeviceRuleNorm {
    bool allow = false;
    char type = 'a';          // a c b
    int64_t major = -1, minor = -1; // -1 = any
    unsigned access = 7;      // BPF_DEVCG_ACC_*: m=1 r=2 w=4
    bool everything() const { return type == 'a' && major < 0 && minor < 0 && access == 7; }
};
Result<std::vector<DeviceRuleNorm>> normalize_device_rules(const std::vector<oci::DeviceRule>& r);

// ---- stats.cpp / stats_v1.cpp / stats_v2.cpp ----
uint64_t parse_u64_or_max(const std::string& s, uint64_t max_value); // "max" -> max_value-------------------------------------------------------------
Result<void> stats_cpu_v1(const std::string* cpu, const std::string* cpuacct, Stats& s);
Result<void> stats_memory_v1(const std::string& dir, Stats& s);
Result<void> stats_pids(const std::string& dir, Stats& s);
Result<void> stats_blkio_v1(const std::string& dir, Stats& s);
Result<void> stats_hugetlb(const std::string& dir, bool v2, Stats& s);
Result<void> stats_cpu_v2(const std::string& dir, Stats& s);
Result<void> stats_memory_v2(const std::string& dir, Stats& s);
Result<void> stats_io_v2(const std::string& dir, Stats& s);

} // namespace skiff::runtime::cgroups::detail
