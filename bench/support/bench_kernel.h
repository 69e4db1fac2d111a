/* Common definitions for the corowasm benchmark kernels.
 *
 * Every kernel is freestanding C: no libc, no WASI. The same source is compiled
 *   - to wasm32 (clang --target=wasm32 -O2 -nostdlib) together with support/wasm_rt.c, and
 *   - natively at -O2 together with support/native_main.c (a timing harness).
 *
 * A kernel defines `i32 run(i32 n)`: it performs n iterations of a fixed unit of work and
 * returns a checksum of everything it computed, so that equal n means equal work and equal
 * checksums on every engine. run(0) does no iteration (its cost is the per-call overhead).
 */
#ifndef COROWASM_BENCH_KERNEL_H
#define COROWASM_BENCH_KERNEL_H

typedef __INT8_TYPE__ i8;
typedef __UINT8_TYPE__ u8;
typedef __INT16_TYPE__ i16;
typedef __UINT16_TYPE__ u16;
typedef __INT32_TYPE__ i32;
typedef __UINT32_TYPE__ u32;
typedef __INT64_TYPE__ i64;
typedef __UINT64_TYPE__ u64;
typedef __SIZE_TYPE__ usize;

#define BENCH_NOINLINE __attribute__((noinline))

void *memset(void *dst, int c, usize len);
void *memcpy(void *dst, const void *src, usize len);

/* The entry point every kernel defines. */
i32 run(i32 n);

/* Mix a 32-bit value into a running checksum. */
static inline u32 bench_mix(u32 h, u32 v) {
  h ^= v + 0x9e3779b9u + (h << 6) + (h >> 2);
  return h;
}

#endif
