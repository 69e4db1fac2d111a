// Exceptions under the async driver: a guest suspended 1,000 frames deep in an async import
// throws after it resumes and catches its exception; an async import throws a Wasm exception
// into its guest; one that escapes completes the call with a trap_error carrying the
// Exception (tag and payload).
#include <corowasm/async.h>
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>

#include "test_util.h"

using namespace corowasm;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

struct EhAsync {
  Engine engine;
  Store store{engine};
  Tag htag = store.tag({ValType::I32}, "env.htag");
  Instance inst;
  asio::io_context io;
  EhAsync() {
    Imports im;
    auto wait = []() -> asio::awaitable<void> {
      asio::steady_timer timer(co_await asio::this_coro::executor, 1ms);
      co_await timer.async_wait(asio::use_awaitable);
    };
    im.define("env", "fetch",
              async_host_func(store, {{ValType::I32}, {ValType::I32}},
                              [wait](Caller&, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
                                co_await wait();
                                co_return std::vector<Value>{Value::i32(args[0].as_i32() + 1)};
                              }));
    im.define("env", "fetch_throw",
              async_host_func(store, {{ValType::I32}, {ValType::I32}},
                              [this, wait](Caller&, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
                                co_await wait();
                                throw Exception(htag, {Value::i32(args[0].as_i32() * 10)});
                              }));
    im.define("env", "htag", htag);
    inst = store.instantiate(unit::compile(engine, "eh_async"), im);
  }
};

}  // namespace

TEST_CASE_FIXTURE(EhAsync, "async exceptions: a resumed guest throws, a suspending import throws, one escapes") {
  AsyncInstance guest(io.get_executor(), inst);
  int32_t deep = 0, from_host = 0;
  std::optional<CallError> escaped;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    deep = (co_await guest.async_call("resume_then_throw", {Value::i32(1000)}, asio::use_awaitable)).at(0).as_i32();
    from_host = (co_await guest.async_call("async_host_throws", {Value::i32(5)}, asio::use_awaitable)).at(0).as_i32();
    try {
      co_await guest.async_call("escapes", {Value::i32(6)}, asio::use_awaitable);
    } catch (const trap_error& e) {
      escaped = e.error();
    }
  }, asio::detached);
  io.run();
  CHECK(deep == 42);
  CHECK(from_host == 51);
  REQUIRE(escaped);
  REQUIRE(escaped->trap);
  CHECK(escaped->trap->kind() == TrapKind::UncaughtException);
  REQUIRE(escaped->exception);
  CHECK(escaped->exception->tag() == inst.tag("e"));
  CHECK(escaped->exception->payload() == std::vector<Value>{Value::i32(7)});
  CHECK(escaped->message == "uncaught exception: tag e (i32 7)");
}

namespace {

// A guest whose unwind is long: $deep recurses `depth` frames, each inside 200 nested legacy
// trys that catch only $other, then throws $e; "run" catches it (catch_all) and returns 7.
// About 400,000 regions and clauses to look at for depth 2000.
std::vector<uint8_t> deep_unwind_module() {
  std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  unit::section(m, 1, {0x03, 0x60, 0x01, 0x7F, 0x00, 0x60, 0x01, 0x7F, 0x01, 0x7F, 0x60, 0x00, 0x00});
  unit::section(m, 3, {0x02, 0x00, 0x01});
  unit::section(m, 13, {0x02, 0x00, 0x02, 0x00, 0x02});  // $e, $other: () -> ()
  unit::section(m, 7, {0x01, 0x03, 'r', 'u', 'n', 0x00, 0x01});
  std::vector<uint8_t> deep = {0x00};  // no locals
  for (int i = 0; i < 200; ++i) deep.insert(deep.end(), {0x06, 0x40});  // try
  deep.insert(deep.end(), {0x20, 0x00, 0x04, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6B, 0x10, 0x00,  // if: call $deep(n-1)
                           0x05, 0x08, 0x00, 0x0B});                                      // else throw $e
  for (int i = 0; i < 200; ++i) deep.insert(deep.end(), {0x07, 0x01});  // catch $other
  for (int i = 0; i < 200; ++i) deep.push_back(0x0B);  // the trys' ends
  deep.push_back(0x0B);
  std::vector<uint8_t> run = {0x00, 0x06, 0x7F, 0x20, 0x00, 0x10, 0x00, 0x41, 0x00, 0x19, 0x41, 0x07, 0x0B, 0x0B};
  std::vector<uint8_t> code = {0x02};
  unit::leb_u(code, deep.size());
  code.insert(code.end(), deep.begin(), deep.end());
  unit::leb_u(code, run.size());
  code.insert(code.end(), run.begin(), run.end());
  unit::section(m, 10, code);
  return m;
}

}  // namespace

TEST_CASE("async exceptions: a long unwind spends fuel and yields to other work on the way") {
  Engine engine;
  Module module = engine.compile(deep_unwind_module());
  {
    // Synchronously, within a budget the calls alone fit in (2,000 units), the unwind traps.
    Store store(engine);
    store.set_fuel(3'000);
    Instance inst = store.instantiate(module, {});
    auto t = unit::catch_as<Trap>([&] { inst.call_sync("run", {Value::i32(2'000)}); });
    REQUIRE(t);
    CHECK(t->kind() == TrapKind::OutOfFuel);
    store.set_fuel(std::nullopt);
    CHECK(inst.call_sync("run", {Value::i32(2'000)}).at(0).as_i32() == 7);
  }
  // In slices of 50 units the unwind stops and goes on many times; a neighbour keeps running.
  asio::io_context io;
  Store store(engine);
  Instance inst = store.instantiate(module, {});
  CallOptions options;
  options.slice = 50;
  AsyncInstance guest(io.get_executor(), inst, options);
  int32_t result = 0;
  bool done = false;
  int neighbour_rounds = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    result = (co_await guest.async_call("run", {Value::i32(2'000)}, asio::use_awaitable)).at(0).as_i32();
    done = true;
  }, asio::detached);
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    while (!done) {
      ++neighbour_rounds;
      co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    }
  }, asio::detached);
  io.run();
  CHECK(result == 7);
  std::printf("long unwind in slices of 50 units: the neighbour ran %d rounds meanwhile\n", neighbour_rounds);
  CHECK(neighbour_rounds > 100);  // ~6,000 units of unwinding alone are 120 slices
}
