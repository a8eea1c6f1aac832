// linux.cgroupsPath semantics of runc's cgroupfs driver, and the systemd "slice:prefix:name"
// form mapped onto cgroupfs directories (systemd itself is not asked: it may not even run).
//
//   absent (cgroupfs)  -> "<id>", a relative path
//   "/a/b"             -> /a/b below each hierarchy's root
//   "a/b"              -> below this process's own cgroup in each v1 hierarchy (and in the
//                         hybrid cgroup2 part); below the *parent* of our own cgroup on pure v2
//   systemd "s:p:n"    -> /<expanded s>/p-n.scope; absent -> /system.slice/skiff-<id>.scope
#include <cstring>

#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups::detail {

namespace {

std::string lexical_clean(const std::string& p) {
    const bool abs = !p.empty() && p[0] == '/';
    std::vector<std::string> parts;
    size_t b = 0;
    while (b <= p.size()) {
        size_t e = p.find('/', b);
        if (e == std::string::npos) e = p.size();
        std::string c = p.substr(b, e - b);
        b = e + 1;
        if (c.empty() || c == ".") continue;
        if (c == "..") {
            if (!parts.empty() && parts.back() != "..") parts.pop_back();
            else if (!abs) parts.push_back(c);
            continue;
        }
        parts.push_back(c);
    }
    std::string out = abs ? "/" : "";
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
    if (out.empty()) out = ".";
    return out;
}

Error bad_path(const std::string& raw, const std::string& why) {
    return Error{"linux.cgroupsPath \"" + raw + "\": " + why};
}

} // namespace

std::string clean_path(const std::string& p) {
    if (p.empty()) return {};
    if (p[0] == '/') return lexical_clean(p);
    // Relative: clean as if rooted at / so ".." can never climb above the starting cgroup.
    std::string rooted = lexical_clean("/" + p);
    return rooted == "/" ? "." : rooted.substr(1);
}

Result<std::string> expand_slice(const std::string& slice) {
    static const std::string suffix = ".slice";
    if (slice.size() <= suffix.size() ||
        slice.compare(slice.size() - suffix.size(), suffix.size(), suffix) != 0)
        return Error{"invalid slice name \"" + slice + "\": must end in .slice"};
    if (slice.find('/') != std::string::npos)
        return Error{"invalid slice name \"" + slice + "\": contains /"};
    std::string name = slice.substr(0, slice.size() - suffix.size());
    if (name == "-") return std::string("/");
    std::string path, prefix;
    size_t b = 0;
    while (b <= name.size()) {
        size_t e = name.find('-', b);
        if (e == std::string::npos) e = name.size();
        std::string comp = name.substr(b, e - b);
        if (comp.empty())
            return Error{"invalid slice name \"" + slice + "\": empty component between dashes"};
        path += "/" + prefix + comp + suffix;
        prefix += comp + "-";
        b = e + 1;
    }
    return path;
}

Result<InnerPath> inner_path(const Options& opts) {
    const std::string raw = opts.cgroups_path.value_or("");
    if (raw.find('\0') != std::string::npos || raw.find('\n') != std::string::npos)
        return bad_path(raw, "contains a NUL or newline");
    if (!opts.systemd) {
        if (raw.empty()) {
            if (opts.container_id.empty()) return Error{"cgroup: empty container id"};
            std::string p = clean_path(opts.container_id);
            if (p == "." || p.find('/') != std::string::npos)
                return Error{"cgroup: container id \"" + opts.container_id +
                             "\" cannot name a cgroup"};
            return InnerPath{p};
        }
        std::string p = clean_path(raw);
        if (p == "/") return bad_path(raw, "names the root cgroup");
        if (p == ".") return bad_path(raw, "names the runtime's own cgroup");
        return InnerPath{p};
    }

    std::string slice, prefix, name;
    if (raw.empty()) {
        slice = "system.slice";
        prefix = "skiff";
        name = opts.container_id;
        if (name.empty()) return Error{"cgroup: empty container id"};
    } else {
        std::vector<std::string> parts;
        size_t b = 0;
        while (b <= raw.size()) {
            size_t e = raw.find(':', b);
            if (e == std::string::npos) e = raw.size();
            parts.push_back(raw.substr(b, e - b));
            b = e + 1;
        }
        if (parts.size() != 3)
            return bad_path(raw, "expected \"slice:prefix:name\" for systemd cgroups");
        slice = parts[0].empty() ? "system.slice" : parts[0];
        prefix = parts[1];
        name = parts[2];
        if (name.empty()) return bad_path(raw, "the name part is empty");
    }
    if (name.find('/') != std::string::npos || prefix.find('/') != std::string::npos ||
        name == "." || name == "..")
        return bad_path(raw.empty() ? name : raw, "prefix and name may not contain /");
    auto expanded = expand_slice(slice);
    if (!expanded.ok()) return bad_path(raw, expanded.error().message);
    // A name that is itself a slice is created as that slice below the parent (runc does the
    // same); otherwise the unit is a scope.
    std::string unit;
    if (name.size() > 6 && name.compare(name.size() - 6, 6, ".slice") == 0) unit = name;
    else unit = prefix.empty() ? name + ".scope" : prefix + "-" + name + ".scope";
    std::string base = *expanded == "/" ? "" : *expanded;
    return InnerPath{base + "/" + unit};
}

std::map<std::string, std::string> parse_proc_cgroup(const std::string& text) {
    std::map<std::string, std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        size_t c1 = line.find(':');
        if (c1 == std::string::npos) continue;
        size_t c2 = line.find(':', c1 + 1);
        if (c2 == std::string::npos) continue;
        out[line.substr(c1 + 1, c2 - c1 - 1)] = line.substr(c2 + 1);
    }
    return out;
}

std::optional<std::string> own_cgroup(const Hierarchy& h,
                                      const std::map<std::string, std::string>& proc_cgroup) {
    if (h.unified) {
        auto it = proc_cgroup.find("");
        if (it == proc_cgroup.end()) return std::nullopt;
        return it->second;
    }
    for (const auto& [key, path] : proc_cgroup) {
        std::vector<std::string> ctrls;
        size_t b = 0;
        while (b <= key.size()) {
            size_t e = key.find(',', b);
            if (e == std::string::npos) e = key.size();
            ctrls.push_back(key.substr(b, e - b));
            b = e + 1;
        }
        for (const auto& c : h.controllers)
            if (contains(ctrls, c)) return path;
    }
    return std::nullopt;
}

std::string hierarchy_dir(const Hierarchy& h, const InnerPath& inner, const std::string& own,
                          bool v2_parent) {
    if (inner.absolute()) return h.mount + (inner.path == "/" ? "" : inner.path);
    // Our own cgroup as seen from the mount: strip the mount's root (cgroup namespaces and bind
    // mounts of a sub-tree show a root other than "/").
    std::string rel = own;
    if (h.mount_root != "/" && rel.compare(0, h.mount_root.size(), h.mount_root) == 0)
        rel = rel.substr(h.mount_root.size());
    if (v2_parent) {
        size_t slash = rel.find_last_of('/');
        rel = slash == std::string::npos ? "" : rel.substr(0, slash);
    }
    std::string base = h.mount;
    if (!rel.empty() && rel != "/") base += rel[0] == '/' ? rel : "/" + rel;
    return join(base, inner.path);
}

} // namespace skiff::runtime::cgroups::detail
