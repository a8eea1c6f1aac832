// brk, mmap and friends over mm/pages. Protection is not enforced: RAM is one identity mapping
// (mprotect succeeds and changes nothing).
#include <asm/unistd_64.h>
#include <linux/mman.h>

#include "fs/vfs.hpp"
#include "syscalls/syscalls.hpp"

namespace libos {
namespace {

constexpr uint64_t kPage = 4096;
uint64_t brk_cur;

uint64_t page_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

// The range an app may map or unmap: above the libOS, below the stack.
bool app_range(uint64_t addr, uint64_t len) {
    return addr >= SKIFF_LIBOS_LIMIT && addr <= boot->mmap_high && len <= boot->mmap_high - addr;
}

int64_t sys_brk(SyscallFrame& f) {
    if (!brk_cur) brk_cur = boot->brk_start;
    const uint64_t want = f.rdi;
    if (want < boot->brk_start) return static_cast<int64_t>(brk_cur);
    const uint64_t old_end = page_up(brk_cur), new_end = page_up(want);
    if (new_end > old_end) {
        if (new_end > boot->mmap_high || !reserve_pages(old_end, new_end - old_end))
            return static_cast<int64_t>(brk_cur);
    } else if (new_end < old_end) {
        free_pages(new_end, old_end - new_end);
    }
    brk_cur = want;
    return static_cast<int64_t>(brk_cur);
}

int64_t sys_mmap(SyscallFrame& f) {
    uint64_t addr = f.rdi;
    const uint64_t len = page_up(f.rsi);
    const int flags = static_cast<int>(f.r10);
    const int fd = static_cast<int>(f.r8);
    const int64_t off = static_cast<int64_t>(f.r9);
    if (f.rsi == 0 || len < f.rsi) return -EINVAL;
    if (off & (kPage - 1)) return -EINVAL;
    const bool anon = flags & MAP_ANONYMOUS;
    if (!anon && !fd_get(fd)) return -EBADF;
    if (flags & MAP_FIXED_NOREPLACE) {
        if ((addr & (kPage - 1)) || !app_range(addr, len)) return -EINVAL;
        if (!reserve_pages(addr, len)) return -EEXIST;
    } else if (flags & MAP_FIXED) {
        if ((addr & (kPage - 1)) || !app_range(addr, len)) return -EINVAL;
        claim_pages(addr, len);
        memset(reinterpret_cast<void*>(addr), 0, len); // replaces whatever was there
    } else {
        addr = alloc_pages(len);
        if (!addr) {
            log("mmap: guest RAM exhausted, ENOMEM for ", "", static_cast<int64_t>(len));
            return -ENOMEM;
        }
    }
    if (!anon) { // a private copy of the file's bytes; writes never reach the file
        const int64_t n = vfs_pread(fd, reinterpret_cast<void*>(addr), f.rsi, off);
        if (n < 0) {
            free_pages(addr, len);
            return n == -ESPIPE ? -ENODEV : n;
        }
    }
    return static_cast<int64_t>(addr);
}

int64_t sys_munmap(SyscallFrame& f) {
    const uint64_t addr = f.rdi, len = page_up(f.rsi);
    if ((addr & (kPage - 1)) || len == 0 || !app_range(addr, len)) return -EINVAL;
    free_pages(addr, len);
    return 0;
}

int64_t sys_mprotect(SyscallFrame& f) {
    if (f.rdi & (kPage - 1)) return -EINVAL;
    return 0;
}

int64_t sys_madvise(SyscallFrame& f) {
    const uint64_t addr = f.rdi, len = page_up(f.rsi);
    if (addr & (kPage - 1)) return -EINVAL;
    if (f.rdx == MADV_DONTNEED) { // Linux promises zero-filled pages afterwards
        if (!app_range(addr, len)) return -EINVAL;
        skiff_hc_range req{0, addr, len};
        return hypercall(SKIFF_HC_DISCARD, &req);
    }
    return 0;
}

int64_t sys_mremap(SyscallFrame& f) {
    const uint64_t old = f.rdi, old_len = page_up(f.rsi), new_len = page_up(f.rdx);
    const int flags = static_cast<int>(f.r10);
    if ((old & (kPage - 1)) || new_len == 0 || !app_range(old, old_len)) return -EINVAL;
    if (flags & ~MREMAP_MAYMOVE) return -EINVAL;
    if (new_len <= old_len) {
        free_pages(old + new_len, old_len - new_len);
        return static_cast<int64_t>(old);
    }
    if (reserve_pages(old + old_len, new_len - old_len)) return static_cast<int64_t>(old);
    if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
    const uint64_t to = alloc_pages(new_len);
    if (!to) return -ENOMEM;
    memcpy(reinterpret_cast<void*>(to), reinterpret_cast<void*>(old), old_len);
    free_pages(old, old_len);
    return static_cast<int64_t>(to);
}

int64_t sys_ok(SyscallFrame&) { return 0; }

} // namespace

void register_memory_syscalls() {
    register_syscall(__NR_brk, sys_brk);
    register_syscall(__NR_mmap, sys_mmap);
    register_syscall(__NR_munmap, sys_munmap);
    register_syscall(__NR_mprotect, sys_mprotect);
    register_syscall(__NR_madvise, sys_madvise);
    register_syscall(__NR_mremap, sys_mremap);
    register_syscall(__NR_msync, sys_ok);
    register_syscall(__NR_mlock, sys_ok);
    register_syscall(__NR_munlock, sys_ok);
}

} // namespace libos
