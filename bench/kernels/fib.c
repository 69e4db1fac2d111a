/* fib: recursive Fibonacci, a benchmark of calls and returns.
 * One iteration = fib(FIB_K) with a per-iteration salt added at every leaf (so the call cannot
 * be hoisted out of the loop): about 7 million calls. */
#include "../support/bench_kernel.h"

#define FIB_K 32

static BENCH_NOINLINE u32 fib(u32 k, u32 salt) {
  if (k < 2) return k + salt;
  return fib(k - 1, salt) + fib(k - 2, salt);
}

i32 run(i32 n) {
  u32 h = 0x12345678u;
  for (i32 i = 0; i < n; i++) h = bench_mix(h, fib(FIB_K, (u32)i));
  return (i32)h;
}
