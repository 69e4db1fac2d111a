// wasm-only: the fd_* functions called directly, including the ones wasi-libc has no POSIX
// route to (fd_prestat_*, fd_renumber, fd_tell, fd_fdstat_set_rights, raw fd_readdir with
// small buffers, fd_advise/fd_allocate), plus args/environ/clock/random/sched_yield/sock_*
// edge cases and proc_exit. The driver preopens a fresh directory as /sandbox (and nothing
// else), passes args "a" "bc" and env K1=v1, K2= ; stdin is /dev/null.
// Expected output: raw_fd.expected (written from the spec). Exit status 17 (proc_exit).
#include "wasi_raw.h"

#define R_FILE                                                                                 \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | \
   __WASI_RIGHTS_FD_FILESTAT_GET)

static __wasi_fd_t dir;

static __wasi_filesize_t size_of(__wasi_fd_t fd) {
  __wasi_filestat_t st;
  if (__wasi_fd_filestat_get(fd, &st) != 0) return (__wasi_filesize_t)-1;
  return st.size;
}

static void mkfile(const char* path, const char* content) {
  __wasi_fd_t fd;
  if (open_at(dir, 0, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0, &fd) != 0) {
    printf("FAIL: create %s\n", path);
    g_failures++;
    return;
  }
  __wasi_size_t n;
  (void)write_str(fd, content, &n);
  (void)__wasi_fd_close(fd);
}

static int cmpstr(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

// Read a whole directory with fd_readdir using a buffer of `bufsize` bytes (grown when not even
// one entry fits), following d_next cookies. Returns the number of fd_readdir calls.
static int read_dir(__wasi_fd_t d, size_t bufsize, char** names, int* count, int* truncated_seen) {
  uint8_t* buf = malloc(bufsize);
  __wasi_dircookie_t cookie = __WASI_DIRCOOKIE_START;
  int calls = 0;
  *count = 0;
  *truncated_seen = 0;
  for (;;) {
    __wasi_size_t used = 0;
    __wasi_errno_t e = __wasi_fd_readdir(d, buf, bufsize, cookie, &used);
    calls++;
    if (e != 0) {
      printf("FAIL: fd_readdir: %s\n", wname(e));
      g_failures++;
      break;
    }
    size_t off = 0;
    int complete = 0;
    while (off + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t de;
      memcpy(&de, buf + off, sizeof de);
      if (off + sizeof de + de.d_namlen > used) break;  // truncated name
      char* name = malloc(de.d_namlen + 1);
      memcpy(name, buf + off + sizeof de, de.d_namlen);
      name[de.d_namlen] = 0;
      if (strcmp(name, ".") && strcmp(name, "..")) {
        const char* t = de.d_type == __WASI_FILETYPE_DIRECTORY ? "/" : "";
        char* s = malloc(strlen(name) + 2);
        sprintf(s, "%s%s", name, t);
        names[(*count)++] = s;
      }
      free(name);
      cookie = de.d_next;
      off += sizeof de + de.d_namlen;
      complete++;
    }
    if (used < bufsize) break;  // end of directory
    if (off < used) *truncated_seen = 1;
    if (complete == 0) {  // not even one entry fits: grow the buffer
      bufsize *= 2;
      buf = realloc(buf, bufsize);
    }
    if (calls > 10000) break;
  }
  free(buf);
  return calls;
}

int main(void) {
  __wasi_size_t n;

  printf("== args\n");
  __wasi_size_t argc, argv_size;
  OK("args_sizes_get", __wasi_args_sizes_get(&argc, &argv_size));
  uint8_t** argv = malloc((argc + 1) * sizeof *argv);
  uint8_t* argv_buf = malloc(argv_size);
  OK("args_get", __wasi_args_get(argv, argv_buf));
  printf("argc=%u\n", (unsigned)argc);
  size_t total = 0;
  for (size_t i = 0; i < argc; i++) total += strlen((char*)argv[i]) + 1;
  check("argv_buf size = sum of (len + 1)", total == argv_size);
  int inside = argc > 0;
  for (size_t i = 0; i < argc; i++)
    inside &= argv[i] >= argv_buf && argv[i] + strlen((char*)argv[i]) < argv_buf + argv_size;
  check("argv pointers inside argv_buf", inside);
  for (size_t i = 1; i < argc; i++) printf("argv[%zu]=%s\n", i, (char*)argv[i]);

  printf("== environ\n");
  __wasi_size_t envc, env_size;
  OK("environ_sizes_get", __wasi_environ_sizes_get(&envc, &env_size));
  uint8_t** envp = malloc((envc + 1) * sizeof *envp);
  uint8_t* env_buf = malloc(env_size + 1);
  OK("environ_get", __wasi_environ_get(envp, env_buf));
  printf("envc=%u size=%u\n", (unsigned)envc, (unsigned)env_size);
  char* sorted[16];
  for (size_t i = 0; i < envc && i < 16; i++) sorted[i] = (char*)envp[i];
  qsort(sorted, envc < 16 ? envc : 16, sizeof sorted[0], cmpstr);
  for (size_t i = 0; i < envc && i < 16; i++) printf("env: %s\n", sorted[i]);

  printf("== clocks, random, sched_yield\n");
  __wasi_timestamp_t t0, t1, res;
  OK("clock_time_get(REALTIME)", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t0));
  check("realtime after 2020", t0 > 1577836800ull * 1000000000ull);
  OK("clock_time_get(MONOTONIC)", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t0));
  OK("clock_time_get(MONOTONIC) again", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t1));
  check("monotonic did not go back", t1 >= t0);
  OK("clock_res_get(MONOTONIC)", __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res));
  check("resolution in (0, 1s]", res > 0 && res <= 1000000000ull);
  OK("clock_res_get(REALTIME)", __wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &res));
  expect("clock_time_get(clock 99)", __wasi_clock_time_get(99, 0, &t0), __WASI_ERRNO_INVAL);
  expect("clock_res_get(clock 99)", __wasi_clock_res_get(99, &res), __WASI_ERRNO_INVAL);
  static uint8_t rnd[1 << 20];
  OK("random_get(1 MiB)", __wasi_random_get(rnd, sizeof rnd));
  size_t zeros = 0;
  for (size_t i = 0; i < sizeof rnd; i++) zeros += rnd[i] == 0;
  check("about 1/256 zero bytes", zeros > 3000 && zeros < 5200);
  OK("random_get(0 bytes)", __wasi_random_get(rnd, 0));
  OK("sched_yield", __wasi_sched_yield());

  printf("== prestat\n");
  __wasi_prestat_t ps;
  OK("fd_prestat_get(3)", __wasi_fd_prestat_get(3, &ps));
  printf("tag=%s name_len=%u\n", ps.tag == __WASI_PREOPENTYPE_DIR ? "DIR" : "?", (unsigned)ps.u.dir.pr_name_len);
  char pname[64] = {0};
  OK("fd_prestat_dir_name(3)", __wasi_fd_prestat_dir_name(3, (uint8_t*)pname, ps.u.dir.pr_name_len));
  printf("name=%.*s\n", (int)ps.u.dir.pr_name_len, pname);
  // Not a preopen. The spec names no errno; runtimes say BADF (wasmtime) or INVAL (uvwasi).
  expect_one_of("fd_prestat_get(0) (stdin)", __wasi_fd_prestat_get(0, &ps), "refused",
                __WASI_ERRNO_BADF, __WASI_ERRNO_INVAL, 0);
  // wasi-libc scans fds from 3 up and stops at the first BADF: a closed fd must be BADF.
  expect("fd_prestat_get(4) (not open)", __wasi_fd_prestat_get(4, &ps), __WASI_ERRNO_BADF);
  expect("fd_prestat_dir_name(4)", __wasi_fd_prestat_dir_name(4, (uint8_t*)pname, 8), __WASI_ERRNO_BADF);
  dir = 3;

  printf("== fdstat\n");
  __wasi_fdstat_t fs;
  OK("fd_fdstat_get(3)", __wasi_fd_fdstat_get(3, &fs));
  printf("filetype=%s\n", ftname(fs.fs_filetype));
  check("dir has PATH_OPEN right", (fs.fs_rights_base & __WASI_RIGHTS_PATH_OPEN) != 0);
  check("dir hands out FD_READ and FD_WRITE", (fs.fs_rights_inheriting & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)) ==
                                                  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE));
  expect("fd_fdstat_get(99)", __wasi_fd_fdstat_get(99, &fs), __WASI_ERRNO_BADF);

  printf("== write, seek, tell, read\n");
  __wasi_fd_t fd;
  OK("path_open(f.txt, CREAT|EXCL)", open_at(dir, 0, "f.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, &fd));
  OK("fd_fdstat_get(f.txt)", __wasi_fd_fdstat_get(fd, &fs));
  printf("filetype=%s flags=%u\n", ftname(fs.fs_filetype), (unsigned)fs.fs_flags);
  __wasi_ciovec_t wv[3] = {{(const uint8_t*)"hello", 5}, {(const uint8_t*)"", 0}, {(const uint8_t*)" world", 6}};
  OK("fd_write(3 iovecs)", __wasi_fd_write(fd, wv, 3, &n));
  printf("nwritten=%u\n", (unsigned)n);
  __wasi_filesize_t pos;
  OK("fd_tell", __wasi_fd_tell(fd, &pos));
  printf("pos=%llu\n", (unsigned long long)pos);
  OK("fd_seek(-5, END)", __wasi_fd_seek(fd, -5, __WASI_WHENCE_END, &pos));
  printf("pos=%llu\n", (unsigned long long)pos);
  OK("fd_seek(2, CUR)", __wasi_fd_seek(fd, 2, __WASI_WHENCE_CUR, &pos));
  printf("pos=%llu\n", (unsigned long long)pos);
  expect("fd_seek(-100, SET)", __wasi_fd_seek(fd, -100, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_INVAL);
  expect("fd_seek(0, whence 3)", __wasi_fd_seek(fd, 0, 3, &pos), __WASI_ERRNO_INVAL);
  OK("fd_tell after failed seeks", __wasi_fd_tell(fd, &pos));
  printf("pos=%llu\n", (unsigned long long)pos);
  OK("fd_seek(0, SET)", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
  char a[4] = {0}, b[16] = {0};
  __wasi_iovec_t rv[2] = {{(uint8_t*)a, 4}, {(uint8_t*)b, 16}};
  OK("fd_read(4 + 16)", __wasi_fd_read(fd, rv, 2, &n));
  printf("nread=%u \"%.4s\" \"%.*s\"\n", (unsigned)n, a, (int)(n > 4 ? n - 4 : 0), b);
  OK("fd_read at EOF", __wasi_fd_read(fd, rv, 2, &n));
  printf("nread=%u\n", (unsigned)n);
  expect("fd_tell(99)", __wasi_fd_tell(99, &pos), __WASI_ERRNO_BADF);
  expect("fd_seek(99)", __wasi_fd_seek(99, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_BADF);

  printf("== pread, pwrite\n");
  __wasi_ciovec_t pw = {(const uint8_t*)"WORLD", 5};
  OK("fd_pwrite(@6)", __wasi_fd_pwrite(fd, &pw, 1, 6, &n));
  printf("nwritten=%u\n", (unsigned)n);
  memset(b, 0, sizeof b);
  __wasi_iovec_t pr = {(uint8_t*)b, 16};
  OK("fd_pread(@3)", __wasi_fd_pread(fd, &pr, 1, 3, &n));
  printf("nread=%u \"%.*s\"\n", (unsigned)n, (int)n, b);
  OK("fd_tell (unchanged by pread/pwrite)", __wasi_fd_tell(fd, &pos));
  printf("pos=%llu\n", (unsigned long long)pos);
  OK("fd_pread(@100)", __wasi_fd_pread(fd, &pr, 1, 100, &n));
  printf("nread=%u\n", (unsigned)n);
  expect("fd_pread(99)", __wasi_fd_pread(99, &pr, 1, 0, &n), __WASI_ERRNO_BADF);
  expect("fd_pwrite(99)", __wasi_fd_pwrite(99, &pw, 1, 0, &n), __WASI_ERRNO_BADF);

  printf("== flags (APPEND)\n");
  OK("fd_fdstat_set_flags(APPEND)", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
  OK("fd_fdstat_get", __wasi_fd_fdstat_get(fd, &fs));
  printf("flags=%u\n", (unsigned)fs.fs_flags);
  OK("fd_seek(0, SET)", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
  OK("fd_write(\"!\")", write_str(fd, "!", &n));
  printf("size=%llu\n", (unsigned long long)size_of(fd));
  OK("fd_fdstat_set_flags(0)", __wasi_fd_fdstat_set_flags(fd, 0));
  OK("fd_fdstat_get", __wasi_fd_fdstat_get(fd, &fs));
  printf("flags=%u\n", (unsigned)fs.fs_flags);
  expect("fd_fdstat_set_flags(99)", __wasi_fd_fdstat_set_flags(99, 0), __WASI_ERRNO_BADF);

  printf("== filestat, set_size, set_times, allocate, advise, sync\n");
  __wasi_filestat_t st;
  OK("fd_filestat_get", __wasi_fd_filestat_get(fd, &st));
  printf("filetype=%s size=%llu nlink=%llu\n", ftname(st.filetype), (unsigned long long)st.size,
         (unsigned long long)st.nlink);
  OK("fd_filestat_set_size(3)", __wasi_fd_filestat_set_size(fd, 3));
  printf("size=%llu\n", (unsigned long long)size_of(fd));
  OK("fd_filestat_set_size(10)", __wasi_fd_filestat_set_size(fd, 10));
  memset(b, 'x', sizeof b);
  OK("fd_pread(@0)", __wasi_fd_pread(fd, &pr, 1, 0, &n));
  printf("nread=%u tail zeroed=%s\n", (unsigned)n, n == 10 && !b[3] && !b[9] ? "yes" : "no");
  const __wasi_timestamp_t A = 1000000000ull * 1000000000ull, M = 1100000000ull * 1000000000ull;
  OK("fd_filestat_set_times(ATIM|MTIM)",
     __wasi_fd_filestat_set_times(fd, A, M, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  (void)__wasi_fd_filestat_get(fd, &st);
  check("atim and mtim set exactly", st.atim == A && st.mtim == M);
  OK("fd_filestat_set_times(MTIM_NOW)", __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  (void)__wasi_fd_filestat_get(fd, &st);
  (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 0, &t0);
  check("atim kept, mtim now", st.atim == A && st.mtim > M && st.mtim <= t0 + 1000000000ull);
  expect("fd_filestat_set_times(ATIM|ATIM_NOW)",
         __wasi_fd_filestat_set_times(fd, A, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
         __WASI_ERRNO_INVAL);
  OK("fd_allocate(0, 4096)", __wasi_fd_allocate(fd, 0, 4096));
  printf("size=%llu\n", (unsigned long long)size_of(fd));
  OK("fd_allocate(0, 10)", __wasi_fd_allocate(fd, 0, 10));
  printf("size=%llu\n", (unsigned long long)size_of(fd));
  OK("fd_advise(WILLNEED)", __wasi_fd_advise(fd, 0, 4096, __WASI_ADVICE_WILLNEED));
  OK("fd_advise(NOREUSE)", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_NOREUSE));
  expect("fd_advise(advice 6)", __wasi_fd_advise(fd, 0, 0, 6), __WASI_ERRNO_INVAL);
  OK("fd_sync", __wasi_fd_sync(fd));
  OK("fd_datasync", __wasi_fd_datasync(fd));
  expect("fd_sync(99)", __wasi_fd_sync(99), __WASI_ERRNO_BADF);
  expect("fd_datasync(99)", __wasi_fd_datasync(99), __WASI_ERRNO_BADF);
  expect("fd_allocate(99)", __wasi_fd_allocate(99, 0, 1), __WASI_ERRNO_BADF);
  expect("fd_advise(99)", __wasi_fd_advise(99, 0, 0, __WASI_ADVICE_NORMAL), __WASI_ERRNO_BADF);
  expect("fd_filestat_get(99)", __wasi_fd_filestat_get(99, &st), __WASI_ERRNO_BADF);
  expect("fd_filestat_set_size(99)", __wasi_fd_filestat_set_size(99, 0), __WASI_ERRNO_BADF);
  expect("fd_filestat_set_times(99)", __wasi_fd_filestat_set_times(99, 0, 0, __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_BADF);

  printf("== rights\n");
  OK("fd_fdstat_get", __wasi_fd_fdstat_get(fd, &fs));
  __wasi_rights_t base = fs.fs_rights_base, inh = fs.fs_rights_inheriting;
  check("file fd has FD_READ, FD_WRITE", (base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)) ==
                                           (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE));
  OK("fd_fdstat_set_rights(drop FD_WRITE)",
     __wasi_fd_fdstat_set_rights(fd, base & ~__WASI_RIGHTS_FD_WRITE, inh));
  OK("fd_fdstat_get", __wasi_fd_fdstat_get(fd, &fs));
  check("FD_WRITE gone, FD_READ kept", !(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE) &&
                                          (fs.fs_rights_base & __WASI_RIGHTS_FD_READ));
  expect_one_of("fd_write without FD_WRITE", write_str(fd, "x", &n), "refused",
                __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_BADF, 0);
  OK("fd_pread still allowed", __wasi_fd_pread(fd, &pr, 1, 0, &n));
  expect("fd_fdstat_set_rights(add FD_WRITE back)",
         __wasi_fd_fdstat_set_rights(fd, base, inh), __WASI_ERRNO_NOTCAPABLE);
  expect("fd_fdstat_set_rights(99)", __wasi_fd_fdstat_set_rights(99, 0, 0), __WASI_ERRNO_BADF);

  printf("== close\n");
  OK("fd_close", __wasi_fd_close(fd));
  expect("fd_close again", __wasi_fd_close(fd), __WASI_ERRNO_BADF);
  expect("fd_write after close", write_str(fd, "x", &n), __WASI_ERRNO_BADF);
  expect("fd_read after close", __wasi_fd_read(fd, rv, 2, &n), __WASI_ERRNO_BADF);

  printf("== renumber\n");
  mkfile("one.txt", "111");
  mkfile("two.txt", "22");
  __wasi_fd_t f1, f2;
  OK("open one.txt", open_at(dir, 0, "one.txt", 0, 0, &f1));
  OK("open two.txt", open_at(dir, 0, "two.txt", 0, 0, &f2));
  OK("fd_renumber(one -> two)", __wasi_fd_renumber(f1, f2));
  printf("size via the target fd=%llu\n", (unsigned long long)size_of(f2));
  expect("fd_close(old fd)", __wasi_fd_close(f1), __WASI_ERRNO_BADF);
  expect("fd_renumber(99 -> two)", __wasi_fd_renumber(99, f2), __WASI_ERRNO_BADF);
  expect("fd_renumber(two -> 99)", __wasi_fd_renumber(f2, 99), __WASI_ERRNO_BADF);
  printf("size via the target fd=%llu\n", (unsigned long long)size_of(f2));
  OK("fd_close(target)", __wasi_fd_close(f2));

  printf("== readdir with small buffers\n");
  OK("path_create_directory(rd)", __wasi_path_create_directory(dir, "rd"));
  const char* longname = "a_rather_long_file_name_that_does_not_fit_in_a_small_buffer.txt";
  char p[160];
  for (int i = 0; i < 20; i++) {
    snprintf(p, sizeof p, "rd/%c%.*s", 'a' + i, i, "0123456789abcdefghijklmnop");
    mkfile(p, "");
  }
  snprintf(p, sizeof p, "rd/%s", longname);
  mkfile(p, "");
  OK("path_create_directory(rd/sub)", __wasi_path_create_directory(dir, "rd/sub"));
  __wasi_fd_t d;
  OK("path_open(rd, DIRECTORY)", open_dir(dir, "rd", &d));
  char* names[64];
  int count, trunc;
  int calls = read_dir(d, 40, names, &count, &trunc);
  qsort(names, count, sizeof names[0], cmpstr);
  printf("entries=%d\n", count);
  for (int i = 0; i < count; i++) {
    printf("  %s\n", names[i]);
    free(names[i]);
  }
  check("needed many calls", calls > 10);
  check("saw a truncated entry", trunc);
  int count2, trunc2;
  int calls2 = read_dir(d, 4096, names, &count2, &trunc2);
  for (int i = 0; i < count2; i++) free(names[i]);
  check("one 4 KiB call lists the same number", count2 == count && calls2 == 1);
  uint8_t big[4096];
  __wasi_size_t used;
  OK("fd_readdir(cookie START)", __wasi_fd_readdir(d, big, sizeof big, __WASI_DIRCOOKIE_START, &used));
  // Re-reading from the cookie of the last entry returns nothing.
  size_t off = 0;
  __wasi_dircookie_t last = 0;
  while (off + sizeof(__wasi_dirent_t) <= used) {
    __wasi_dirent_t de;
    memcpy(&de, big + off, sizeof de);
    last = de.d_next;
    off += sizeof de + de.d_namlen;
  }
  OK("fd_readdir(cookie of last entry)", __wasi_fd_readdir(d, big, sizeof big, last, &used));
  printf("bytes=%u\n", (unsigned)used);
  expect("fd_readdir(99)", __wasi_fd_readdir(99, big, sizeof big, 0, &used), __WASI_ERRNO_BADF);
  OK("open rd/b0 (a file)", open_at(dir, 0, "rd/b0", 0, 0, &fd));
  expect_one_of("fd_readdir(file)", __wasi_fd_readdir(fd, big, sizeof big, 0, &used), "refused",
                __WASI_ERRNO_NOTDIR, __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_BADF, 0);
  (void)__wasi_fd_close(fd);
  (void)__wasi_fd_close(d);

  printf("== stdio\n");
  fflush(stdout);
  OK("fd_write(1)", write_str(1, "via fd_write(1)\n", &n));
  OK("fd_write(2)", write_str(2, "(stderr line from raw_fd)\n", &n));
  OK("fd_read(0) (/dev/null)", __wasi_fd_read(0, rv, 2, &n));
  printf("nread=%u\n", (unsigned)n);
  OK("fd_fdstat_get(0)", __wasi_fd_fdstat_get(0, &fs));
  OK("fd_fdstat_get(1)", __wasi_fd_fdstat_get(1, &fs));
  OK("fd_fdstat_get(2)", __wasi_fd_fdstat_get(2, &fs));

  printf("== closing the preopen\n");
  OK("fd_close(3)", __wasi_fd_close(3));
  expect("fd_prestat_get(3) after close", __wasi_fd_prestat_get(3, &ps), __WASI_ERRNO_BADF);
  expect("path_open(3) after close", open_at(3, 0, "one.txt", 0, 0, &fd), __WASI_ERRNO_BADF);

  if (g_failures) return finish_raw();
  printf("proc_exit(17)\n");
  fflush(stdout);
  __wasi_proc_exit(17);
}
