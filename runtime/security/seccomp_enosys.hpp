// Internal to the seccomp compiler: the -ENOSYS stub (see seccomp_enosys.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "skiff/oci/spec.hpp"

namespace skiff::runtime::security {

// Returns `filter` (libseccomp's BPF bytes) with a prefix that answers ENOSYS to every syscall
// numbered above the highest one `profile` names, for each libseccomp arch token in `arches`.
std::vector<unsigned char> with_enosys_stub(const std::vector<unsigned char>& filter,
                                            const oci::Seccomp& profile,
                                            const std::vector<uint32_t>& arches);

} // namespace skiff::runtime::security
