// Bad specs and hostile images: clear errors naming the mount and syscall, nothing mounted
// when the options are wrong, and no mount ever landing outside the rootfs.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace skiff;
using namespace skiff::test;

namespace {

oci::Spec spec_with(std::vector<oci::Mount> mounts) {
    oci::Spec s;
    s.root.path = "rootfs";
    oci::Linux l;
    for (const char* t : {"pid", "mount"}) l.namespaces.push_back({t, ""});
    s.linux_ = l;
    s.mounts = std::move(mounts);
    return s;
}

// prepare_rootfs's error, or "" if it succeeded; `check` then runs before pivot.
std::string prepare_error(const Bundle& b, const oci::Spec& spec,
                          const std::function<std::string()>& check = {}) {
    runtime::linux::RootfsOptions o;
    o.bundle = b.dir();
    o.rootfs = b.rootfs();
    auto r = run_in_namespaces([&]() -> std::string {
        auto p = runtime::linux::prepare_rootfs(spec, o);
        if (!p) return "ERR " + p.error().message;
        return check ? check() : std::string();
    });
    return r.output;
}

} // namespace

TEST_CASE("errors name the option, the mount, the syscall") {
    SKIFF_NEED_ROOT();
    Bundle b;
    SECTION("unknown option on a bind mount: nothing is mounted") {
        auto err = prepare_error(b, spec_with({mount("/proc", "proc", "proc", {}),
                                               mount("/x", "bind", "/tmp", {"rbind", "rprivat"})}));
        CHECK(err == "ERR mounts[1] (/x): unknown mount option \"rprivat\" (a bind mount takes no "
                     "filesystem options)");
    }
    SECTION("unknown filesystem option: named by asking the filesystem") {
        auto err = prepare_error(b, spec_with({mount("/x", "tmpfs", "tmpfs", {"mode=755", "bogus=1"})}));
        CHECK(err == "ERR mount tmpfs on /x: option \"bogus=1\": EINVAL");
    }
    SECTION("missing bind source") {
        auto err = prepare_error(b, spec_with({mount("/x", "bind", "/nonexistent/src", {"bind"})}));
        CHECK(err == "ERR bind mount /nonexistent/src on /x: stat /nonexistent/src: ENOENT");
    }
    SECTION("relative bind source is relative to the bundle") {
        auto err = prepare_error(b, spec_with({mount("/x", "bind", "missing-dir", {"rbind"})}));
        CHECK(err == "ERR bind mount " + b.dir() + "/missing-dir on /x: stat " + b.dir() +
                         "/missing-dir: ENOENT");
    }
    SECTION("unknown filesystem type") {
        auto err = prepare_error(b, spec_with({mount("/x", "nosuchfs", "none", {})}));
        CHECK(err == "ERR mount nosuchfs on /x: ENODEV");
    }
    SECTION("bad rootfsPropagation") {
        auto spec = spec_with({});
        spec.linux_->rootfs_propagation = "sideways";
        CHECK(prepare_error(b, spec) == "ERR linux.rootfsPropagation: unknown value \"sideways\"");
    }
    SECTION("mounting over the root or inside /proc is refused") {
        CHECK(prepare_error(b, spec_with({mount("/", "tmpfs", "tmpfs", {})})) ==
              "ERR mount tmpfs on /: cannot mount over the container's root");
        CHECK(prepare_error(b, spec_with({mount("/proc", "proc", "proc", {}),
                                          mount("/proc/sys", "tmpfs", "tmpfs", {})})) ==
              "ERR mount tmpfs on /proc/sys: mounting over /proc/sys inside /proc is not allowed");
        CHECK(prepare_error(b, spec_with({mount("/proc", "tmpfs", "tmpfs", {})})) ==
              "ERR mount tmpfs on /proc: only a procfs may be mounted on /proc");
        // lxcfs-style binds of single files are allowed.
        b.write("meminfo", "MemTotal: 1 kB\n");
        CHECK(prepare_error(b, spec_with({mount("/proc", "proc", "proc", {}),
                                          mount("/proc/meminfo", "bind", "meminfo", {"bind"})})) == "");
    }
    SECTION("a symlink in the image cannot smuggle a mount into /proc") {
        b.symlink("/proc/sys", "rootfs/innocent");
        CHECK(prepare_error(b, spec_with({mount("/proc", "proc", "proc", {}),
                                          mount("/innocent", "tmpfs", "tmpfs", {})})) ==
              "ERR mount tmpfs on /innocent: mounting over /proc/sys inside /proc is not allowed");
    }
    SECTION("no mount namespace") {
        auto spec = spec_with({mount("/x", "tmpfs", "tmpfs", {})});
        spec.linux_->namespaces = {{"pid", ""}};
        CHECK(prepare_error(b, spec) == "ERR mounts: the spec has no mount namespace to mount them in");
    }
}

TEST_CASE("symlinks and .. in the image or the destination never escape the rootfs") {
    SKIFF_NEED_ROOT();
    Bundle b;
    b.symlink("/", "rootfs/etc-root");        // etc -> /
    b.symlink("../../../../", "rootfs/up");   // relative climb
    b.symlink("/tmp", "rootfs/hosttmp");      // absolute, points at a dir that exists on the host
    b.write("src-file", "x");
    auto spec = spec_with({
        mount("/etc-root/escape1", "tmpfs", "tmpfs", {}),
        mount("/../../../../escape2", "tmpfs", "tmpfs", {}),
        mount("/up/escape3", "tmpfs", "tmpfs", {}),
        mount("/hosttmp/escape4", "bind", b.dir() + "/src-file", {"bind"}),
    });
    const std::string root = b.rootfs();
    auto out = prepare_error(b, spec, [root]() -> std::string {
        auto mi = mountinfo();
        for (const char* name : {"escape1", "escape2", "escape3"}) {
            EXPECT_IN_CHILD(find_mount(mi, root + "/" + name) != nullptr,
                            std::string(name) + " not mounted inside the rootfs");
            EXPECT_IN_CHILD(find_mount(mi, std::string("/") + name) == nullptr,
                            std::string(name) + " mounted on the host's /");
        }
        EXPECT_IN_CHILD(find_mount(mi, root + "/tmp/escape4") != nullptr, "escape4 not in rootfs/tmp");
        EXPECT_IN_CHILD(find_mount(mi, "/tmp/escape4") == nullptr, "escape4 on the host's /tmp");
        return {};
    });
    CHECK(out == "");
    for (const char* p : {"/escape1", "/escape2", "/escape3", "/tmp/escape4"})
        CHECK(access(p, F_OK) != 0);
    CHECK(access((root + "/escape1").c_str(), F_OK) == 0);
    CHECK(access((root + "/tmp/escape4").c_str(), F_OK) == 0);
}
