// The libOS header the VMM reads, and the first ring-3 code the guest runs: set up, then enter
// the app the VMM already loaded.
#include "libos.hpp"

extern "C" char __ring0_start[], __ring0_end[], __image_end[], __bss_end[];
extern "C" char skiff_syscall_trampoline[], skiff_fault_stubs[], skiff_fault_stubs_end[];
extern "C" void libos_start();
extern "C" [[noreturn]] void libos_enter_app(uint64_t entry, uint64_t stack);

__attribute__((section(".skiff.header"), used)) const skiff_libos_header skiff_header = {
    SKIFF_LIBOS_MAGIC,
    SKIFF_ABI_VERSION,
    reinterpret_cast<uint64_t>(__image_end),
    reinterpret_cast<uint64_t>(__bss_end),
    reinterpret_cast<uint64_t>(__ring0_start),
    reinterpret_cast<uint64_t>(__ring0_end),
    reinterpret_cast<uint64_t>(libos_start),
    reinterpret_cast<uint64_t>(skiff_syscall_trampoline),
    reinterpret_cast<uint64_t>(skiff_fault_stubs),
    16,
};

namespace libos {

const skiff_boot_info* boot;

bool debug_enabled() { return boot->flags & SKIFF_BOOT_DEBUG; }

void log(const char* a, const char* b, int64_t n) {
    if (!debug_enabled()) return;
    char line[256];
    size_t pos = append_str(line, 0, sizeof line, a);
    pos = append_str(line, pos, sizeof line, b);
    if (n != INT64_MIN) pos = append_num(line, pos, sizeof line, n);
    skiff_hc_buf req{0, reinterpret_cast<uint64_t>(line), pos};
    hypercall(SKIFF_HC_LOG, &req);
}

void exit_app(int status, int signal) {
    skiff_hc_exit req{0, status, signal};
    for (;;) hypercall(SKIFF_HC_EXIT, &req);
}

void panic(const char* what) {
    skiff_hc_buf req{0, reinterpret_cast<uint64_t>(what), strlen(what)};
    hypercall(SKIFF_HC_LOG, &req);
    exit_app(0, 6 /* SIGABRT */);
}

static void mark(uint64_t what) {
    if (!(boot->flags & SKIFF_BOOT_TIMING)) return;
    skiff_hc_mark req{0, what};
    hypercall(SKIFF_HC_MARK, &req);
}

} // namespace libos

extern "C" [[noreturn]] void libos_main(const skiff_boot_info* info) {
    using namespace libos;
    boot = info;
    mark(SKIFF_MARK_LIBOS_START);
    if (info->magic != SKIFF_BOOT_MAGIC || info->abi_version != SKIFF_ABI_VERSION)
        panic("libOS: boot info from an incompatible VMM");
    mm_init();
    vfs_init();
    syscalls_init();
    mark(SKIFF_MARK_APP_START);
    libos_enter_app(info->app_entry, info->app_stack);
}
