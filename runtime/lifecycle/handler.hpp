// How a container's process is finally run, behind one interface (crun's handlers/): container
// mode execs the app; vm mode execs skiff-vmm, which boots the libOS and runs the app from the
// pivoted rootfs. Everything before — namespaces, cgroup, rootfs, hooks, confinement — is the
// same code for both (DESIGN.md decision 1).
#pragma once

#include <memory>

#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"
#include "skiff/runtime/runtime.hpp"

namespace skiff::runtime {

class Handler {
public:
    virtual ~Handler() = default;
    virtual const char* name() const = 0;
    virtual Isolation isolation() const = 0;
    // Whether the init loads linux.seccomp into the kernel before exec. vm mode enforces the
    // profile itself (in the libOS and the VMM, DESIGN.md decision 6): the app's syscalls never
    // reach the host kernel, and the VMM's own calls are not the app's.
    virtual bool kernel_seccomp() const { return true; }
    // Runtime side, before the init is cloned: refuse what this handler cannot run.
    virtual Result<void> check(const oci::Spec& spec) = 0;
    // In the init before pivot_root: open what must come from the host (vm mode: /dev/kvm and
    // the VMM binary, passed down as fds).
    virtual Result<void> before_pivot(const oci::Spec& spec) = 0;
    // In the init after confinement, before waiting for `start`: find the program (on PATH
    // from the process's env), so a missing one is a create-time error like runc's. Both
    // modes run the same file: the app itself, or skiff-vmm loading it.
    Result<void> resolve(const oci::Process& process);
    // The last step: execve. Returns only with the error.
    virtual Error exec(const oci::Process& process) = 0;

protected:
    // What resolve found, else args[0] as given.
    const std::string& program(const oci::Process& process) const {
        return program_.empty() ? process.args[0] : program_;
    }

private:
    std::string program_;
};

// state_root (--root) holds host-side caches a handler may use (vm mode: the CPUID table).
Result<std::unique_ptr<Handler>> make_handler(Isolation isolation,
                                              const std::string& state_root = "/run/skiff");

// The handler for a new container, checked: the spec's annotation, else the host config's
// default (oci::load_host_config). vm mode on a host without a usable /dev/kvm is an error,
// unless the host config sets vm_fallback: then container mode, with a warning saying so.
Result<std::unique_ptr<Handler>> select_handler(const oci::Spec& spec,
                                                const std::string& state_root = "/run/skiff");

// vm mode's host requirements, for the handler and for tools that report them (`skiff info`):
// /dev/kvm opened and checked to be KVM (an empty file bind-mounted over it opens fine), the
// error saying why not ("vm mode: /dev/kvm is missing on this host"); and skiff-vmm: $SKIFF_VMM,
// beside this binary (installed, or the build tree's unikernel/), /usr/local/bin, /usr/bin.
Result<int> open_kvm();
Result<std::string> find_vmm();

// PATH lookup as runc's exec.LookPath does it, with PATH from the process env.
Result<std::string> find_executable(const std::string& name, const std::vector<std::string>& env);

} // namespace skiff::runtime
