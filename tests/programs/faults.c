/* Faults and signals an app can cause, each by name, for the vm-mode signal and exit status tests.
 * usage: faults segv|ill|fpe|abort|handler|exhaust */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_usr1(int sig) {
    static const char msg[] = "handler ran for SIGUSR1\n";
    (void)sig;
    write(1, msg, sizeof msg - 1);
}

int main(int argc, char** argv) {
    const char* what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "segv")) {
        volatile int* p = (int*)8;
        *p = 1;
    } else if (!strcmp(what, "ill")) {
        __asm__ volatile("ud2");
    } else if (!strcmp(what, "fpe")) {
        int zero = 0, q;
        __asm__ volatile("cltd; idivl %2" : "=a"(q) : "a"(1), "r"(zero) : "edx");
        printf("%d\n", q);
    } else if (!strcmp(what, "abort")) {
        abort();
    } else if (!strcmp(what, "handler")) {
        signal(SIGUSR1, on_usr1);
        raise(SIGUSR1);
        printf("back in main\n");
        return 0;
    } else if (!strcmp(what, "exhaust")) {
        /* Take memory until the system says no; touch it so it is real. */
        size_t mib = 0;
        for (;;) {
            char* p = malloc(1 << 20);
            if (!p) break;
            memset(p, 1, 1 << 20);
            ++mib;
        }
        printf("malloc failed after %zu MiB\n", mib);
        return 0;
    }
    fprintf(stderr, "usage: faults segv|ill|fpe|abort|handler|exhaust\n");
    return 2;
}
