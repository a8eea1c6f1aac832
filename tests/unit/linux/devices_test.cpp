// linux.devices and /dev/console: nodes with the right type, numbers, mode and owner; binds of
// the host's nodes inside a user namespace, where mknod is not permitted.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace skiff;
using namespace skiff::test;

namespace {

oci::Device device(std::string type, std::string path, int64_t major, int64_t minor,
                   std::optional<uint32_t> mode = {}, std::optional<uint32_t> uid = {},
                   std::optional<uint32_t> gid = {}) {
    oci::Device d;
    d.type = std::move(type);
    d.path = std::move(path);
    d.major = major;
    d.minor = minor;
    d.file_mode = mode;
    d.uid = uid;
    d.gid = gid;
    return d;
}

oci::Spec dev_spec() {
    oci::Spec s;
    s.root.path = "rootfs";
    oci::Linux l;
    for (const char* t : {"pid", "mount"}) l.namespaces.push_back({t, ""});
    s.linux_ = l;
    s.mounts = {mount("/proc", "proc", "proc", {}), mount("/dev", "tmpfs", "tmpfs", {"mode=755"}),
                mount("/dev/pts", "devpts", "devpts", {"newinstance", "ptmxmode=0666", "mode=0620"})};
    return s;
}

std::string expect_node(const char* path, mode_t type, unsigned ma, unsigned mi, mode_t perm,
                        uid_t uid, gid_t gid) {
    struct stat st{};
    if (lstat(path, &st) != 0) return std::string(path) + ": missing";
    if ((st.st_mode & S_IFMT) != type) return std::string(path) + ": wrong type";
    if (type != S_IFIFO && (major(st.st_rdev) != ma || minor(st.st_rdev) != mi))
        return std::string(path) + ": wrong numbers";
    if ((st.st_mode & 07777) != perm) return std::string(path) + ": mode " + std::to_string(st.st_mode & 07777);
    if (st.st_uid != uid || st.st_gid != gid) return std::string(path) + ": wrong owner";
    return {};
}

} // namespace

TEST_CASE("linux.devices: char, block, fifo, nested paths, owners, overriding a default") {
    SKIFF_NEED_ROOT();
    Bundle b;
    auto spec = dev_spec();
    spec.linux_->devices = {
        device("c", "/dev/fuse", 10, 229, 0620, 1000, 1001),
        device("u", "/dev/net/tun", 10, 200, 0600),
        device("b", "/dev/loop-test", 7, 0),
        device("p", "/dev/fifo-test", 0, 0, 0640),
        device("c", "/dev/null", 1, 3, 0600),
    };
    runtime::linux::RootfsOptions o;
    o.bundle = b.dir();
    o.rootfs = b.rootfs();
    auto r = run_in_namespaces([&]() -> std::string {
        if (auto err = setup_container(spec, o); !err.empty()) return err;
        for (auto e : {expect_node("/dev/fuse", S_IFCHR, 10, 229, 0620, 1000, 1001),
                       expect_node("/dev/net/tun", S_IFCHR, 10, 200, 0600, 0, 0),
                       expect_node("/dev/loop-test", S_IFBLK, 7, 0, 0666, 0, 0),
                       expect_node("/dev/fifo-test", S_IFIFO, 0, 0, 0640, 0, 0),
                       expect_node("/dev/null", S_IFCHR, 1, 3, 0600, 0, 0),
                       expect_node("/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0)})
            if (!e.empty()) return e;
        return {};
    });
    INFO(r.output);
    CHECK(r.output.empty());
}

TEST_CASE("linux.devices: bad entries are errors naming the field") {
    SKIFF_NEED_ROOT();
    Bundle b;
    runtime::linux::RootfsOptions o;
    o.bundle = b.dir();
    o.rootfs = b.rootfs();
    for (auto [dev, want] :
         {std::pair{device("x", "/dev/a", 1, 1), "linux.devices[0].type: unknown device type \"x\""},
          std::pair{device("c", "dev/a", 1, 1), "linux.devices[0].path: must be an absolute path, got \"dev/a\""}}) {
        auto spec = dev_spec();
        spec.linux_->devices = {dev};
        auto r = run_in_namespaces([&]() -> std::string {
            auto p = runtime::linux::prepare_rootfs(spec, o);
            return p ? "succeeded" : p.error().message;
        });
        CHECK(r.output == want);
    }
}

TEST_CASE("in a user namespace devices are binds of the host's nodes") {
    SKIFF_NEED_ROOT();
    Bundle b;
    auto spec = dev_spec();
    spec.linux_->namespaces.push_back({"user", ""});
    spec.linux_->uid_mappings = {{0, 100000, 65536}};
    spec.linux_->gid_mappings = {{0, 100000, 65536}};
    spec.mounts[2].options.push_back("gid=5");
    runtime::linux::RootfsOptions o;
    o.bundle = b.dir();
    o.rootfs = b.rootfs();
    auto r = run_in_namespaces(
        [&]() -> std::string {
            if (auto err = setup_container(spec, o); !err.empty()) return err;
            EXPECT_IN_CHILD(getuid() == 0, "not root in the user namespace");
            EXPECT_IN_CHILD(read_file("/proc/self/uid_map").find("100000") != std::string::npos,
                            "uid_map: " + read_file("/proc/self/uid_map"));
            // As root in a user namespace created by root, setgroups stays allowed.
            EXPECT_IN_CHILD(read_file("/proc/self/setgroups") == "allow\n", "setgroups denied");
            struct stat st{};
            EXPECT_IN_CHILD(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) &&
                                st.st_rdev == makedev(1, 3),
                            "/dev/null not the host's node");
            auto mi = mountinfo();
            EXPECT_IN_CHILD(find_mount(mi, "/dev/null") != nullptr, "/dev/null is not a bind mount");
            int fd = open("/dev/null", O_WRONLY);
            EXPECT_IN_CHILD(fd >= 0 && write(fd, "x", 1) == 1, "/dev/null not usable");
            return {};
        },
        CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID, &*spec.linux_);
    INFO(r.output);
    CHECK(r.output.empty());
}

TEST_CASE("console: the pty slave is bound on /dev/console") {
    SKIFF_NEED_ROOT();
    Bundle b;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(grantpt(master) == 0);
    REQUIRE(unlockpt(master) == 0);
    std::string slave = ptsname(master);
    struct stat pty{};
    REQUIRE(stat(slave.c_str(), &pty) == 0);
    auto spec = dev_spec();
    runtime::linux::RootfsOptions o;
    o.bundle = b.dir();
    o.rootfs = b.rootfs();
    o.console_path = slave;
    auto r = run_in_namespaces([&]() -> std::string {
        if (auto err = setup_container(spec, o); !err.empty()) return err;
        struct stat st{};
        EXPECT_IN_CHILD(stat("/dev/console", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == pty.st_rdev,
                        "/dev/console is not the pty");
        int fd = open("/dev/console", O_WRONLY | O_NOCTTY);
        EXPECT_IN_CHILD(fd >= 0 && write(fd, "hello", 5) == 5, "cannot write the console");
        return {};
    });
    char buf[16] = {};
    CHECK(read(master, buf, 5) == 5);
    CHECK(std::string(buf) == "hello");
    close(master);
    INFO(r.output);
    CHECK(r.output.empty());
}
