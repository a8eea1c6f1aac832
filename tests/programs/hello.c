/* The vm-mode reference program: writes to stdout and stderr separately, reads a file, and exits
 * with a chosen code, so a test can compare every channel with a native run.
 * usage: hello [FILE [EXIT_CODE]] */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
    printf("hello from %s, argc=%d\n", argv[0], argc);
    for (int i = 1; i < argc; ++i) printf("argv[%d]=%s\n", i, argv[i]);
    const char* home = getenv("HOME");
    printf("HOME=%s\n", home ? home : "(unset)");
    fflush(stdout);
    fprintf(stderr, "this goes to stderr\n");
    if (argc > 1) {
        int fd = open(argv[1], O_RDONLY);
        if (fd < 0) {
            perror(argv[1]);
            return 3;
        }
        char buf[4096];
        ssize_t n, total = 0;
        while ((n = read(fd, buf, sizeof buf)) > 0) {
            fwrite(buf, 1, (size_t)n, stdout);
            total += n;
        }
        close(fd);
        printf("read %zd bytes from %s\n", total, argv[1]);
    }
    return argc > 2 ? atoi(argv[2]) : 0;
}
