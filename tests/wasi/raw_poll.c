// wasm-only: poll_oneoff called directly. Clock subscriptions (relative, absolute, in the past,
// two clocks racing), fd_read/fd_write subscriptions on a regular file, fd_read on stdin (a pipe
// the driver fills with raw_poll.stdin and closes), bad fds, nsubscriptions == 0.
// The driver preopens a fresh directory as /sandbox.
#include "wasi_raw.h"

static __wasi_timestamp_t mono(void) {
  __wasi_timestamp_t t = 0;
  (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t);
  return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id,
                                       __wasi_timestamp_t timeout, __wasi_subclockflags_t flags) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.precision = 0;
  s.u.u.clock.flags = flags;
  return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, __wasi_eventtype_t type, __wasi_fd_t fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = type;
  if (type == __WASI_EVENTTYPE_FD_READ) s.u.u.fd_read.file_descriptor = fd;
  else s.u.u.fd_write.file_descriptor = fd;
  return s;
}

static const char* evname(__wasi_eventtype_t t) {
  return t == __WASI_EVENTTYPE_CLOCK ? "CLOCK" : t == __WASI_EVENTTYPE_FD_READ ? "FD_READ"
       : t == __WASI_EVENTTYPE_FD_WRITE ? "FD_WRITE" : "?";
}

// Find the event for userdata `ud` among `n` events.
static const __wasi_event_t* find(const __wasi_event_t* ev, __wasi_size_t n, __wasi_userdata_t ud) {
  for (__wasi_size_t i = 0; i < n; i++)
    if (ev[i].userdata == ud) return &ev[i];
  return NULL;
}

static void show(const char* what, const __wasi_event_t* e) {
  if (!e) {
    printf("  %s: no event\n", what);
    return;
  }
  printf("  %s: type=%s error=%s\n", what, evname(e->type), wname(e->error));
}

#define MS 1000000ull
// Slack for runtimes whose timers have millisecond granularity.
#define SLACK (1 * MS)
// Clocks that must not fire are an hour away: which event came back says that they did not, with
// no upper bound on the time taken, which a loaded machine could exceed. (Waiting for one would
// hang the test until ctest's timeout.)
#define HOUR (3600000 * MS)

int main(void) {
  __wasi_fd_t dir = find_preopen("/sandbox");
  __wasi_subscription_t in[4];
  __wasi_event_t ev[4];
  __wasi_size_t n;
  __wasi_timestamp_t t0, t1;

  printf("== relative clock, 20ms\n");
  in[0] = clock_sub(11, __WASI_CLOCKID_MONOTONIC, 20 * MS, 0);
  t0 = mono();
  n = 0;
  OK("poll_oneoff", __wasi_poll_oneoff(in, ev, 1, &n));
  t1 = mono();
  printf("nevents=%u\n", (unsigned)n);
  show("userdata 11", find(ev, n, 11));
  check("waited at least 20ms", t1 - t0 >= 20 * MS - SLACK);

  printf("== absolute clock, now + 30ms\n");
  t0 = mono();
  in[0] = clock_sub(12, __WASI_CLOCKID_MONOTONIC, t0 + 30 * MS, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  n = 0;
  OK("poll_oneoff", __wasi_poll_oneoff(in, ev, 1, &n));
  t1 = mono();
  printf("nevents=%u\n", (unsigned)n);
  show("userdata 12", find(ev, n, 12));
  check("reached the deadline", t1 >= t0 + 30 * MS - SLACK);

  printf("== absolute clock in the past\n");
  in[0] = clock_sub(13, __WASI_CLOCKID_MONOTONIC, 1, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  n = 0;
  OK("poll_oneoff", __wasi_poll_oneoff(in, ev, 1, &n));
  printf("nevents=%u\n", (unsigned)n);
  show("userdata 13", find(ev, n, 13));

  printf("== relative REALTIME clock, 10ms\n");
  in[0] = clock_sub(14, __WASI_CLOCKID_REALTIME, 10 * MS, 0);
  t0 = mono();
  n = 0;
  OK("poll_oneoff", __wasi_poll_oneoff(in, ev, 1, &n));
  t1 = mono();
  show("userdata 14", find(ev, n, 14));
  check("waited at least 10ms", t1 - t0 >= 10 * MS - SLACK);

  printf("== zero timeout\n");
  in[0] = clock_sub(15, __WASI_CLOCKID_MONOTONIC, 0, 0);
  n = 0;
  OK("poll_oneoff", __wasi_poll_oneoff(in, ev, 1, &n));
  printf("nevents=%u\n", (unsigned)n);
  show("userdata 15", find(ev, n, 15));

  printf("== two clocks: 1h and 15ms\n");
  in[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, HOUR, 0);
  in[1] = clock_sub(2, __WASI_CLOCKID_MONOTONIC, 15 * MS, 0);
  n = 0;
  OK("poll_oneoff", __wasi_poll_oneoff(in, ev, 2, &n));
  printf("nevents=%u\n", (unsigned)n);
  show("userdata 2 (15ms)", find(ev, n, 2));
  check("1h clock did not fire", find(ev, n, 1) == NULL);

  printf("== regular file: fd_read and fd_write are ready at once\n");
  __wasi_fd_t fd;
  OK("create file", open_at(dir, 0, "data.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0, &fd));
  OK("write 10 bytes", write_str(fd, "0123456789", &n));
  __wasi_filesize_t pos;
  OK("seek to 0", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
  in[0] = fd_sub(21, __WASI_EVENTTYPE_FD_READ, fd);
  in[1] = fd_sub(22, __WASI_EVENTTYPE_FD_WRITE, fd);
  in[2] = clock_sub(23, __WASI_CLOCKID_MONOTONIC, HOUR, 0);
  n = 0;
  OK("poll_oneoff", __wasi_poll_oneoff(in, ev, 3, &n));
  printf("nevents=%u\n", (unsigned)n);
  const __wasi_event_t* r = find(ev, n, 21);
  show("fd_read", r);
  if (r) printf("  fd_read nbytes=%llu\n", (unsigned long long)r->fd_readwrite.nbytes);
  show("fd_write", find(ev, n, 22));
  check("clock did not fire", find(ev, n, 23) == NULL);

  printf("== stdin pipe with data: fd_read ready\n");
  in[0] = fd_sub(31, __WASI_EVENTTYPE_FD_READ, 0);
  in[1] = clock_sub(32, __WASI_CLOCKID_MONOTONIC, HOUR, 0);
  n = 0;
  OK("poll_oneoff", __wasi_poll_oneoff(in, ev, 2, &n));
  printf("nevents=%u\n", (unsigned)n);
  show("stdin", find(ev, n, 31));
  check("clock did not fire", find(ev, n, 32) == NULL);
  char buf[64] = {0};
  __wasi_iovec_t iov = {(uint8_t*)buf, sizeof buf - 1};
  OK("fd_read(stdin)", __wasi_fd_read(0, &iov, 1, &n));
  printf("read \"%.*s\"\n", (int)(n && buf[n - 1] == '\n' ? n - 1 : n), buf);

  printf("== bad fd in a subscription\n");
  in[0] = fd_sub(41, __WASI_EVENTTYPE_FD_READ, 99);
  n = 0;
  __wasi_errno_t e = __wasi_poll_oneoff(in, ev, 1, &n);
  // The error may be reported in the event (wasmtime, the usual reading of the spec) or as the
  // result of poll_oneoff itself.
  const __wasi_event_t* b = e == 0 ? find(ev, n, 41) : NULL;
  expect_one_of("fd_read on fd 99", e ? e : b ? b->error : __WASI_ERRNO_SUCCESS, "BADF", __WASI_ERRNO_BADF, 0);
  in[0] = fd_sub(42, __WASI_EVENTTYPE_FD_WRITE, 99);
  n = 0;
  e = __wasi_poll_oneoff(in, ev, 1, &n);
  b = e == 0 ? find(ev, n, 42) : NULL;
  expect_one_of("fd_write on fd 99", e ? e : b ? b->error : __WASI_ERRNO_SUCCESS, "BADF", __WASI_ERRNO_BADF, 0);

  printf("== invalid subscriptions\n");
  expect("nsubscriptions = 0", __wasi_poll_oneoff(in, ev, 0, &n), __WASI_ERRNO_INVAL);
  in[0] = clock_sub(51, 99, 0, 0);
  n = 0;
  e = __wasi_poll_oneoff(in, ev, 1, &n);
  b = e == 0 ? find(ev, n, 51) : NULL;
  expect_one_of("clock id 99", e ? e : b ? b->error : __WASI_ERRNO_SUCCESS, "INVAL", __WASI_ERRNO_INVAL, 0);

  (void)__wasi_fd_close(fd);
  return finish_raw();
}
