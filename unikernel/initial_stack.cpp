#include "initial_stack.hpp"

#include <elf.h>

namespace skiff::vmm {

Result<uint64_t> build_initial_stack(const GuestMemory& mem, uint64_t top, uint64_t limit,
                                     const StackSpec& spec) {
    // Strings first, from the top down; pointers to them follow once their addresses are known.
    uint64_t sp = top;
    bool overflow = false;
    auto push_bytes = [&](const void* data, uint64_t len) -> uint64_t {
        if (overflow || sp - limit < len) {
            overflow = true;
            return 0;
        }
        sp -= len;
        mem.write(sp, data, len);
        return sp;
    };
    auto push_string = [&](const std::string& s) { return push_bytes(s.c_str(), s.size() + 1); };

    const uint64_t zero = 0;
    push_bytes(&zero, sizeof zero); // end marker, as Linux leaves one
    const uint64_t execfn = push_string(spec.execfn);
    std::vector<uint64_t> envp, argv;
    for (auto it = spec.envp.rbegin(); it != spec.envp.rend(); ++it) envp.push_back(push_string(*it));
    for (auto it = spec.argv.rbegin(); it != spec.argv.rend(); ++it) argv.push_back(push_string(*it));
    const uint64_t platform = push_string("x86_64");
    const uint64_t random = push_bytes(spec.random.data(), spec.random.size());
    sp &= ~uint64_t{15};

    const std::pair<uint64_t, uint64_t> auxv[] = {
        {AT_PHDR, spec.phdr},     {AT_PHENT, spec.phent},   {AT_PHNUM, spec.phnum},
        {AT_PAGESZ, 4096},        {AT_BASE, 0},             {AT_FLAGS, 0},
        {AT_ENTRY, spec.entry},   {AT_UID, spec.uid},       {AT_EUID, spec.uid},
        {AT_GID, spec.gid},       {AT_EGID, spec.gid},      {AT_SECURE, 0},
        {AT_HWCAP, spec.hwcap},   {AT_HWCAP2, 0},           {AT_CLKTCK, 100},
        {AT_RANDOM, random},      {AT_PLATFORM, platform},  {AT_EXECFN, execfn},
        {AT_NULL, 0},
    };
    const uint64_t words = 1 + argv.size() + 1 + envp.size() + 1 + 2 * std::size(auxv);
    if ((sp - words * 8) % 16) push_bytes(&zero, sizeof zero); // rsp 16-aligned at argc
    for (auto it = std::rbegin(auxv); it != std::rend(auxv); ++it) {
        push_bytes(&it->second, 8);
        push_bytes(&it->first, 8);
    }
    push_bytes(&zero, 8);
    for (uint64_t p : envp) push_bytes(&p, 8); // envp was built last-first: this restores order
    push_bytes(&zero, 8);
    for (uint64_t p : argv) push_bytes(&p, 8);
    const uint64_t argc = spec.argv.size();
    push_bytes(&argc, 8);
    if (overflow) return Error{"initial stack: arguments and environment exceed the stack", E2BIG};
    return sp;
}

} // namespace skiff::vmm
