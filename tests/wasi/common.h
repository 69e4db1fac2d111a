// Shared helpers for the WASI test programs (tests/wasi). Header-only, C11.
// The portable programs build both natively and for wasm32-wasi; everything they print must be
// identical in both builds, so print errno *names* (never strerror text), never absolute paths,
// inode numbers or timestamps.
#ifndef COROWASM_WASI_TEST_COMMON_H
#define COROWASM_WASI_TEST_COMMON_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_failures = 0;

static __attribute__((unused)) const char* errname(int e) {
  switch (e) {
    case 0: return "OK";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case EMLINK: return "EMLINK";
    case EPIPE: return "EPIPE";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case ENOTSOCK: return "ENOTSOCK";
    case ENOTSUP: return "ENOTSUP";
    case EOVERFLOW: return "EOVERFLOW";
    case EFAULT: return "EFAULT";
    case ENOTCONN: return "ENOTCONN";
    case ENOTTY: return "ENOTTY";
#ifdef ENOTCAPABLE
    case ENOTCAPABLE: return "ENOTCAPABLE";
#endif
    default: {
      static char buf[32];
      snprintf(buf, sizeof buf, "errno%d", e);
      return buf;
    }
  }
}

// A line that makes the run fail even if the output comparison were skipped.
static __attribute__((unused)) void fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("FAIL: ");
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  g_failures++;
}

// Print "<what>: ok" when rc >= 0, "<what>: <ERRNO>" otherwise (errno sampled right away).
static __attribute__((unused)) int report(const char* what, long rc) {
  int e = errno;
  if (rc >= 0)
    printf("%s: ok\n", what);
  else
    printf("%s: %s\n", what, errname(e));
  return (int)rc;
}

// Expect failure with a specific errno; print "<what>: <ERRNO>".
static __attribute__((unused)) void expect_err(const char* what, long rc, int want) {
  int e = errno;
  if (rc >= 0) {
    printf("%s: unexpectedly succeeded\n", what);
    g_failures++;
    return;
  }
  printf("%s: %s\n", what, errname(e));
  if (e != want) g_failures++;
}

#define MUST(expr)                                                         \
  do {                                                                     \
    if ((long)(expr) < 0) {                                                \
      int e_ = errno;                                                      \
      printf("FAIL: %s (line %d): %s\n", #expr, __LINE__, errname(e_));    \
      g_failures++;                                                        \
    }                                                                      \
  } while (0)

static __attribute__((unused)) void join(char* out, size_t n, const char* base, const char* name) {
  snprintf(out, n, "%s/%s", base, name);
}

// Paths under the program's base directory (argv[1]: /sandbox in the wasm build, the scratch
// folder natively); four results may be alive at once.
static __attribute__((unused)) const char* base;
static __attribute__((unused)) char* P(const char* name) {
  static char bufs[4][1024];
  static int k;
  char* p = bufs[k++ & 3];
  join(p, 1024, base, name);
  return p;
}

static __attribute__((unused)) int finish(void) {
  if (g_failures) printf("failures: %d\n", g_failures);
  else printf("done\n");
  fflush(stdout);
  return g_failures ? 1 : 0;
}

#endif
