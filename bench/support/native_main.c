/* Native timing harness: links with one kernel (or the CoreMark port) compiled at -O2.
 *
 *   NAME_native N1 [N2 ...]
 *
 * For each N, calls the entry point once and prints one line
 *   result n=N checksum=C ns=T
 * where T is the wall time of the call alone (CLOCK_MONOTONIC). The CoreMark build also prints
 *   coremark seedcrc=0x.... crclist=0x.... crcmatrix=0x.... crcstate=0x.... crcfinal=0x.... known_id=K errors=E
 * after each run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef BENCH_ENTRY
#define BENCH_ENTRY run
#endif

int32_t BENCH_ENTRY(int32_t n);
#ifdef BENCH_COREMARK
int32_t coremark_info(int32_t which);
#endif

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s N [N...]\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    int32_t n = (int32_t)strtol(argv[i], NULL, 0);
    uint64_t t0 = now_ns();
    int32_t c = BENCH_ENTRY(n);
    uint64_t t1 = now_ns();
    printf("result n=%d checksum=%d ns=%llu\n", (int)n, (int)c, (unsigned long long)(t1 - t0));
#ifdef BENCH_COREMARK
    printf("coremark seedcrc=0x%04x crclist=0x%04x crcmatrix=0x%04x crcstate=0x%04x crcfinal=0x%04x"
           " known_id=%d errors=%d\n",
           (unsigned)coremark_info(4), (unsigned)coremark_info(1), (unsigned)coremark_info(2),
           (unsigned)coremark_info(3), (unsigned)coremark_info(0), (int)coremark_info(5),
           (int)coremark_info(6));
#endif
    fflush(stdout);
  }
  return 0;
}
