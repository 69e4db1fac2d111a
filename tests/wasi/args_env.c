// args_get/args_sizes_get and environ_get/environ_sizes_get through wasi-libc (portable).
// argv[0] is not printed (it differs between the native and the wasm run). The driver runs the
// native binary under `env -i` with the same variables it passes to the runtime with --env, so
// the environment is exactly those variables in both runs.
#include "common.h"

extern char** environ;

static int cmp(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

int main(int argc, char** argv) {
  printf("argc=%d\n", argc);
  printf("argv[0] non-empty: %s\n", argv[0] && argv[0][0] ? "yes" : "no");
  for (int i = 1; i < argc; i++) printf("argv[%d]=<%s> len=%zu\n", i, argv[i], strlen(argv[i]));
  printf("argv[argc] is NULL: %s\n", argv[argc] == NULL ? "yes" : "no");

  const char* names[] = {"FOO", "EMPTY", "SPACES", "EQUALS", "UNICODE", "NOT_SET", "PATH", "HOME"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    const char* v = getenv(names[i]);
    if (v) printf("getenv(%s)=<%s>\n", names[i], v);
    else printf("getenv(%s)=NULL\n", names[i]);
  }

  size_t n = 0;
  while (environ && environ[n]) n++;
  printf("environ count=%zu\n", n);
  const char** sorted = malloc((n + 1) * sizeof *sorted);
  for (size_t i = 0; i < n; i++) sorted[i] = environ[i];
  qsort(sorted, n, sizeof *sorted, cmp);
  for (size_t i = 0; i < n; i++) printf("environ: <%s>\n", sorted[i]);
  free((void*)sorted);

  // setenv/unsetenv work on the guest's own copy.
  setenv("ADDED", "1", 1);
  unsetenv("FOO");
  printf("after setenv/unsetenv: ADDED=%s FOO=%s\n", getenv("ADDED") ? getenv("ADDED") : "NULL",
         getenv("FOO") ? getenv("FOO") : "NULL");
  return finish();
}
