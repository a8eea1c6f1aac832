// Spec mounts with real options, checked from inside the container after pivot_root.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace skiff;
using namespace skiff::test;

namespace {

oci::Spec minimal_spec(std::vector<oci::Mount> extra) {
    oci::Spec s;
    s.root.path = "rootfs";
    oci::Linux l;
    for (const char* t : {"pid", "mount", "ipc", "uts", "network"}) l.namespaces.push_back({t, ""});
    s.linux_ = l;
    s.mounts = {mount("/proc", "proc", "proc", {}),
                mount("/dev", "tmpfs", "tmpfs", {"nosuid", "mode=755"})};
    for (auto& m : extra) s.mounts.push_back(std::move(m));
    return s;
}

runtime::linux::RootfsOptions options_for(const Bundle& b) {
    runtime::linux::RootfsOptions o;
    o.bundle = b.dir();
    o.rootfs = b.rootfs();
    return o;
}

ChildResult run(const Bundle& b, const oci::Spec& spec, const std::function<std::string()>& check,
                const std::function<void()>& before = {}) {
    auto opts = options_for(b);
    return run_in_namespaces([&]() -> std::string {
        if (before) before();
        if (auto err = setup_container(spec, opts); !err.empty()) return err;
        return check();
    });
}

} // namespace

TEST_CASE("tmpfs with per-mount flags, atime modes and data") {
    SKIFF_NEED_ROOT();
    Bundle b;
    auto spec = minimal_spec({
        mount("/a", "tmpfs", "tmpfs", {"ro", "nosuid", "nodev", "noexec", "noatime", "nodiratime", "size=1m", "mode=700"}),
        mount("/b", "tmpfs", "tmpfs", {"strictatime", "nosymfollow", "sync", "dirsync"}),
        mount("/c", "tmpfs", "tmpfs", {"relatime", "shared"}),
        mount("/d", "tmpfs", "tmpfs", {"unbindable"}),
        mount("/e", "tmpfs", "tmpfs", {}),
        mount("/e", "tmpfs", "", {"remount", "ro", "nosuid"}),
    });
    auto r = run(b, spec, []() -> std::string {
        auto mi = mountinfo();
        const auto* a = find_mount(mi, "/a");
        EXPECT_IN_CHILD(a, "/a missing");
        for (const char* o : {"ro", "nosuid", "nodev", "noexec", "noatime", "nodiratime"})
            EXPECT_IN_CHILD(has_option(a->options, o), std::string("/a lacks ") + o + ": " + a->options);
        EXPECT_IN_CHILD(has_option(a->super_options, "size=1024k") && has_option(a->super_options, "mode=700"),
                        "/a data: " + a->super_options);
        const auto* bm = find_mount(mi, "/b");
        EXPECT_IN_CHILD(bm && has_option(bm->options, "nosymfollow"), "/b nosymfollow: " + bm->options);
        EXPECT_IN_CHILD(!has_option(bm->options, "relatime") && !has_option(bm->options, "noatime"),
                        "/b not strictatime: " + bm->options);
        EXPECT_IN_CHILD(has_option(bm->super_options, "sync") && has_option(bm->super_options, "dirsync"),
                        "/b sync,dirsync: " + bm->super_options);
        const auto* c = find_mount(mi, "/c");
        EXPECT_IN_CHILD(c && has_option(c->options, "relatime"), "/c relatime");
        EXPECT_IN_CHILD(c->optional.find("shared:") != std::string::npos, "/c not shared: " + c->optional);
        const auto* d = find_mount(mi, "/d");
        EXPECT_IN_CHILD(d && d->optional.find("unbindable") != std::string::npos, "/d not unbindable");
        const auto* e = find_mount(mi, "/e");
        EXPECT_IN_CHILD(e && has_option(e->options, "ro") && has_option(e->options, "nosuid"),
                        "/e not remounted ro,nosuid: " + (e ? e->options : ""));
        EXPECT_IN_CHILD(mkdir("/a/x", 0) != 0 && errno == EROFS, "/a writable");
        return {};
    });
    INFO(r.output);
    CHECK(r.output.empty());
}

TEST_CASE("bind mounts: read-only dir (relative source), file, rbind with rro vs ro, propagation") {
    SKIFF_NEED_ROOT();
    Bundle b;
    b.mkdir("src");
    b.write("src/hello", "hi\n");
    b.write("hosts.txt", "127.0.0.1 skiff\n");
    b.mkdir("tree");
    b.mkdir("tree/sub");
    auto spec = minimal_spec({
        mount("/mnt/ro", "bind", "src", {"bind", "ro"}),
        mount("/etc/hosts", "bind", b.dir() + "/hosts.txt", {"bind", "ro", "nosuid"}),
        mount("/mnt/rro", "none", b.dir() + "/tree", {"rbind", "rro", "rprivate"}),
        mount("/mnt/ro-top", "none", b.dir() + "/tree", {"rbind", "ro", "rslave"}),
        mount("/mnt/rw", "bind", b.dir() + "/src", {"rbind", "rw", "nosymfollow"}),
    });
    const std::string sub = b.dir() + "/tree/sub";
    auto r = run(
        b, spec,
        []() -> std::string {
            auto mi = mountinfo();
            EXPECT_IN_CHILD(read_file("/mnt/ro/hello") == "hi\n", "bind content missing");
            int fd = open("/mnt/ro/new", O_CREAT | O_WRONLY, 0644);
            EXPECT_IN_CHILD(fd < 0 && errno == EROFS, "ro bind writable: " + errno_name(errno));
            struct stat st{};
            EXPECT_IN_CHILD(stat("/etc/hosts", &st) == 0 && S_ISREG(st.st_mode), "/etc/hosts not a file");
            EXPECT_IN_CHILD(read_file("/etc/hosts") == "127.0.0.1 skiff\n", "file bind content");
            const auto* hosts = find_mount(mi, "/etc/hosts");
            EXPECT_IN_CHILD(hosts && has_option(hosts->options, "ro") && has_option(hosts->options, "nosuid"),
                            "/etc/hosts flags");
            const auto* rro_sub = find_mount(mi, "/mnt/rro/sub");
            EXPECT_IN_CHILD(rro_sub && has_option(rro_sub->options, "ro"), "rro did not reach the submount");
            EXPECT_IN_CHILD(rro_sub->optional.find("shared") == std::string::npos, "rprivate not applied");
            const auto* top = find_mount(mi, "/mnt/ro-top");
            const auto* top_sub = find_mount(mi, "/mnt/ro-top/sub");
            EXPECT_IN_CHILD(top && has_option(top->options, "ro"), "ro bind top not ro");
            EXPECT_IN_CHILD(top_sub && has_option(top_sub->options, "rw"), "plain ro is recursive");
            const auto* rw = find_mount(mi, "/mnt/rw");
            EXPECT_IN_CHILD(rw && has_option(rw->options, "rw") && has_option(rw->options, "nosymfollow"),
                            "/mnt/rw: " + (rw ? rw->options : ""));
            return {};
        },
        [sub]() {
            // A submount inside the bind source, in this child's mount namespace only.
            mount("tmpfs", sub.c_str(), "tmpfs", 0, nullptr);
            mount(nullptr, sub.c_str(), nullptr, MS_SHARED, nullptr);
        });
    INFO(r.output);
    CHECK(r.output.empty());
}

TEST_CASE("tmpcopyup copies the covered directory into the tmpfs, keeping owners and links") {
    SKIFF_NEED_ROOT();
    Bundle b;
    b.mkdir("rootfs/data");
    b.mkdir("rootfs/data/dir");
    b.write("rootfs/data/file", "payload");
    b.write("rootfs/data/dir/inner", "inner");
    b.symlink("file", "rootfs/data/link");
    REQUIRE(chown((b.rootfs() + "/data/file").c_str(), 123, 456) == 0);
    REQUIRE(chmod((b.rootfs() + "/data/file").c_str(), 0640) == 0);
    auto spec = minimal_spec({mount("/data", "tmpfs", "tmpfs", {"tmpcopyup", "mode=755", "ro"})});
    auto r = run(b, spec, []() -> std::string {
        auto mi = mountinfo();
        const auto* d = find_mount(mi, "/data");
        EXPECT_IN_CHILD(d && d->fstype == "tmpfs" && has_option(d->options, "ro"), "/data not a ro tmpfs");
        EXPECT_IN_CHILD(read_file("/data/file") == "payload", "file not copied");
        EXPECT_IN_CHILD(read_file("/data/dir/inner") == "inner", "subdir not copied");
        EXPECT_IN_CHILD(read_file("/data/link") == "payload", "symlink not copied");
        struct stat st{};
        EXPECT_IN_CHILD(stat("/data/file", &st) == 0 && st.st_uid == 123 && st.st_gid == 456 &&
                            (st.st_mode & 0777) == 0640,
                        "owner/mode not kept");
        return {};
    });
    INFO(r.output);
    CHECK(r.output.empty());
}

TEST_CASE("a read-only /dev tmpfs still gets its devices, then turns read-only") {
    SKIFF_NEED_ROOT();
    Bundle b;
    auto spec = minimal_spec({});
    spec.mounts[1].options = {"nosuid", "mode=755", "ro"};
    auto r = run(b, spec, []() -> std::string {
        struct stat st{};
        EXPECT_IN_CHILD(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null missing");
        auto mi = mountinfo();
        const auto* dev = find_mount(mi, "/dev");
        EXPECT_IN_CHILD(dev && has_option(dev->options, "ro"), "/dev not ro");
        return {};
    });
    INFO(r.output);
    CHECK(r.output.empty());
}

TEST_CASE("--no-pivot: move mount and chroot") {
    SKIFF_NEED_ROOT();
    Bundle b;
    auto spec = minimal_spec({});
    auto opts = options_for(b);
    opts.no_pivot = true;
    auto r = run_in_namespaces([&]() -> std::string {
        if (auto err = setup_container(spec, opts); !err.empty()) return err;
        EXPECT_IN_CHILD(access("/bin/busybox", X_OK) == 0, "not in the rootfs");
        EXPECT_IN_CHILD(access("/work", F_OK) != 0, "host visible");
        auto mi = mountinfo();
        EXPECT_IN_CHILD(find_mount(mi, "/proc") && find_mount(mi, "/dev"), "mounts missing");
        return {};
    });
    INFO(r.output);
    CHECK(r.output.empty());
}

TEST_CASE("cgroup mount without a cgroup namespace binds the container's own cgroups") {
    SKIFF_NEED_ROOT();
    Bundle b;
    auto spec = minimal_spec({mount("/sys", "sysfs", "sysfs", {"nosuid", "ro"}),
                              mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "ro"})});
    std::string own = read_file("/proc/self/cgroup");
    auto r = run(b, spec, []() -> std::string {
        auto mi = mountinfo();
        const auto* cg = find_mount(mi, "/sys/fs/cgroup");
        EXPECT_IN_CHILD(cg && has_option(cg->options, "ro"), "/sys/fs/cgroup not ro");
        bool any = false;
        for (const auto& m : mi) {
            if (m.mount_point.rfind("/sys/fs/cgroup/", 0) != 0) continue;
            any = true;
            EXPECT_IN_CHILD(has_option(m.options, "ro"), m.mount_point + " not ro");
            EXPECT_IN_CHILD(m.fstype == "cgroup" || m.fstype == "cgroup2", m.mount_point + ": " + m.fstype);
        }
        EXPECT_IN_CHILD(any, "no hierarchies under /sys/fs/cgroup");
        return {};
    });
    INFO(r.output);
    CHECK(r.output.empty());
}
