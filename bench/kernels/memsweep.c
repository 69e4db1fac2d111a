/* memsweep: memory bandwidth. Two 4 MiB arrays (a 1024x1024 u32 matrix each). One iteration =
 * a streaming transform/copy, a tiled transpose and a strided reduction over both arrays. */
#include "../support/bench_kernel.h"

#define DIM 1024u
#define CELLS (DIM * DIM)
#define TILE 16u

static u32 A[CELLS];
static u32 B[CELLS];

i32 run(i32 n) {
  u32 x = 0x9e3779b9u;
  for (u32 i = 0; i < CELLS; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    A[i] = x;
  }
  u32 h = 0x13579bdfu;
  for (i32 it = 0; it < n; it++) {
    /* streaming: B = f(A) */
    for (u32 i = 0; i < CELLS; i++) B[i] = (A[i] ^ (A[i] >> 7)) + (u32)it;
    /* tiled transpose: A = B^T + row */
    for (u32 r0 = 0; r0 < DIM; r0 += TILE)
      for (u32 c0 = 0; c0 < DIM; c0 += TILE)
        for (u32 r = r0; r < r0 + TILE; r++)
          for (u32 c = c0; c < c0 + TILE; c++) A[c * DIM + r] = B[r * DIM + c] + r;
    /* reductions: sequential sum of A and a column walk (stride 4 KiB) over B */
    u32 s = 0;
    for (u32 i = 0; i < CELLS; i++) s += A[i] * (i | 1);
    u32 t = 0;
    for (u32 c = 0; c < DIM; c += 8)
      for (u32 r = 0; r < DIM; r++) t ^= B[r * DIM + c] + r;
    h = bench_mix(h, s);
    h = bench_mix(h, t);
  }
  return (i32)h;
}
