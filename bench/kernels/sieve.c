/* sieve: tight integer loops. One iteration = a sieve of Eratosthenes over SIEVE_N numbers
 * (1 MiB of flags) plus Collatz chain lengths for COLLATZ_N starting values. */
#include "../support/bench_kernel.h"

#define SIEVE_N (1u << 20)
#define COLLATZ_N 20000u

static u8 flags[SIEVE_N];

static u32 sieve(u32 salt) {
  for (u32 i = 0; i < SIEVE_N; i++) flags[i] = (u8)(i & 1);
  flags[1] = 0;
  flags[2] = 1;
  for (u32 i = 3; i * i < SIEVE_N; i += 2)
    if (flags[i])
      for (u32 j = i * i; j < SIEVE_N; j += 2 * i) flags[j] = 0;
  u32 count = 0, sum = 0;
  for (u32 i = 0; i < SIEVE_N; i++) {
    count += flags[i];
    sum += flags[i] ? i ^ salt : 0;
  }
  return count * 2654435761u ^ sum;
}

static u32 collatz(u32 start) {
  u32 total = 0;
  for (u32 s = start; s < start + COLLATZ_N; s++) {
    u64 x = s;
    u32 steps = 0;
    while (x != 1) {
      x = (x & 1) ? 3 * x + 1 : x >> 1;
      steps++;
    }
    total += steps;
  }
  return total;
}

i32 run(i32 n) {
  u32 h = 0x2468ace0u;
  for (i32 i = 0; i < n; i++) {
    h = bench_mix(h, sieve((u32)i));
    h = bench_mix(h, collatz(1 + (u32)i * 7919u));
  }
  return (i32)h;
}
