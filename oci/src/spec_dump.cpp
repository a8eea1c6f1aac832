// Spec -> config.json text, in the spec's member order, omitting empty values where the spec's
// Go types say omitempty so the output reads like `runc spec`'s.
#include <nlohmann/json.hpp>

#include "skiff/oci/spec.hpp"

namespace skiff::oci {
namespace {

using oj = nlohmann::ordered_json;

void put_str(oj& o, const char* key, const std::string& s) {
    if (!s.empty()) o[key] = s;
}

template <class T>
void put_opt(oj& o, const char* key, const std::optional<T>& v) {
    if (v) o[key] = *v;
}

void put_strs(oj& o, const char* key, const std::vector<std::string>& v) {
    if (!v.empty()) o[key] = v;
}

template <class T, class F>
void put_list(oj& o, const char* key, const std::vector<T>& v, F&& f) {
    if (v.empty()) return;
    oj a = oj::array();
    for (const auto& x : v) a.push_back(f(x));
    o[key] = std::move(a);
}

oj idmap(const IdMapping& m) {
    return {{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}};
}

oj process(const Process& p) {
    oj o = oj::object();
    if (p.terminal) o["terminal"] = true;
    if (p.console_size)
        o["consoleSize"] = {{"height", p.console_size->height}, {"width", p.console_size->width}};
    oj user = {{"uid", p.user.uid}, {"gid", p.user.gid}};
    put_opt(user, "umask", p.user.umask);
    if (!p.user.additional_gids.empty()) user["additionalGids"] = p.user.additional_gids;
    put_str(user, "username", p.user.username);
    o["user"] = std::move(user);
    put_strs(o, "args", p.args);
    put_strs(o, "env", p.env);
    o["cwd"] = p.cwd;
    if (p.capabilities) {
        oj caps = oj::object();
        put_opt(caps, "bounding", p.capabilities->bounding);
        put_opt(caps, "effective", p.capabilities->effective);
        put_opt(caps, "inheritable", p.capabilities->inheritable);
        put_opt(caps, "permitted", p.capabilities->permitted);
        put_opt(caps, "ambient", p.capabilities->ambient);
        o["capabilities"] = std::move(caps);
    }
    put_list(o, "rlimits", p.rlimits, [](const Rlimit& r) {
        return oj{{"type", r.type}, {"hard", r.hard}, {"soft", r.soft}};
    });
    if (p.no_new_privileges) o["noNewPrivileges"] = true;
    put_str(o, "apparmorProfile", p.apparmor_profile);
    put_opt(o, "oomScoreAdj", p.oom_score_adj);
    put_str(o, "selinuxLabel", p.selinux_label);
    if (p.scheduler) {
        const Scheduler& s = *p.scheduler;
        oj so = {{"policy", s.policy}};
        put_opt(so, "nice", s.nice);
        put_opt(so, "priority", s.priority);
        put_strs(so, "flags", s.flags);
        put_opt(so, "runtime", s.runtime);
        put_opt(so, "deadline", s.deadline);
        put_opt(so, "period", s.period);
        o["scheduler"] = std::move(so);
    }
    if (p.io_priority)
        o["ioPriority"] = {{"class", p.io_priority->klass}, {"priority", p.io_priority->priority}};
    return o;
}

oj mount(const Mount& m) {
    oj o = {{"destination", m.destination}};
    put_str(o, "type", m.type);
    put_str(o, "source", m.source);
    put_strs(o, "options", m.options);
    put_list(o, "uidMappings", m.uid_mappings, idmap);
    put_list(o, "gidMappings", m.gid_mappings, idmap);
    return o;
}

oj hook(const Hook& h) {
    oj o = {{"path", h.path}};
    put_strs(o, "args", h.args);
    put_strs(o, "env", h.env);
    put_opt(o, "timeout", h.timeout);
    return o;
}

oj hooks(const Hooks& h) {
    oj o = oj::object();
    put_list(o, "prestart", h.prestart, hook);
    put_list(o, "createRuntime", h.create_runtime, hook);
    put_list(o, "createContainer", h.create_container, hook);
    put_list(o, "startContainer", h.start_container, hook);
    put_list(o, "poststart", h.poststart, hook);
    put_list(o, "poststop", h.poststop, hook);
    return o;
}

oj weight_device(const WeightDevice& d) {
    oj o = {{"major", d.major}, {"minor", d.minor}};
    put_opt(o, "weight", d.weight);
    put_opt(o, "leafWeight", d.leaf_weight);
    return o;
}

oj throttle_device(const ThrottleDevice& d) {
    return {{"major", d.major}, {"minor", d.minor}, {"rate", d.rate}};
}

oj resources(const Resources& r) {
    oj o = oj::object();
    put_list(o, "devices", r.devices, [](const DeviceRule& d) {
        oj x = {{"allow", d.allow}};
        put_str(x, "type", d.type);
        put_opt(x, "major", d.major);
        put_opt(x, "minor", d.minor);
        put_str(x, "access", d.access);
        return x;
    });
    if (r.memory) {
        const Memory& m = *r.memory;
        oj x = oj::object();
        put_opt(x, "limit", m.limit);
        put_opt(x, "reservation", m.reservation);
        put_opt(x, "swap", m.swap);
        put_opt(x, "kernel", m.kernel);
        put_opt(x, "kernelTCP", m.kernel_tcp);
        put_opt(x, "swappiness", m.swappiness);
        put_opt(x, "disableOOMKiller", m.disable_oom_killer);
        put_opt(x, "useHierarchy", m.use_hierarchy);
        put_opt(x, "checkBeforeUpdate", m.check_before_update);
        o["memory"] = std::move(x);
    }
    if (r.cpu) {
        const Cpu& c = *r.cpu;
        oj x = oj::object();
        put_opt(x, "shares", c.shares);
        put_opt(x, "quota", c.quota);
        put_opt(x, "burst", c.burst);
        put_opt(x, "period", c.period);
        put_opt(x, "realtimeRuntime", c.realtime_runtime);
        put_opt(x, "realtimePeriod", c.realtime_period);
        put_str(x, "cpus", c.cpus);
        put_str(x, "mems", c.mems);
        if (c.idle) x["idle"] = *c.idle ? 1 : 0; // an integer in the spec
        o["cpu"] = std::move(x);
    }
    if (r.pids) o["pids"] = {{"limit", r.pids->limit}};
    if (r.block_io) {
        const BlockIO& b = *r.block_io;
        oj x = oj::object();
        put_opt(x, "weight", b.weight);
        put_opt(x, "leafWeight", b.leaf_weight);
        put_list(x, "weightDevice", b.weight_device, weight_device);
        put_list(x, "throttleReadBpsDevice", b.throttle_read_bps_device, throttle_device);
        put_list(x, "throttleWriteBpsDevice", b.throttle_write_bps_device, throttle_device);
        put_list(x, "throttleReadIOPSDevice", b.throttle_read_iops_device, throttle_device);
        put_list(x, "throttleWriteIOPSDevice", b.throttle_write_iops_device, throttle_device);
        o["blockIO"] = std::move(x);
    }
    put_list(o, "hugepageLimits", r.hugepage_limits, [](const HugepageLimit& h) {
        return oj{{"pageSize", h.page_size}, {"limit", h.limit}};
    });
    if (r.network) {
        oj x = oj::object();
        put_opt(x, "classID", r.network->class_id);
        put_list(x, "priorities", r.network->priorities, [](const NetworkPriority& p) {
            return oj{{"name", p.name}, {"priority", p.priority}};
        });
        o["network"] = std::move(x);
    }
    if (!r.rdma.empty()) {
        oj x = oj::object();
        for (const auto& [name, rd] : r.rdma) {
            oj y = oj::object();
            put_opt(y, "hcaHandles", rd.hca_handles);
            put_opt(y, "hcaObjects", rd.hca_objects);
            x[name] = std::move(y);
        }
        o["rdma"] = std::move(x);
    }
    if (!r.unified.empty()) o["unified"] = r.unified;
    return o;
}

oj seccomp(const Seccomp& s) {
    oj o = {{"defaultAction", s.default_action}};
    put_opt(o, "defaultErrnoRet", s.default_errno_ret);
    put_strs(o, "architectures", s.architectures);
    put_strs(o, "flags", s.flags);
    put_str(o, "listenerPath", s.listener_path);
    put_str(o, "listenerMetadata", s.listener_metadata);
    put_list(o, "syscalls", s.syscalls, [](const SeccompSyscall& c) {
        oj x = {{"names", c.names}, {"action", c.action}};
        put_opt(x, "errnoRet", c.errno_ret);
        put_list(x, "args", c.args, [](const SeccompArg& a) {
            oj y = {{"index", a.index}, {"value", a.value}};
            if (a.value_two) y["valueTwo"] = a.value_two;
            y["op"] = a.op;
            return y;
        });
        return x;
    });
    return o;
}

oj linux_section(const Linux& l) {
    oj o = oj::object();
    put_list(o, "uidMappings", l.uid_mappings, idmap);
    put_list(o, "gidMappings", l.gid_mappings, idmap);
    if (!l.time_offsets.empty()) {
        oj x = oj::object();
        for (const auto& [clock, off] : l.time_offsets)
            x[clock] = {{"secs", off.secs}, {"nanosecs", off.nanosecs}};
        o["timeOffsets"] = std::move(x);
    }
    if (!l.sysctl.empty()) o["sysctl"] = l.sysctl;
    if (l.resources) o["resources"] = resources(*l.resources);
    put_opt(o, "cgroupsPath", l.cgroups_path);
    put_list(o, "namespaces", l.namespaces, [](const Namespace& n) {
        oj x = {{"type", n.type}};
        put_str(x, "path", n.path);
        return x;
    });
    put_list(o, "devices", l.devices, [](const Device& d) {
        oj x = {{"type", d.type}, {"path", d.path}, {"major", d.major}, {"minor", d.minor}};
        put_opt(x, "fileMode", d.file_mode);
        put_opt(x, "uid", d.uid);
        put_opt(x, "gid", d.gid);
        return x;
    });
    if (l.seccomp) o["seccomp"] = seccomp(*l.seccomp);
    put_str(o, "rootfsPropagation", l.rootfs_propagation);
    put_strs(o, "maskedPaths", l.masked_paths);
    put_strs(o, "readonlyPaths", l.readonly_paths);
    put_str(o, "mountLabel", l.mount_label);
    if (l.intel_rdt) {
        oj x = oj::object();
        put_str(x, "closID", l.intel_rdt->clos_id);
        put_str(x, "l3CacheSchema", l.intel_rdt->l3_cache_schema);
        put_str(x, "memBwSchema", l.intel_rdt->mem_bw_schema);
        o["intelRdt"] = std::move(x);
    }
    if (l.personality) {
        oj x = {{"domain", l.personality->domain}};
        put_strs(x, "flags", l.personality->flags);
        o["personality"] = std::move(x);
    }
    return o;
}

} // namespace

std::string dump_spec(const Spec& spec, int indent) {
    oj o = {{"ociVersion", spec.oci_version}};
    if (spec.process) o["process"] = process(*spec.process);
    o["root"] = {{"path", spec.root.path}};
    if (spec.root.readonly) o["root"]["readonly"] = true;
    put_str(o, "hostname", spec.hostname);
    put_str(o, "domainname", spec.domainname);
    put_list(o, "mounts", spec.mounts, mount);
    if (spec.hooks) o["hooks"] = hooks(*spec.hooks);
    if (!spec.annotations.empty()) o["annotations"] = spec.annotations;
    if (spec.linux_) o["linux"] = linux_section(*spec.linux_);
    return o.dump(indent);
}

} // namespace skiff::oci
