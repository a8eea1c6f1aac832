// runc's default config.json on a busybox rootfs: the mounts, devices, masked and read-only
// paths a container sees, checked from inside after the real pivot_root.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace skiff;
using namespace skiff::test;

namespace {

runtime::linux::RootfsOptions options_for(const Bundle& b) {
    runtime::linux::RootfsOptions o;
    o.bundle = b.dir();
    o.rootfs = b.rootfs();
    return o;
}

std::string check_device(const char* path, unsigned major, unsigned minor) {
    struct stat st{};
    if (lstat(path, &st) != 0) return std::string(path) + ": missing";
    if (!S_ISCHR(st.st_mode)) return std::string(path) + ": not a char device";
    if (::major(st.st_rdev) != major || ::minor(st.st_rdev) != minor)
        return std::string(path) + ": wrong major/minor " + std::to_string(::major(st.st_rdev)) +
               ":" + std::to_string(::minor(st.st_rdev));
    if ((st.st_mode & 07777) != 0666) return std::string(path) + ": mode not 0666";
    return {};
}

std::string check_link(const char* path, const char* target) {
    char buf[256];
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    if (n < 0) return std::string(path) + ": not a symlink";
    buf[n] = 0;
    if (std::string(buf) != target) return std::string(path) + " -> " + buf + ", want " + target;
    return {};
}

} // namespace

TEST_CASE("runc's default config: mounts, devices, masks, read-only paths, pivot") {
    SKIFF_NEED_ROOT();
    Bundle b;
    auto spec = runc_default_spec();
    auto opts = options_for(b);
    auto r = run_in_namespaces([&]() -> std::string {
        if (auto err = setup_container(spec, opts); !err.empty()) return err;
        auto mi = mountinfo();
        // The old root is gone: every mount is one of the container's.
        EXPECT_IN_CHILD(find_mount(mi, "/") != nullptr, "no / mount");
        for (const auto& m : mi)
            EXPECT_IN_CHILD(m.mount_point.rfind("/tmp/skiff-linux-test", 0) != 0 &&
                                m.mount_point != "/work",
                            "host mount visible: " + m.mount_point);
        EXPECT_IN_CHILD(access("/bin/busybox", X_OK) == 0, "busybox missing after pivot");
        EXPECT_IN_CHILD(access("/work", F_OK) != 0, "host /work visible");
        EXPECT_IN_CHILD(getpid() == 1, "not pid 1");

        const auto* proc = find_mount(mi, "/proc");
        EXPECT_IN_CHILD(proc && proc->fstype == "proc", "/proc is not procfs");
        const auto* dev = find_mount(mi, "/dev");
        EXPECT_IN_CHILD(dev && dev->fstype == "tmpfs", "/dev is not tmpfs");
        EXPECT_IN_CHILD(has_option(dev->options, "nosuid"), "/dev not nosuid: " + dev->options);
        EXPECT_IN_CHILD(has_option(dev->super_options, "mode=755"), "/dev mode: " + dev->super_options);
        EXPECT_IN_CHILD(has_option(dev->super_options, "size=65536k"), "/dev size: " + dev->super_options);
        const auto* pts = find_mount(mi, "/dev/pts");
        EXPECT_IN_CHILD(pts && pts->fstype == "devpts", "/dev/pts is not devpts");
        EXPECT_IN_CHILD(has_option(pts->options, "noexec") && has_option(pts->options, "nosuid"),
                        "/dev/pts options: " + pts->options);
        EXPECT_IN_CHILD(has_option(pts->super_options, "ptmxmode=666") &&
                            has_option(pts->super_options, "gid=5"),
                        "/dev/pts data: " + pts->super_options);
        const auto* shm = find_mount(mi, "/dev/shm");
        EXPECT_IN_CHILD(shm && shm->fstype == "tmpfs" && has_option(shm->options, "nodev") &&
                            has_option(shm->options, "noexec"),
                        "/dev/shm wrong");
        struct stat shm_st{};
        EXPECT_IN_CHILD(stat("/dev/shm", &shm_st) == 0 && (shm_st.st_mode & 07777) == 01777,
                        "/dev/shm mode"); // tmpfs lists mode= only when it is not 1777
        const auto* mq = find_mount(mi, "/dev/mqueue");
        EXPECT_IN_CHILD(mq && mq->fstype == "mqueue", "/dev/mqueue is not mqueue");
        const auto* sys = find_mount(mi, "/sys");
        EXPECT_IN_CHILD(sys && sys->fstype == "sysfs" && has_option(sys->options, "ro"),
                        "/sys is not read-only sysfs");
        const auto* cg = find_mount(mi, "/sys/fs/cgroup");
        EXPECT_IN_CHILD(cg != nullptr, "/sys/fs/cgroup not mounted");
        EXPECT_IN_CHILD(has_option(cg->options, "ro"), "/sys/fs/cgroup not ro: " + cg->options);
        EXPECT_IN_CHILD(mkdir("/sys/fs/cgroup/x", 0755) != 0 && errno == EROFS,
                        "mkdir in /sys/fs/cgroup: " + errno_name(errno));

        for (auto [p, ma, mi2] : {std::tuple{"/dev/null", 1u, 3u}, std::tuple{"/dev/zero", 1u, 5u},
                                  std::tuple{"/dev/full", 1u, 7u}, std::tuple{"/dev/random", 1u, 8u},
                                  std::tuple{"/dev/urandom", 1u, 9u}, std::tuple{"/dev/tty", 5u, 0u}})
            if (auto e = check_device(p, ma, mi2); !e.empty()) return e;
        for (auto [p, t] : {std::pair{"/dev/ptmx", "pts/ptmx"}, std::pair{"/dev/fd", "/proc/self/fd"},
                            std::pair{"/dev/stdin", "/proc/self/fd/0"},
                            std::pair{"/dev/stdout", "/proc/self/fd/1"},
                            std::pair{"/dev/stderr", "/proc/self/fd/2"}})
            if (auto e = check_link(p, t); !e.empty()) return e;
        int fd = open("/dev/null", O_WRONLY);
        EXPECT_IN_CHILD(fd >= 0 && write(fd, "x", 1) == 1, "/dev/null not writable");
        close(fd);

        // Masked: a file reads as empty (it is /dev/null), a directory is an empty ro tmpfs.
        EXPECT_IN_CHILD(read_file("/proc/kcore").empty(), "/proc/kcore readable");
        struct stat st{};
        EXPECT_IN_CHILD(stat("/proc/keys", &st) == 0 && S_ISCHR(st.st_mode) &&
                            st.st_rdev == makedev(1, 3),
                        "/proc/keys not masked by /dev/null");
        const auto* fw = find_mount(mi, "/sys/firmware");
        EXPECT_IN_CHILD(fw && fw->fstype == "tmpfs" && has_option(fw->options, "ro"),
                        "/sys/firmware not masked");
        EXPECT_IN_CHILD(mkdir("/sys/firmware/x", 0755) != 0, "masked dir writable");

        // Read-only paths: EROFS on write, other flags of /proc kept.
        int w = open("/proc/sys/kernel/domainname", O_WRONLY);
        EXPECT_IN_CHILD(w < 0 && errno == EROFS, "/proc/sys writable: " + errno_name(errno));
        w = open("/proc/sysrq-trigger", O_WRONLY); // absent on kernels without MAGIC_SYSRQ
        EXPECT_IN_CHILD(w < 0 && (errno == EROFS || errno == ENOENT),
                        "/proc/sysrq-trigger: " + errno_name(errno));
        const auto* ps = find_mount(mi, "/proc/sys");
        EXPECT_IN_CHILD(ps && has_option(ps->options, "ro"), "/proc/sys not ro");

        // root.readonly, hostname.
        EXPECT_IN_CHILD(mkdir("/newdir", 0755) != 0 && errno == EROFS, "/ writable");
        EXPECT_IN_CHILD(mkdir("/dev/shm/ok", 0755) == 0, "/dev/shm not writable");
        struct utsname u{};
        uname(&u);
        EXPECT_IN_CHILD(std::string(u.nodename) == "runc", std::string("hostname ") + u.nodename);
        return {};
    });
    INFO(r.output);
    CHECK(r.output.empty());
    CHECK(WIFEXITED(r.status));
}
