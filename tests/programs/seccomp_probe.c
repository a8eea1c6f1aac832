/* What an app sees of its container's seccomp profile; the output must be identical in container
 * mode (the kernel's seccomp) and vm mode (the libOS and the VMM). Values that differ between
 * the modes (pids, uname fields) are never printed, only ok or the errno name.
 * usage: seccomp_probe calls|trap|kill|raw-open */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <ucontext.h>
#include <unistd.h>

#include "skiff/abi.h"

static const char* name(int e) {
    switch (e) {
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    case EACCES: return "EACCES";
    case EBADF: return "EBADF";
    case EROFS: return "EROFS";
    case EXDEV: return "EXDEV";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case ETXTBSY: return "ETXTBSY";
    default: return "other";
    }
}

static void report(const char* what, long r) {
    if (r < 0) printf("%s: %s\n", what, name(errno));
    else printf("%s: ok\n", what);
}

static volatile int trap_seen;
static void on_sigsys(int sig, siginfo_t* si, void* uc_) {
    ucontext_t* uc = uc_;
    printf("SIGSYS: signo %d code %d errno %d syscall %d arch %#x rax=nr %d\n", sig, si->si_code,
           si->si_errno, si->si_syscall, si->si_arch,
           uc->uc_mcontext.gregs[REG_RAX] == si->si_syscall);
    uc->uc_mcontext.gregs[REG_RAX] = 77; /* what the trapped call returns */
    trap_seen = 1;
}

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "calls";
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(mode, "calls")) {
        struct utsname u;
        report("getppid", syscall(SYS_getppid));
        report("uname", uname(&u));
        report("getpid", syscall(SYS_getpid));
        report("write to fd 4242", write(4242, "", 0));
        report("write to fd -1", write(-1, "", 0));
        report("open O_RDONLY", open("/etc/passwd", O_RDONLY));
        report("open O_WRONLY", open("/etc/passwd", O_WRONLY));
        int fd = open("/etc/passwd", O_RDONLY);
        report("lseek SEEK_SET", lseek(fd, 0, SEEK_SET));
        report("lseek whence 7", lseek(fd, 0, 7));
        report("getcwd", syscall(SYS_getcwd, (char[256]){0}, 256));
        return 0;
    }
    if (!strcmp(mode, "trap")) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_sigsys;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGSYS, &sa, NULL);
        long r = syscall(SYS_getgid);
        printf("getgid after the trap: %ld, handler ran: %d\n", r, trap_seen);
        return 0;
    }
    if (!strcmp(mode, "kill")) {
        printf("before\n");
        syscall(SYS_getgid);
        printf("still alive after a killing syscall\n");
        return 0;
    }
    if (!strcmp(mode, "raw-open")) {
        /* vm mode only: ask the VMM to open a file directly, going around the libOS. */
        static const char path[] = "/etc/passwd";
        struct skiff_hc_open o = {0, (uint64_t)(uintptr_t)path, sizeof path - 1, 0, 0, 0};
        o.ret = -9999;
        __asm__ volatile("movq %0, (%1)" : : "r"((uint64_t)(uintptr_t)&o), "r"(SKIFF_HC_MMIO_BASE + 8ull * SKIFF_HC_OPEN) : "memory");
        int64_t h = *(volatile int64_t*)&o.ret;
        if (h < 0) printf("raw open hypercall: %s\n", name((int)-h));
        else printf("raw open hypercall: handle\n");
        return 0;
    }
    fprintf(stderr, "usage: seccomp_probe calls|trap|kill|raw-open\n");
    return 2;
}
