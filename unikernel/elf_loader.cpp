#include "elf_loader.hpp"

#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <vector>

namespace skiff::vmm {
namespace {

constexpr uint64_t kPage = 4096;

std::string machine_name(uint16_t m) {
    switch (m) {
    case EM_386: return "i386";
    case EM_AARCH64: return "aarch64";
    case EM_ARM: return "arm";
    case EM_RISCV: return "riscv";
    case EM_PPC64: return "ppc64";
    case EM_S390: return "s390x";
    default: return "machine " + std::to_string(m);
    }
}

Result<void> read_exact(int fd, void* buf, size_t len, uint64_t off, const std::string& name) {
    auto* p = static_cast<uint8_t*>(buf);
    while (len > 0) {
        ssize_t n = pread(fd, p, len, static_cast<off_t>(off));
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_error("read " + name);
        }
        if (n == 0) return Error{name + ": truncated ELF file", ENOEXEC};
        p += n;
        off += static_cast<uint64_t>(n);
        len -= static_cast<size_t>(n);
    }
    return ok();
}

} // namespace

Result<LoadedElf> load_elf(int fd, const std::string& name, const GuestMemory& mem,
                           uint64_t min_addr, uint64_t max_addr, uint64_t pie_base) {
    struct stat st;
    if (fstat(fd, &st) != 0) return errno_error("stat " + name);
    if (!S_ISREG(st.st_mode)) return Error{name + ": not a regular file", EACCES};
    const uint64_t file_size = static_cast<uint64_t>(st.st_size);

    Elf64_Ehdr eh;
    if (file_size < sizeof eh) return Error{name + ": not an ELF file (too short)", ENOEXEC};
    SKIFF_CHECK(read_exact(fd, &eh, sizeof eh, 0, name));
    if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return Error{name + ": not an ELF file (bad magic)", ENOEXEC};
    if (eh.e_ident[EI_CLASS] != ELFCLASS64)
        return Error{name + ": a 32-bit ELF; vm mode runs x86-64 binaries only", ENOEXEC};
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_ident[EI_VERSION] != EV_CURRENT)
        return Error{name + ": bad ELF header (byte order or version)", ENOEXEC};
    if (eh.e_machine != EM_X86_64)
        return Error{name + ": built for " + machine_name(eh.e_machine) +
                         "; vm mode runs x86-64 binaries only", ENOEXEC};
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
        return Error{name + ": ELF type " + std::to_string(eh.e_type) + " is not an executable",
                     ENOEXEC};
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 128)
        return Error{name + ": bad ELF program header table size", ENOEXEC};
    const uint64_t ph_bytes = uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr);
    if (eh.e_phoff > file_size || ph_bytes > file_size - eh.e_phoff)
        return Error{name + ": ELF program headers lie outside the file", ENOEXEC};

    std::vector<Elf64_Phdr> ph(eh.e_phnum);
    SKIFF_CHECK(read_exact(fd, ph.data(), ph_bytes, eh.e_phoff, name));

    uint64_t lo = UINT64_MAX, hi = 0, phdr_vaddr = 0;
    bool have_phdr = false;
    for (const auto& p : ph) {
        if (p.p_type == PT_INTERP)
            return Error{name + ": dynamically linked (has PT_INTERP): not supported yet in vm "
                                "mode, only static and static-pie executables run", ENOEXEC};
        if (p.p_type == PT_PHDR) {
            phdr_vaddr = p.p_vaddr;
            have_phdr = true;
        }
        if (p.p_type != PT_LOAD) continue;
        constexpr uint64_t kUserLimit = 1ull << 47; // keeps every sum below from wrapping
        if (p.p_filesz > p.p_memsz || p.p_memsz > kUserLimit || p.p_vaddr > kUserLimit ||
            p.p_offset > file_size || p.p_filesz > file_size - p.p_offset ||
            (p.p_vaddr % kPage) != (p.p_offset % kPage))
            return Error{name + ": bad ELF segment (size, offset or alignment)", ENOEXEC};
        lo = std::min(lo, p.p_vaddr);
        hi = std::max(hi, p.p_vaddr + p.p_memsz);
        if (!have_phdr && eh.e_phoff >= p.p_offset && eh.e_phoff - p.p_offset < p.p_filesz)
            phdr_vaddr = p.p_vaddr + (eh.e_phoff - p.p_offset);
    }
    if (hi == 0) return Error{name + ": ELF has no loadable segment", ENOEXEC};

    LoadedElf out;
    out.base = eh.e_type == ET_DYN ? pie_base - (lo & ~(kPage - 1)) : 0;
    lo += out.base;
    hi += out.base;
    if (eh.e_type == ET_DYN && hi - lo > max_addr - pie_base)
        return Error{name + ": static-pie image of " + std::to_string((hi - lo) >> 20) +
                         " MiB does not fit guest memory (increase --memory)", ENOMEM};
    if (lo < min_addr || hi > max_addr)
        return Error{name + ": ELF segments [0x" + (std::stringstream{} << std::hex << lo).str() +
                         ", 0x" + (std::stringstream{} << std::hex << hi).str() +
                         ") do not fit guest memory (increase --memory, or the app is linked "
                         "below 0x400000)", ENOMEM};
    if (eh.e_entry + out.base < lo || eh.e_entry + out.base >= hi)
        return Error{name + ": ELF entry point lies outside its segments", ENOEXEC};

    for (const auto& p : ph) {
        if (p.p_type != PT_LOAD || p.p_filesz == 0) continue;
        uint8_t* dst = mem.span(p.p_vaddr + out.base, p.p_memsz);
        if (!dst) return Error{name + ": ELF segment outside guest RAM", ENOMEM};
        SKIFF_CHECK(read_exact(fd, dst, p.p_filesz, p.p_offset, name));
    }
    out.entry = eh.e_entry + out.base;
    out.phdr = phdr_vaddr + out.base;
    out.phent = sizeof(Elf64_Phdr);
    out.phnum = eh.e_phnum;
    out.end = (hi + kPage - 1) & ~(kPage - 1);
    return out;
}

} // namespace skiff::vmm
