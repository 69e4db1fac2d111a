/* bytes: byte-stream transforms as text processing does them. One iteration = ASCII upper-casing
 * of a 256 KiB buffer, a count of its bytes in a character class (digits), and a byte-wise XOR
 * "cipher" with a 16-byte key. */
#include "../support/bench_kernel.h"

#define LEN (1u << 18)

static u8 text[LEN], upper[LEN], ciph[LEN];
static const u8 key[16] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3};

static void fill(void) {
  u32 s = 0x2545f491u;
  for (u32 i = 0; i < LEN; i++) {
    s ^= s << 13; s ^= s >> 17; s ^= s << 5;
    text[i] = (u8)(32 + s % 95);
  }
}

static BENCH_NOINLINE void to_upper(const u8 *in, u8 *o) {
  for (u32 i = 0; i < LEN; i++) {
    u8 c = in[i];
    o[i] = (c >= 'a' && c <= 'z') ? (u8)(c - 32) : c;
  }
}

static BENCH_NOINLINE u32 count_digits(const u8 *in) {
  u32 n = 0;
  for (u32 i = 0; i < LEN; i++) n += (u8)(in[i] - '0') < 10;
  return n;
}

static BENCH_NOINLINE void xor_key(const u8 *in, u8 *o) {
  for (u32 i = 0; i < LEN; i++) o[i] = in[i] ^ key[i & 15];
}

i32 run(i32 n) {
  fill();  /* every call starts from the same data: equal n, equal checksum */
  u32 h = 0x5eedu;
  for (i32 it = 0; it < n; it++) {
    text[(it * 31) & (LEN - 1)] = (u8)(48 + (it & 63));
    to_upper(text, upper);
    h = bench_mix(h, count_digits(upper));
    xor_key(upper, ciph);
    h = bench_mix(h, (u32)ciph[(it * 97) & (LEN - 1)] | ((u32)upper[it & (LEN - 1)] << 8));
  }
  return (i32)h;
}
