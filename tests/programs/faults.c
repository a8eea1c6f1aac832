/* Faults and signals an app can cause, each by name, for the vm-mode signal and exit status tests.
 * usage: faults segv|segv-handled|ill|fpe|abort|handler|spin|spin-handled|sleep-handled|exhaust */
#include <errno.h>
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

static void on_segv(int sig, siginfo_t* si, void* ctx) {
    (void)ctx;
    printf("signal %d at address %p\n", sig, si->si_addr);
    fflush(stdout);
    _exit(7);
}

static void on_term(int sig) {
    static const char msg[] = "SIGTERM handled\n";
    (void)sig;
    write(1, msg, sizeof msg - 1);
    _exit(42);
}

int main(int argc, char** argv) {
    const char* what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "segv")) {
        volatile int* p = (int*)8;
        *p = 1;
    } else if (!strcmp(what, "segv-handled")) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_segv;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGSEGV, &sa, 0);
        volatile int* p = (int*)0x1008;
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
    } else if (!strcmp(what, "spin") || !strcmp(what, "spin-handled")) {
        /* Compute without syscalls until a signal ends it. */
        if (what[4]) signal(SIGTERM, on_term);
        printf("spinning\n");
        fflush(stdout);
        for (volatile unsigned long i = 0;; ++i) {
        }
    } else if (!strcmp(what, "sleep-handled")) {
        signal(SIGTERM, on_term);
        printf("sleeping\n");
        fflush(stdout);
        sleep(30);
        return 1;
    } else if (!strcmp(what, "read-restart") || !strcmp(what, "read-eintr")) {
        /* A signal with a handler arrives while blocked reading stdin: SA_RESTART resumes the read,
         * without it read fails with EINTR. */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_usr1;
        sa.sa_flags = what[5] == 'r' ? SA_RESTART : 0;
        sigaction(SIGUSR1, &sa, 0);
        printf("reading\n");
        fflush(stdout);
        char buf[64];
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0) printf("read: %s\n", strerror(errno));
        else printf("read %zd bytes\n", n);
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
    fprintf(stderr, "usage: faults segv|segv-handled|ill|fpe|abort|handler|spin|spin-handled|sleep-handled|exhaust\n");
    return 2;
}
