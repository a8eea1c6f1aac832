// Idmapped bind mounts, and cgroup mounts on a cgroup v2 host (simulated in a private mount
// namespace by putting a cgroup2 mount at /sys/fs/cgroup).
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>

#include "harness.hpp"

using namespace skiff;
using namespace skiff::test;

namespace {

oci::Spec base_spec(std::vector<const char*> ns) {
    oci::Spec s;
    s.root.path = "rootfs";
    oci::Linux l;
    for (auto t : ns)
        l.namespaces.push_back({t, ""});
    s.linux_ = l;
    s.mounts = {mount("/proc", "proc", "proc", {}), mount("/dev", "tmpfs", "tmpfs", {"mode=755"})};
    return s;
}

runtime::linux::RootfsOptions options_for(const Bundle& b) {
    runtime::linux::RootfsOptions o;
    o.bundle = b.dir();
    o.rootfs = b.rootfs();
    return o;
}

} // namespace

TEST_CASE("idmap: files of the source appear with the mount's mapping") {
    SKIFF_NEED_ROOT();
    Bundle b;
    b.mkdir("owned");
    b.write("owned/f", "x");
    REQUIRE(chown((b.dir() + "/owned/f").c_str(), 0, 0) == 0);
    auto spec = base_spec({"pid", "mount"});
    auto m = mount("/mapped", "bind", b.dir() + "/owned", {"bind", "idmap", "ro"});
    m.uid_mappings = {{0, 1234, 1}};
    m.gid_mappings = {{0, 4321, 1}};
    spec.mounts.push_back(m);
    auto r = run_in_namespaces([&]() -> std::string {
        if (auto err = setup_container(spec, options_for(b)); !err.empty()) return err;
        struct stat st{};
        EXPECT_IN_CHILD(stat("/mapped/f", &st) == 0, "missing");
        EXPECT_IN_CHILD(st.st_uid == 1234 && st.st_gid == 4321,
                        "owner " + std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid));
        auto mi = mountinfo();
        const auto* mm = find_mount(mi, "/mapped");
        EXPECT_IN_CHILD(mm && has_option(mm->options, "idmapped") && has_option(mm->options, "ro"),
                        "mountinfo: " + (mm ? mm->options : ""));
        return {};
    });
    INFO(r.output);
    CHECK(r.output.empty());
    struct stat host{};
    REQUIRE(stat((b.dir() + "/owned/f").c_str(), &host) == 0);
    CHECK(host.st_uid == 0);
}

TEST_CASE("idmap: the parent makes the tree for a container in a user namespace") {
    SKIFF_NEED_ROOT();
    Bundle b;
    b.mkdir("owned");
    b.write("owned/f", "x");
    REQUIRE(chown((b.dir() + "/owned/f").c_str(), 0, 0) == 0);
    b.mkdir("rootfs/mapped"); // the container's root may not create it in a root-owned image
    auto spec = base_spec({"pid", "mount", "user"});
    spec.linux_->uid_mappings = {{0, 100000, 65536}};
    spec.linux_->gid_mappings = {{0, 100000, 65536}};
    spec.mounts.push_back(mount("/mapped", "bind", b.dir() + "/owned", {"rbind", "ridmap"}));
    // Without the parent's help the container cannot idmap (no CAP_SYS_ADMIN over ext4).
    auto alone = run_in_namespaces(
        [&]() -> std::string {
            auto p = runtime::linux::prepare_rootfs(spec, options_for(b));
            return p ? "succeeded" : p.error().message;
        },
        CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID, &*spec.linux_);
    CHECK(alone.output.find("mount_setattr idmap: EPERM") != std::string::npos);

    // The parent side: a user namespace with the container's maps, the tree made there.
    struct Parked {
        pid_t pid;
        ~Parked() {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    } user{fork()};
    if (user.pid == 0) {
        unshare(CLONE_NEWUSER);
        pause();
        _exit(0);
    }
    // The maps are written once the child's unshare has made its user namespace: poll for it.
    auto ns_of = [](const std::string& pid) {
        char buf[64] = {};
        ssize_t n = readlink(("/proc/" + pid + "/ns/user").c_str(), buf, sizeof buf - 1);
        return n > 0 ? std::string(buf, size_t(n)) : std::string();
    };
    const std::string own_ns = ns_of("self");
    for (int i = 0; i < 2000 && ns_of(std::to_string(user.pid)) == own_ns; ++i) usleep(5000);
    REQUIRE(ns_of(std::to_string(user.pid)) != own_ns);
    REQUIRE(runtime::linux::write_id_mappings_from_parent(user.pid, *spec.linux_).ok());
    auto fds = runtime::linux::open_idmapped_mounts_from_parent("/proc/" + std::to_string(user.pid) + "/ns/user", spec, b.dir());
    INFO((fds.ok() ? "" : fds.error().message));
    REQUIRE(fds.ok());
    REQUIRE(fds->size() == 1);
    auto opts = options_for(b);
    opts.idmapped_mounts = *fds;
    auto r = run_in_namespaces(
        [&]() -> std::string {
            if (auto err = setup_container(spec, opts); !err.empty()) return err;
            struct stat st{};
            EXPECT_IN_CHILD(stat("/mapped/f", &st) == 0, "missing");
            // Owned by host root on disk, which the container's user namespace does not map
            // (it would show as 65534); through the idmap it is the container's root.
            EXPECT_IN_CHILD(st.st_uid == 0 && st.st_gid == 0,
                            "owner " + std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid));
            struct stat plain{};
            EXPECT_IN_CHILD(stat("/bin/busybox", &plain) == 0 && plain.st_uid == 65534,
                            "unmapped file not shown as nobody");
            return {};
        },
        CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID, &*spec.linux_);
    for (auto [i, fd] : *fds)
        close(fd);
    INFO(r.output);
    CHECK(r.output.empty());
}

TEST_CASE("cgroup mount on a cgroup v2 host: cgroup2 itself, ro") {
    SKIFF_NEED_ROOT();
    Bundle b;
    auto spec = base_spec({"pid", "mount", "cgroup"});
    spec.mounts.push_back(mount("/sys", "sysfs", "sysfs", {"nosuid", "ro"}));
    spec.mounts.push_back(
        mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "nodev", "noexec", "ro"}));
    auto r = run_in_namespaces(
        [&]() -> std::string {
            // This child's mount namespace looks like a v2-only host.
            umount2("/sys/fs/cgroup", MNT_DETACH);
            if (mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, nullptr) != 0)
                return "cannot mount cgroup2";
            if (auto err = setup_container(spec, options_for(b)); !err.empty()) return err;
            auto mi = mountinfo();
            const auto* cg = find_mount(mi, "/sys/fs/cgroup");
            EXPECT_IN_CHILD(cg && cg->fstype == "cgroup2",
                            "not cgroup2: " + (cg ? cg->fstype : ""));
            EXPECT_IN_CHILD(has_option(cg->options, "ro") && has_option(cg->options, "nosuid"),
                            cg->options);
            EXPECT_IN_CHILD(access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0,
                            "no cgroup.controllers");
            return {};
        },
        kDefaultFlags);
    INFO(r.output);
    CHECK(r.output.empty());
}
