// The `options` of an OCI mount, translated the way runc does: mount(2) flags set or cleared,
// propagation changes (applied by separate calls), recursive attributes (rro, rnosuid, ...:
// mount_setattr with AT_RECURSIVE), runc's extensions (tmpcopyup), idmapped mounts, and
// everything else passed through to the filesystem as its data string.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "skiff/oci/result.hpp"

namespace skiff::runtime::linux {

struct MountOptions {
    unsigned long flags = 0;   // MS_* to set
    unsigned long cleared = 0; // MS_* an option explicitly cleared (rw, suid, dev, exec, ...)
    std::vector<unsigned long> propagation; // MS_PRIVATE [|MS_REC], ... in the order given
    uint64_t rec_attr_set = 0, rec_attr_clr = 0; // MOUNT_ATTR_* for the whole tree
    bool tmpcopyup = false;
    bool idmap = false, recursive_idmap = false; // "idmap" / "ridmap"
    std::vector<std::string> data; // filesystem options ("mode=755", "newinstance", ...)

    bool bind() const;
    bool recursive_bind() const;
    std::string data_string() const; // data joined by ','
};

// Every option of runc's tables is known; an option outside them is filesystem data, except
// that a bind mount has no filesystem to take data, so there it is an error naming the option.
// Options named "x-..." are userspace annotations (as for mount(8)) and are dropped.
Result<MountOptions> parse_mount_options(const std::vector<std::string>& options,
                                         bool is_bind);

// True if `type` with these options is a bind mount ("bind" type, or bind/rbind option).
bool is_bind_mount(const std::string& type, const std::vector<std::string>& options);

} // namespace skiff::runtime::linux
