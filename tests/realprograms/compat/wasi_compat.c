/* Linked into the wasm32-wasi builds of the real programs (see wasi_compat.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Processes cannot be started under WASI: popen/pclose/system fail the way they do when no
 * shell is available. */

FILE *popen(const char *command, const char *mode) {
  (void)command;
  (void)mode;
  errno = ENOSYS;
  return 0;
}
int pclose(FILE *stream) {
  (void)stream;
  errno = ECHILD;
  return -1;
}
int system(const char *command) {
  if (!command) return 0; /* no command processor */
  errno = ENOSYS;
  return -1;
}

/* Nor is there a directory for temporary files: tmpfile (which wasi-libc declares but leaves
 * out; Lua's io.tmpfile) fails. */
FILE *tmpfile(void) {
  errno = ENOTSUP;
  return 0;
}

/* realpath without symbolic links: an absolute path with "." and ".." resolved lexically (the
 * guest sees only preopened directories, named by absolute paths); fails like realpath when the
 * path does not exist. Relative paths are taken from "/". */
char *realpath(const char *restrict path, char *restrict resolved) {
  if (!path) {
    errno = EINVAL;
    return 0;
  }
  struct stat st;
  if (stat(path, &st) != 0) return 0;
  char buf[PATH_MAX];
  size_t len = 0;
  const char *p = path;
  buf[0] = '/';
  len = 1;
  while (*p) {
    while (*p == '/') p++;
    if (!*p) break;
    const char *end = strchr(p, '/');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n == 1 && p[0] == '.') {
      /* nothing */
    } else if (n == 2 && p[0] == '.' && p[1] == '.') {
      while (len > 1 && buf[len - 1] != '/') len--;
      if (len > 1) len--;
    } else {
      if (len + (len > 1) + n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return 0;
      }
      if (len > 1) buf[len++] = '/';
      memcpy(buf + len, p, n);
      len += n;
    }
    p += n;
  }
  buf[len] = 0;
  if (!resolved) return strdup(buf);
  memcpy(resolved, buf, len + 1);
  return resolved;
}
