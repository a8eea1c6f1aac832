// Which cgroup layout the host has and where each hierarchy is mounted.
#include <dirent.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include <cstdio>

#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups {

Result<Mode> detect_mode(const std::string& root) {
    struct statfs fs;
    if (::statfs(root.c_str(), &fs) != 0) return errno_error("detect cgroup mode: statfs " + root);
    if (fs.f_type == CGROUP2_SUPER_MAGIC) return Mode::V2;
    if (fs.f_type == CGROUP_SUPER_MAGIC) return Mode::V1; // a single v1 hierarchy as the root
    if (fs.f_type != TMPFS_MAGIC) {
        char hex[32];
        std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(fs.f_type));
        return Error{"detect cgroup mode: " + root + " is neither cgroup2 nor a tmpfs of cgroup "
                     "mounts (filesystem type " + hex + ")"};
    }
    // systemd's hybrid layout mounts the cgroup2 part at <root>/unified.
    const std::string unified = detail::join(root, "unified");
    if (::statfs(unified.c_str(), &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
        return Mode::Hybrid;
    return Mode::V1;
}

namespace detail {

const char* mode_name(Mode m) {
    switch (m) {
    case Mode::V1: return "v1";
    case Mode::V2: return "v2";
    case Mode::Hybrid: return "hybrid";
    }
    return "?";
}

std::optional<Mode> mode_from_name(const std::string& s) {
    if (s == "v1") return Mode::V1;
    if (s == "v2") return Mode::V2;
    if (s == "hybrid") return Mode::Hybrid;
    return std::nullopt;
}

namespace {

const std::vector<std::string>& known_v1() {
    static const std::vector<std::string> k = {
        "cpu",    "cpuacct",  "cpuset",     "memory", "devices", "freezer", "blkio",
        "pids",   "hugetlb",  "net_cls",    "net_prio", "perf_event", "rdma", "misc",
        "name=systemd"};
    return k;
}

// mountinfo escapes blanks in paths as \040 and so on.
std::string unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            int v = 0;
            bool octal = true;
            for (size_t k = 1; k <= 3; ++k) {
                if (s[i + k] < '0' || s[i + k] > '7') {
                    octal = false;
                    break;
                }
                v = v * 8 + (s[i + k] - '0');
            }
            if (octal) {
                out.push_back(static_cast<char>(v));
                i += 3;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

bool under_root(const std::string& mount, const std::string& root) {
    if (mount == root) return true;
    std::string r = root.back() == '/' ? root : root + "/";
    return mount.compare(0, r.size(), r) == 0;
}

// Hierarchies mounted at or below `root`, from /proc/self/mountinfo.
Result<std::vector<Hierarchy>> from_mountinfo(const std::string& root) {
    auto text = SKIFF_TRY(read_file("/proc/self/mountinfo"));
    std::vector<Hierarchy> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        auto f = split_ws(text.substr(pos, nl - pos));
        pos = nl + 1;
        size_t dash = 0;
        for (size_t i = 6; i < f.size(); ++i)
            if (f[i] == "-") {
                dash = i;
                break;
            }
        if (dash == 0 || dash + 1 >= f.size()) continue;
        const std::string& fstype = f[dash + 1];
        if (fstype != "cgroup" && fstype != "cgroup2") continue;
        std::string mnt = unescape(f[4]);
        if (!under_root(mnt, root)) continue;
        Hierarchy h;
        h.mount = mnt;
        h.mount_root = unescape(f[3]);
        h.unified = fstype == "cgroup2";
        if (!h.unified) {
            std::string opts = dash + 3 < f.size() ? f[dash + 3] : "";
            size_t b = 0;
            while (b <= opts.size()) {
                size_t c = opts.find(',', b);
                if (c == std::string::npos) c = opts.size();
                std::string o = opts.substr(b, c - b);
                if (contains(known_v1(), o)) h.controllers.push_back(o);
                b = c + 1;
            }
            if (h.controllers.empty()) continue; // some other named hierarchy
        }
        // The same hierarchy mounted twice: the first mount wins.
        bool dup = false;
        for (const auto& e : out)
            if (e.unified == h.unified && e.controllers == h.controllers) dup = true;
        if (!dup) out.push_back(std::move(h));
    }
    return out;
}

// A tree that is not mounted (tests): each directory below root is a hierarchy named by its
// controllers; "unified" is the cgroup2 part.
Result<std::vector<Hierarchy>> from_directory(const std::string& root, Mode mode) {
    std::vector<Hierarchy> out;
    DIR* d = ::opendir(root.c_str());
    if (!d) return errno_error("opendir " + root);
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (e->d_type != DT_DIR || n == "." || n == "..") continue;
        Hierarchy h;
        h.mount = join(root, n);
        if (n == "unified") {
            if (mode != Mode::Hybrid) continue;
            h.unified = true;
        } else {
            size_t b = 0;
            while (b <= n.size()) {
                size_t c = n.find(',', b);
                if (c == std::string::npos) c = n.size();
                std::string o = n.substr(b, c - b);
                if (o == "systemd") o = "name=systemd";
                if (contains(known_v1(), o)) h.controllers.push_back(o);
                b = c + 1;
            }
            if (h.controllers.empty()) continue;
        }
        out.push_back(std::move(h));
    }
    ::closedir(d);
    return out;
}

} // namespace

Result<Layout> discover_layout(const std::string& root_in, std::optional<Mode> forced,
                               bool relative) {
    std::string root = root_in.size() > 1 && root_in.back() == '/' ? root_in.substr(0, root_in.size() - 1)
                                                                   : root_in;
    Layout l;
    l.mode = forced ? *forced : SKIFF_TRY(detect_mode(root));
    if (l.mode == Mode::V2) {
        Hierarchy h;
        h.mount = root;
        h.unified = true;
        if (relative)
            for (const auto& m : SKIFF_TRY(from_mountinfo(root)))
                if (m.unified && m.mount == root) h.mount_root = m.mount_root;
        l.hierarchies.push_back(std::move(h));
        return l;
    }
    auto found = SKIFF_TRY(from_mountinfo(root));
    std::vector<Hierarchy> keep;
    for (auto& h : found) {
        if (h.mount == root) continue; // only hierarchies below the tmpfs root
        if (h.unified && l.mode != Mode::Hybrid) continue;
        keep.push_back(std::move(h));
    }
    if (keep.empty()) keep = SKIFF_TRY(from_directory(root, l.mode));
    if (keep.empty()) return Error{"cgroup hierarchies: none mounted under " + root};
    l.hierarchies = std::move(keep);
    return l;
}

} // namespace detail
} // namespace skiff::runtime::cgroups
