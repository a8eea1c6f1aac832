// Loads a static x86-64 ELF (ET_EXEC, or ET_DYN without PT_INTERP: static-pie) from an open file
// straight into guest RAM. Everything in the headers is checked before a byte is copied.
#pragma once

#include <cstdint>
#include <string>

#include "memory.hpp"

namespace skiff::vmm {

struct LoadedElf {
    uint64_t entry = 0;
    uint64_t base = 0; // load bias: 0 for ET_EXEC
    uint64_t phdr = 0; // guest address of the program headers (AT_PHDR)
    uint64_t phent = 0;
    uint64_t phnum = 0;
    uint64_t end = 0;  // page-aligned end of the highest segment: where brk starts
};

// `name` is only for messages. Segments must lie in [min_addr, max_addr).
Result<LoadedElf> load_elf(int fd, const std::string& name, const GuestMemory& mem,
                           uint64_t min_addr, uint64_t max_addr, uint64_t pie_base);

} // namespace skiff::vmm
