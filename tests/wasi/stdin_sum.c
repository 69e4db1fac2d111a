// fd_read on stdin (a pipe from the driver), poll_oneoff fd_read subscription on it via poll(),
// fd_seek on a pipe (ESPIPE). Prints byte/line counts and an FNV-1a hash (portable).
#include "common.h"

#include <poll.h>
#include <stdint.h>
#include <unistd.h>

int main(void) {
  // The driver pipes the whole input and closes the pipe before we poll, or at least will
  // eventually: poll must report stdin readable (data or EOF) within the timeout.
  struct pollfd p = {.fd = 0, .events = POLLIN};
  int n = poll(&p, 1, 10000);
  printf("poll(stdin, POLLIN): %d%s\n", n, n == 1 && (p.revents & (POLLIN | POLLHUP)) ? " readable" : "");

  errno = 0;
  off_t off = lseek(0, 0, SEEK_CUR);
  if (off < 0) printf("lseek(stdin): %s\n", errname(errno));
  else printf("lseek(stdin): succeeded (stdin is not a pipe?)\n");

  // Read with varying buffer sizes, including 1-byte reads and a two-iovec read.
  static char buf[65536];
  const size_t sizes[] = {1, 3, 7, 64, 4096, 65536};
  uint64_t total = 0, lines = 0;
  uint32_t h = 2166136261u;
  unsigned long reads = 0;
  for (;;) {
    size_t want = sizes[reads % (sizeof sizes / sizeof sizes[0])];
    ssize_t r = read(0, buf, want);
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      printf("read error: %s\n", errname(errno));
      return 1;
    }
    if (r == 0) break;
    reads++;
    for (ssize_t i = 0; i < r; i++) {
      h = (h ^ (unsigned char)buf[i]) * 16777619u;
      if (buf[i] == '\n') lines++;
    }
    total += (uint64_t)r;
  }
  ssize_t again = read(0, buf, sizeof buf);
  printf("bytes=%llu lines=%llu fnv1a=%08x\n", (unsigned long long)total, (unsigned long long)lines, h);
  printf("read after EOF: %zd\n", again);
  return 0;
}
