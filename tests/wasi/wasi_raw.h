// Helpers for the wasm-only programs that call wasi_snapshot_preview1 directly (<wasi/api.h>).
#ifndef COROWASM_WASI_RAW_H
#define COROWASM_WASI_RAW_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static int g_failures = 0;

static const char* const kErrnoNames[] = {
    "SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT", "AGAIN", "ALREADY",
    "BADF", "BADMSG", "BUSY", "CANCELED", "CHILD", "CONNABORTED", "CONNREFUSED", "CONNRESET",
    "DEADLK", "DESTADDRREQ", "DOM", "DQUOT", "EXIST", "FAULT", "FBIG", "HOSTUNREACH", "IDRM",
    "ILSEQ", "INPROGRESS", "INTR", "INVAL", "IO", "ISCONN", "ISDIR", "LOOP", "MFILE", "MLINK",
    "MSGSIZE", "MULTIHOP", "NAMETOOLONG", "NETDOWN", "NETRESET", "NETUNREACH", "NFILE", "NOBUFS",
    "NODEV", "NOENT", "NOEXEC", "NOLCK", "NOLINK", "NOMEM", "NOMSG", "NOPROTOOPT", "NOSPC",
    "NOSYS", "NOTCONN", "NOTDIR", "NOTEMPTY", "NOTRECOVERABLE", "NOTSOCK", "NOTSUP", "NOTTY",
    "NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE", "PROTO", "PROTONOSUPPORT", "PROTOTYPE",
    "RANGE", "ROFS", "SPIPE", "SRCH", "STALE", "TIMEDOUT", "TXTBSY", "XDEV", "NOTCAPABLE"};

static __attribute__((unused)) const char* wname(__wasi_errno_t e) {
  if (e < sizeof kErrnoNames / sizeof kErrnoNames[0]) return kErrnoNames[e];
  static char buf[32];
  snprintf(buf, sizeof buf, "errno%u", (unsigned)e);
  return buf;
}

// Print "<what>: <ERRNO>"; count a failure unless it is `want`.
static __attribute__((unused)) __wasi_errno_t expect(const char* what, __wasi_errno_t got,
                                                     __wasi_errno_t want) {
  printf("%s: %s\n", what, wname(got));
  if (got != want) {
    printf("  ^ FAIL: expected %s\n", wname(want));
    g_failures++;
  }
  return got;
}

#define OK(what, expr) expect(what, (expr), __WASI_ERRNO_SUCCESS)

// For outcomes where the spec leaves a choice: print `label` if `got` is one of the accepted
// errnos (given as a 0-terminated list), else the errno and a failure. The actual errno goes to
// stderr, which the driver shows on failure.
static __attribute__((unused)) void expect_one_of(const char* what, __wasi_errno_t got,
                                                  const char* label, ...) {
  va_list ap;
  va_start(ap, label);
  int ok = 0;
  for (;;) {
    int e = va_arg(ap, int);
    if (e == 0) break;
    if (got == (__wasi_errno_t)e) ok = 1;
  }
  va_end(ap);
  fprintf(stderr, "[%s: %s]\n", what, wname(got));
  if (ok) {
    printf("%s: %s\n", what, label);
  } else {
    printf("%s: %s\n  ^ FAIL: expected %s\n", what, wname(got), label);
    g_failures++;
  }
}

static __attribute__((unused)) void check(const char* what, int cond) {
  printf("%s: %s\n", what, cond ? "yes" : "no");
  if (!cond) g_failures++;
}

static __attribute__((unused)) const char* ftname(__wasi_filetype_t t) {
  switch (t) {
    case __WASI_FILETYPE_UNKNOWN: return "UNKNOWN";
    case __WASI_FILETYPE_BLOCK_DEVICE: return "BLOCK_DEVICE";
    case __WASI_FILETYPE_CHARACTER_DEVICE: return "CHARACTER_DEVICE";
    case __WASI_FILETYPE_DIRECTORY: return "DIRECTORY";
    case __WASI_FILETYPE_REGULAR_FILE: return "REGULAR_FILE";
    case __WASI_FILETYPE_SOCKET_DGRAM: return "SOCKET_DGRAM";
    case __WASI_FILETYPE_SOCKET_STREAM: return "SOCKET_STREAM";
    case __WASI_FILETYPE_SYMBOLIC_LINK: return "SYMBOLIC_LINK";
  }
  return "?";
}

// The preopen whose name is `name` (scanning fds from 3 until EBADF, as wasi-libc does).
static __attribute__((unused)) __wasi_fd_t find_preopen(const char* name) {
  for (__wasi_fd_t fd = 3; fd < 64; fd++) {
    __wasi_prestat_t ps;
    __wasi_errno_t e = __wasi_fd_prestat_get(fd, &ps);
    if (e == __WASI_ERRNO_BADF) break;
    if (e != 0 || ps.tag != __WASI_PREOPENTYPE_DIR) continue;
    char buf[256];
    size_t len = ps.u.dir.pr_name_len;
    if (len >= sizeof buf) continue;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t*)buf, len) != 0) continue;
    buf[len] = 0;
    if (!strcmp(buf, name)) return fd;
  }
  printf("FAIL: no preopen named %s\n", name);
  exit(1);
}

// Rights a directory fd hands to what is opened under it.
static __attribute__((unused)) __wasi_rights_t inheriting(__wasi_fd_t dir) {
  __wasi_fdstat_t st;
  if (__wasi_fd_fdstat_get(dir, &st) != 0) return 0;
  return st.fs_rights_inheriting;
}

// path_open with the rights wasi-libc would ask for, limited to what `dir` can hand out.
static __attribute__((unused)) __wasi_errno_t open_at(__wasi_fd_t dir, __wasi_lookupflags_t lf,
                                                      const char* path, __wasi_oflags_t of,
                                                      __wasi_fdflags_t ff, __wasi_fd_t* out) {
  __wasi_rights_t r = inheriting(dir);
  *out = (__wasi_fd_t)-1;
  return __wasi_path_open(dir, lf, path, of, r, r, ff, out);
}

// Open a directory the way wasi-libc's opendir does: read rights only (asking for FD_WRITE on a
// directory may be refused with ISDIR).
static __attribute__((unused)) __wasi_errno_t open_dir(__wasi_fd_t dir, const char* path, __wasi_fd_t* out) {
  const __wasi_rights_t write_rights = __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_WRITE |
                                       __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE;
  __wasi_rights_t r = inheriting(dir);
  *out = (__wasi_fd_t)-1;
  return __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, __WASI_OFLAGS_DIRECTORY,
                          r & ~write_rights, r, 0, out);
}

static __attribute__((unused)) __wasi_errno_t write_str(__wasi_fd_t fd, const char* s, __wasi_size_t* n) {
  __wasi_ciovec_t iov = {(const uint8_t*)s, strlen(s)};
  return __wasi_fd_write(fd, &iov, 1, n);
}

static __attribute__((unused)) int finish_raw(void) {
  if (g_failures) printf("failures: %d\n", g_failures);
  else printf("done\n");
  fflush(stdout);
  return g_failures ? 1 : 0;
}

#endif
