// proc_exit: the exit status of the process is the guest's exit code (portable).
//   exit_code return   main returns 7                (wasi-libc's _start calls proc_exit(7))
//   exit_code exit     unflushed stdout, then exit(42) (stdio is flushed, then proc_exit(42))
//   exit_code nested   exit(3) from deep inside a recursion
//   exit_code zero     exit(0) after output
//   exit_code trap     prints, flushes, then traps (wasm-only test: expect status 134)
#include "common.h"

static int depth(int n) {
  if (n == 0) {
    printf("exiting at depth 0\n");
    exit(3);
  }
  return depth(n - 1) + 1;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "return";
  if (!strcmp(mode, "return")) {
    printf("returning 7\n");
    return 7;
  }
  if (!strcmp(mode, "exit")) {
    printf("buffered, no newline");  // must still appear: exit() flushes stdio
    exit(42);
  }
  if (!strcmp(mode, "nested")) {
    printf("result %d\n", depth(1000));
    return 0;
  }
  if (!strcmp(mode, "zero")) {
    printf("exit zero\n");
    exit(0);
  }
  if (!strcmp(mode, "trap")) {
    printf("before trap\n");
    fflush(stdout);
    __builtin_trap();
  }
  printf("unknown mode\n");
  return 99;
}
