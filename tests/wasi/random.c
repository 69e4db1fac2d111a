// random_get through getentropy (portable).
#include "common.h"

#include <unistd.h>

int main(void) {
  unsigned char a[256], b[256];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  printf("getentropy(256): %d\n", getentropy(a, sizeof a));
  printf("getentropy(256) again: %d\n", getentropy(b, sizeof b));
  printf("two draws differ: %s\n", memcmp(a, b, sizeof a) ? "yes" : "no");
  int nonzero = 0;
  for (size_t i = 0; i < sizeof a; i++) nonzero |= a[i];
  printf("not all zero: %s\n", nonzero ? "yes" : "no");
  printf("getentropy(0): %d\n", getentropy(a, 0));
  errno = 0;
  int r = getentropy(a, 257);
  printf("getentropy(257): %d %s\n", r, r < 0 ? errname(errno) : "");

  // 64 draws of 256 bytes: every byte value shows up (missing one has probability ~1e-25).
  int seen[256] = {0};
  for (int k = 0; k < 64; k++) {
    if (getentropy(a, sizeof a) != 0) fail("getentropy draw %d", k);
    for (size_t i = 0; i < sizeof a; i++) seen[a[i]] = 1;
  }
  int all = 1;
  for (int i = 0; i < 256; i++) all &= seen[i];
  printf("all 256 byte values seen: %s\n", all ? "yes" : "no");

  // Odd sizes and an unaligned destination.
  static unsigned char big[4099];
  printf("getentropy(unaligned, 255): %d\n", getentropy(big + 1, 255));
  return finish();
}
