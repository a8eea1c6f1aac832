/* A hostile guest: issues raw skiff hypercalls (MMIO stores, reachable from ring 3) with bad
 * arguments, bypassing the libOS. Bad buffers must come back as -EFAULT; a request the VMM cannot
 * even read, or an unknown hypercall number, must stop the VM with a clear error.
 * usage: bad_hypercall buffer|length|path|request|number|fuzz SEED */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/abi.h"

static int64_t hc(uint32_t nr, void* req) {
    *(volatile int64_t*)req = -9999;
    __asm__ volatile("movq %0, (%1)" : : "r"((uint64_t)(uintptr_t)req), "r"(SKIFF_HC_MMIO_BASE + 8ull * nr) : "memory");
    return *(volatile int64_t*)req;
}

static int expect(const char* what, int64_t got, int64_t want) {
    printf("%s: %lld (%s)\n", what, (long long)got, got == want ? "ok" : "UNEXPECTED");
    return got == want ? 0 : 1;
}

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "";
    int bad = 0;
    if (!strcmp(mode, "buffer")) {
        struct skiff_hc_io w = {0, 1, 0xfff0000000ull, 16, 0};
        bad |= expect("write from an address outside RAM", hc(SKIFF_HC_WRITE, &w), -EFAULT);
        struct skiff_hc_io r = {0, 0, 0x7ffffffff000ull, 4096, 0};
        bad |= expect("read into an address outside RAM", hc(SKIFF_HC_READ, &r), -EFAULT);
        struct skiff_hc_fstat f = {0, 1, 1};
        bad |= expect("fstat into an unaligned, low address", hc(SKIFF_HC_FSTAT, &f), -EFAULT);
    } else if (!strcmp(mode, "length")) {
        static char buf[16] = "overflow";
        struct skiff_hc_io w = {0, 1, (uint64_t)(uintptr_t)buf, UINT64_MAX - 8, 0};
        bad |= expect("write with a length that wraps", hc(SKIFF_HC_WRITE, &w), -EFAULT);
        struct skiff_hc_range g = {0, (uint64_t)(uintptr_t)buf, UINT64_MAX};
        bad |= expect("random with a length that wraps", hc(SKIFF_HC_RANDOM, &g), -EFAULT);
        struct skiff_hc_open o = {0, (uint64_t)(uintptr_t)buf, 1u << 20, 0, 0, 0};
        bad |= expect("open with a 1 MiB path", hc(SKIFF_HC_OPEN, &o), -ENAMETOOLONG);
    } else if (!strcmp(mode, "path")) {
        static const char up[] = "/../../../../etc/hostname";
        static char out[64];
        struct skiff_hc_open o = {0, (uint64_t)(uintptr_t)up, sizeof up - 1, 0, 0, 0};
        int64_t h = hc(SKIFF_HC_OPEN, &o);
        /* RESOLVE_IN_ROOT: ".." stops at the rootfs, so this names the rootfs's own file. */
        if (h >= 0) {
            struct skiff_hc_io r = {0, h, (uint64_t)(uintptr_t)out, sizeof out - 1, 0};
            int64_t n = hc(SKIFF_HC_PREAD, &r);
            printf("opened inside the rootfs: %.*s", n > 0 ? (int)n : 0, out);
        } else {
            printf("escape attempt: %lld\n", (long long)h);
        }
        struct skiff_hc_handle c = {0, 1000000};
        bad |= expect("close of a handle never opened", hc(SKIFF_HC_CLOSE, &c), -EBADF);
        struct skiff_hc_handle c2 = {0, 1};
        bad |= expect("close of the VMM's stdout", hc(SKIFF_HC_CLOSE, &c2), -EBADF);
    } else if (!strcmp(mode, "request")) {
        /* The request pointer itself lies outside guest RAM: the VM must stop. */
        __asm__ volatile("movq %0, (%1)" : : "r"(0xfff0000000ull), "r"(SKIFF_HC_MMIO_BASE + 8ull * SKIFF_HC_WRITE) : "memory");
        printf("still running after a bad request\n");
        return 0;
    } else if (!strcmp(mode, "number")) {
        static struct skiff_hc_buf b;
        __asm__ volatile("movq %0, (%1)" : : "r"((uint64_t)(uintptr_t)&b), "r"(SKIFF_HC_MMIO_BASE + 8ull * 200) : "memory");
        printf("still running after an unknown hypercall\n");
        return 0;
    } else {
        fprintf(stderr, "usage: bad_hypercall buffer|length|path|request|number\n");
        return 2;
    }
    return bad;
}
