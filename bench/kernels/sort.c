/* sort: comparison sorting over 512 KiB of keys. One iteration = fill SORT_N pseudo-random u32
 * keys, quicksort them (median of three, insertion sort for short ranges), check the order,
 * then heapsort a quarter of them; the checksum samples the sorted arrays. */
#include "../support/bench_kernel.h"

#define SORT_N (1u << 17)
#define HEAP_N (SORT_N / 4)

static u32 keys[SORT_N];
static u32 heap[HEAP_N];

static void insertion(u32 *a, i32 lo, i32 hi) {
  for (i32 i = lo + 1; i <= hi; i++) {
    u32 v = a[i];
    i32 j = i - 1;
    while (j >= lo && a[j] > v) { a[j + 1] = a[j]; j--; }
    a[j + 1] = v;
  }
}

static void quicksort(u32 *a, i32 lo, i32 hi) {
  while (hi - lo > 16) {
    i32 mid = lo + (hi - lo) / 2;
    if (a[mid] < a[lo]) { u32 t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
    if (a[hi] < a[lo]) { u32 t = a[hi]; a[hi] = a[lo]; a[lo] = t; }
    if (a[hi] < a[mid]) { u32 t = a[hi]; a[hi] = a[mid]; a[mid] = t; }
    u32 pivot = a[mid];
    i32 i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { u32 t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    /* recurse into the smaller side, loop on the larger: O(log n) stack */
    if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
    else { quicksort(a, i, hi); hi = j; }
  }
  insertion(a, lo, hi);
}

static void sift_down(u32 *a, u32 root, u32 end) {
  for (;;) {
    u32 child = 2 * root + 1;
    if (child >= end) return;
    if (child + 1 < end && a[child] < a[child + 1]) child++;
    if (a[root] >= a[child]) return;
    u32 t = a[root]; a[root] = a[child]; a[child] = t;
    root = child;
  }
}

static void heapsort(u32 *a, u32 len) {
  for (u32 i = len / 2; i-- > 0;) sift_down(a, i, len);
  for (u32 end = len - 1; end > 0; end--) {
    u32 t = a[0]; a[0] = a[end]; a[end] = t;
    sift_down(a, 0, end);
  }
}

i32 run(i32 n) {
  u32 h = 0x27182818u;
  for (i32 it = 0; it < n; it++) {
    u32 x = 0x01234567u + (u32)it * 0x9e3779b9u;
    for (u32 i = 0; i < SORT_N; i++) {
      x ^= x << 13; x ^= x >> 17; x ^= x << 5;
      keys[i] = x % 1000003u;
    }
    for (u32 i = 0; i < HEAP_N; i++) heap[i] = keys[i] ^ 0x5555u;
    quicksort(keys, 0, (i32)SORT_N - 1);
    heapsort(heap, HEAP_N);
    u32 bad = 0;
    for (u32 i = 1; i < SORT_N; i++) bad += keys[i - 1] > keys[i];
    for (u32 i = 1; i < HEAP_N; i++) bad += heap[i - 1] > heap[i];
    for (u32 i = 0; i < SORT_N; i += 997) h = bench_mix(h, keys[i]);
    for (u32 i = 0; i < HEAP_N; i += 499) h = bench_mix(h, heap[i]);
    h = bench_mix(h, bad);
  }
  return (i32)h;
}
