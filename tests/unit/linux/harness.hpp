// Test harness for runtime/linux: a busybox rootfs in a temp dir, runc's default spec, and a
// child process in fresh namespaces (pid 1 of its pid namespace) that runs a test body and
// reports failures back through a pipe. Everything the child mounts dies with its mount
// namespace; the temp dir is removed by the fixture.
#pragma once

#include <sched.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "linux/linux.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::test {

bool running_as_root();
#define SKIFF_NEED_ROOT()                                                                          \
    do {                                                                                           \
        if (!skiff::test::running_as_root()) {                                                     \
            WARN("skipped: needs root (real namespaces and mounts)");                              \
            return;                                                                                \
        }                                                                                          \
    } while (0)

// A temp dir holding a busybox rootfs ("rootfs/") and room for bind sources; removed on
// destruction (after the children that mounted things in it are gone).
class Bundle {
public:
    Bundle();
    ~Bundle();
    const std::string& dir() const { return dir_; }
    std::string rootfs() const { return dir_ + "/rootfs"; }
    void write(const std::string& rel, const std::string& text) const; // under dir()
    void mkdir(const std::string& rel) const;
    void symlink(const std::string& target, const std::string& rel) const;

private:
    std::string dir_;
};

// runc's `runc spec` default config (runc 1.1 + cgroup namespace), args = sh.
oci::Spec runc_default_spec();
oci::Mount mount(std::string dest, std::string type, std::string source,
                 std::vector<std::string> options);

struct ChildResult {
    int status = -1;     // wait status of the container's pid 1
    std::string output;  // what the body reported ("" = passed)
};

// Unshares `flags` (mount, pid, uts, ipc, net, cgroup by default), forks pid 1 of the new pid
// namespace and runs `body` there; body returns "" on success or a description of what
// failed. Uncaught failures (signals, exits) show in status.
using Body = std::function<std::string()>;
constexpr int kDefaultFlags =
    CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP;
// With CLONE_NEWUSER in flags, the user namespace is created first and its id maps are
// written from this (the parent) process by write_id_mappings_from_parent(`user_linux`),
// as the runtime does, before the other namespaces are created inside it.
ChildResult run_in_namespaces(const Body& body, int flags = kDefaultFlags,
                              const oci::Linux* user_linux = nullptr);

// prepare_rootfs + enter_rootfs + (hostname, sysctl) + finalize_rootfs like the container
// init does; "" or the failing step's error.
std::string setup_container(const oci::Spec& spec, const runtime::linux::RootfsOptions& opts);

// Helpers for bodies.
std::string read_file(const std::string& path);
struct MountInfo {
    std::string mount_point, root, options, optional, fstype, source, super_options;
};
std::vector<MountInfo> mountinfo();
const MountInfo* find_mount(const std::vector<MountInfo>& all, const std::string& point);
bool has_option(const std::string& list, const std::string& opt);
std::string errno_name(int err);

} // namespace skiff::test

// Inside a body: return a failure text unless cond holds.
#define EXPECT_IN_CHILD(cond, text)                                                                \
    do {                                                                                           \
        if (!(cond)) return std::string(__FILE__ ":") + std::to_string(__LINE__) + ": " + (text); \
    } while (0)
