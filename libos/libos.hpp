// Shared by every libOS file: types, the hypercall primitive, the boot info, logging, and the
// small freestanding library (no libc, no libstdc++ runtime, no vector registers).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <asm-generic/errno.h>

#include "skiff/abi.h"

namespace libos {

// One hypercall: an MMIO store of the request's address (== guest-physical address).
template <class Req>
inline int64_t hypercall(uint32_t nr, Req* req) {
    req->ret = -ENOSYS;
    asm volatile("movq %0, (%1)"
                 :
                 : "r"(reinterpret_cast<uint64_t>(req)), "r"(SKIFF_HC_MMIO_BASE + 8ull * nr)
                 : "memory");
    return *static_cast<volatile int64_t*>(&req->ret);
}

extern const skiff_boot_info* boot;

// The app's registers at its `syscall`, as arch/entry.S lays them out.
struct SyscallFrame {
    uint64_t rax, rdi, rsi, rdx, r10, r8, r9, rip, rsp, rflags;
    uint64_t rbx, rbp, r12, r13, r14, r15;
    uint64_t rcx, r11; // after a syscall: rip and rflags; after an interruption: the app's own
};
static_assert(sizeof(SyscallFrame) == 144, "arch/entry.S reserves 144 bytes");

// --debug log lines in the VMM (no-ops otherwise).
bool debug_enabled();
void log(const char* a, const char* b = "", int64_t n = INT64_MIN);
[[noreturn]] void exit_app(int status, int signal);
[[noreturn]] void panic(const char* what);

// Pointers from the app: inside guest RAM and above the null page, or -EFAULT.
inline bool user_range_ok(uint64_t p, uint64_t len) {
    return p >= 4096 && p <= boot->ram_size && len <= boot->ram_size - p;
}
template <class T>
inline bool user_ok(const T* p, uint64_t n = 1) {
    return user_range_ok(reinterpret_cast<uint64_t>(p), n * sizeof(T));
}

// syscalls/info.cpp: random bytes for getrandom and /dev/urandom (the boot pool, then the host).
int64_t random_fill(uint8_t* buf, uint64_t len);

// lib/string.cpp
extern "C" {
void* memcpy(void* d, const void* s, size_t n);
void* memmove(void* d, const void* s, size_t n);
void* memset(void* d, int c, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
}
size_t strnlen(const char* s, size_t max);
int strcmp(const char* a, const char* b);
bool starts_with(const char* s, const char* prefix);
// Appends decimal n to buf at pos (bounded by cap); returns the new pos.
size_t append_num(char* buf, size_t pos, size_t cap, int64_t n);
size_t append_str(char* buf, size_t pos, size_t cap, const char* s);

// mm/pages.cpp: page-granular guest memory (zeroed), and small libOS objects.
uint64_t alloc_pages(uint64_t len);              // 0 when exhausted
bool reserve_pages(uint64_t addr, uint64_t len); // claim a specific free range
void free_pages(uint64_t addr, uint64_t len);    // returns them to the host; they read 0 again
void claim_pages(uint64_t addr, uint64_t len);   // take whatever part of the range is free
uint64_t free_bytes();
void* kalloc(size_t size); // zeroed, nullptr when exhausted; sizes up to one page
void kfree(void* p, size_t size);
void mm_init();

// fs/vfs.cpp
void vfs_init();

// syscalls/table.cpp
using SyscallFn = int64_t (*)(SyscallFrame&);
void register_syscall(unsigned nr, SyscallFn fn);
void syscalls_init();

} // namespace libos
