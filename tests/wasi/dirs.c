// Directories, links and paths through wasi-libc (portable; argv[1] is the scratch directory).
// Covers path_create_directory, path_remove_directory (ENOTEMPTY), path_unlink_file (EISDIR),
// path_rename, path_filestat_get (follow and no-follow), path_filestat_set_times (follow and
// no-follow), path_symlink, path_readlink, path_link, fd_readdir (300 entries: wasi-libc reads
// them in several fd_readdir calls, continuing from cookies; seekdir/telldir/rewinddir reuse
// cookies), path_open with O_DIRECTORY / O_NOFOLLOW.
#include "common.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

static void touch(const char* name, const char* content) {
  int fd = open(P(name), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) {
    fail("create %s: %s", name, errname(errno));
    return;
  }
  if (content) write(fd, content, strlen(content));
  close(fd);
}

static const char* ftype(mode_t m) {
  return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "symlink" : "other";
}

static void st(const char* what, const char* name, int follow) {
  struct stat s;
  int r = follow ? stat(P(name), &s) : lstat(P(name), &s);
  if (r != 0) printf("%s(%s): %s\n", what, name, errname(errno));
  else if (S_ISDIR(s.st_mode)) printf("%s(%s): dir\n", what, name);  // dir size/nlink vary by fs
  else printf("%s(%s): %s size=%lld nlink=%lu\n", what, name, ftype(s.st_mode), (long long)s.st_size,
              (unsigned long)s.st_nlink);
}

// List a directory (minus . and ..), sorted.
static int list(const char* name, int verbose) {
  DIR* d = opendir(P(name));
  if (!d) {
    printf("opendir(%s): %s\n", name, errname(errno));
    return -1;
  }
  char* names[512];
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (n < 512) {
      char* s = malloc(strlen(e->d_name) + 16);
      const char* t = e->d_type == DT_REG ? "file" : e->d_type == DT_DIR ? "dir"
                    : e->d_type == DT_LNK ? "symlink" : e->d_type == DT_UNKNOWN ? "unknown" : "other";
      sprintf(s, "%s (%s)", e->d_name, t);
      names[n++] = s;
    }
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmp);
  printf("list(%s): %d entries\n", name, n);
  for (int i = 0; i < n; i++) {
    if (verbose) printf("  %s\n", names[i]);
    free(names[i]);
  }
  return n;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    printf("usage: dirs DIR\n");
    return 2;
  }
  base = argv[1];
  struct stat s;

  printf("== mkdir / rmdir\n");
  report("mkdir(d)", mkdir(P("d"), 0755));
  expect_err("mkdir(d) again", mkdir(P("d"), 0755), EEXIST);
  touch("f.txt", "0123456789");
  expect_err("mkdir(f.txt/x)", mkdir(P("f.txt/x"), 0755), ENOTDIR);
  expect_err("mkdir(missing/x)", mkdir(P("missing/x"), 0755), ENOENT);
  expect_err("mkdir(f.txt)", mkdir(P("f.txt"), 0755), EEXIST);
  report("mkdir(d/e)", mkdir(P("d/e"), 0755));
  expect_err("rmdir(d) non-empty", rmdir(P("d")), ENOTEMPTY);
  expect_err("rmdir(f.txt)", rmdir(P("f.txt")), ENOTDIR);
  expect_err("rmdir(missing)", rmdir(P("missing")), ENOENT);
  expect_err("unlink(d)", unlink(P("d")), EISDIR);
  expect_err("unlink(missing)", unlink(P("missing")), ENOENT);
  report("rmdir(d/e)", rmdir(P("d/e")));
  st("stat", "d", 1);

  printf("== readdir over many entries\n");
  char name[64];
  for (int i = 0; i < 300; i++) {
    // names of varying length so entries straddle the buffer boundaries at different places
    snprintf(name, sizeof name, "d/f%03d_%.*s", i, i % 37, "abcdefghijklmnopqrstuvwxyz0123456789xyz");
    touch(name, NULL);
  }
  mkdir(P("d/subdir"), 0755);
  symlink("f000_", P("d/link"));
  int n = list("d", 0);
  printf("expected 302: %s\n", n == 302 ? "yes" : "no");
  DIR* d = opendir(P("d"));
  int files = 0, dirsn = 0, links = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    if (e->d_type == DT_REG) files++;
    if (e->d_type == DT_DIR) dirsn++;
    if (e->d_type == DT_LNK) links++;
  }
  printf("d_type: %d files, %d dirs, %d symlinks\n", files, dirsn, links);
  // telldir/seekdir: the names read after seeking back match those read the first time.
  rewinddir(d);
  for (int i = 0; i < 100; i++) readdir(d);
  long pos = telldir(d);
  char first[5][300];
  for (int i = 0; i < 5; i++) {
    e = readdir(d);
    snprintf(first[i], sizeof first[i], "%s", e ? e->d_name : "(end)");
  }
  for (int i = 0; i < 50; i++) readdir(d);
  seekdir(d, pos);
  int same = 1;
  for (int i = 0; i < 5; i++) {
    e = readdir(d);
    same &= e && !strcmp(e->d_name, first[i]);
  }
  printf("seekdir(telldir()) resumes at the same entry: %s\n", same ? "yes" : "no");
  rewinddir(d);
  int again = 0;
  while ((e = readdir(d)) != NULL) again++;
  printf("rewinddir then count (incl. . and .. if listed): %s\n", again >= 302 && again <= 304 ? "302..304" : "wrong");
  closedir(d);
  struct dirent** sl;
  int sn = scandir(P("d"), &sl, NULL, alphasort);
  int shown = 0;
  for (int i = 0; i < sn; i++) {
    if (sl[i]->d_name[0] != '.' && shown < 3) {
      printf("scandir sorted: %s\n", sl[i]->d_name);
      shown++;
    }
    free(sl[i]);
  }
  free(sl);
  mkdir(P("empty"), 0755);
  list("empty", 1);
  expect_err("opendir(f.txt)", opendir(P("f.txt")) ? 0 : -1, ENOTDIR);
  expect_err("opendir(missing)", opendir(P("missing")) ? 0 : -1, ENOENT);

  printf("== rename\n");
  touch("r1.txt", "one");
  touch("r2.txt", "two!");
  report("rename(r1, r3)", rename(P("r1.txt"), P("r3.txt")));
  expect_err("stat(r1) after rename", stat(P("r1.txt"), &s), ENOENT);
  report("rename(r3, r2) replaces", rename(P("r3.txt"), P("r2.txt")));
  st("stat", "r2.txt", 1);
  expect_err("rename(missing, x)", rename(P("missing"), P("x")), ENOENT);
  mkdir(P("rd"), 0755);
  mkdir(P("rd2"), 0755);
  touch("rd2/inner", "x");
  expect_err("rename(file, dir)", rename(P("r2.txt"), P("rd")), EISDIR);
  expect_err("rename(dir, file)", rename(P("rd"), P("r2.txt")), ENOTDIR);
  expect_err("rename(dir, non-empty dir)", rename(P("rd"), P("rd2")), ENOTEMPTY);
  expect_err("rename(dir, own subdir)", rename(P("rd2"), P("rd2/inner_dir")), EINVAL);
  report("rename(dir, new name)", rename(P("rd2"), P("rd3")));
  st("stat", "rd3/inner", 1);
  report("rename(dir, empty dir) replaces", rename(P("rd3"), P("rd")));
  st("stat", "rd/inner", 1);
  report("rename(file into dir)", rename(P("r2.txt"), P("rd/moved.txt")));
  st("stat", "rd/moved.txt", 1);
  int dfd = open(P("rd"), O_RDONLY | O_DIRECTORY);
  int bfd = open(base, O_RDONLY | O_DIRECTORY);
  report("renameat(rd, moved.txt -> base, back.txt)", renameat(dfd, "moved.txt", bfd, "back.txt"));
  st("stat", "back.txt", 1);

  printf("== symlinks\n");
  report("symlink(f.txt <- s1)", symlink("f.txt", P("s1")));
  char buf[256];
  ssize_t rl = readlink(P("s1"), buf, sizeof buf);
  printf("readlink(s1): %zd \"%.*s\"\n", rl, rl > 0 ? (int)rl : 0, buf);
  st("lstat", "s1", 0);
  st("stat", "s1", 1);
  expect_err("symlink over existing", symlink("x", P("s1")), EEXIST);
  expect_err("readlink(f.txt) not a link", readlink(P("f.txt"), buf, sizeof buf), EINVAL);
  expect_err("readlink(missing)", readlink(P("missing"), buf, sizeof buf), ENOENT);
  report("symlink(nowhere <- dangling)", symlink("nowhere", P("dangling")));
  expect_err("stat(dangling)", stat(P("dangling"), &s), ENOENT);
  st("lstat", "dangling", 0);
  expect_err("open(dangling)", open(P("dangling"), O_RDONLY), ENOENT);
  report("symlink(d <- dl) to a directory", symlink("d", P("dl")));
  st("stat", "dl", 1);
  st("lstat", "dl", 0);
  int fd = open(P("dl/f001_a"), O_RDONLY);
  report("open(dl/f001_a) through dir symlink", fd);
  close(fd);
  n = list("dl", 0);
  report("symlink(../f.txt <- d/up) relative to its dir", symlink("../f.txt", P("d/up")));
  st("stat", "d/up", 1);
  expect_err("open(s1, O_NOFOLLOW)", open(P("s1"), O_RDONLY | O_NOFOLLOW), ELOOP);
  symlink("loop2", P("loop1"));
  symlink("loop1", P("loop2"));
  expect_err("stat(symlink loop)", stat(P("loop1"), &s), ELOOP);
  expect_err("open(symlink loop)", open(P("loop1"), O_RDONLY), ELOOP);
  fd = open(P("s1"), O_WRONLY | O_APPEND);
  report("open(s1, O_WRONLY) writes the target", fd);
  write(fd, "ab", 2);
  close(fd);
  st("stat", "f.txt", 1);
  report("symlinkat(dirfd)", symlinkat("inner", dfd, "sl_in_rd"));
  rl = readlinkat(dfd, "sl_in_rd", buf, sizeof buf);
  printf("readlinkat(dirfd): %zd \"%.*s\"\n", rl, rl > 0 ? (int)rl : 0, buf);
  report("fstatat(dirfd, sl_in_rd, follow)", fstatat(dfd, "sl_in_rd", &s, 0));
  printf("  type: %s\n", ftype(s.st_mode));
  report("fstatat(dirfd, sl_in_rd, AT_SYMLINK_NOFOLLOW)", fstatat(dfd, "sl_in_rd", &s, AT_SYMLINK_NOFOLLOW));
  printf("  type: %s\n", ftype(s.st_mode));
  report("unlink(symlink) removes the link only", unlink(P("s1")));
  st("stat", "f.txt", 1);
  report("unlink(dl) (symlink to dir)", unlink(P("dl")));
  st("stat", "d", 1);

  printf("== hard links\n");
  report("link(f.txt, h.txt)", link(P("f.txt"), P("h.txt")));
  st("stat", "f.txt", 1);
  st("stat", "h.txt", 1);
  fd = open(P("h.txt"), O_WRONLY | O_APPEND);
  write(fd, "XY", 2);
  close(fd);
  st("stat(after write through h.txt)", "f.txt", 1);
  expect_err("link to existing name", link(P("f.txt"), P("h.txt")), EEXIST);
  expect_err("link(missing)", link(P("missing"), P("h2.txt")), ENOENT);
  report("linkat(dirfd, inner -> base, inner_link)", linkat(dfd, "inner", bfd, "inner_link", 0));
  st("stat", "rd/inner", 1);
  symlink("f.txt", P("s2"));
  report("linkat(s2, no follow) links the symlink itself", linkat(bfd, "s2", bfd, "s2_nofollow", 0));
  st("lstat", "s2_nofollow", 0);
  report("linkat(s2, AT_SYMLINK_FOLLOW) links the target", linkat(bfd, "s2", bfd, "s2_follow", AT_SYMLINK_FOLLOW));
  st("lstat", "s2_follow", 0);
  report("unlink(h.txt)", unlink(P("h.txt")));
  report("unlink(s2_follow)", unlink(P("s2_follow")));
  st("stat", "f.txt", 1);

  printf("== timestamps on paths (follow and no-follow)\n");
  struct timespec t1[2] = {{1000000000, 0}, {1100000000, 0}};
  struct timespec t2[2] = {{1200000000, 0}, {1300000000, 0}};
  report("utimensat(f.txt)", utimensat(AT_FDCWD, P("f.txt"), t1, 0));
  report("utimensat(s2 -> f.txt, follow)", utimensat(AT_FDCWD, P("s2"), t2, 0));
  stat(P("f.txt"), &s);
  printf("f.txt mtime set through link: %s\n", s.st_mtim.tv_sec == 1300000000 ? "yes" : "no");
  report("utimensat(s2, AT_SYMLINK_NOFOLLOW)", utimensat(AT_FDCWD, P("s2"), t1, AT_SYMLINK_NOFOLLOW));
  lstat(P("s2"), &s);
  printf("s2 (the link) mtime set: %s\n", s.st_mtim.tv_sec == 1100000000 ? "yes" : "no");
  stat(P("f.txt"), &s);
  printf("f.txt mtime untouched: %s\n", s.st_mtim.tv_sec == 1300000000 ? "yes" : "no");
  report("utimensat(dir)", utimensat(AT_FDCWD, P("d"), t1, 0));
  stat(P("d"), &s);
  printf("d mtime set: %s\n", s.st_mtim.tv_sec == 1100000000 ? "yes" : "no");
  touch("d/newfile", NULL);
  stat(P("d"), &s);
  printf("creating an entry updates dir mtime: %s\n", s.st_mtim.tv_sec > 1100000000 ? "yes" : "no");

  printf("== dot and dot-dot inside the sandbox\n");
  st("stat", "d/../f.txt", 1);
  st("stat", "./d/./subdir/..", 1);
  st("stat", ".", 1);
  expect_err("stat(f.txt/..)", stat(P("f.txt/.."), &s), ENOTDIR);

  printf("== cleanup\n");
  close(dfd);
  close(bfd);
  // Remove everything we created. Collect the names first: removing entries while reading a
  // directory leaves it unspecified which of the remaining entries are returned.
  static char doomed[400][300];
  static int doomed_dir[400];
  int nd = 0;
  d = opendir(P("d"));
  while ((e = readdir(d)) != NULL && nd < 400) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(doomed[nd], sizeof doomed[nd], "d/%s", e->d_name);
    doomed_dir[nd++] = e->d_type == DT_DIR;
  }
  closedir(d);
  for (int i = 0; i < nd; i++) {
    if (doomed_dir[i]) MUST(rmdir(P(doomed[i])));
    else MUST(unlink(P(doomed[i])));
  }
  const char* files_[] = {"f.txt", "dangling", "loop1", "loop2", "s2", "s2_nofollow", "inner_link",
                          "back.txt", "rd/inner", "rd/sl_in_rd"};
  for (size_t i = 0; i < sizeof files_ / sizeof files_[0]; i++) MUST(unlink(P(files_[i])));
  MUST(rmdir(P("d")));
  MUST(rmdir(P("rd")));
  MUST(rmdir(P("empty")));
  list(".", 1);
  return finish();
}
