// many_guests: 10,000 guests on one thread, each suspended in an async host `sleep`, while a
// 10 ms periodic timer keeps ticking. Prints how many guests completed, the timer's worst
// lateness, and the resident bytes each suspended guest costs.
//
//   many_guests GUEST.wasm [N]
#include <corowasm/async.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using corowasm::Value;
using corowasm::ValType;

namespace {

// Resident set size in bytes, from /proc/self/statm.
long resident_bytes() {
  long pages = 0, resident = 0;
  std::ifstream statm("/proc/self/statm");
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: many_guests GUEST.wasm [N]\n");
    return 1;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  const int n = argc > 2 ? std::atoi(argv[2]) : 10'000;

  asio::io_context io;
  corowasm::Engine engine;
  corowasm::Module module = engine.compile(bytes);

  int completed = 0, suspended = 0;
  long rss_before = resident_bytes(), rss_suspended = 0;
  struct Guest {
    corowasm::Store store;
    std::optional<corowasm::AsyncInstance> instance;
  };
  std::vector<Guest> guests;
  guests.reserve(n);
  for (int i = 0; i < n; ++i) {
    corowasm::Store store(engine);
    corowasm::Imports imports;
    imports.define("env", "sleep", corowasm::async_host_func(store, {{ValType::I32}, {}},
        [&suspended](corowasm::Caller&, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
          ++suspended;
          asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(args[0].as_i32()));
          co_await timer.async_wait(asio::use_awaitable);
          co_return std::vector<Value>{};
        }));
    imports.define("env", "count", store.host_func({{}, {}}, [&completed](corowasm::Caller&, auto, auto) { ++completed; }));
    guests.push_back({store, corowasm::AsyncInstance(io.get_executor(), store.instantiate(module, imports))});
  }
  // Start the guests in batches, yielding between batches so that timers run: 10,000 starts in
  // one handler would hold the thread for their whole duration. Sleeps of 100-199 ms spread the
  // wake-ups the same way.
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < n; ++i) {
      guests[i].instance->async_call("run", {Value::i32(100 + i % 100)}, [](boost::system::error_code ec, std::vector<Value>) {
        if (ec) std::fprintf(stderr, "guest failed: %s\n", ec.message().c_str());
      });
      if (i % 250 == 249) co_await asio::post(io, asio::use_awaitable);
    }
  }, asio::detached);

  // A periodic timer that must stay on time while the guests suspend and resume.
  asio::steady_timer ticker(io);
  auto next = std::chrono::steady_clock::now() + 10ms;
  std::chrono::steady_clock::duration worst{};
  std::function<void()> tick = [&] {
    ticker.expires_at(next);
    ticker.async_wait([&](boost::system::error_code) {
      worst = std::max(worst, std::chrono::steady_clock::now() - next);
      // Sample memory once every guest is parked in `sleep` (none has woken yet).
      if (suspended == n && completed == 0 && rss_suspended == 0) rss_suspended = resident_bytes();
      next += 10ms;
      if (completed < n) tick();
    });
  };
  tick();
  io.run();

  std::printf("guests completed: %d of %d\n", completed, n);
  std::printf("timer worst lateness: %.2f ms\n", std::chrono::duration<double, std::milli>(worst).count());
  if (rss_suspended)
    std::printf("resident bytes per suspended guest (store, instance, heap call stack, coroutine frames): %ld\n",
                (rss_suspended - rss_before) / n);
  else
    std::printf("resident bytes per suspended guest: not sampled (no timer tick saw all guests suspended)\n");
  return completed == n ? 0 : 1;
}
