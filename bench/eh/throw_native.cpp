// The native reference of bench/eh/throw.wat: the same rounds with C++ exceptions (clang++ -O2),
// printing nanoseconds per round of each export: "throw_0 NS\nthrow_100 NS\ncalls_100 NS".
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {
struct E { int v; };
[[gnu::noinline]] void down(int depth, int v) {
  if (depth) down(depth - 1, v);
  else throw E{v};
  asm volatile("");  // not a tail call
}
[[gnu::noinline]] int down_ret(int depth, int v) {
  int r = depth ? down_ret(depth - 1, v) : v;
  asm volatile("" : "+r"(r));
  return r;
}
unsigned throws(int n, int depth) {
  unsigned sum = 0;
  for (int i = 0; i < n; ++i) {
    try {
      down(depth, i);
    } catch (const E& e) {
      sum += unsigned(e.v);
    }
  }
  return sum;
}
unsigned calls(int n) {
  unsigned sum = 0;
  for (int i = 0; i < n; ++i) sum += unsigned(down_ret(100, i));
  return sum;
}
template <class F>
double ns_per(int n, F f) {
  auto t0 = std::chrono::steady_clock::now();
  volatile unsigned sink = f(n);
  (void)sink;
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / n;
}
}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  std::printf("throw_0 %.1f\n", ns_per(n, [](int k) { return throws(k, 0); }));
  std::printf("throw_100 %.1f\n", ns_per(n / 10, [](int k) { return throws(k, 100); }));
  std::printf("calls_100 %.1f\n", ns_per(n, calls));
}
