// wasm-only: a read-only preopen (--ro-dir <scratch>/ro::/sandbox). The driver fills it with
// data.txt ("read only data\n"), sub/inner.txt ("inner\n"), empty/ and link -> data.txt, and
// checks afterwards that nothing in it changed. Reads must work; anything that would modify the
// directory tree must be refused with PERM, ACCES, ROFS or NOTCAPABLE (printed as "refused"; the
// errno goes to stderr).
#include "wasi_raw.h"

#define DENIED __WASI_ERRNO_PERM, __WASI_ERRNO_ACCES, __WASI_ERRNO_ROFS, __WASI_ERRNO_NOTCAPABLE

static __wasi_fd_t root;
static const __wasi_rights_t kRead = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK |
                                     __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_TELL;
static const __wasi_rights_t kWrite = __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE;

static void refused(const char* what, __wasi_errno_t e) { expect_one_of(what, e, "refused", DENIED, 0); }

static void open_refused(const char* what, const char* path, __wasi_oflags_t of, __wasi_rights_t r,
                         __wasi_fdflags_t ff) {
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  __wasi_errno_t e = __wasi_path_open(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, of, r, 0, ff, &fd);
  refused(what, e);
  if (e == 0) (void)__wasi_fd_close(fd);
}

static void cat(const char* path) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, 0, kRead, 0, 0, &fd);
  if (e) {
    printf("read %s: %s\n  ^ FAIL: expected to work\n", path, wname(e));
    g_failures++;
    return;
  }
  char buf[64] = {0};
  __wasi_iovec_t iov = {(uint8_t*)buf, sizeof buf - 1};
  __wasi_size_t n = 0;
  OK("  fd_read", __wasi_fd_read(fd, &iov, 1, &n));
  if (n && buf[n - 1] == '\n') buf[n - 1] = 0;
  printf("read %s: \"%s\"\n", path, buf);
  (void)__wasi_fd_close(fd);
}

int main(void) {
  root = find_preopen("/sandbox");
  __wasi_filestat_t st;
  __wasi_size_t n;

  printf("== reads work\n");
  cat("data.txt");
  cat("sub/inner.txt");
  cat("link");
  OK("stat data.txt", __wasi_path_filestat_get(root, 0, "data.txt", &st));
  printf("  type=%s size=%llu\n", ftname(st.filetype), (unsigned long long)st.size);
  OK("stat link (no follow)", __wasi_path_filestat_get(root, 0, "link", &st));
  printf("  type=%s\n", ftname(st.filetype));
  char lb[64];
  OK("readlink link", __wasi_path_readlink(root, "link", (uint8_t*)lb, sizeof lb, &n));
  printf("  -> %.*s\n", (int)n, lb);
  __wasi_fd_t d;
  OK("opendir sub", open_dir(root, "sub", &d));
  uint8_t buf[1024];
  OK("fd_readdir sub", __wasi_fd_readdir(d, buf, sizeof buf, 0, &n));
  int found = 0;
  for (size_t off = 0; off + sizeof(__wasi_dirent_t) <= n;) {
    __wasi_dirent_t de;
    memcpy(&de, buf + off, sizeof de);
    if (de.d_namlen == 9 && !memcmp(buf + off + sizeof de, "inner.txt", 9)) found = 1;
    off += sizeof de + de.d_namlen;
  }
  check("  inner.txt listed", found);
  (void)__wasi_fd_close(d);

  printf("== opening for writing is refused\n");
  open_refused("open data.txt with FD_WRITE", "data.txt", 0, kWrite, 0);
  open_refused("open data.txt with O_TRUNC", "data.txt", __WASI_OFLAGS_TRUNC, kWrite, 0);
  open_refused("open data.txt with APPEND", "data.txt", 0, kWrite, __WASI_FDFLAGS_APPEND);
  open_refused("open link with FD_WRITE", "link", 0, kWrite, 0);
  open_refused("create new.txt", "new.txt", __WASI_OFLAGS_CREAT, kWrite, 0);
  open_refused("create sub/new.txt (read rights only)", "sub/new.txt", __WASI_OFLAGS_CREAT, kRead, 0);

  printf("== a read-only fd cannot modify the file\n");
  __wasi_fd_t fd;
  OK("open data.txt read-only", __wasi_path_open(root, 0, "data.txt", 0, kRead, 0, 0, &fd));
  __wasi_ciovec_t w = {(const uint8_t*)"x", 1};
  expect_one_of("fd_write", __wasi_fd_write(fd, &w, 1, &n), "refused", DENIED, __WASI_ERRNO_BADF, 0);
  expect_one_of("fd_pwrite", __wasi_fd_pwrite(fd, &w, 1, 0, &n), "refused", DENIED, __WASI_ERRNO_BADF, 0);
  expect_one_of("fd_filestat_set_size", __wasi_fd_filestat_set_size(fd, 0), "refused", DENIED,
                __WASI_ERRNO_BADF, __WASI_ERRNO_INVAL, 0);
  expect_one_of("fd_allocate", __wasi_fd_allocate(fd, 0, 4096), "refused", DENIED, __WASI_ERRNO_BADF, 0);
  refused("fd_filestat_set_times",
          __wasi_fd_filestat_set_times(fd, 0, 1000000000ull * 1000000000ull, __WASI_FSTFLAGS_MTIM));
  (void)__wasi_fd_close(fd);

  printf("== directory changes are refused\n");
  refused("path_create_directory newdir", __wasi_path_create_directory(root, "newdir"));
  refused("path_remove_directory empty", __wasi_path_remove_directory(root, "empty"));
  refused("path_unlink_file data.txt", __wasi_path_unlink_file(root, "data.txt"));
  refused("path_unlink_file link", __wasi_path_unlink_file(root, "link"));
  refused("path_rename data.txt -> renamed.txt", __wasi_path_rename(root, "data.txt", root, "renamed.txt"));
  refused("path_rename sub -> sub2", __wasi_path_rename(root, "sub", root, "sub2"));
  refused("path_symlink newlink", __wasi_path_symlink("data.txt", root, "newlink"));
  refused("path_link data.txt -> hard.txt", __wasi_path_link(root, 0, "data.txt", root, "hard.txt"));
  refused("path_filestat_set_times data.txt",
          __wasi_path_filestat_set_times(root, 0, "data.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  refused("path_filestat_set_times link (follow)",
          __wasi_path_filestat_set_times(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "link", 0, 0,
                                         __WASI_FSTFLAGS_ATIM_NOW));

  printf("== still intact\n");
  cat("data.txt");
  OK("stat data.txt", __wasi_path_filestat_get(root, 0, "data.txt", &st));
  printf("  size=%llu\n", (unsigned long long)st.size);
  return finish_raw();
}
