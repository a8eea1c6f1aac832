// The process entry stack the Linux ABI promises (System V x86-64 psABI 3.4.1): argc, argv,
// envp, auxv, then the strings and AT_RANDOM bytes above them, written into guest RAM.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "memory.hpp"

namespace skiff::vmm {

struct StackSpec {
    std::vector<std::string> argv;
    std::vector<std::string> envp;
    std::string execfn;
    uint64_t phdr = 0, phent = 0, phnum = 0, entry = 0;
    uint32_t uid = 0, gid = 0;
    uint64_t hwcap = 0;
    std::array<uint8_t, 16> random{};
};

// Writes below `top` (exclusive) and above `limit`; returns the initial rsp (16-byte aligned,
// pointing at argc).
Result<uint64_t> build_initial_stack(const GuestMemory& mem, uint64_t top, uint64_t limit,
                                     const StackSpec& spec);

} // namespace skiff::vmm
