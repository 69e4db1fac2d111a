/* hash: byte-stream hashing over a 512 KiB buffer. One iteration = SHA-256, table-driven CRC-32
 * and FNV-1a over the whole buffer (the first word of the buffer is changed per iteration). */
#include "../support/bench_kernel.h"

#define BUF_BYTES (1u << 19)

static u8 buf[BUF_BYTES];
static u32 crc_table[256];

static void fill(void) {
  u32 x = 0xdeadbeefu;
  for (u32 i = 0; i < BUF_BYTES; i += 4) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    buf[i] = (u8)x; buf[i + 1] = (u8)(x >> 8); buf[i + 2] = (u8)(x >> 16); buf[i + 3] = (u8)(x >> 24);
  }
  for (u32 i = 0; i < 256; i++) {
    u32 c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

static u32 crc32(const u8 *p, u32 len) {
  u32 c = 0xffffffffu;
  for (u32 i = 0; i < len; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

static u32 fnv1a(const u8 *p, u32 len) {
  u32 h = 2166136261u;
  for (u32 i = 0; i < len; i++) { h ^= p[i]; h *= 16777619u; }
  return h;
}

static const u32 K256[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline u32 ror(u32 x, int r) { return (x >> r) | (x << (32 - r)); }

static void sha256_block(u32 st[8], const u8 *p) {
  u32 w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 | (u32)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    u32 s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
    u32 s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  u32 a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
  for (int i = 0; i < 64; i++) {
    u32 t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
    u32 t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

/* SHA-256 of a message whose length is a multiple of 64 bytes; returns the digest folded. */
static u32 sha256(const u8 *p, u32 len) {
  u32 st[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  for (u32 off = 0; off < len; off += 64) sha256_block(st, p + off);
  u8 pad[64];
  for (int i = 0; i < 64; i++) pad[i] = 0;
  pad[0] = 0x80;
  u64 bits = (u64)len * 8;
  for (int i = 0; i < 8; i++) pad[63 - i] = (u8)(bits >> (8 * i));
  sha256_block(st, pad);
  u32 h = 0;
  for (int i = 0; i < 8; i++) h = bench_mix(h, st[i]);
  return h;
}

i32 run(i32 n) {
  fill();
  u32 h = 0x5a5a5a5au;
  for (i32 it = 0; it < n; it++) {
    buf[0] = (u8)it;
    buf[1] = (u8)(it >> 8);
    h = bench_mix(h, sha256(buf, BUF_BYTES));
    h = bench_mix(h, crc32(buf, BUF_BYTES));
    h = bench_mix(h, fnv1a(buf, BUF_BYTES));
  }
  return (i32)h;
}
