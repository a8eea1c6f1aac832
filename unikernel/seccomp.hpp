#pragma once

#include "skiff/oci/result.hpp"

namespace skiff::vmm {

// After set-up the VMM needs only the syscalls its run loop and hypercall services make; this
// loads an allowlist of exactly those (anything else kills the process).
Result<void> confine_vmm(int vcpu_fd);

} // namespace skiff::vmm
