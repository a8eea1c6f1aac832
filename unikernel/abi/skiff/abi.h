/* The one guest-host contract of vm mode (DESIGN decision 3), shared by skiff-vmm and the libOS.
 *
 * A hypercall is one 8-byte store of the request struct's guest-physical address (guest RAM is
 * identity-mapped, so the libOS passes its own pointers) to SKIFF_HC_MMIO_BASE + 8 * number: a
 * page outside guest RAM, so the store exits to the VMM as MMIO. MMIO rather than port I/O because
 * on PVM ring 3 runs with IOPL 0 whatever RFLAGS says (`out` faults), while an MMIO store works from
 * ring 3 and costs the same exit (`vmcall` hangs there). The ring-0 fault stubs, which can do port
 * I/O, report on SKIFF_HC_FAULT_PORT instead. Every request begins with `int64_t ret`, where the VMM writes the result:
 * >= 0 on success, -errno on failure (Linux errno values). The VMM validates the request and every
 * address and length inside it against guest RAM before touching them: a bad buffer yields
 * -EFAULT, a request outside RAM or an unknown number stops the VM.
 *
 * Plain C so both a freestanding guest and the C++ host include it; layouts are static_asserted. */
#ifndef SKIFF_ABI_H
#define SKIFF_ABI_H

#define SKIFF_ABI_VERSION 1u
#define SKIFF_HC_MMIO_BASE 0x1000000000 /* 64 GiB: above any guest RAM, mapped by one 2 MiB page */
/* The ring-0 fault stubs (assembly) report the exception vector with `out` here. */
#define SKIFF_HC_FAULT_PORT 0x5103

#ifndef __ASSEMBLER__
#include <stdint.h>

enum skiff_hypercall {
    SKIFF_HC_EXIT = 0,        /* skiff_hc_exit: the app is done; the VMM exits */
    SKIFF_HC_LOG = 1,         /* skiff_hc_buf: a line for the VMM's --debug log */
    SKIFF_HC_MARK = 2,        /* skiff_hc_mark: timestamp a boot milestone (--timing) */
    SKIFF_HC_FAULT = 3,       /* reserved: faults arrive on SKIFF_HC_FAULT_PORT */
    SKIFF_HC_OPEN = 4,        /* skiff_hc_open: open a rootfs path, returns a handle, fills stat */
    SKIFF_HC_CLOSE = 5,       /* skiff_hc_handle */
    SKIFF_HC_READ = 6,        /* skiff_hc_io: sequential read (stdin, pipes) */
    SKIFF_HC_WRITE = 7,       /* skiff_hc_io: sequential write (stdout, stderr) */
    SKIFF_HC_PREAD = 8,       /* skiff_hc_io */
    SKIFF_HC_PWRITE = 9,      /* skiff_hc_io */
    SKIFF_HC_STAT = 10,       /* skiff_hc_stat */
    SKIFF_HC_FSTAT = 11,      /* skiff_hc_fstat */
    SKIFF_HC_GETDENTS = 12,   /* skiff_hc_getdents: linux_dirent64 records and their lstat */
    SKIFF_HC_READLINK = 13,   /* skiff_hc_readlink */
    SKIFF_HC_SEEK_DIR = 14,   /* skiff_hc_io: rewind a directory handle to `offset` (a d_off) */
    SKIFF_HC_CLOCK = 15,      /* skiff_hc_clock */
    SKIFF_HC_SLEEP = 16,      /* skiff_hc_clock: relative sleep of sec/nsec on the host */
    SKIFF_HC_SET_FS_BASE = 17,/* skiff_hc_value: the FS base (TLS) of the vCPU */
    SKIFF_HC_DISCARD = 18,    /* skiff_hc_range: give guest pages back to the host (they read 0) */
    SKIFF_HC_RANDOM = 19,     /* skiff_hc_range: fill with random bytes */
    SKIFF_HC_TTY = 20,        /* skiff_hc_tty: TCGETS / TIOCGWINSZ of a host handle */
    SKIFF_HC_COUNT = 21
};

struct skiff_hc_exit {
    int64_t ret;
    int32_t status; /* exit status when signal == 0 */
    int32_t signal; /* the app died of this signal: the VMM exits 128 + signal */
};

struct skiff_hc_buf {
    int64_t ret;
    uint64_t addr;
    uint64_t len;
};

enum skiff_mark { SKIFF_MARK_LIBOS_START = 1, SKIFF_MARK_APP_START = 2 };
struct skiff_hc_mark {
    int64_t ret;
    uint64_t what; /* enum skiff_mark */
};

/* The x86-64 Linux `struct stat` (as the kernel writes it), so both sides copy it verbatim. */
struct skiff_stat {
    uint64_t st_dev, st_ino, st_nlink;
    uint32_t st_mode, st_uid, st_gid, pad0;
    uint64_t st_rdev;
    int64_t st_size, st_blksize, st_blocks;
    int64_t st_atime_sec, st_atime_nsec, st_mtime_sec, st_mtime_nsec, st_ctime_sec, st_ctime_nsec;
    int64_t unused[3];
};

struct skiff_hc_open {
    int64_t ret;     /* a handle >= 0 */
    uint64_t path;   /* absolute path inside the rootfs, not NUL-terminated */
    uint64_t path_len;
    int32_t flags;   /* Linux O_* flags; O_CLOEXEC is implied */
    uint32_t mode;
    uint64_t stat;   /* guest address of a skiff_stat filled on success, 0 for none */
};

struct skiff_hc_handle {
    int64_t ret;
    int64_t handle;
};

struct skiff_hc_io {
    int64_t ret;     /* bytes transferred */
    int64_t handle;
    uint64_t buf;
    uint64_t len;
    int64_t offset;  /* PREAD/PWRITE/SEEK_DIR only */
};

/* Fills buf with linux_dirent64 records (as many as fit) and says whether the listing ended.
 * With stats != 0 it also writes the lstat of each record, in order, into stats (room for
 * stats_max), so `ls -l` costs no stat round trip per entry; an entry it could not stat, and
 * "." and "..", get st_mode 0. */
struct skiff_hc_getdents {
    int64_t ret;      /* bytes of records */
    int64_t handle;
    uint64_t buf;
    uint64_t len;
    uint64_t stats;
    uint32_t stats_max;
    uint32_t nstats;  /* out: stats written */
    uint32_t eof;     /* out: 1 when the listing reached its end */
    uint32_t pad;
};

struct skiff_hc_stat {
    int64_t ret;
    uint64_t path;
    uint64_t path_len;
    uint64_t stat;
    uint32_t nofollow; /* lstat */
    uint32_t pad;
};

struct skiff_hc_fstat {
    int64_t ret;
    int64_t handle;
    uint64_t stat;
};

struct skiff_hc_readlink {
    int64_t ret; /* bytes placed in buf */
    uint64_t path;
    uint64_t path_len;
    uint64_t buf;
    uint64_t len;
};

struct skiff_hc_clock {
    int64_t ret;
    int32_t clock; /* CLOCK_REALTIME, CLOCK_MONOTONIC, ... */
    int32_t pad;
    int64_t sec;
    int64_t nsec;
};

struct skiff_hc_value {
    int64_t ret;
    uint64_t value;
};

struct skiff_hc_range {
    int64_t ret;
    uint64_t addr;
    uint64_t len;
};

struct skiff_hc_tty {
    int64_t ret;
    int64_t handle;
    uint32_t request; /* 0x5401 TCGETS (36-byte termios) or 0x5413 TIOCGWINSZ (8-byte winsize) */
    uint32_t pad;
    uint64_t buf;
};

#endif /* __ASSEMBLER__ */

/* Guest memory layout. Guest RAM is identity-mapped (virtual == physical) from 0; the first
 * 2 MiB use 4 KiB pages so page 0 stays unmapped and the CPU tables stay supervisor-only. */
#define SKIFF_GDT_ADDR 0x1000u      /* GDT followed by the TSS, supervisor */
#define SKIFF_IDT_ADDR 0x2000u      /* supervisor */
#define SKIFF_PML4_ADDR 0x3000u     /* page tables: PML4, PDPT, PT of the first 2 MiB, PDs */
#define SKIFF_PAGE_TABLES_END 0x10000u
#define SKIFF_RING0_STACK_TOP 0x12000u /* IST1/RSP0 stack [0x10000, 0x12000), supervisor */
#define SKIFF_BOOT_INFO_ADDR 0x12000u  /* skiff_boot_info, user read-only by convention */
#define SKIFF_LIBOS_ADDR 0x100000u     /* the libOS image is linked here */
#define SKIFF_LIBOS_LIMIT 0x400000u    /* apps must load above this */
#define SKIFF_PIE_BASE 0x1000000u      /* where static-pie apps are loaded */

#define SKIFF_LIBOS_MAGIC 0x534f424cu /* "LBOS" */
#ifndef __ASSEMBLER__
/* At SKIFF_LIBOS_ADDR: the libOS tells the VMM where its pieces are. */
struct skiff_libos_header {
    uint32_t magic;
    uint32_t abi_version;
    uint64_t image_end;     /* end of the loaded bytes */
    uint64_t bss_end;       /* end of the zeroed memory the libOS owns */
    uint64_t ring0_start;   /* [ring0_start, ring0_end) is mapped supervisor-only */
    uint64_t ring0_end;
    uint64_t entry;         /* ring-3 start: rdi = &skiff_boot_info */
    uint64_t syscall_entry; /* ring-0 LSTAR target */
    uint64_t fault_stubs;   /* ring-0 IDT stubs for vectors 0..31 */
    uint64_t fault_stub_size;
    uint64_t signal_entry;  /* ring-3 entry when the VMM interrupts the app for a signal */
};

#define SKIFF_BOOT_MAGIC 0x544f4f42u /* "BOOT" */
#define SKIFF_BOOT_DEBUG 1u          /* name unimplemented syscalls in the VMM log */
#define SKIFF_BOOT_TIMING 2u         /* send SKIFF_HC_MARK hypercalls */
#define SKIFF_BOOT_SECCOMP 4u        /* the container's seccomp profile is at SKIFF_SECCOMP_ADDR (seccomp.h) */
struct skiff_boot_info {
    uint32_t magic;
    uint32_t abi_version;
    uint64_t flags;
    uint64_t ram_size;
    uint64_t app_entry;
    uint64_t app_stack;  /* initial rsp: argc, argv, envp, auxv */
    uint64_t brk_start;  /* page-aligned end of the app image */
    uint64_t mmap_low;   /* [mmap_low, mmap_high) is free for brk, mmap and the libOS */
    uint64_t mmap_high;  /* the stack lies above */
    uint32_t uid, gid;
    uint64_t hwcap;
    char hostname[65];
    char exe[255];       /* absolute path of the app, for /proc/self/exe */
    char cwd[256];
    /* Signals the VMM received for the app (bit sig-1), written only while the vCPU is stopped;
     * the libOS takes them at its next syscall exit or at signal_entry. */
    uint64_t pending_signals;
    /* A fault in the app the VMM diverted to signal_entry: the signal (0: none) and address. */
    uint32_t fault_signal;
    uint32_t fault_code;   /* si_code: SEGV_MAPERR, ILL_ILLOPN, FPE_INTDIV, ... */
    uint64_t fault_addr;
    /* The app's registers when the VMM diverted it to signal_entry. */
    struct skiff_regs {
        uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
        uint64_t r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags;
    } interrupted;
    /* Which of the VMM's stdio handles 0..2 are terminals (bit n): terminal queries on the others
     * get ENOTTY from the libOS without a hypercall. */
    uint32_t stdio_tty;
    uint32_t random_len;       /* bytes of random_pool the VMM filled */
    uint8_t random_pool[256];  /* fresh host randomness for the first getrandom calls, each byte used once */
    /* fstat of the VMM's stdio handles 0..2 taken at boot (bit n of stdio_stat_valid): the answer
     * to the first fstat of each (glibc's stdio makes one to choose its buffering), later ones
     * go to the host. */
    uint32_t stdio_stat_valid;
    uint32_t pad2;
    struct skiff_stat stdio_stat[3];
    /* The guest's TSC and the host clocks read together just before the first run, and the TSC
     * rate: the libOS tells time from the TSC without a clock hypercall (tsc_khz 0: unknown). */
    uint64_t clock_tsc;
    int64_t clock_mono_ns, clock_real_ns;
    uint32_t tsc_khz;
    uint32_t pad3;
};

#define SKIFF_STATIC_ASSERT(c, m) _Static_assert(c, m)
#ifdef __cplusplus
#undef SKIFF_STATIC_ASSERT
#define SKIFF_STATIC_ASSERT(c, m) static_assert(c, m)
#endif
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_exit) == 16, "skiff_hc_exit layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_buf) == 24, "skiff_hc_buf layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_mark) == 16, "skiff_hc_mark layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_stat) == 144, "skiff_stat must match the kernel's");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_open) == 40, "skiff_hc_open layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_handle) == 16, "skiff_hc_handle layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_io) == 40, "skiff_hc_io layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_stat) == 40, "skiff_hc_stat layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_getdents) == 56, "skiff_hc_getdents layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_fstat) == 24, "skiff_hc_fstat layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_readlink) == 40, "skiff_hc_readlink layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_clock) == 32, "skiff_hc_clock layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_value) == 16, "skiff_hc_value layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_range) == 24, "skiff_hc_range layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_hc_tty) == 32, "skiff_hc_tty layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_libos_header) == 80, "skiff_libos_header layout");
SKIFF_STATIC_ASSERT(sizeof(struct skiff_boot_info) == 1560, "skiff_boot_info layout");
#endif /* __ASSEMBLER__ */

#endif
