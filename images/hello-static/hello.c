// The smallest useful test program: proves stdout, stderr and exit codes cross the runtime.
//   hello [EXIT_CODE [WORDS...]]
// prints "hello from skiff" and any WORDS on stdout, one line on stderr, exits EXIT_CODE.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  fputs("hello from skiff", stdout);
  for (int i = 2; i < argc; i++) printf(" %s", argv[i]);
  fputs("\n", stdout);
  fflush(stdout);
  fputs("hello-static: this line is on stderr\n", stderr);
  return argc > 1 ? atoi(argv[1]) : 0;
}
