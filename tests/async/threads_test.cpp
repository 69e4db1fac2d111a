// Stores on different threads at once: one Engine and one Module shared, each thread with its
// own io_context and its own stores, guests suspending in async imports, trapping, calling
// synchronously, compiling and instantiating concurrently. Deterministic results only.
#include <corowasm/async.h>
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "test_util.h"

using namespace corowasm;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

struct ThreadResult {
  std::vector<int32_t> handled;    // handle(x) per guest: fetch(x) * 2 + 1, fetch(x) = x + 1
  std::vector<int32_t> deep;       // deep(8): fetch(1000) + 8
  int traps = 0;                   // divide(0) in every guest: integer divide by zero
  int sync_sum = 0;                // add(i, 1) by call_sync
  int compiled = 0;                // modules compiled on this thread
};

// `guests` guests on this thread's own io_context: every one suspends in fetch (a timer of
// 0 or 1 ms), several at once, each in its own store.
ThreadResult run_thread(const Engine& engine, const Module& module, const std::vector<uint8_t>& bytes, int guests,
                        int base) {
  ThreadResult r;
  asio::io_context io;
  std::vector<AsyncInstance> all;
  for (int i = 0; i < guests; ++i) {
    Store store(engine);
    Imports imports;
    imports.define("env", "fetch",
                   async_host_func(store, {{ValType::I32}, {ValType::I32}},
                                   [i](Caller&, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
                                     asio::steady_timer timer(co_await asio::this_coro::executor,
                                                              std::chrono::milliseconds(i % 2));
                                     co_await timer.async_wait(asio::use_awaitable);
                                     co_return std::vector<Value>{Value::i32(args[0].as_i32() + 1)};
                                   }));
    imports.define("env", "fail", store.host_func({{ValType::I32}, {ValType::I32}}, [](Caller&, auto, auto) {
      throw std::runtime_error("not called");
    }));
    all.emplace_back(io.get_executor(), store.instantiate(module, imports));
  }
  r.handled.assign(guests, -1);
  r.deep.assign(guests, -1);
  for (int i = 0; i < guests; ++i) {
    asio::co_spawn(io, [&, i]() -> asio::awaitable<void> {
      auto h = co_await all[i].async_call("handle", {Value::i32(base + i)}, asio::use_awaitable);
      r.handled[i] = h.at(0).as_i32();
      auto d = co_await all[i].async_call("deep", {Value::i32(8)}, asio::use_awaitable);
      r.deep[i] = d.at(0).as_i32();
      auto [ec, v] = co_await all[i].async_call("divide", {Value::i32(0)}, asio::as_tuple(asio::use_awaitable));
      if (ec == make_error_code(TrapKind::IntegerDivideByZero)) ++r.traps;
      r.sync_sum += all[i].instance().call_sync("add", {Value::i32(i), Value::i32(1)}).at(0).as_i32();
    }, asio::detached);
  }
  // Compiling and instantiating while the other thread runs guests (the engine-wide type
  // registry is shared between them).
  for (int k = 0; k < 20; ++k) {
    Module m = engine.compile(bytes);
    Store s(engine);
    Imports imports;
    for (const char* name : {"fetch", "fail"})
      imports.define("env", name, s.host_func({{ValType::I32}, {ValType::I32}}, [](Caller&, auto args, auto results) {
        results[0] = args[0];
      }));
    Instance inst = s.instantiate(m, imports);
    if (inst.call_sync("add", {Value::i32(k), Value::i32(k)}).at(0).as_i32() == 2 * k) ++r.compiled;
    io.poll();
  }
  io.run();
  return r;
}

}  // namespace

TEST_CASE("guests on 2 threads at once, each thread with its own io_context and stores, share one Module") {
  Engine engine;
  std::vector<uint8_t> bytes = unit::wasm("guest");
  Module module = engine.compile(bytes);
  constexpr int guests = 300;
  ThreadResult results[2];
  {
    std::thread a([&] { results[0] = run_thread(engine, module, bytes, guests, 0); });
    std::thread b([&] { results[1] = run_thread(engine, module, bytes, guests, 10'000); });
    a.join();
    b.join();
  }
  for (int t = 0; t < 2; ++t) {
    const ThreadResult& r = results[t];
    int base = t ? 10'000 : 0;
    int wrong = 0;
    for (int i = 0; i < guests; ++i) {
      if (r.handled[i] != (base + i + 1) * 2 + 1) ++wrong;
      if (r.deep[i] != 1001 + 8) ++wrong;
    }
    CHECK(wrong == 0);
    CHECK(r.traps == guests);
    CHECK(r.sync_sum == guests * (guests - 1) / 2 + guests);
    CHECK(r.compiled == 20);
  }
}
