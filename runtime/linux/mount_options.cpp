#include "mount_options.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <string_view>

namespace skiff::runtime::linux {

namespace {

struct FlagOption {
    std::string_view name;
    bool clear;
    unsigned long flag;
};

// runc's mountFlags table.
constexpr FlagOption kFlags[] = {
    {"acl", false, MS_POSIXACL},        {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},        {"bind", false, MS_BIND},
    {"defaults", false, 0},             {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},  {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},          {"iversion", false, MS_I_VERSION},
    {"lazytime", false, MS_LAZYTIME},   {"loud", true, MS_SILENT},
    {"mand", false, MS_MANDLOCK},       {"noacl", true, MS_POSIXACL},
    {"noatime", false, MS_NOATIME},     {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME}, {"noexec", false, MS_NOEXEC},
    {"noiversion", true, MS_I_VERSION}, {"nolazytime", true, MS_LAZYTIME},
    {"nomand", true, MS_MANDLOCK},      {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME}, {"nosuid", false, MS_NOSUID},
    {"nosymfollow", false, MS_NOSYMFOLLOW}, {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},   {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},           {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},       {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},          {"sync", false, MS_SYNCHRONOUS},
};

struct PropagationOption {
    std::string_view name;
    unsigned long flag;
};

constexpr PropagationOption kPropagation[] = {
    {"private", MS_PRIVATE},           {"shared", MS_SHARED},
    {"slave", MS_SLAVE},               {"unbindable", MS_UNBINDABLE},
    {"rprivate", MS_PRIVATE | MS_REC}, {"rshared", MS_SHARED | MS_REC},
    {"rslave", MS_SLAVE | MS_REC},     {"runbindable", MS_UNBINDABLE | MS_REC},
};

struct AttrOption {
    std::string_view name;
    bool clear;
    uint64_t attr;
};

// runc's recAttrFlags table (mount_setattr, AT_RECURSIVE).
constexpr AttrOption kRecursiveAttrs[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},           {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},       {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},         {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},       {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME}, {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rrelatime", false, MOUNT_ATTR_RELATIME},   {"rnorelatime", true, MOUNT_ATTR_RELATIME},
    {"rnoatime", false, MOUNT_ATTR_NOATIME},     {"ratime", true, MOUNT_ATTR_NOATIME},
    {"rstrictatime", false, MOUNT_ATTR_STRICTATIME},
    {"rnostrictatime", true, MOUNT_ATTR_STRICTATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW}, {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

constexpr unsigned long kAtimeFlags = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

} // namespace

bool MountOptions::bind() const { return flags & MS_BIND; }
bool MountOptions::recursive_bind() const { return (flags & (MS_BIND | MS_REC)) == (MS_BIND | MS_REC); }

std::string MountOptions::data_string() const {
    std::string out;
    for (const auto& d : data) {
        if (!out.empty()) out += ',';
        out += d;
    }
    return out;
}

bool is_bind_mount(const std::string& type, const std::vector<std::string>& options) {
    if (type == "bind") return true;
    return std::any_of(options.begin(), options.end(),
                       [](const std::string& o) { return o == "bind" || o == "rbind"; });
}

Result<MountOptions> parse_mount_options(const std::vector<std::string>& options, bool is_bind) {
    MountOptions out;
    for (const auto& opt : options) {
        bool known = false;
        for (const auto& f : kFlags) {
            if (opt != f.name) continue;
            known = true;
            if (f.clear) {
                out.flags &= ~f.flag;
                out.cleared |= f.flag;
            } else {
                // The atime modes exclude each other: the last one given wins.
                if (f.flag & kAtimeFlags) out.flags &= ~kAtimeFlags;
                out.flags |= f.flag;
                out.cleared &= ~f.flag;
            }
            break;
        }
        if (known) continue;
        for (const auto& p : kPropagation) {
            if (opt != p.name) continue;
            known = true;
            out.propagation.push_back(p.flag);
            break;
        }
        if (known) continue;
        for (const auto& a : kRecursiveAttrs) {
            if (opt != a.name) continue;
            known = true;
            uint64_t attr = a.attr;
            // The atime modes are one field: setting one clears the others.
            if (attr & (MOUNT_ATTR_NOATIME | MOUNT_ATTR_RELATIME | MOUNT_ATTR_STRICTATIME)) {
                if (a.clear) {
                    // ratime / rnorelatime / rnostrictatime: back to the default, relatime.
                    out.rec_attr_clr |= MOUNT_ATTR__ATIME;
                    out.rec_attr_set &= ~MOUNT_ATTR__ATIME;
                } else {
                    out.rec_attr_clr |= MOUNT_ATTR__ATIME;
                    out.rec_attr_set = (out.rec_attr_set & ~MOUNT_ATTR__ATIME) | attr;
                }
            } else if (a.clear) {
                out.rec_attr_clr |= attr;
                out.rec_attr_set &= ~attr;
            } else {
                out.rec_attr_set |= attr;
                out.rec_attr_clr &= ~attr;
            }
            break;
        }
        if (known) continue;
        if (opt == "tmpcopyup") {
            out.tmpcopyup = true;
        } else if (opt == "idmap") {
            out.idmap = true;
        } else if (opt == "ridmap") {
            out.idmap = out.recursive_idmap = true;
        } else if (opt.rfind("x-", 0) == 0) {
            // userspace-only annotation
        } else if (opt.empty()) {
            return Error{"mount option \"\": empty option"};
        } else if (is_bind) {
            return Error{"unknown mount option \"" + opt + "\" (a bind mount takes no filesystem options)"};
        } else {
            out.data.push_back(opt);
        }
    }
    return out;
}

} // namespace skiff::runtime::linux
