/* dot: integer vector arithmetic the auto-vectoriser turns into SIMD. One iteration = an i16
 * dot product of two 64 Ki-element vectors (i32 accumulation), y = a*x + y over 64 Ki i32 and
 * the element-wise maximum of two i32 vectors. */
#include "../support/bench_kernel.h"

#define N (1u << 16)

static i16 a16[N], b16[N];
static i32 x32[N], y32[N], m32[N];

static void fill(void) {
  u32 s = 0x12345678u;
  for (u32 i = 0; i < N; i++) {
    s = s * 1664525u + 1013904223u;
    a16[i] = (i16)(s >> 16);
    b16[i] = (i16)s;
    x32[i] = (i32)(s >> 3);
    y32[i] = (i32)i;
  }
}

static BENCH_NOINLINE i32 dot16(const i16 *a, const i16 *b) {
  i32 sum = 0;
  for (u32 i = 0; i < N; i++) sum += (i32)a[i] * (i32)b[i];
  return sum;
}

static BENCH_NOINLINE void axpy(i32 k, const i32 *x, i32 *y) {
  for (u32 i = 0; i < N; i++) y[i] = k * x[i] + y[i];
}

static BENCH_NOINLINE void vmax(const i32 *x, const i32 *y, i32 *out) {
  for (u32 i = 0; i < N; i++) out[i] = x[i] > y[i] ? x[i] : y[i];
}

i32 run(i32 n) {
  fill();  /* every call starts from the same data: equal n, equal checksum */
  u32 h = 0x0d07d07u;
  for (i32 it = 0; it < n; it++) {
    a16[it & (N - 1)] ^= (i16)it;
    h = bench_mix(h, (u32)dot16(a16, b16));
    axpy(3 + (it & 3), x32, y32);
    vmax(x32, y32, m32);
    h = bench_mix(h, (u32)m32[it & (N - 1)] ^ (u32)y32[(it * 7) & (N - 1)]);
  }
  return (i32)h;
}
