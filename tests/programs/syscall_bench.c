/* What one guest syscall costs: times N getppid() calls, N/10 4 KiB pread()s of one file (page
 * cache hits after the first), N/10 clock_gettime()s, N/10 1-byte write()s to /dev/null, and
 * N/100 listings of / (open, getdents64 to the end, close: served by the host in vm mode), and
 * prints ns per call (per listing for the last).
 * usage: syscall_bench [N] [FILE] */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char** argv) {
    long n = argc > 1 ? atol(argv[1]) : 100000;
    const char* file = argc > 2 ? argv[2] : "/syscall_bench.dat";
    double t = now_ns();
    for (long i = 0; i < n; ++i) syscall(SYS_getppid);
    printf("getppid: %.0f ns/call\n", (now_ns() - t) / n);

    int fd = open(file, O_RDONLY);
    if (fd < 0) {
        perror(file);
        return 1;
    }
    static char buf[4096];
    long m = n / 10;
    t = now_ns();
    for (long i = 0; i < m; ++i) pread(fd, buf, sizeof buf, (i % 16) * 4096);
    printf("pread 4 KiB: %.0f ns/call\n", (now_ns() - t) / m);
    close(fd);

    struct timespec ts;
    t = now_ns();
    for (long i = 0; i < m; ++i) clock_gettime(CLOCK_REALTIME, &ts);
    printf("clock_gettime: %.0f ns/call\n", (now_ns() - t) / m);

    int null = open("/dev/null", O_WRONLY);
    t = now_ns();
    for (long i = 0; i < m; ++i) write(null, buf, 1);
    printf("write /dev/null: %.0f ns/call\n", (now_ns() - t) / m);

    long k = n / 100 ? n / 100 : 1;
    t = now_ns();
    for (long i = 0; i < k; ++i) {
        int dir = open("/", O_RDONLY | O_DIRECTORY);
        if (dir < 0) {
            perror("/");
            return 1;
        }
        while (syscall(SYS_getdents64, dir, buf, sizeof buf) > 0) {
        }
        close(dir);
    }
    printf("list /: %.0f ns/call\n", (now_ns() - t) / k);
    return 0;
}
