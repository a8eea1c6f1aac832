/* exec_t0 PROGRAM ARGS...: execs PROGRAM with every "{t0}" argument replaced by CLOCK_MONOTONIC
 * in nanoseconds read just before execve, so skiff-vmm --timing --timing-t0 {t0} can report the
 * time from exec to its first guest instruction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: exec_t0 PROGRAM ARGS... ({t0} is replaced)\n");
        return 2;
    }
    static char t0[32];
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    snprintf(t0, sizeof t0, "%lld", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    for (int i = 1; i < argc; ++i)
        if (!strcmp(argv[i], "{t0}")) argv[i] = t0;
    execv(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
