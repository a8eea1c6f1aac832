#pragma once

#include <seccomp.h>

#include <cstddef>
#include <memory>

#include "skiff/oci/result.hpp"

namespace skiff::vmm {

using FilterPtr = std::unique_ptr<void, void (*)(scmp_filter_ctx)>;

// After set-up the VMM needs only the syscalls its run loop and hypercall services make; this is
// the allowlist of exactly those (anything else kills the process). Built with libseccomp at build
// time by seccomp_gen.cpp and embedded as BPF, so start-up pays only for loading it.
Result<FilterPtr> build_vmm_filter();

// Loads a BPF program (sock_filter array) as the process's seccomp filter, with no_new_privs.
Result<void> load_vmm_filter(const void* bpf, size_t len);

} // namespace skiff::vmm
