// -u / USER resolution against the image's own account files, as runc's GetExecUser does it
// for docker: names must exist, numbers need not.
#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <optional>
#include <vector>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs.hpp"
#include "skiff/oci/image/bundle.hpp"

namespace skiff::image {
namespace {

struct PasswdEntry {
    std::string name;
    uint32_t uid = 0, gid = 0;
    std::string home;
};

struct GroupEntry {
    std::string name;
    uint32_t gid = 0;
    std::vector<std::string> members;
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (true) {
        auto i = s.find(sep, pos);
        out.push_back(s.substr(pos, i - pos));
        if (i == std::string::npos) return out;
        pos = i + 1;
    }
}

std::optional<uint32_t> parse_id(const std::string& s) {
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v > 2147483647u)
        return std::nullopt;
    return v;
}

// The image's file, with absolute symlinks (/etc/passwd -> /usr/share/...) resolved inside the
// rootfs, never on the host. Missing means empty, as for scratch images.
Result<std::string> read_in_root(const std::string& rootfs, const std::string& rel) {
    fs::Fd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return errno_error("open " + rootfs);
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    fs::Fd fd(int(::syscall(SYS_openat2, root.get(), rel.c_str(), &how, sizeof how)));
    if (!fd) {
        if (errno == ENOENT) return std::string();
        return errno_error("open " + rootfs + "/" + rel);
    }
    return fs::read_file("/proc/self/fd/" + std::to_string(fd.get()), 8 << 20);
}

std::vector<PasswdEntry> parse_passwd(const std::string& text) {
    std::vector<PasswdEntry> out;
    for (const auto& line : split(text, '\n')) {
        if (line.empty() || line[0] == '#') continue;
        auto f = split(line, ':');
        if (f.size() < 4) continue;
        auto uid = parse_id(f[2]), gid = parse_id(f[3]);
        if (!uid || !gid) continue;
        out.push_back({f[0], *uid, *gid, f.size() > 5 ? f[5] : ""});
    }
    return out;
}

std::vector<GroupEntry> parse_group(const std::string& text) {
    std::vector<GroupEntry> out;
    for (const auto& line : split(text, '\n')) {
        if (line.empty() || line[0] == '#') continue;
        auto f = split(line, ':');
        if (f.size() < 3) continue;
        auto gid = parse_id(f[2]);
        if (!gid) continue;
        GroupEntry g{f[0], *gid, {}};
        if (f.size() > 3 && !f[3].empty()) g.members = split(f[3], ',');
        out.push_back(std::move(g));
    }
    return out;
}

} // namespace

Result<ResolvedUser> resolve_user(const std::string& rootfs, const std::string& user) {
    auto colon = user.find(':');
    std::string upart = user.substr(0, colon);
    std::string gpart = colon == std::string::npos ? "" : user.substr(colon + 1);
    if (colon != std::string::npos && gpart.empty())
        return Error{"user \"" + user + "\": empty group"};
    auto passwd = parse_passwd(SKIFF_TRY(read_in_root(rootfs, "etc/passwd")));
    ResolvedUser out;
    out.home = "/";
    const PasswdEntry* pw = nullptr;
    if (upart.empty()) upart = "0";
    if (auto uid = parse_id(upart)) {
        out.uid = *uid;
        for (const auto& p : passwd)
            if (p.uid == *uid) {
                pw = &p;
                break;
            }
    } else {
        if (upart.find_first_of("/ \t\n") != std::string::npos || upart[0] == '-')
            return Error{"user \"" + user + "\": invalid user name \"" + upart + "\""};
        for (const auto& p : passwd)
            if (p.name == upart) {
                pw = &p;
                break;
            }
        if (!pw) return Error{"unable to find user " + upart + ": no matching entries in passwd file"};
        out.uid = pw->uid;
    }
    if (pw) {
        out.gid = pw->gid;
        out.name = pw->name;
        if (!pw->home.empty()) out.home = pw->home;
    }
    auto groups = parse_group(SKIFF_TRY(read_in_root(rootfs, "etc/group")));
    if (!gpart.empty()) {
        if (auto gid = parse_id(gpart)) {
            out.gid = *gid;
        } else {
            const GroupEntry* g = nullptr;
            for (const auto& e : groups)
                if (e.name == gpart) {
                    g = &e;
                    break;
                }
            if (!g) return Error{"unable to find group " + gpart + ": no matching entries in group file"};
            out.gid = g->gid;
        }
    } else if (!out.name.empty()) {
        // Supplementary groups only when the group was not given explicitly (runc's rule).
        for (const auto& g : groups)
            for (const auto& m : g.members)
                if (m == out.name && g.gid != out.gid) {
                    bool dup = false;
                    for (auto x : out.additional_gids) dup |= x == g.gid;
                    if (!dup) out.additional_gids.push_back(g.gid);
                }
    }
    return out;
}

} // namespace skiff::image
