#include "harness.hpp"

#include <fcntl.h>
#include <ftw.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace skiff::test {

bool running_as_root() { return geteuid() == 0; }

static void must(bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error(what + ": " + std::strerror(errno));
}

Bundle::Bundle() {
    char tmpl[] = "/tmp/skiff-linux-test.XXXXXX";
    must(mkdtemp(tmpl) != nullptr, "mkdtemp");
    dir_ = tmpl;
    chmod(dir_.c_str(), 0755); // reachable from user namespaces mapped to other host ids
    const std::string root = rootfs();
    for (const char* d : {"", "/bin", "/etc", "/proc", "/sys", "/dev", "/tmp", "/root"})
        must(::mkdir((root + d).c_str(), 0755) == 0, std::string("mkdir ") + d);
    chmod((root + "/tmp").c_str(), 01777);
    // A hard link shares the binary when /tmp and /bin are one filesystem; else copy it.
    if (link("/bin/busybox", (root + "/bin/busybox").c_str()) != 0) {
        std::ifstream in("/bin/busybox", std::ios::binary);
        std::ofstream out(root + "/bin/busybox", std::ios::binary);
        out << in.rdbuf();
        chmod((root + "/bin/busybox").c_str(), 0755);
    }
    for (const char* a : {"sh", "cat", "ls", "mount", "hostname", "stat", "echo", "true"})
        must(::symlink("busybox", (root + "/bin/" + a).c_str()) == 0, "symlink applet");
    write("rootfs/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    write("rootfs/etc/hostname", "image\n");
}

Bundle::~Bundle() {
    nftw(dir_.c_str(),
         [](const char* p, const struct stat*, int, FTW*) { return ::remove(p) == 0 ? 0 : 0; }, 64,
         FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void Bundle::write(const std::string& rel, const std::string& text) const {
    std::ofstream out(dir_ + "/" + rel);
    out << text;
    must(out.good(), "write " + rel);
}

void Bundle::mkdir(const std::string& rel) const {
    must(::mkdir((dir_ + "/" + rel).c_str(), 0755) == 0, "mkdir " + rel);
}

void Bundle::symlink(const std::string& target, const std::string& rel) const {
    must(::symlink(target.c_str(), (dir_ + "/" + rel).c_str()) == 0, "symlink " + rel);
}

oci::Mount mount(std::string dest, std::string type, std::string source,
                 std::vector<std::string> options) {
    oci::Mount m;
    m.destination = std::move(dest);
    m.type = std::move(type);
    m.source = std::move(source);
    m.options = std::move(options);
    return m;
}

oci::Spec runc_default_spec() {
    oci::Spec s;
    s.oci_version = "1.0.2-dev";
    s.root.path = "rootfs";
    s.root.readonly = true;
    s.hostname = "runc";
    s.process = oci::Process{};
    s.process->args = {"sh"};
    s.mounts = {
        mount("/proc", "proc", "proc", {}),
        mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        mount("/dev/pts", "devpts", "devpts",
              {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
        mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
        mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
        mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
        mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
    };
    oci::Linux l;
    for (const char* t : {"pid", "network", "ipc", "uts", "mount", "cgroup"}) l.namespaces.push_back({t, ""});
    l.masked_paths = {"/proc/acpi",        "/proc/asound",     "/proc/kcore",
                      "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
                      "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                      "/proc/scsi"};
    l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
    s.linux_ = std::move(l);
    return s;
}

ChildResult run_in_namespaces(const Body& body, int flags, const oci::Linux* user_linux) {
    int p[2], ready[2], go[2];
    must(pipe2(p, O_CLOEXEC) == 0 && pipe2(ready, O_CLOEXEC) == 0 && pipe2(go, O_CLOEXEC) == 0,
         "pipe");
    fflush(nullptr);
    pid_t outer = fork();
    must(outer >= 0, "fork");
    if (outer == 0) {
        close(p[0]);
        close(ready[0]);
        close(go[1]);
        if (flags & CLONE_NEWUSER) {
            char c = 0;
            if (unshare(CLONE_NEWUSER) != 0 || ::write(ready[1], &c, 1) != 1 ||
                ::read(go[0], &c, 1) != 1 || c != 1) {
                std::string e = "user namespace set-up failed";
                (void)!::write(p[1], e.data(), e.size());
                _exit(3);
            }
            flags &= ~CLONE_NEWUSER;
            // Become the namespace's root (the runtime's init does the same after the maps).
            if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) {
                std::string e = std::string("setresuid 0 in the user namespace: ") + std::strerror(errno);
                (void)!::write(p[1], e.data(), e.size());
                _exit(3);
            }
        }
        if (unshare(flags) != 0) {
            std::string e = std::string("unshare: ") + std::strerror(errno);
            (void)!::write(p[1], e.data(), e.size());
            _exit(3);
        }
        pid_t inner = fork();
        if (inner == 0) {
            std::string out;
            try {
                out = body();
            } catch (const std::exception& e) {
                out = std::string("exception: ") + e.what();
            }
            if (!out.empty()) (void)!::write(p[1], out.data(), out.size());
            _exit(out.empty() ? 0 : 1);
        }
        int st = 0;
        while (waitpid(inner, &st, 0) < 0 && errno == EINTR) {
        }
        _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
    close(p[1]);
    close(ready[1]);
    close(go[0]);
    if (flags & CLONE_NEWUSER) {
        char c = 0;
        if (::read(ready[0], &c, 1) == 1) {
            oci::Linux none;
            auto w = runtime::linux::write_id_mappings_from_parent(outer, user_linux ? *user_linux : none);
            c = w.ok() ? 1 : 0;
            if (!w.ok()) fprintf(stderr, "write_id_mappings_from_parent: %s\n", w.error().message.c_str());
            (void)!::write(go[1], &c, 1);
        }
    }
    close(ready[0]);
    close(go[1]);
    ChildResult r;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) r.output.append(buf, static_cast<size_t>(n));
    close(p[0]);
    while (waitpid(outer, &r.status, 0) < 0 && errno == EINTR) {
    }
    if (r.output.empty() && !(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0))
        r.output = "child failed with status " + std::to_string(r.status);
    return r;
}

std::string setup_container(const oci::Spec& spec, const runtime::linux::RootfsOptions& opts) {
    namespace L = runtime::linux;
    // Markers for counting the setup's syscalls under strace (tests/integration/rootfs_syscalls.sh).
    access("/skiff-setup-begin", F_OK);
    struct End {
        ~End() { access("/skiff-setup-end", F_OK); }
    } end;
    if (auto r = L::prepare_rootfs(spec, opts); !r) return "prepare_rootfs: " + r.error().message;
    if (auto r = L::enter_rootfs(spec, opts); !r) return "enter_rootfs: " + r.error().message;
    if (auto r = L::set_hostname(spec); !r) return "set_hostname: " + r.error().message;
    if (spec.linux_)
        if (auto r = L::apply_sysctl(spec); !r) return "apply_sysctl: " + r.error().message;
    if (auto r = L::finalize_rootfs(spec); !r) return "finalize_rootfs: " + r.error().message;
    return {};
}

std::string read_file(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    std::string out;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    close(fd);
    return out;
}

std::vector<MountInfo> mountinfo() {
    std::vector<MountInfo> out;
    std::istringstream in(read_file("/proc/self/mountinfo"));
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        MountInfo m;
        std::string id, parent, dev, word;
        f >> id >> parent >> dev >> m.root >> m.mount_point >> m.options;
        while (f >> word && word != "-") m.optional += (m.optional.empty() ? "" : " ") + word;
        f >> m.fstype >> m.source >> m.super_options;
        out.push_back(m);
    }
    return out;
}

const MountInfo* find_mount(const std::vector<MountInfo>& all, const std::string& point) {
    const MountInfo* found = nullptr;
    for (const auto& m : all)
        if (m.mount_point == point) found = &m; // the last one is on top
    return found;
}

bool has_option(const std::string& list, const std::string& opt) {
    std::istringstream in(list);
    std::string o;
    while (std::getline(in, o, ','))
        if (o == opt) return true;
    return false;
}

std::string errno_name(int err) {
    const char* n = strerrorname_np(err);
    return n ? n : std::to_string(err);
}

} // namespace skiff::test
