// config.json's "linux" section: namespaces, id mappings, devices, seccomp and the rest.
#include "known_values.hpp"
#include "spec_readers.hpp"

namespace skiff::oci::detail {

static Val element(const Val& array, size_t i) {
    return {array.reader, &(*array.j)[i], {&array.where, Where::Index, {}, i}};
}

bool read(const Val& v, Namespace& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "type", out.type)) return false;
    if (!check_one_of(v["type"], out.type,
                      kNamespaceTypes,
                      "namespace type"))
        return false;
    if (read(v["path"], out.path) && !out.path.empty() && out.path[0] != '/')
        return v["path"].fail("must be an absolute path, got \"" + out.path + "\"");
    return !v.reader->failed();
}

bool read(const Val& v, Device& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "type", out.type)) return false;
    if (!check_one_of(v["type"], out.type, {"c", "b", "u", "p"}, "device type")) return false;
    if (!read_required(v, "path", out.path)) return false;
    if (out.path.empty() || out.path[0] != '/')
        return v["path"].fail("must be an absolute path, got \"" + out.path + "\"");
    // A fifo has no numbers; every other node needs both.
    if (out.type != "p") {
        if (!read_required(v, "major", out.major) || !read_required(v, "minor", out.minor))
            return false;
    } else {
        read(v["major"], out.major);
        read(v["minor"], out.minor);
    }
    read(v["fileMode"], out.file_mode);
    read(v["uid"], out.uid);
    read(v["gid"], out.gid);
    return !v.reader->failed();
}

bool read(const Val& v, TimeOffset& out) {
    if (!v.expect_object()) return false;
    read(v["secs"], out.secs);
    if (read(v["nanosecs"], out.nanosecs) && out.nanosecs >= 1000000000u)
        return v["nanosecs"].fail(std::to_string(out.nanosecs) + " is out of range (< 1e9)");
    return !v.reader->failed();
}

bool read(const Val& v, Personality& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "domain", out.domain)) return false;
    if (!check_one_of(v["domain"], out.domain, {"LINUX", "LINUX32"}, "personality domain"))
        return false;
    read(v["flags"], out.flags);
    return !v.reader->failed();
}

bool read(const Val& v, IntelRdt& out) {
    if (!v.expect_object()) return false;
    read(v["closID"], out.clos_id);
    read(v["l3CacheSchema"], out.l3_cache_schema);
    read(v["memBwSchema"], out.mem_bw_schema);
    return !v.reader->failed();
}


bool read(const Val& v, SeccompArg& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "index", out.index)) return false;
    if (out.index > 5) return v["index"].fail(std::to_string(out.index) + " is out of range (0..5)");
    read(v["value"], out.value);
    read(v["valueTwo"], out.value_two);
    if (!read_required(v, "op", out.op)) return false;
    if (!check_one_of(v["op"], out.op,
                      kSeccompOperators, "seccomp operator"))
        return false;
    return !v.reader->failed();
}

bool read(const Val& v, SeccompSyscall& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "names", out.names)) return false;
    if (out.names.empty()) return v["names"].fail("must not be empty");
    if (!read_required(v, "action", out.action)) return false;
    if (!check_one_of(v["action"], out.action, kSeccompActions, "seccomp action")) return false;
    read(v["errnoRet"], out.errno_ret);
    read(v["args"], out.args);
    return !v.reader->failed();
}

bool read(const Val& v, Seccomp& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "defaultAction", out.default_action)) return false;
    if (!check_one_of(v["defaultAction"], out.default_action, kSeccompActions, "seccomp action"))
        return false;
    // The notify fd is handed over once the filter is loaded; a default of notify would trap
    // the runtime's own syscalls before that (runc refuses it too).
    if (out.default_action == "SCMP_ACT_NOTIFY")
        return v["defaultAction"].fail("SCMP_ACT_NOTIFY cannot be the default action");
    read(v["defaultErrnoRet"], out.default_errno_ret);
    if (read(v["architectures"], out.architectures)) {
        Val archs = v["architectures"];
        for (size_t i = 0; i < out.architectures.size(); ++i)
            if (!check_one_of(element(archs, i), out.architectures[i],
                              kSeccompArchs, "seccomp architecture"))
                return false;
    }
    if (read(v["flags"], out.flags)) {
        Val flags = v["flags"];
        for (size_t i = 0; i < out.flags.size(); ++i)
            if (!check_one_of(element(flags, i), out.flags[i],
                              kSeccompFlags, "seccomp flag"))
                return false;
    }
    read(v["listenerPath"], out.listener_path);
    read(v["listenerMetadata"], out.listener_metadata);
    read(v["syscalls"], out.syscalls);
    if (v.reader->failed()) return false;
    if (out.listener_path.empty()) {
        Val calls = v["syscalls"];
        for (size_t i = 0; i < out.syscalls.size(); ++i)
            if (out.syscalls[i].action == "SCMP_ACT_NOTIFY")
                return element(calls, i)["action"].fail(
                    "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
    }
    return true;
}

static bool validate_linux(const Val& v, const Linux& lx) {
    Val nss = v["namespaces"];
    for (size_t i = 1; i < lx.namespaces.size(); ++i)
        for (size_t k = 0; k < i; ++k)
            if (lx.namespaces[i].type == lx.namespaces[k].type)
                return element(nss, i)["type"].fail("duplicate namespace type \"" +
                                                    lx.namespaces[i].type + "\"");
    const Namespace* user = lx.find_namespace("user");
    if (user && user->path.empty()) {
        if (lx.uid_mappings.empty())
            return v["uidMappings"].fail("a new user namespace needs uidMappings");
        if (lx.gid_mappings.empty())
            return v["gidMappings"].fail("a new user namespace needs gidMappings");
    }
    if (!user && (!lx.uid_mappings.empty() || !lx.gid_mappings.empty()))
        return v[lx.uid_mappings.empty() ? "gidMappings" : "uidMappings"].fail(
            "id mappings need a user namespace in linux.namespaces");
    const Namespace* time = lx.find_namespace("time");
    if (!lx.time_offsets.empty() && (!time || !time->path.empty()))
        return v["timeOffsets"].fail("time offsets need a new time namespace");
    return true;
}

bool read(const Val& v, Linux& out) {
    if (!v.expect_object()) return false;
    read(v["namespaces"], out.namespaces);
    read(v["uidMappings"], out.uid_mappings);
    read(v["gidMappings"], out.gid_mappings);
    if (read(v["timeOffsets"], out.time_offsets)) {
        Val offs = v["timeOffsets"];
        for (const auto& [clock, off] : out.time_offsets) {
            (void)off;
            if (clock != "monotonic" && clock != "boottime")
                return Val{v.reader, nullptr, {&offs.where, Where::MapKey, clock, 0}}.fail(
                    "unknown clock (expected monotonic or boottime)");
        }
    }
    read(v["devices"], out.devices);
    read(v["cgroupsPath"], out.cgroups_path);
    read(v["resources"], out.resources);
    if (read(v["rootfsPropagation"], out.rootfs_propagation) && !out.rootfs_propagation.empty() &&
        !check_one_of(v["rootfsPropagation"], out.rootfs_propagation,
                      kRootfsPropagations, "rootfs propagation"))
        return false;
    read(v["seccomp"], out.seccomp);
    read(v["sysctl"], out.sysctl);
    read(v["maskedPaths"], out.masked_paths);
    read(v["readonlyPaths"], out.readonly_paths);
    read(v["mountLabel"], out.mount_label);
    read(v["personality"], out.personality);
    read(v["intelRdt"], out.intel_rdt);
    if (v.reader->failed()) return false;
    return validate_linux(v, out);
}

} // namespace skiff::oci::detail
