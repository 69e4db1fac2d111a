/* Force-included (-include) when tests/realprograms/build.sh builds the real programs for
 * wasm32-wasi: stand-ins for the few POSIX calls that Debian 12's wasi-libc (2022-05) lacks.
 * WASI has no file modes, owners, users or advisory locks, and a WASI program is the only user of
 * its files here, so the stand-ins succeed without doing anything. Not used for native builds. */
#ifndef COROWASM_WASI_COMPAT_H
#define COROWASM_WASI_COMPAT_H
#include <sys/types.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h> /* some sources (zstd programs/util.h) get FILE through other headers on glibc */

static inline int fchmod(int fd, mode_t mode) { (void)fd; (void)mode; return 0; }
static inline int fchown(int fd, uid_t uid, gid_t gid) { (void)fd; (void)uid; (void)gid; return 0; }
static inline int chmod(const char *path, mode_t mode) { (void)path; (void)mode; return 0; }
static inline int chown(const char *path, uid_t uid, gid_t gid) { (void)path; (void)uid; (void)gid; return 0; }
static inline uid_t geteuid(void) { return 0; }
static inline uid_t getuid(void) { return 0; }

/* realpath (wasi-libc leaves it out: "WASI has no absolute paths"); in wasi_compat.c. */
char *realpath(const char *restrict path, char *restrict resolved);

/* POSIX advisory record locks (sqlite's unix VFS): F_GETLK reports "unlocked", F_SETLK(W)
 * succeeds; every other fcntl command goes to wasi-libc. */
#ifndef F_GETLK
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
static inline int corowasm_fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void *arg = va_arg(ap, void *); /* every fcntl command used here passes an int or a pointer */
  va_end(ap);
  if (cmd == F_GETLK) {
    ((struct flock *)arg)->l_type = F_UNLCK;
    return 0;
  }
  if (cmd == F_SETLK || cmd == F_SETLKW) return 0;
  return fcntl(fd, cmd, (int)(__INTPTR_TYPE__)arg);
}
#define fcntl corowasm_fcntl
#endif

#endif
