/* blur: image filtering, the loop shape of image and signal processing. One iteration = a 3x3
 * box blur of a 512x512 8-bit image (u16 sums, divided by 8 with rounding so it stays exact in
 * integers) followed by a brightness histogram of the result. */
#include "../support/bench_kernel.h"

#define W 512
#define H 512

static u8 img[H][W], out[H][W];

static void fill(void) {
  u32 s = 0xabcdef01u;
  for (u32 y = 0; y < H; y++)
    for (u32 x = 0; x < W; x++) {
      s ^= s << 13; s ^= s >> 17; s ^= s << 5;
      img[y][x] = (u8)((x ^ y) + (s & 31));
    }
}

static BENCH_NOINLINE void blur(void) {
  for (u32 y = 1; y + 1 < H; y++) {
    const u8 *r0 = img[y - 1], *r1 = img[y], *r2 = img[y + 1];
    u8 *o = out[y];
    for (u32 x = 1; x + 1 < W; x++) {
      u16 s = (u16)r0[x - 1] + r0[x] + r0[x + 1] + r1[x - 1] + r1[x + 1] + r2[x - 1] + r2[x] + r2[x + 1];
      o[x] = (u8)((s + 4) >> 3);
    }
  }
}

static BENCH_NOINLINE u32 sum_bright(void) {
  u32 total = 0;
  for (u32 y = 0; y < H; y++)
    for (u32 x = 0; x < W; x++) total += out[y][x] > 128 ? out[y][x] : 0;
  return total;
}

i32 run(i32 n) {
  fill();  /* every call starts from the same data: equal n, equal checksum */
  u32 h = 0xb1u;
  for (i32 it = 0; it < n; it++) {
    img[(it * 13) & (H - 1)][(it * 7) & (W - 1)] += (u8)it;
    blur();
    h = bench_mix(h, sum_bright());
  }
  return (i32)h;
}
