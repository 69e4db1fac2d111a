// Exceptions under the async driver: a guest suspended 1,000 frames deep in an async import
// throws after it resumes and catches its exception; an async import throws a Wasm exception
// into its guest; one that escapes completes the call with a trap_error carrying the
// Exception (tag and payload).
#include <corowasm/async.h>
#include <doctest/doctest.h>

#include <chrono>

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
