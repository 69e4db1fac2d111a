/* A plain WASI command: copy stdin to stdout, upper-casing letters and counting lines.
   Built with clang-19 --target=wasm32-wasi against Debian's wasi-libc; nothing in it knows it
   runs inside an Asio service. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  const char* tag = argc > 1 ? argv[1] : "filter";
  int c, lines = 0;
  while ((c = getchar()) != EOF) {
    if (c == '\n') {
      ++lines;
      fflush(stdout); /* hand each line on at once: the next stage is waiting for it */
    }
    putchar(toupper(c));
  }
  fprintf(stderr, "%s: %d lines\n", tag, lines);
  return 0;
}
