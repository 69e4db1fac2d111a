// Async embedding costs, in one run: suspend+resume of an async import vs a synchronous host
// call, async_call vs call_sync, time slicing on a CPU-bound kernel, instantiation rate,
// resident and heap bytes per suspended guest (10,000 and 100,000 parked, with a per-part
// breakdown), round trips on 1 and 2 threads, and streaming vs whole-buffer compilation.
//
//   async_bench GUEST.wasm SIEVE.wasm COREMARK.wasm
#include <corowasm/async.h>
#include <corowasm/internal.h>

#include <malloc.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>
#include <unistd.h>

// ---- heap accounting: this thread's live malloc chunks (usable size + the 8-byte header) ----
// glibc's malloc family, wrapped: every allocation of the process (operator new, coroutine
// frames, the VM's own malloc) passes here. Counted per thread (each guest's store is used on
// one thread), so the figures need no locking.
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
}
namespace {
thread_local long heap_live = 0;
thread_local long heap_blocks = 0;
inline void count_in(void* p) {
  if (p) heap_live += long(malloc_usable_size(p)) + 8, ++heap_blocks;
}
inline void count_out(void* p) {
  if (p) heap_live -= long(malloc_usable_size(p)) + 8, --heap_blocks;
}
}  // namespace
extern "C" {
void* malloc(size_t n) noexcept {
  void* p = __libc_malloc(n);
  count_in(p);
  return p;
}
void* calloc(size_t n, size_t m) noexcept {
  void* p = __libc_calloc(n, m);
  count_in(p);
  return p;
}
void* realloc(void* old, size_t n) noexcept {
  count_out(old);
  void* p = __libc_realloc(old, n);
  count_in(p ? p : (n ? old : nullptr));
  return p;
}
void free(void* p) noexcept {
  count_out(p);
  __libc_free(p);
}
void* memalign(size_t a, size_t n) noexcept {
  void* p = __libc_memalign(a, n);
  count_in(p);
  return p;
}
void* aligned_alloc(size_t a, size_t n) noexcept { return memalign(a, n); }
int posix_memalign(void** out, size_t a, size_t n) noexcept {
  void* p = __libc_memalign(a, n);
  if (!p) return 12;  // ENOMEM
  count_in(p);
  *out = p;
  return 0;
}
}

namespace asio = boost::asio;
using corowasm::Value;
using corowasm::ValType;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<uint8_t> read(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot open ") + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

double ns_since(Clock::time_point t0, double n) {
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / n;
}

long resident_bytes() {
  long pages = 0, resident = 0;
  std::ifstream("/proc/self/statm") >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

// An in-memory AsyncReadStream (for the streaming figure without socket costs).
class MemoryStream {
 public:
  using executor_type = asio::any_io_executor;
  MemoryStream(executor_type ex, const std::vector<uint8_t>& b, size_t chunk) : ex_(ex), b_(b), chunk_(chunk) {}
  executor_type get_executor() const { return ex_; }
  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, size_t)>(
        [this](auto h, Buffers buffers) {
          size_t n = std::min({chunk_, b_.size() - pos_, asio::buffer_size(buffers)});
          asio::buffer_copy(buffers, asio::buffer(b_.data() + pos_, n));
          pos_ += n;
          boost::system::error_code ec = n ? boost::system::error_code{} : asio::error::eof;
          asio::post(ex_, [h = std::move(h), ec, n]() mutable { std::move(h)(ec, n); });
        },
        token, buffers);
  }
 private:
  executor_type ex_;
  const std::vector<uint8_t>& b_;
  size_t chunk_, pos_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: async_bench GUEST.wasm SIEVE.wasm COREMARK.wasm\n");
    return 1;
  }
  corowasm::Engine engine;
  corowasm::Module guest_module = engine.compile(read(argv[1]));
  corowasm::Module sieve = engine.compile(read(argv[2]));
  std::vector<uint8_t> coremark_bytes = read(argv[3]);
  asio::io_context io;

  // ---- host call: synchronous vs asynchronous (suspend + resume) ----
  {
    constexpr int n = 200'000;
    corowasm::Store store(engine);
    corowasm::Imports imports;
    int counted = 0;
    imports.define("env", "count", store.host_func({{}, {}}, [&](corowasm::Caller&, auto, auto) { ++counted; }));
    imports.define("env", "sleep", corowasm::async_host_func(store, {{ValType::I32}, {}},
        [](corowasm::Caller&, std::vector<Value>) -> asio::awaitable<std::vector<Value>> { co_return std::vector<Value>{}; }));
    corowasm::Instance inst = store.instantiate(guest_module, imports);
    // "loop" calls count() n times from Wasm; "loop_async" calls sleep(0) n times.
    auto t0 = Clock::now();
    inst.call_sync("loop", {Value::i32(n)});
    double sync_ns = ns_since(t0, n);
    corowasm::AsyncInstance guest(io.get_executor(), inst);
    t0 = Clock::now();
    guest.async_call("loop_async", {Value::i32(n)}, [](boost::system::error_code ec, std::vector<Value>) {
      if (ec) std::fprintf(stderr, "loop_async failed: %s\n", ec.message().c_str());
    });
    io.run();
    io.restart();
    double async_ns = ns_since(t0, n);
    std::printf("host call from Wasm: synchronous %.1f ns, async import suspend+resume %.1f ns (%.1fx)\n", sync_ns,
                async_ns, async_ns / sync_ns);

    // ---- entering a guest: call_sync vs async_call ----
    constexpr int calls = 100'000;
    t0 = Clock::now();
    for (int i = 0; i < calls; ++i) inst.call_sync("noop");
    double call_sync_ns = ns_since(t0, calls);
    int done = 0;
    t0 = Clock::now();
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      for (int i = 0; i < calls; ++i) {
        co_await guest.async_call("noop", {}, asio::use_awaitable);
        ++done;
      }
    }, asio::detached);
    io.run();
    io.restart();
    double async_call_ns = ns_since(t0, calls);
    std::printf("entering a guest: call_sync %.0f ns, async_call (use_awaitable) %.0f ns (%.1fx)\n", call_sync_ns,
                async_call_ns, async_call_ns / call_sync_ns);
  }

  // ---- time slicing on a CPU-bound kernel ----
  {
    corowasm::Store store(engine);
    corowasm::Instance inst = store.instantiate(sieve, {});
    inst.call_sync("run", {Value::i32(1)});  // warm up
    auto t0 = Clock::now();
    inst.call_sync("run", {Value::i32(20)});
    double sync_s = ns_since(t0, 1e9);
    corowasm::AsyncInstance guest(io.get_executor(), inst);
    t0 = Clock::now();
    guest.async_call("run", {Value::i32(20)}, [](boost::system::error_code, std::vector<Value>) {});
    io.run();
    io.restart();
    double async_s = ns_since(t0, 1e9);
    std::printf("sieve kernel x20: call_sync %.3f s, async_call with 10,000-unit time slices %.3f s (overhead %.1f%%)\n",
                sync_s, async_s, (async_s / sync_s - 1) * 100);
  }

  // ---- instantiation rate and bytes per idle instance ----
  {
    constexpr int n = 10'000;
    long before = resident_bytes();
    std::vector<corowasm::Instance> instances;
    instances.reserve(n);
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
      corowasm::Store store(engine);
      corowasm::Imports imports;
      imports.define("env", "count", store.host_func({{}, {}}, [](corowasm::Caller&, auto, auto) {}));
      imports.define("env", "sleep", corowasm::async_host_func(store, {{ValType::I32}, {}},
          [](corowasm::Caller&, std::vector<Value>) -> asio::awaitable<std::vector<Value>> { co_return std::vector<Value>{}; }));
      instances.push_back(store.instantiate(guest_module, imports));
    }
    double per_s = n / (ns_since(t0, 1) / 1e9);
    std::printf("instances created per second: %.0f (store + 2 host functions + instantiate); resident bytes per idle instance: %ld\n",
                per_s, (resident_bytes() - before) / n);
  }

  // ---- resident and heap bytes per suspended guest, with the heap's parts ----
  for (int n : {10'000, 100'000}) {
    malloc_trim(0);
    long before = resident_bytes(), heap_before = heap_live, blocks_before = heap_blocks, parked = 0, heap_parked = 0,
         blocks_parked = 0;
    long store_bytes = 0, host_bytes = 0, instance_bytes = 0;
    int suspended = 0, done = 0;
    std::vector<corowasm::AsyncInstance> guests;
    guests.reserve(n);
    for (int i = 0; i < n; ++i) {
      long h0 = heap_live;
      corowasm::Store store(engine);
      long h1 = heap_live;
      corowasm::Func count = store.host_func({{}, {}}, [](corowasm::Caller&, auto, auto) {});
      corowasm::Func sleep = corowasm::async_host_func(store, {{ValType::I32}, {}},
          [&suspended](corowasm::Caller&, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
            ++suspended;
            asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(args[0].as_i32()));
            co_await t.async_wait(asio::use_awaitable);
            co_return std::vector<Value>{};
          });
      long h2 = heap_live;
      {
        corowasm::Imports imports;
        imports.define("env", "count", count);
        imports.define("env", "sleep", sleep);
        guests.emplace_back(io.get_executor(), store.instantiate(guest_module, imports));
      }
      store_bytes += h1 - h0;
      host_bytes += h2 - h1;
      instance_bytes += heap_live - h2;
    }
    long heap_idle = heap_live;
    for (auto& g : guests) g.async_call("park", {}, [&](boost::system::error_code, std::vector<Value>) { ++done; });
    asio::steady_timer sample(io, std::chrono::milliseconds(n > 10'000 ? 250 : 150));
    sample.async_wait([&](boost::system::error_code) {
      parked = resident_bytes();
      heap_parked = heap_live;
      blocks_parked = heap_blocks;
    });
    io.run();
    io.restart();
    std::printf("resident bytes per suspended guest (%d parked in an async import at once, all %d completed): %ld;"
                " heap %ld in %.1f blocks\n",
                suspended, done, (parked - before) / n, (heap_parked - heap_before) / n,
                double(blocks_parked - blocks_before) / n);
    if (n == 100'000)
      std::printf("  heap per guest: store %ld, 2 host functions %ld, instance %ld, AsyncInstance %zu (in the vector),"
                  " the suspended call %ld (driver and host coroutine frames, heap call stack, timer)\n"
                  "  sizeof: StoreData %zu, InstanceData %zu, FuncInst %zu, ResumableCall %zu (with its Thread %zu)\n",
                  store_bytes / n, host_bytes / n, instance_bytes / n, sizeof(corowasm::AsyncInstance),
                  (heap_parked - heap_idle) / n, sizeof(corowasm::detail::StoreData),
                  sizeof(corowasm::detail::InstanceData), sizeof(corowasm::detail::FuncInst),
                  sizeof(corowasm::detail::ResumableCall), sizeof(corowasm::detail::Thread));
  }

  // ---- throughput on 1 and 2 threads: one io_context per thread, its own guests ----
  {
    constexpr int guests_per_thread = 100, rounds = 20'000;
    auto run = [&](int threads) {
      std::atomic<long> completed{0};
      auto t0 = Clock::now();
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
          asio::io_context tio;
          std::vector<corowasm::AsyncInstance> mine;
          for (int i = 0; i < guests_per_thread; ++i) {
            corowasm::Store store(engine);
            corowasm::Imports imports;
            imports.define("env", "count", store.host_func({{}, {}}, [](corowasm::Caller&, auto, auto) {}));
            imports.define("env", "sleep", corowasm::async_host_func(store, {{ValType::I32}, {}},
                [](corowasm::Caller&, std::vector<Value>) -> asio::awaitable<std::vector<Value>> {
                  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);  // through the executor
                  co_return std::vector<Value>{};
                }));
            mine.emplace_back(tio.get_executor(), store.instantiate(guest_module, imports));
          }
          long ok = 0;
          for (auto& g : mine)
            g.async_call("loop_async", {Value::i32(rounds)}, [&](boost::system::error_code ec, std::vector<Value>) {
              if (!ec) ok += rounds;
            });
          tio.run();
          completed += ok;
        });
      }
      for (auto& th : pool) th.join();
      double s = ns_since(t0, 1e9);
      return completed.load() / s;
    };
    double one = run(1), two = run(2);
    std::printf("async import round trips through the executor per second (%d guests per thread, io_context per"
                " thread): 1 thread %.2fM, 2 threads %.2fM (%.2fx)\n",
                guests_per_thread, one / 1e6, two / 1e6, two / one);
  }

  // ---- streaming vs whole-buffer compile ----
  {
    auto t0 = Clock::now();
    constexpr int reps = 200;
    for (int i = 0; i < reps; ++i) engine.compile(coremark_bytes);
    double whole_us = ns_since(t0, reps) / 1e3;
    t0 = Clock::now();
    for (int i = 0; i < reps; ++i) {
      MemoryStream stream(io.get_executor(), coremark_bytes, 1460);  // one TCP segment at a time
      corowasm::async_compile(engine, stream, [](std::exception_ptr ep, corowasm::Module) {
        if (ep) std::fprintf(stderr, "streaming compile failed\n");
      });
      io.run();
      io.restart();
    }
    double stream_us = ns_since(t0, reps) / 1e3;
    std::printf("compile coremark.wasm (%zu bytes): whole buffer %.0f us, streamed in 1460-byte reads %.0f us\n",
                coremark_bytes.size(), whole_us, stream_us);
  }
  return 0;
}
