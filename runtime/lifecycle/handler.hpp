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
    // Runtime side, before the init is cloned: refuse what this handler cannot run.
    virtual Result<void> check(const oci::Spec& spec) = 0;
    // In the init before pivot_root: open what must come from the host (vm mode: /dev/kvm and
    // the VMM binary, passed down as fds).
    virtual Result<void> before_pivot(const oci::Spec& spec) = 0;
    // In the init after confinement, before waiting for `start`: find the program, so a
    // missing one is a create-time error like runc's.
    virtual Result<void> resolve(const oci::Process& process) = 0;
    // The last step: execve. Returns only with the error.
    virtual Error exec(const oci::Process& process) = 0;
};

Result<std::unique_ptr<Handler>> make_handler(Isolation isolation);

// PATH lookup as runc's exec.LookPath does it, with PATH from the process env.
Result<std::string> find_executable(const std::string& name, const std::vector<std::string>& env);

} // namespace skiff::runtime
