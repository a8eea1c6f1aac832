// Creating, entering, saving and removing a container's cgroup directories.
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups {

using namespace detail;

namespace {

// Enables every controller the hierarchy offers in each ancestor's cgroup.subtree_control, so
// the container's directory gets them (runc does the same; update() may need any of them).
// Controllers an ancestor refuses (processes in it, threaded mode) are left out: the write of a
// resource that needs one then fails naming its file.
Result<void> enable_controllers(const std::string& mount, const std::string& dir) {
    auto avail = split_ws(SKIFF_TRY(read_file(join(mount, "cgroup.controllers"))));
    if (avail.empty()) return ok();
    std::string all;
    for (const auto& c : avail) all += (all.empty() ? "+" : " +") + c;
    std::string cur = mount;
    std::string rest = dir.substr(mount.size());
    // Every ancestor of `dir` from the mount down: rest is "/a/b/leaf".
    size_t pos = 1;
    for (;;) {
        auto r = write_file(join(cur, "cgroup.subtree_control"), all);
        if (!r.ok())
            for (const auto& c : avail) (void)write_file(join(cur, "cgroup.subtree_control"), "+" + c);
        size_t slash = rest.find('/', pos);
        if (slash == std::string::npos) break;
        cur = mount + rest.substr(0, slash);
        pos = slash + 1;
    }
    return ok();
}

// New v1 cpuset cgroups start with empty cpus and mems, and a task cannot join such a
// cgroup: copy the parent's into each directory we made.
Result<void> fill_cpusets(const std::string& leaf, const std::vector<std::string>& created) {
    std::vector<std::string> mine;
    for (const auto& c : created)
        if (c == leaf || leaf.compare(0, c.size() + 1, c + "/") == 0) mine.push_back(c);
    if (mine.empty()) return ok();
    std::string parent = mine.front().substr(0, mine.front().find_last_of('/'));
    std::string cpus = trim(SKIFF_TRY(read_file(join(parent, "cpuset.cpus"))));
    std::string mems = trim(SKIFF_TRY(read_file(join(parent, "cpuset.mems"))));
    for (const auto& d : mine) {
        if (!cpus.empty()) SKIFF_CHECK(write_file(join(d, "cpuset.cpus"), cpus));
        if (!mems.empty()) SKIFF_CHECK(write_file(join(d, "cpuset.mems"), mems));
    }
    return ok();
}

// With `existing`, makes nothing: only the directories already there go into the state.
Result<State> make_dirs(const Layout& layout, const InnerPath& inner,
                        std::vector<std::string>& created, bool existing = false) {
    State st;
    st.mode = layout.mode;
    std::map<std::string, std::string> proc;
    if (!inner.absolute()) proc = parse_proc_cgroup(SKIFF_TRY(read_file("/proc/self/cgroup")));
    for (const auto& h : layout.hierarchies) {
        std::string own;
        if (!inner.absolute()) {
            auto o = own_cgroup(h, proc);
            if (!o) {
                if (h.unified) {
                    if (layout.mode == Mode::Hybrid) continue; // not joined: skip the v2 part
                    return Error{"cgroup: this process has no cgroup2 entry in /proc/self/cgroup"};
                }
                continue; // hierarchy this process is not in (another namespace's mount)
            }
            own = *o;
        }
        std::string dir = hierarchy_dir(h, inner, own, h.unified && layout.mode == Mode::V2);
        if (existing) {
            if (::access(dir.c_str(), F_OK) != 0) continue;
            if (h.unified) st.unified = dir;
            else
                for (const auto& c : h.controllers) st.v1[c] = dir;
            continue;
        }
        if (h.unified) {
            SKIFF_CHECK(mkdir_p(dir, created));
            SKIFF_CHECK(enable_controllers(h.mount, dir));
            st.unified = dir;
            auto ctrls = SKIFF_TRY(read_optional(join(dir, "cgroup.controllers")));
            if (ctrls) st.unified_controllers = split_ws(*ctrls);
        } else {
            SKIFF_CHECK(mkdir_p(dir, created));
            for (const auto& c : h.controllers) st.v1[c] = dir;
            if (contains(h.controllers, "cpuset")) SKIFF_CHECK(fill_cpusets(dir, created));
        }
    }
    if (st.v1.empty() && st.unified.empty())
        return existing ? Error{"cgroup " + inner.path + ": not found", ENOENT}
                        : Error{"cgroup: no hierarchy to create " + inner.path + " in"};
    return st;
}

} // namespace

Result<std::unique_ptr<Cgroup>> Cgroup::create(const Options& opts,
                                               const oci::Resources* resources) {
    auto inner = SKIFF_TRY(inner_path(opts));
    auto layout = SKIFF_TRY(discover_layout(opts.root, opts.mode, !inner.absolute()));
    std::vector<std::string> created;
    auto st = make_dirs(layout, inner, created);
    if (!st.ok()) {
        remove_created(created);
        return std::move(st).error();
    }
    st->created = created;
    auto cg = std::make_unique<FsCgroup>(std::move(*st));
    if (resources) {
        auto r = cg->apply(*resources, true);
        if (!r.ok()) {
            remove_created(created);
            return std::move(r).error();
        }
    }
    return std::unique_ptr<Cgroup>(std::move(cg));
}

Result<std::unique_ptr<Cgroup>> Cgroup::find(const Options& opts) {
    auto inner = SKIFF_TRY(inner_path(opts));
    auto layout = SKIFF_TRY(discover_layout(opts.root, opts.mode, !inner.absolute()));
    std::vector<std::string> none;
    auto st = SKIFF_TRY(make_dirs(layout, inner, none, true));
    return std::unique_ptr<Cgroup>(std::make_unique<FsCgroup>(std::move(st)));
}

Result<std::unique_ptr<Cgroup>> Cgroup::load(const std::string& saved) {
    auto st = SKIFF_TRY(state_from_json(saved));
    return std::unique_ptr<Cgroup>(std::make_unique<FsCgroup>(std::move(st)));
}

namespace detail {

std::optional<Target> FsCgroup::target(const std::string& v1name, const std::string& v2name) const {
    auto it = st_.v1.find(v1name);
    if (it != st_.v1.end()) return Target{it->second, false};
    if (!st_.unified.empty() && !v2name.empty() && contains(st_.unified_controllers, v2name))
        return Target{st_.unified, true};
    return std::nullopt;
}

std::vector<std::string> FsCgroup::dirs() const {
    std::vector<std::string> out;
    for (const auto& [c, d] : st_.v1)
        if (!contains(out, d)) out.push_back(d);
    if (!st_.unified.empty()) out.push_back(st_.unified);
    return out;
}

Result<void> FsCgroup::enter(pid_t pid) {
    const std::string v = std::to_string(pid);
    for (const auto& d : dirs()) {
        auto r = write_file(join(d, "cgroup.procs"), v);
        if (!r.ok()) return std::move(r).error().wrap("cgroup enter");
    }
    return ok();
}

Result<void> FsCgroup::update(const oci::Resources& resources) {
    auto r = apply(resources, false);
    if (!r.ok()) return std::move(r).error().wrap("cgroup update");
    return ok();
}

Result<void> FsCgroup::destroy() {
    const auto ours = dirs();
    for (const auto& d : ours) SKIFF_CHECK(remove_cgroup_tree(d));
    // Parents create() made (e.g. a slice) go too once empty; others may still use them.
    for (auto it = st_.created.rbegin(); it != st_.created.rend(); ++it)
        if (!contains(ours, *it)) ::rmdir(it->c_str());
    return ok();
}

std::string FsCgroup::save() const {
    nlohmann::json j;
    j["version"] = 1;
    j["mode"] = mode_name(st_.mode);
    j["v1"] = st_.v1;
    j["unified"] = st_.unified;
    j["unified_controllers"] = st_.unified_controllers;
    j["created"] = st_.created;
    return j.dump();
}

Result<State> state_from_json(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Error{"cgroup state: not a JSON object"};
    State st;
    auto str = [&](const char* key) -> Result<std::string> {
        if (!j.contains(key)) return std::string();
        if (!j[key].is_string()) return Error{std::string("cgroup state: ") + key + ": expected a string"};
        return j[key].get<std::string>();
    };
    auto strs = [&](const char* key) -> Result<std::vector<std::string>> {
        std::vector<std::string> out;
        if (!j.contains(key)) return out;
        if (!j[key].is_array()) return Error{std::string("cgroup state: ") + key + ": expected an array"};
        for (const auto& e : j[key]) {
            if (!e.is_string())
                return Error{std::string("cgroup state: ") + key + ": expected strings"};
            out.push_back(e.get<std::string>());
        }
        return out;
    };
    auto mode = mode_from_name(SKIFF_TRY(str("mode")));
    if (!mode) return Error{"cgroup state: mode: expected v1, v2 or hybrid"};
    st.mode = *mode;
    if (j.contains("v1")) {
        if (!j["v1"].is_object()) return Error{"cgroup state: v1: expected an object"};
        for (const auto& [k, v] : j["v1"].items()) {
            if (!v.is_string()) return Error{"cgroup state: v1." + k + ": expected a string"};
            st.v1[k] = v.get<std::string>();
        }
    }
    st.unified = SKIFF_TRY(str("unified"));
    st.unified_controllers = SKIFF_TRY(strs("unified_controllers"));
    st.created = SKIFF_TRY(strs("created"));
    if (st.v1.empty() && st.unified.empty()) return Error{"cgroup state: names no directory"};
    return st;
}

} // namespace detail
} // namespace skiff::runtime::cgroups
