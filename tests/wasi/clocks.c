// clock_time_get, clock_res_get, sched_yield, poll_oneoff (clock subscriptions via nanosleep,
// clock_nanosleep and poll) through wasi-libc (portable). Prints only deterministic facts.
#include "common.h"

#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int64_t ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static int64_t now(clockid_t c) {
  struct timespec t;
  if (clock_gettime(c, &t) != 0) {
    fail("clock_gettime: %s", errname(errno));
    return 0;
  }
  return ns(t);
}

// Slack for runtimes whose timers have millisecond granularity.
#define SLACK_NS 1000000

static void res(const char* name, clockid_t c) {
  struct timespec r;
  if (clock_getres(c, &r) != 0) {
    printf("clock_getres(%s): %s\n", name, errname(errno));
    return;
  }
  int64_t v = ns(r);
  printf("clock_getres(%s): %s\n", name, v > 0 && v <= 1000000000 ? "in (0, 1s]" : "out of range");
}

// CPU-time clocks may be unsupported; either they work and do not go backwards, or they fail
// with an errno. Both print the same line, so the output stays deterministic.
static void cputime(const char* name, clockid_t c) {
  struct timespec a, b;
  if (clock_gettime(c, &a) != 0) {
    int e = errno;
    if (e == EINVAL || e == ENOTSUP || e == ENOSYS || e == EPERM)
      printf("%s: consistent\n", name);
    else
      printf("%s: unexpected errno %s\n", name, errname(e));
    return;
  }
  volatile uint64_t x = 0;
  for (int i = 0; i < 2000000; i++) x += (uint64_t)i * i;
  if (clock_gettime(c, &b) != 0) {
    printf("%s: failed on second call\n", name);
    return;
  }
  printf("%s: %s\n", name, ns(b) >= ns(a) ? "consistent" : "went backwards");
}

int main(void) {
  res("REALTIME", CLOCK_REALTIME);
  res("MONOTONIC", CLOCK_MONOTONIC);

  struct timespec rt;
  clock_gettime(CLOCK_REALTIME, &rt);
  printf("realtime after 2020 and before 2100: %s\n",
         rt.tv_sec > 1577836800 && rt.tv_sec < 4102444800LL ? "yes" : "no");
  printf("realtime nsec in range: %s\n", rt.tv_nsec >= 0 && rt.tv_nsec < 1000000000 ? "yes" : "no");
  // time() and gettimeofday() lie between two clock_gettime readings taken around them (no
  // wall-clock allowance, which a loaded machine could exceed).
  time_t t = time(NULL);
  struct timeval tv;
  gettimeofday(&tv, NULL);
  struct timespec rt2;
  clock_gettime(CLOCK_REALTIME, &rt2);
  printf("time() agrees with realtime: %s\n", t >= rt.tv_sec && t <= rt2.tv_sec ? "yes" : "no");
  printf("gettimeofday agrees with realtime: %s\n",
         tv.tv_sec >= rt.tv_sec && tv.tv_sec <= rt2.tv_sec && tv.tv_usec < 1000000 ? "yes" : "no");

  int64_t prev = now(CLOCK_MONOTONIC);
  int mono_ok = 1;
  for (int i = 0; i < 20000; i++) {
    int64_t cur = now(CLOCK_MONOTONIC);
    if (cur < prev) mono_ok = 0;
    prev = cur;
  }
  printf("monotonic non-decreasing over 20000 reads: %s\n", mono_ok ? "yes" : "no");

  cputime("process cputime", CLOCK_PROCESS_CPUTIME_ID);
  cputime("thread cputime", CLOCK_THREAD_CPUTIME_ID);

  printf("sched_yield: %d\n", sched_yield());

  int64_t a = now(CLOCK_MONOTONIC);
  struct timespec d = {0, 20 * 1000000};
  int r = nanosleep(&d, NULL);
  int64_t b = now(CLOCK_MONOTONIC);
  printf("nanosleep(20ms): %d, slept at least 20ms: %s\n", r, b - a >= 20000000 - SLACK_NS ? "yes" : "no");

  a = now(CLOCK_MONOTONIC);
  struct timespec dl = {0, 0};
  dl.tv_sec = (a + 30000000) / 1000000000;
  dl.tv_nsec = (a + 30000000) % 1000000000;
  r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL);
  b = now(CLOCK_MONOTONIC);
  printf("clock_nanosleep(MONOTONIC, ABSTIME +30ms): %d, reached deadline: %s\n", r,
         b >= a + 30000000 - SLACK_NS ? "yes" : "no");

  // An absolute deadline in the past returns (at once; waiting would hang until ctest's timeout).
  dl.tv_sec = 0;
  dl.tv_nsec = 1;
  r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL);
  printf("clock_nanosleep(past deadline): %d\n", r);

  a = now(CLOCK_MONOTONIC);
  struct timespec rd = {0, 15 * 1000000};
  r = clock_nanosleep(CLOCK_REALTIME, 0, &rd, NULL);
  b = now(CLOCK_MONOTONIC);
  printf("clock_nanosleep(REALTIME, relative 15ms): %d, slept at least 15ms: %s\n", r,
         b - a >= 15000000 - SLACK_NS ? "yes" : "no");

  a = now(CLOCK_MONOTONIC);
  r = poll(NULL, 0, 25);
  b = now(CLOCK_MONOTONIC);
  printf("poll(no fds, 25ms): %d, waited at least 25ms: %s\n", r, b - a >= 25000000 - SLACK_NS ? "yes" : "no");

  return finish();
}
