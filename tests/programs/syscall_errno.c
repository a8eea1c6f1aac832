/* Makes the syscalls named on the command line and prints how each one ended, for tests of
 * seccomp profiles: "unshare_user=EPERM clone3=ENOSYS socket_inet=ok".
 * Each probe is harmless when allowed: clone3 gets a zero-sized argument (EINVAL from the
 * kernel), unshare only touches this process, sockets are closed at once. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef SYS_add_key
#define SYS_add_key 248
#endif

static long probe(const char *name) {
    if (!strcmp(name, "clone3")) return syscall(SYS_clone3, NULL, 0);
    if (!strcmp(name, "unshare_user")) return unshare(CLONE_NEWUSER);
    if (!strcmp(name, "socket_inet") || !strcmp(name, "socket_vsock")) {
        int fd = socket(name[7] == 'i' ? AF_INET : AF_VSOCK, SOCK_DGRAM, 0);
        if (fd >= 0) close(fd);
        return fd;
    }
    if (!strcmp(name, "personality_linux32")) return personality(PER_LINUX32);
    if (!strcmp(name, "personality_no_aslr")) return personality(ADDR_NO_RANDOMIZE);
    if (!strcmp(name, "mount")) return mount("none", "/tmp", "tmpfs", 0, NULL);
    if (!strcmp(name, "add_key"))
        return syscall(SYS_add_key, "user", "skiff-probe", "x", 1, -2 /* session keyring */);
    errno = EINVAL;
    fprintf(stderr, "syscall_errno: unknown probe %s\n", name);
    return -2;
}

static const char *errno_name(int e) {
    switch (e) {
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case EACCES: return "EACCES";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case ENODEV: return "ENODEV";
    default: return "other";
    }
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        errno = 0;
        long r = probe(argv[i]);
        if (r == -2) return 2;
        printf("%s%s=%s", i > 1 ? " " : "", argv[i], r < 0 ? errno_name(errno) : "ok");
    }
    printf("\n");
    return 0;
}
