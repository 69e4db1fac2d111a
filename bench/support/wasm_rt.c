/* Runtime support linked into every benchmark .wasm (never into the native builds, which use
 * libc). Provides what clang may call implicitly (memset, memcpy, memmove, memcmp; the wasm
 * target has no bulk-memory instructions enabled by default) and the parameter block used to
 * drive engines that cannot pass call arguments (wabt's wasm-interp --run-all-exports only
 * runs exports without parameters).
 *
 * BENCH_ENTRY names the real entry point (run, or coremark_run).
 */
#include "bench_kernel.h"

#ifndef BENCH_ENTRY
#define BENCH_ENTRY run
#endif

/* The driver finds the 8 magic bytes "CWbenchN" in the data section of a copy of the .wasm
 * and overwrites the following 4 bytes (little-endian i32) with the iteration count. */
struct bench_param_block {
  char magic[8];
  i32 n;
};
volatile struct bench_param_block bench_param = {{'C', 'W', 'b', 'e', 'n', 'c', 'h', 'N'}, 0};

i32 BENCH_ENTRY(i32 n);

/* No parameters, so wasm-interp --run-all-exports runs it: runs the entry with the patched n. */
__attribute__((export_name("run_param"))) i32 run_param(void) { return BENCH_ENTRY(bench_param.n); }

/* Word-at-a-time where alignment allows; these functions are exempt from LLVM's loop-idiom
 * rewriting (it never turns the body of memset/memcpy into a call to itself). */
__attribute__((no_builtin)) void *memset(void *dst, int c, usize len) {
  u8 *d = (u8 *)dst;
  u8 b = (u8)c;
  while (len && ((usize)d & 7)) { *d++ = b; len--; }
  u64 w = 0x0101010101010101ull * b;
  for (; len >= 8; len -= 8, d += 8) *(u64 *)d = w;
  while (len--) *d++ = b;
  return dst;
}

__attribute__((no_builtin)) void *memcpy(void *dst, const void *src, usize len) {
  u8 *d = (u8 *)dst;
  const u8 *s = (const u8 *)src;
  if ((((usize)d | (usize)s) & 7) == 0) {
    for (; len >= 8; len -= 8, d += 8, s += 8) *(u64 *)d = *(const u64 *)s;
  }
  while (len--) *d++ = *s++;
  return dst;
}

__attribute__((no_builtin)) void *memmove(void *dst, const void *src, usize len) {
  u8 *d = (u8 *)dst;
  const u8 *s = (const u8 *)src;
  if (d == s || len == 0) return dst;
  if (d < s || d >= s + len) return memcpy(dst, src, len);
  while (len--) d[len] = s[len];
  return dst;
}

__attribute__((no_builtin)) int memcmp(const void *a, const void *b, usize len) {
  const u8 *x = (const u8 *)a, *y = (const u8 *)b;
  for (usize i = 0; i < len; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}
