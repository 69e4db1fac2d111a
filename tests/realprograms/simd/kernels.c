/* real/simd: small C kernels whose loops clang's vectorisers turn into v128 code with
 * -msimd128 (and into SSE natively), over generated data; each prints a checksum. The same
 * source runs as simd.wasm (-O2 -msimd128), simd-nosimd.wasm (-O2) and natively (-O2): all three
 * must print the same lines. Every kernel is exact (integer arithmetic, or float operations
 * that vectorise element by element with no reassociation), so vector and scalar code agree
 * bit for bit.
 *   simd N    (N: the size parameter, default 2000; the image is N x N/2 pixels) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng = 12345;
static uint32_t next(void) {
  rng = rng * 1664525u + 1013904223u;
  return rng;
}

/* FNV-1a over bytes: the checksum printed for each kernel. */
static uint32_t fnv(const void *p, size_t n) {
  const unsigned char *b = p;
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
  return h;
}

/* Kept out of line so the loops are vectorised on their own, not folded into main. */
#define KERNEL __attribute__((noinline))

KERNEL static void saxpy(size_t n, float a, const float *restrict x, float *restrict y) {
  for (size_t i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}

KERNEL static void scale_clamp(size_t n, const float *restrict x, float *restrict y) {
  for (size_t i = 0; i < n; i++) {
    float v = x[i] * 0.5f - 3.0f;
    y[i] = v < -1.0f ? -1.0f : (v > 1.0f ? 1.0f : v);
  }
}

KERNEL static uint32_t dot_u32(size_t n, const uint32_t *restrict a, const uint32_t *restrict b) {
  uint32_t s = 0;
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

KERNEL static uint32_t dot_i16(size_t n, const int16_t *restrict a, const int16_t *restrict b) {
  uint32_t s = 0; /* the sum wraps (unsigned: defined) */
  for (size_t i = 0; i < n; i++) s += (uint32_t)((int32_t)a[i] * b[i]);
  return s;
}

KERNEL static void minmax_i32(size_t n, const int32_t *a, int32_t *mn, int32_t *mx) {
  int32_t lo = a[0], hi = a[0];
  for (size_t i = 0; i < n; i++) {
    lo = a[i] < lo ? a[i] : lo;
    hi = a[i] > hi ? a[i] : hi;
  }
  *mn = lo;
  *mx = hi;
}

KERNEL static uint32_t byte_sum(size_t n, const uint8_t *p) {
  uint32_t s = 0;
  for (size_t i = 0; i < n; i++) s += p[i];
  return s;
}

KERNEL static uint32_t weighted_bytes(size_t n, const uint8_t *p) {
  uint32_t s = 0;
  for (size_t i = 0; i < n; i++) s += (uint32_t)p[i] * (uint32_t)(i & 0xff);
  return s;
}

KERNEL static void histogram(size_t n, const uint8_t *p, uint32_t *h) {
  memset(h, 0, 256 * sizeof *h);
  for (size_t i = 0; i < n; i++) h[p[i]]++;
}

KERNEL static void xor_bytes(size_t n, uint8_t *restrict d, const uint8_t *restrict a, uint8_t k) {
  for (size_t i = 0; i < n; i++) d[i] = (uint8_t)((a[i] ^ k) + (a[i] >> 3));
}

/* 3x3 box blur of a w x h 8-bit image; the border is copied. */
KERNEL static void blur3(int w, int h, const uint8_t *restrict in, uint8_t *restrict out) {
  memcpy(out, in, (size_t)w);
  memcpy(out + (size_t)(h - 1) * w, in + (size_t)(h - 1) * w, (size_t)w);
  for (int y = 1; y < h - 1; y++) {
    const uint8_t *a = in + (size_t)(y - 1) * w, *b = a + w, *c = b + w;
    uint8_t *o = out + (size_t)y * w;
    o[0] = b[0];
    o[w - 1] = b[w - 1];
    for (int x = 1; x < w - 1; x++) {
      uint32_t s = (uint32_t)a[x - 1] + a[x] + a[x + 1] + b[x - 1] + b[x] + b[x + 1] + c[x - 1] +
                   c[x] + c[x + 1];
      o[x] = (uint8_t)(s / 9);
    }
  }
}

KERNEL static void to_upper(size_t n, char *restrict d, const char *restrict s) {
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    d[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
  }
}

KERNEL static size_t count_char(size_t n, const char *s, char c) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) k += s[i] == c;
  return k;
}

/* int16 saturating add with explicit clamping (i16x8.add_sat_s where the vectoriser sees it). */
KERNEL static void add_sat(size_t n, int16_t *restrict d, const int16_t *restrict a, const int16_t *restrict b) {
  for (size_t i = 0; i < n; i++) {
    int32_t s = (int32_t)a[i] + b[i];
    d[i] = (int16_t)(s > 32767 ? 32767 : (s < -32768 ? -32768 : s));
  }
}

/* 8x8 integer matrix products, many times (SLP-vectorised rows). */
KERNEL static void matmul8(const int32_t *restrict a, const int32_t *restrict b, int32_t *restrict c) {
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++) {
      int32_t s = 0;
      for (int k = 0; k < 8; k++) s += a[i * 8 + k] * b[k * 8 + j];
      c[i * 8 + j] = s;
    }
}

int main(int argc, char **argv) {
  long size = argc > 1 ? strtol(argv[1], 0, 10) : 2000;
  if (size < 16 || size > 20000) {
    fprintf(stderr, "simd: size %ld out of range (16..20000)\n", size);
    return 2;
  }
  size_t n = (size_t)size * 256; /* elements of the 1-D kernels */
  float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *z = malloc(n * sizeof *z);
  uint32_t *ua = malloc(n * sizeof *ua), *ub = malloc(n * sizeof *ub);
  int16_t *sa = malloc(n * sizeof *sa), *sb = malloc(n * sizeof *sb), *sd = malloc(n * sizeof *sd);
  int32_t *ia = malloc(n * sizeof *ia);
  uint8_t *bytes = malloc(n), *bd = malloc(n);
  char *text = malloc(n), *upper = malloc(n);
  if (!x || !y || !z || !ua || !ub || !sa || !sb || !sd || !ia || !bytes || !bd || !text || !upper) {
    fprintf(stderr, "simd: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < n; i++) {
    x[i] = (float)(next() % 20000) / 64.0f - 150.0f;
    y[i] = (float)(next() % 1000) / 8.0f;
    ua[i] = next();
    ub[i] = next();
    sa[i] = (int16_t)(next() >> 16);
    sb[i] = (int16_t)(next() >> 16);
    ia[i] = (int32_t)next();
    bytes[i] = (uint8_t)(next() >> 24);
    static const char words[] = "the Quick brown fox jumps over THE lazy dog, 0123456789! ";
    text[i] = words[(next() >> 20) % (sizeof words - 1)];
  }
  printf("size %ld: %zu elements\n", size, n);

  for (int r = 0; r < 4; r++) saxpy(n, 1.25f + r, x, y);
  printf("saxpy x4:        %08x\n", fnv(y, n * sizeof *y));
  scale_clamp(n, y, z);
  printf("scale_clamp:     %08x\n", fnv(z, n * sizeof *z));
  printf("dot_u32:         %08x\n", dot_u32(n, ua, ub));
  printf("dot_i16:         %08x\n", dot_i16(n, sa, sb));
  int32_t mn, mx;
  minmax_i32(n, ia, &mn, &mx);
  printf("minmax_i32:      %d %d\n", mn, mx);
  printf("byte_sum:        %u\n", byte_sum(n, bytes));
  printf("weighted_bytes:  %08x\n", weighted_bytes(n, bytes));
  uint32_t hist[256];
  histogram(n, bytes, hist);
  uint32_t hmax = 0;
  for (int i = 0; i < 256; i++) hmax = hist[i] > hmax ? hist[i] : hmax;
  printf("histogram:       %08x (max bin %u, bin 0 %u, bin 255 %u)\n", fnv(hist, sizeof hist), hmax,
         hist[0], hist[255]);
  xor_bytes(n, bd, bytes, 0x5a);
  printf("xor_bytes:       %08x\n", fnv(bd, n));
  add_sat(n, sd, sa, sb);
  printf("add_sat:         %08x\n", fnv(sd, n * sizeof *sd));

  int w = (int)size, h = (int)size / 2;
  uint8_t *img = malloc((size_t)w * h), *tmp = malloc((size_t)w * h);
  if (!img || !tmp) return 1;
  for (int yy = 0; yy < h; yy++)
    for (int xx = 0; xx < w; xx++)
      img[(size_t)yy * w + xx] = (uint8_t)((xx * 3 + yy * 5) ^ (xx * yy) ^ (next() >> 29));
  for (int r = 0; r < 3; r++) {
    blur3(w, h, img, tmp);
    blur3(w, h, tmp, img);
  }
  printf("blur3 x6 %dx%d:  %08x (centre %u)\n", w, h, fnv(img, (size_t)w * h),
         img[(size_t)(h / 2) * w + w / 2]);

  to_upper(n, upper, text);
  printf("to_upper:        %08x, %zu spaces, %zu 'O', '%.40s'\n", fnv(upper, n),
         count_char(n, upper, ' '), count_char(n, upper, 'O'), upper);

  int32_t ma[64], mb[64], mc[64];
  for (int i = 0; i < 64; i++) {
    ma[i] = (int32_t)(next() % 17) - 8;
    mb[i] = (int32_t)(next() % 13) - 6;
  }
  uint32_t mh = 0;
  for (int r = 0; r < size; r++) {
    matmul8(ma, mb, mc);
    mh = mh * 31 + fnv(mc, sizeof mc);
    ma[r % 64] = mc[(r * 7) % 64] % 101;
  }
  printf("matmul8 x%ld:     %08x\n", size, mh);
  printf("all kernels done\n");
  return 0;
}
