// The config.json `skiff-runtime spec` writes: the same container runc's `runc spec` describes,
// so bundles made for either runtime behave alike.
#include <unistd.h>

#include "skiff/oci/spec.hpp"
#include "skiff/oci/state.hpp"

namespace skiff::oci {

Spec default_spec(bool rootless) {
    Spec s;
    s.oci_version = kSpecVersion;

    Process p;
    p.terminal = true;
    p.args = {"sh"};
    p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
    p.cwd = "/";
    const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    p.capabilities = Capabilities{caps, caps, std::nullopt, caps, caps};
    p.rlimits = {{"RLIMIT_NOFILE", 1024, 1024}};
    p.no_new_privileges = true;
    s.process = std::move(p);

    s.root = {"rootfs", true};
    s.hostname = "skiff";

    std::vector<std::string> devpts_opts = {"nosuid",        "noexec",    "newinstance",
                                            "ptmxmode=0666", "mode=0620"};
    // Without a mapped gid 5 (tty) in a rootless user namespace, gid=5 would fail the mount.
    if (!rootless) devpts_opts.push_back("gid=5");
    s.mounts = {
        {"/proc", "proc", "proc", {}, {}, {}},
        {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}, {}, {}},
        {"/dev/pts", "devpts", "devpts", devpts_opts, {}, {}},
        {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}, {}, {}},
        {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}, {}, {}},
        // sysfs can only be mounted fresh in a network namespace the mounter owns; rootless
        // containers keep the host's, so they bind the host's /sys instead.
        rootless ? Mount{"/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}, {}, {}}
                 : Mount{"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}, {}, {}},
        {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}, {}, {}},
    };

    Linux l;
    if (rootless) {
        l.namespaces = {{"pid", ""}, {"ipc", ""}, {"uts", ""}, {"mount", ""}, {"user", ""}};
        l.uid_mappings = {{0, static_cast<uint32_t>(::geteuid()), 1}};
        l.gid_mappings = {{0, static_cast<uint32_t>(::getegid()), 1}};
    } else {
        l.namespaces = {{"pid", ""}, {"network", ""}, {"ipc", ""}, {"uts", ""}, {"mount", ""}};
        Resources r;
        r.devices = {{false, "", std::nullopt, std::nullopt, "rwm"}};
        l.resources = std::move(r);
    }
    l.masked_paths = {"/proc/acpi",          "/proc/asound",     "/proc/kcore",
                      "/proc/keys",          "/proc/latency_stats", "/proc/timer_list",
                      "/proc/timer_stats",   "/proc/sched_debug", "/sys/firmware",
                      "/proc/scsi"};
    l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
    s.linux_ = std::move(l);
    return s;
}

} // namespace skiff::oci
