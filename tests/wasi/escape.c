// wasm-only: attempts to get out of the preopened directory. The driver lays out
//   <scratch>/inside                 preopened as /sandbox (the only preopen)
//     data.txt ("inside data\n"), sub/, empty/
//     abs_link -> <scratch>/outside/secret.txt      etc_link -> /etc/passwd
//     rel_link -> ../outside/secret.txt             root_link -> /
//     chain1 -> chain2 -> ../outside/secret.txt     chain_sub -> sub/up_link
//     sub/up_link -> ../../outside/secret.txt       dotdot_link -> ..
//     dir_link -> ../outside/target_dir             abs_dir_link -> <scratch>/outside/target_dir
//     ok_link -> data.txt   ok_chain -> ok_link   ok_dir_link -> sub   sub/ok_up -> ../data.txt
//     ok_dotdot -> sub/../data.txt   missing_link -> ../outside/missing
//     abs_missing_link -> <scratch>/outside/missing
//   <scratch>/outside: secret.txt, target_dir/file.txt, empty_dir/
// and passes the host path <scratch>/outside as argv[1] (so absolute host paths are tried too).
// Every escape must fail; the driver checks afterwards that nothing under outside/ changed.
// Escapes through ".." or relative symlinks must fail with NOTCAPABLE (PERM and ACCES are
// accepted); absolute paths and absolute symlinks may also fail with NOENT (a runtime may resolve
// them against the sandbox root). The actual errno of each attempt goes to stderr.
// Destructive attempts only ever target <scratch>/outside, never /etc.
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "wasi_raw.h"

static __wasi_fd_t root;  // the /sandbox preopen
static const char* outside;

#define REL_DENIED __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_PERM, __WASI_ERRNO_ACCES
#define ABS_DENIED REL_DENIED, __WASI_ERRNO_NOENT

static const __wasi_rights_t kRead = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK |
                                     __WASI_RIGHTS_FD_FILESTAT_GET;
static const __wasi_rights_t kWrite = __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE;

static int is_abs(const char* path) { return path[0] == '/' || strstr(path, "abs") || strstr(path, "etc_link") || strstr(path, "root_link"); }

// Never print host paths: <outside>/x is shown as /HOST/outside/x.
static const char* disp(const char* path) {
  static char buf[512];
  size_t n = strlen(outside);
  if (strncmp(path, outside, n) == 0) {
    snprintf(buf, sizeof buf, "/HOST/outside%s", path + n);
    return buf;
  }
  return path;
}

static void denied(const char* what, const char* path, __wasi_errno_t e) {
  char label[600];
  snprintf(label, sizeof label, "%s %s", what, disp(path));
  if (is_abs(path))
    expect_one_of(label, e, "blocked", ABS_DENIED, 0);
  else
    expect_one_of(label, e, "blocked", REL_DENIED, 0);
}

static void leak_check(__wasi_fd_t fd) {
  char buf[64] = {0};
  __wasi_iovec_t iov = {(uint8_t*)buf, sizeof buf - 1};
  __wasi_size_t n = 0;
  (void)__wasi_fd_read(fd, &iov, 1, &n);
  printf("  ^ ESCAPED: read %u bytes\n", (unsigned)n);
  (void)__wasi_fd_close(fd);
}

static void try_read(__wasi_fd_t dir, const char* path) {
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  __wasi_errno_t e = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, 0, kRead, 0, 0, &fd);
  denied("read", path, e);
  if (e == 0) leak_check(fd);
}

static void try_write(const char* path) {
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  __wasi_errno_t e = __wasi_path_open(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, __WASI_OFLAGS_TRUNC,
                                      kWrite, 0, 0, &fd);
  denied("write+trunc", path, e);
  if (e == 0) {
    printf("  ^ ESCAPED: opened for writing\n");
    (void)__wasi_fd_close(fd);
  }
  e = __wasi_path_open(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, __WASI_OFLAGS_CREAT,
                       kWrite, 0, __WASI_FDFLAGS_APPEND, &fd);
  denied("create/append", path, e);
  if (e == 0) {
    printf("  ^ ESCAPED: opened for writing\n");
    (void)__wasi_fd_close(fd);
  }
}

static void try_stat(const char* path) {
  __wasi_filestat_t st;
  denied("stat(follow)", path, __wasi_path_filestat_get(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, &st));
}

static void try_times(const char* path) {
  denied("set_times(follow)", path,
         __wasi_path_filestat_set_times(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, 0, 0,
                                        __WASI_FSTFLAGS_MTIM_NOW | __WASI_FSTFLAGS_ATIM_NOW));
}

static void try_dir(__wasi_fd_t dir, const char* path) {
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  __wasi_errno_t e = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, __WASI_OFLAGS_DIRECTORY,
                                      __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN, kRead, 0, &fd);
  denied("opendir", path, e);
  if (e == 0) {
    uint8_t buf[1024];
    __wasi_size_t used = 0;
    (void)__wasi_fd_readdir(fd, buf, sizeof buf, 0, &used);
    printf("  ^ ESCAPED: listed %u bytes of entries\n", (unsigned)used);
    (void)__wasi_fd_close(fd);
  }
}

static int in_set(__wasi_errno_t e, int abs) {
  return e == __WASI_ERRNO_NOTCAPABLE || e == __WASI_ERRNO_PERM || e == __WASI_ERRNO_ACCES ||
         (abs && e == __WASI_ERRNO_NOENT);
}

// path_symlink(contents, name): creating it may be refused; if it is created, opening or
// stat-ing through it must be refused. Either way one line of output.
static void made(const char* name, const char* contents) {
  int abs = contents[0] == '/';
  __wasi_errno_t e = __wasi_path_symlink(contents, root, name);
  int ok;
  if (e != 0) {
    fprintf(stderr, "[symlink %s: %s]\n", name, wname(e));
    ok = in_set(e, abs);
  } else {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    __wasi_errno_t r = __wasi_path_open(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, name, 0, kRead, 0, 0, &fd);
    __wasi_filestat_t st;
    __wasi_errno_t s = __wasi_path_filestat_get(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, name, &st);
    fprintf(stderr, "[symlink %s: created; open: %s, stat: %s]\n", name, wname(r), wname(s));
    ok = in_set(r, abs) && in_set(s, abs);
    if (r == 0) (void)__wasi_fd_close(fd);
    (void)__wasi_path_unlink_file(root, name);
  }
  printf("symlink %s -> %s: %s\n", name, disp(contents), ok ? "refused or not followable" : "ESCAPED");
  if (!ok) g_failures++;
}

static int cmpstr(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

static void read_ok(__wasi_fd_t dir, const char* path) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, 0, kRead, 0, 0, &fd);
  if (e) {
    printf("read %s: %s\n  ^ FAIL: expected to work\n", path, wname(e));
    g_failures++;
    return;
  }
  char buf[64] = {0};
  __wasi_iovec_t iov = {(uint8_t*)buf, sizeof buf - 1};
  __wasi_size_t n = 0;
  (void)__wasi_fd_read(fd, &iov, 1, &n);
  if (n && buf[n - 1] == '\n') buf[n - 1] = 0;
  printf("read %s: \"%s\"\n", path, buf);
  (void)__wasi_fd_close(fd);
}

static void gone(const char* path) {
  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get(root, 0, path, &st);
  printf("  %s exists inside afterwards: %s\n", path, e == 0 ? "YES" : "no");
  if (e == 0) g_failures++;
}

int main(int argc, char** argv) {
  root = find_preopen("/sandbox");
  outside = argc > 1 ? argv[1] : "/nonexistent";
  char abs_secret[512], abs_dir[512], abs_new[512];
  snprintf(abs_secret, sizeof abs_secret, "%s/secret.txt", outside);
  snprintf(abs_dir, sizeof abs_dir, "%s/target_dir", outside);
  snprintf(abs_new, sizeof abs_new, "%s/created_by_guest", outside);

  printf("== positive controls (stay inside)\n");
  read_ok(root, "data.txt");
  read_ok(root, "./data.txt");
  read_ok(root, "sub/../data.txt");
  read_ok(root, "ok_link");
  read_ok(root, "ok_chain");
  read_ok(root, "sub/ok_up");
  read_ok(root, "ok_dir_link/ok_up");
  read_ok(root, "ok_dotdot");
  __wasi_filestat_t st;
  OK("stat(follow) ok_link", __wasi_path_filestat_get(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "ok_link", &st));
  printf("  type=%s size=%llu\n", ftname(st.filetype), (unsigned long long)st.size);
  OK("stat(no follow) rel_link", __wasi_path_filestat_get(root, 0, "rel_link", &st));
  printf("  type=%s\n", ftname(st.filetype));
  OK("stat(no follow) abs_link", __wasi_path_filestat_get(root, 0, "abs_link", &st));
  printf("  type=%s\n", ftname(st.filetype));
  char lb[256];
  __wasi_size_t ln = 0;
  OK("readlink rel_link", __wasi_path_readlink(root, "rel_link", (uint8_t*)lb, sizeof lb, &ln));
  printf("  -> %.*s\n", (int)ln, lb);
  __wasi_fd_t dfd;
  OK("opendir .", open_dir(root, ".", &dfd));
  {
    uint8_t buf[4096];
    __wasi_size_t used = 0;
    OK("fd_readdir", __wasi_fd_readdir(dfd, buf, sizeof buf, 0, &used));
    char* names[64];
    int k = 0;
    size_t off = 0;
    while (off + sizeof(__wasi_dirent_t) <= used && k < 64) {
      __wasi_dirent_t de;
      memcpy(&de, buf + off, sizeof de);
      char* s = malloc(de.d_namlen + 1);
      memcpy(s, buf + off + sizeof de, de.d_namlen);
      s[de.d_namlen] = 0;
      if (strcmp(s, ".") && strcmp(s, "..")) names[k++] = s;
      else free(s);
      off += sizeof de + de.d_namlen;
    }
    qsort(names, k, sizeof names[0], cmpstr);
    printf("  entries:");
    for (int i = 0; i < k; i++) {
      printf(" %s", names[i]);
      free(names[i]);
    }
    printf("\n");
  }
  (void)__wasi_fd_close(dfd);
  read_ok(root, "ok_dir_link/../data.txt");
  int fd = open("/sandbox/sub/../data.txt", O_RDONLY);
  printf("libc open /sandbox/sub/../data.txt: %s\n", fd >= 0 ? "ok" : "FAILED");
  if (fd < 0) g_failures++;
  close(fd);

  printf("== read through paths and symlinks that leave the sandbox\n");
  const char* reads[] = {"../outside/secret.txt", "sub/../../outside/secret.txt", "..", "rel_link",
                         "chain1", "chain_sub", "sub/up_link", "dir_link/file.txt",
                         "dotdot_link/outside/secret.txt", "sub/../dir_link/file.txt",
                         "/etc/passwd", "abs_link", "etc_link", "abs_dir_link/file.txt",
                         "root_link/etc/passwd"};
  for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) try_read(root, reads[i]);
  try_read(root, abs_secret);

  printf("== stat (follow) through escaping paths\n");
  const char* stats[] = {"../outside/secret.txt", "rel_link", "chain1", "dir_link", "dir_link/file.txt",
                         "dotdot_link/outside", "abs_link", "etc_link", "root_link"};
  for (size_t i = 0; i < sizeof stats / sizeof stats[0]; i++) try_stat(stats[i]);

  printf("== open as directory\n");
  const char* dirs[] = {"..", "sub/../..", "dir_link", "dotdot_link", "ok_dir_link/../..",
                        "/", "abs_dir_link", "root_link"};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) try_dir(root, dirs[i]);
  try_dir(root, abs_dir);

  printf("== write / truncate / create (targets under outside/ only)\n");
  const char* writes[] = {"../outside/secret.txt", "rel_link", "chain1", "sub/up_link",
                          "dir_link/file.txt", "dir_link/new_file", "../outside/new_file",
                          "dotdot_link/outside/secret.txt", "abs_link", "abs_dir_link/file.txt"};
  for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) try_write(writes[i]);
  try_write(abs_secret);
  try_write(abs_new);

  printf("== set times through escaping symlinks\n");
  try_times("rel_link");
  try_times("chain1");
  try_times("dir_link/file.txt");
  try_times("../outside/secret.txt");
  try_times("abs_link");

  printf("== a trailing slash makes the kernel follow a last symlink even without FOLLOW\n");
  {
    const char* slashed[] = {"dir_link/", "dir_link//", "abs_dir_link/", "dir_link/.", "dotdot_link/."};
    for (size_t i = 0; i < sizeof slashed / sizeof slashed[0]; i++) {
      __wasi_filestat_t st;
      denied("stat(no follow)", slashed[i], __wasi_path_filestat_get(root, 0, slashed[i], &st));
      denied("set_times(no follow)", slashed[i],
             __wasi_path_filestat_set_times(root, 0, slashed[i], 12345, 12345,
                                            __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    }
    // ... and inside, it does what the host does: follows to the directory.
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_path_filestat_get(root, 0, "ok_dir_link/", &st);
    printf("stat(no follow) ok_dir_link/: %s%s\n", wname(e),
           e == 0 && st.filetype == __WASI_FILETYPE_DIRECTORY ? " (a directory)" : "");
  }

  printf("== a trailing slash on readlink and link must not follow outward (an existence oracle)\n");
  {
    // Without the fix the kernel follows the last link: ENOTDIR (a file is there), EINVAL or
    // EPERM (a directory), ENOENT (nothing): which host paths exist would leak.
    const char* slashed[] = {"rel_link/", "dir_link/", "missing_link/", "abs_dir_link/", "abs_missing_link/",
                             "dir_link/.", "dotdot_link/.", "dotdot_link/..", "chain1/"};
    for (size_t i = 0; i < sizeof slashed / sizeof slashed[0]; i++) {
      char lb2[64];
      __wasi_size_t n2 = 0;
      denied("readlink", slashed[i], __wasi_path_readlink(root, slashed[i], (uint8_t*)lb2, sizeof lb2, &n2));
      denied("link from (no follow)", slashed[i], __wasi_path_link(root, 0, slashed[i], root, "stolen_slash"));
    }
    gone("stolen_slash");
    // Inside, what the host does: the name is followed, and a directory is no symlink.
    char lb2[64];
    __wasi_size_t n2 = 0;
    expect("readlink ok_dir_link/", __wasi_path_readlink(root, "ok_dir_link/", (uint8_t*)lb2, sizeof lb2, &n2),
           __WASI_ERRNO_INVAL);
    expect("link from (no follow) ok_dir_link/", __wasi_path_link(root, 0, "ok_dir_link/", root, "hard_dir"),
           __WASI_ERRNO_PERM);
  }

  printf("== moving a symlink must not turn it outward\n");
  {
    // mv/up -> .. is inside (mv/.. is the sandbox); renamed or hard-linked to the sandbox's
    // top it would be up -> .., the way out for anyone following it on the host.
    OK("mkdir mv", __wasi_path_create_directory(root, "mv"));
    OK("mkdir mv/deeper", __wasi_path_create_directory(root, "mv/deeper"));
    OK("symlink mv/up -> ..", __wasi_path_symlink("..", root, "mv/up"));
    denied("rename mv/up to", "up", __wasi_path_rename(root, "mv/up", root, "up"));
    denied("link (no follow) mv/up to", "up_hard", __wasi_path_link(root, 0, "mv/up", root, "up_hard"));
    __wasi_fd_t mvfd;
    OK("opendir mv", open_dir(root, "mv", &mvfd));
    denied("rename mv/up to (from the mv fd)", "../up", __wasi_path_rename(root, "mv/up", mvfd, "up"));
    (void)__wasi_fd_close(mvfd);
    gone("up");
    gone("up_hard");
    // At the same depth or deeper the link still stays inside.
    OK("rename mv/up to mv/up2", __wasi_path_rename(root, "mv/up", root, "mv/up2"));
    OK("link (no follow) mv/up2 to mv/deeper/up3", __wasi_path_link(root, 0, "mv/up2", root, "mv/deeper/up3"));
    OK("rename ok_link to sub/ok_link2", __wasi_path_rename(root, "ok_link", root, "sub/ok_link2"));
    OK("rename sub/ok_link2 back", __wasi_path_rename(root, "sub/ok_link2", root, "ok_link"));
    read_ok(root, "mv/up2/data.txt");
    read_ok(root, "mv/deeper/up3/up2/data.txt");
    (void)__wasi_path_unlink_file(root, "mv/deeper/up3");
    (void)__wasi_path_unlink_file(root, "mv/up2");
    (void)__wasi_path_remove_directory(root, "mv/deeper");
    (void)__wasi_path_remove_directory(root, "mv");
  }

  printf("== directory operations outside\n");
  denied("mkdir", "../outside/newdir", __wasi_path_create_directory(root, "../outside/newdir"));
  denied("mkdir", "dir_link/newdir", __wasi_path_create_directory(root, "dir_link/newdir"));
  denied("mkdir", "sub/../../outside/newdir", __wasi_path_create_directory(root, "sub/../../outside/newdir"));
  denied("mkdir", "abs_dir_link/newdir", __wasi_path_create_directory(root, "abs_dir_link/newdir"));
  denied("mkdir", abs_new, __wasi_path_create_directory(root, abs_new));
  denied("rmdir", "../outside/empty_dir", __wasi_path_remove_directory(root, "../outside/empty_dir"));
  denied("rmdir", "dotdot_link/outside/empty_dir", __wasi_path_remove_directory(root, "dotdot_link/outside/empty_dir"));
  denied("rmdir", "dir_link/../empty_dir", __wasi_path_remove_directory(root, "dir_link/../empty_dir"));

  printf("== unlink outside\n");
  denied("unlink", "../outside/secret.txt", __wasi_path_unlink_file(root, "../outside/secret.txt"));
  denied("unlink", "sub/../../outside/secret.txt", __wasi_path_unlink_file(root, "sub/../../outside/secret.txt"));
  denied("unlink", "dir_link/file.txt", __wasi_path_unlink_file(root, "dir_link/file.txt"));
  denied("unlink", "dotdot_link/outside/secret.txt", __wasi_path_unlink_file(root, "dotdot_link/outside/secret.txt"));
  denied("unlink", "abs_dir_link/file.txt", __wasi_path_unlink_file(root, "abs_dir_link/file.txt"));
  denied("unlink", abs_secret, __wasi_path_unlink_file(root, abs_secret));

  printf("== symlink creation\n");
  denied("symlink at", "../outside/evil_link", __wasi_path_symlink("data.txt", root, "../outside/evil_link"));
  denied("symlink at", "dir_link/evil_link", __wasi_path_symlink("data.txt", root, "dir_link/evil_link"));
  // A symlink inside whose contents point out may be created or refused, but never followed.
  made("made_rel", "../outside/secret.txt");
  made("made_abs", "/etc/passwd");
  made("made_abs_host", abs_secret);

  printf("== hard links\n");
  denied("link from", "../outside/secret.txt", __wasi_path_link(root, 0, "../outside/secret.txt", root, "stolen1"));
  denied("link from", "rel_link (follow)", __wasi_path_link(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "rel_link", root, "stolen2"));
  denied("link from", "dir_link/file.txt", __wasi_path_link(root, 0, "dir_link/file.txt", root, "stolen3"));
  denied("link from", "abs_link (follow)", __wasi_path_link(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "abs_link", root, "stolen4"));
  denied("link to", "../outside/hard", __wasi_path_link(root, 0, "data.txt", root, "../outside/hard"));
  denied("link to", "dir_link/hard", __wasi_path_link(root, 0, "data.txt", root, "dir_link/hard"));
  gone("stolen1");
  gone("stolen2");
  gone("stolen3");
  gone("stolen4");

  printf("== rename across the boundary\n");
  denied("rename from", "../outside/secret.txt", __wasi_path_rename(root, "../outside/secret.txt", root, "stolen5"));
  denied("rename from", "dir_link/file.txt", __wasi_path_rename(root, "dir_link/file.txt", root, "stolen6"));
  denied("rename from", "../outside/target_dir", __wasi_path_rename(root, "../outside/target_dir", root, "stolen7"));
  denied("rename to", "../outside/moved", __wasi_path_rename(root, "data.txt", root, "../outside/moved"));
  denied("rename to", "dir_link/moved", __wasi_path_rename(root, "data.txt", root, "dir_link/moved"));
  denied("rename to", "sub/../../outside/moved", __wasi_path_rename(root, "sub", root, "sub/../../outside/moved"));
  gone("stolen5");
  gone("stolen6");
  gone("stolen7");
  read_ok(root, "data.txt");

  printf("== from a subdirectory fd (capability = that directory)\n");
  __wasi_fd_t subfd;
  OK("opendir sub", open_dir(root, "sub", &subfd));
  try_read(subfd, "../../outside/secret.txt");
  try_read(subfd, "up_link");
  try_dir(subfd, "../..");
  try_read(subfd, "../data.txt");
  try_read(subfd, "ok_up");
  (void)__wasi_fd_close(subfd);

  printf("== through wasi-libc\n");
  const char* lpaths[] = {"/sandbox/../outside/secret.txt", "../outside/secret.txt", "/etc/passwd",
                          "/sandbox/rel_link", "/sandbox/abs_link"};
  for (size_t i = 0; i < sizeof lpaths / sizeof lpaths[0]; i++) {
    errno = 0;
    fd = open(lpaths[i], O_RDONLY);
    int e = errno;
    fprintf(stderr, "[libc open %s: errno %d]\n", lpaths[i], e);
    int ok = fd < 0 && (e == ENOTCAPABLE || e == EPERM || e == EACCES || (e == ENOENT && (lpaths[i][1] == 'e' || strstr(lpaths[i], "abs"))));
    printf("libc open %s: %s\n", lpaths[i], ok ? "blocked" : "NOT BLOCKED");
    if (!ok) g_failures++;
    if (fd >= 0) close(fd);
  }

  return finish_raw();
}
