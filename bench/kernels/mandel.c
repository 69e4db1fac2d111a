/* mandel: floating point escape-time loop (Mandelbrot set), f64 multiply/add/compare in a tight
 * data-dependent loop. One iteration = a 256x256 image with at most 256 steps per pixel, over a
 * window that shifts slightly with the iteration index. */
#include "../support/bench_kernel.h"

#define W 256
#define H 256
#define MAXIT 256

i32 run(i32 n) {
  u32 h = 0xfeedbeefu;
  for (i32 it = 0; it < n; it++) {
    double x0 = -2.0 + (double)(it & 7) * 1e-3, y0 = -1.25;
    double sx = 2.5 / W, sy = 2.5 / H;
    u32 total = 0, inside = 0;
    for (int py = 0; py < H; py++) {
      double ci = y0 + py * sy;
      for (int px = 0; px < W; px++) {
        double cr = x0 + px * sx;
        double zr = 0, zi = 0, zr2 = 0, zi2 = 0;
        int k = 0;
        while (k < MAXIT && zr2 + zi2 <= 4.0) {
          zi = 2.0 * zr * zi + ci;
          zr = zr2 - zi2 + cr;
          zr2 = zr * zr;
          zi2 = zi * zi;
          k++;
        }
        total += (u32)k;
        inside += k == MAXIT;
      }
    }
    h = bench_mix(h, total);
    h = bench_mix(h, inside);
  }
  return (i32)h;
}
