#include "handler.hpp"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "security/security.hpp"
#include "skiff/oci/isolation.hpp"

namespace skiff::runtime {
namespace {

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

Result<void> check_executable(const std::string& path, const std::string& name) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0)
        return errno_error("exec: \"" + name + "\": stat " + path);
    if (S_ISDIR(st.st_mode)) return Error{"exec: \"" + name + "\": is a directory", EISDIR};
    if (!(st.st_mode & 0111)) return Error{"exec: \"" + name + "\": permission denied", EACCES};
    return ok();
}

} // namespace

Result<std::string> find_vmm() {
    std::vector<std::string> cands;
    if (const char* env = ::getenv("SKIFF_VMM"); env && *env) cands.push_back(env);
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        std::string dir(self, size_t(n));
        dir.erase(dir.rfind('/'));
        cands.push_back(dir + "/skiff-vmm");
        cands.push_back(dir + "/../unikernel/skiff-vmm");
    }
    cands.push_back("/usr/local/bin/skiff-vmm");
    cands.push_back("/usr/bin/skiff-vmm");
    for (const auto& c : cands)
        if (::access(c.c_str(), X_OK) == 0) return c;
    return Error{"vm mode: skiff-vmm not found (set SKIFF_VMM or install it beside skiff-runtime)",
                 ENOENT};
}

Result<int> open_kvm() {
    const std::string what = "vm mode: ";
    int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return Error{what + "/dev/kvm is missing on this host", ENOENT};
        return errno_error(what + "/dev/kvm is not usable on this host: open /dev/kvm");
    }
    int version = ::ioctl(fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        int err = version < 0 ? errno : EINVAL;
        ::close(fd);
        return Error{what + "/dev/kvm on this host is not KVM (KVM_GET_API_VERSION: " +
                         (version < 0 ? std::string(std::strerror(err)) : std::to_string(version)) +
                         ")",
                     err};
    }
    return fd;
}

Result<void> Handler::resolve(const oci::Process& process) {
    if (process.args.empty()) return Error{"process.args: must not be empty"};
    program_ = SKIFF_TRY(find_executable(process.args[0], process.env));
    return ok();
}

namespace {

class ContainerHandler final : public Handler {
public:
    const char* name() const override { return "container"; }
    Isolation isolation() const override { return Isolation::Container; }
    Result<void> check(const oci::Spec&) override { return ok(); }
    Result<void> before_pivot(const oci::Spec&) override { return ok(); }
    Error exec(const oci::Process& process) override {
        auto argv = c_strings(process.args);
        auto envp = c_strings(process.env);
        const std::string& path = program(process);
        ::execve(path.c_str(), argv.data(), envp.data());
        return errno_error("exec " + path);
    }

};

// vm mode (DESIGN.md decision 1): everything up to here was container mode; the last step
// execs skiff-vmm, which boots the libOS and runs the app from the pivoted rootfs. /dev/kvm and
// the VMM binary are host files, so they are opened before the clone and handed down as fds.
// `exec` into a vm container starts a second VM in the container's namespaces and cgroup
// (same rootfs and network, its own guest): the libOS cannot spawn into a running guest yet.
class VmHandler final : public Handler {
public:
    VmHandler(std::string state_root, int kvm_fd)
        : state_root_(std::move(state_root)), kvm_fd_(kvm_fd) {}
    ~VmHandler() override {
        for (int fd : {kvm_fd_, vmm_fd_, cpuid_fd_, seccomp_fd_})
            if (fd >= 0) ::close(fd);
    }
    bool kernel_seccomp() const override { return false; }
    const char* name() const override { return "vm"; }
    Isolation isolation() const override { return Isolation::Vm; }

    // Runtime side, before the clone: the init inherits these fds. /dev/kvm must be opened
    // here, not in the init: the container's device cgroup (runc's default rules) refuses it.
    Result<void> check(const oci::Spec& spec) override {
        if (kvm_fd_ < 0) kvm_fd_ = SKIFF_TRY(open_kvm());
        vmm_path_ = SKIFF_TRY(find_vmm());
        vmm_fd_ = ::open(vmm_path_.c_str(), O_PATH | O_CLOEXEC);
        if (vmm_fd_ < 0) return errno_error("vm mode: open " + vmm_path_);
        // A host-side cache of KVM's supported CPUID table saves ~300 us per start; never a
        // path inside the (untrusted) rootfs. Optional: without it the VMM asks KVM.
        std::string cache = state_root_ + "/vm-cpuid.bin";
        cpuid_fd_ = ::open(cache.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        memory_mib_ = guest_memory_mib(spec);
        if (spec.linux_ && spec.linux_->seccomp) SKIFF_CHECK(prepare_seccomp(*spec.linux_->seccomp));
        return ok();
    }

    Result<void> before_pivot(const oci::Spec&) override { return ok(); }


    Error exec(const oci::Process& process) override {
        // The init marked every inherited fd close-on-exec; these go to the VMM.
        for (int fd : {kvm_fd_, cpuid_fd_, seccomp_fd_})
            if (fd >= 0) ::fcntl(fd, F_SETFD, 0);
        std::vector<std::string> args = {"skiff-vmm", "--kvm-fd", std::to_string(kvm_fd_),
                                         "--rootfs", "/", "--memory", std::to_string(memory_mib_),
                                         "--cwd", process.cwd.empty() ? "/" : process.cwd,
                                         "--uid", std::to_string(process.user.uid),
                                         "--gid", std::to_string(process.user.gid)};
        char host[256] = {};
        if (::gethostname(host, sizeof host - 1) == 0) args.insert(args.end(), {"--hostname", host});
        if (cpuid_fd_ >= 0) args.insert(args.end(), {"--cpuid-cache-fd", std::to_string(cpuid_fd_)});
        if (seccomp_fd_ >= 0) args.insert(args.end(), {"--app-seccomp-fd", std::to_string(seccomp_fd_)});
        for (const auto& e : process.env) args.insert(args.end(), {"--env", e});
        args.push_back("--");
        args.push_back(program(process));
        args.insert(args.end(), process.args.begin() + 1, process.args.end());
        auto argv = c_strings(args);
        char* envp[] = {nullptr};
        ::syscall(SYS_execveat, vmm_fd_, "", argv.data(), envp, AT_EMPTY_PATH);
        return errno_error("vm mode: exec " + vmm_path_);
    }

private:
    // The profile compiled exactly as container mode compiles it (libseccomp, runc's rules), handed
    // to skiff-vmm in a sealed memfd: the libOS answers the app's syscalls with its verdicts and
    // the VMM refuses forwarded operations it blocks (DESIGN.md decision 6).
    Result<void> prepare_seccomp(const oci::Seccomp& profile) {
        // libseccomp takes 36-48 ms for podman's default profile here; the cache ≈80 µs.
        auto program = SKIFF_TRY(security::compile_seccomp_cached(profile, state_root_ + "/seccomp-cache"));
        if (program.wants_listener)
            return Error{"linux.seccomp: SCMP_ACT_NOTIFY is not supported in vm mode (the app's "
                         "syscalls never reach the host kernel, so there is nothing to notify)"};
        if (program.bpf.empty()) return ok(); // seccomp disabled, as in container mode
        seccomp_fd_ = ::memfd_create("skiff-app-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (seccomp_fd_ < 0) return errno_error("vm mode: memfd_create for the seccomp program");
        size_t done = 0;
        while (done < program.bpf.size()) {
            ssize_t n = ::write(seccomp_fd_, program.bpf.data() + done, program.bpf.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return errno_error("vm mode: write of the seccomp program");
            done += size_t(n);
        }
        if (::fcntl(seccomp_fd_, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
            return errno_error("vm mode: sealing the seccomp program");
        return ok();
    }

    // Guest RAM follows linux.resources.memory.limit, leaving room for the VMM itself (about
    // 1.2 MiB) so the cgroup does not kill the VMM before the guest sees ENOMEM.
    static uint64_t guest_memory_mib(const oci::Spec& spec) {
        constexpr uint64_t kDefault = 256, kMin = 16, kMax = 8192, kVmmReserve = 8;
        if (!spec.linux_ || !spec.linux_->resources || !spec.linux_->resources->memory ||
            !spec.linux_->resources->memory->limit || *spec.linux_->resources->memory->limit <= 0)
            return kDefault;
        uint64_t mib = uint64_t(*spec.linux_->resources->memory->limit) >> 20;
        mib = mib > kVmmReserve ? mib - kVmmReserve : 0;
        return std::clamp(mib, kMin, kMax);
    }

    std::string state_root_, vmm_path_;
    uint64_t memory_mib_ = 256;
    int kvm_fd_ = -1, vmm_fd_ = -1, cpuid_fd_ = -1, seccomp_fd_ = -1;
};

} // namespace

Result<std::string> find_executable(const std::string& name, const std::vector<std::string>& env) {
    if (name.find('/') != std::string::npos) {
        SKIFF_CHECK(check_executable(name, name));
        return name;
    }
    std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const auto& e : env)
        if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
    size_t start = 0;
    for (;;) {
        size_t end = path.find(':', start);
        std::string dir = path.substr(start, end == std::string::npos ? end : end - start);
        if (dir.empty()) dir = ".";
        std::string cand = dir + "/" + name;
        struct stat st{};
        if (::stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
            return cand;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return Error{"exec: \"" + name + "\": executable file not found in $PATH", ENOENT};
}

Result<std::unique_ptr<Handler>> make_handler(Isolation isolation, const std::string& state_root) {
    if (isolation == Isolation::Vm) return std::unique_ptr<Handler>(new VmHandler(state_root, -1));
    return std::unique_ptr<Handler>(new ContainerHandler);
}

Result<std::unique_ptr<Handler>> select_handler(const oci::Spec& spec, const std::string& state_root) {
    const oci::HostConfig host = SKIFF_TRY(oci::load_host_config());
    const Isolation iso = SKIFF_TRY(oci::isolation_of(spec, host.isolation));
    std::unique_ptr<Handler> handler;
    if (iso == Isolation::Vm) {
        auto kvm = open_kvm();
        if (kvm) {
            handler.reset(new VmHandler(state_root, *kvm));
        } else if (host.vm_fallback) {
            log_warning(kvm.error().message + "; running in container mode (vm_fallback in " +
                        oci::host_config_path() + ")");
            handler.reset(new ContainerHandler);
        } else {
            return Error{kvm.error().message + " (\"vm_fallback\": true in " +
                             oci::host_config_path() + " runs it in container mode instead)",
                         kvm.error().code};
        }
    } else {
        handler.reset(new ContainerHandler);
    }
    SKIFF_CHECK(handler->check(spec));
    return handler;
}

} // namespace skiff::runtime
