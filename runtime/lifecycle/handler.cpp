#include "handler.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

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

class ContainerHandler final : public Handler {
public:
    const char* name() const override { return "container"; }
    Result<void> check(const oci::Spec&) override { return ok(); }
    Result<void> before_pivot(const oci::Spec&) override { return ok(); }
    Result<void> resolve(const oci::Process& process) override {
        if (process.args.empty()) return Error{"process.args: must not be empty"};
        path_ = SKIFF_TRY(find_executable(process.args[0], process.env));
        return ok();
    }
    Error exec(const oci::Process& process) override {
        auto argv = c_strings(process.args);
        auto envp = c_strings(process.env);
        const std::string& path = path_.empty() ? process.args[0] : path_;
        ::execve(path.c_str(), argv.data(), envp.data());
        return errno_error("exec " + path);
    }

private:
    std::string path_;
};

// The seam for vm mode: the VMM helper replaces this with a handler that opens /dev/kvm and
// the skiff-vmm binary before pivot_root and execs the VMM with the app's argv.
class VmHandler final : public Handler {
public:
    const char* name() const override { return "vm"; }
    Result<void> check(const oci::Spec&) override {
        return Error{std::string("vm mode: not available in this build (annotation ") +
                     kIsolationAnnotation + "=vm)"};
    }
    Result<void> before_pivot(const oci::Spec& spec) override { return check(spec); }
    Result<void> resolve(const oci::Process&) override { return check({}); }
    Error exec(const oci::Process&) override { return check({}).error(); }
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

Result<std::unique_ptr<Handler>> make_handler(Isolation isolation) {
    if (isolation == Isolation::Vm) return std::unique_ptr<Handler>(new VmHandler);
    return std::unique_ptr<Handler>(new ContainerHandler);
}

} // namespace skiff::runtime
