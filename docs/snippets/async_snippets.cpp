// The snippets of docs/async.md: each region between "// [name]" and "// [/name]" is shown
// there as it is (docs/check_snippets.sh checks it). Compiled by the target docs_snippets.
#include <corowasm/async.h>
#include <corowasm/bind_async.h>

#include <boost/asio/spawn.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <future>
#include <vector>

namespace docs_async {

namespace asio = boost::asio;
using corowasm::Value;

corowasm::AsyncInstance setup(asio::io_context& io, corowasm::Store& store, const corowasm::Module& module) {
  // [setup]
  corowasm::Imports imports;
  // An async host import: the guest suspends here, at any call depth, until the timer fires.
  imports.define("env", "fetch", corowasm::async_host_func(store, {{corowasm::ValType::I32}, {corowasm::ValType::I32}},
      [](corowasm::Caller&, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
        asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
        co_await t.async_wait(asio::use_awaitable);
        co_return std::vector<Value>{Value::i32(args[0].as_i32() + 1)};
      }));
  corowasm::AsyncInstance guest(io.get_executor(), store.instantiate(module, imports));
  // [/setup]
  return guest;
}

void bind_async(corowasm::Store& store, corowasm::Imports& imports) {
  // [bind_async]
  imports.define("env", "sleep_ms", corowasm::bind(store, [](uint32_t ms) -> asio::awaitable<void> {
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
    co_await t.async_wait(asio::use_awaitable);
  }));
  // [/bind_async]
}

asio::awaitable<int32_t> awaitable_call(corowasm::AsyncInstance& guest) {
  // [awaitable]
  std::vector<Value> args{Value::i32(20)};   // a line of its own: GCC 11/12 reject a braced list in co_await
  std::vector<Value> r = co_await guest.async_call("handle", args, asio::use_awaitable);
  int32_t h = co_await guest.typed_func<int32_t(int32_t)>("handle").async_call(7, asio::use_awaitable);
  // [/awaitable]
  co_return r[0].as_i32() + h;
}

void other_tokens(asio::io_context& io, corowasm::AsyncInstance& guest) {
  // [tokens]
  // callback (runs on the callback's associated executor, else the instance's):
  guest.async_call("handle", {Value::i32(20)}, [](corowasm::error_code ec, std::vector<Value> r) {
    if (!ec) std::printf("%d\n", r[0].as_i32());
  });
  // future (get() throws trap_error / call_error):
  std::future<std::vector<Value>> f = guest.async_call("handle", {Value::i32(20)}, asio::use_future);
  // deferred: starts when invoked
  auto op = guest.async_call("handle", {Value::i32(20)}, asio::deferred);
  std::move(op)([](corowasm::error_code, std::vector<Value>) {});
  // stackful coroutine (Boost.Context):
  asio::spawn(io, [&](asio::yield_context yield) {
    std::vector<Value> r = guest.async_call("handle", {Value::i32(20)}, yield);
  }, asio::detached);
  // typed, with a callback: void(error_code, R)
  guest.typed_func<int32_t(int32_t)>("handle").async_call(7, [](corowasm::error_code ec, int32_t r) {
    if (!ec) std::printf("%d\n", r);
  });
  // [/tokens]
}

asio::awaitable<void> trap_details(corowasm::AsyncInstance& guest) {
  // [trap_error]
  try {
    std::vector<Value> args{Value::i32(0)};
    co_await guest.async_call("divide", args, asio::use_awaitable);
  } catch (const corowasm::trap_error& e) {       // the guest trapped
    std::printf("trap: %s (%s)\n", e.what(), corowasm::trap_kind_name(e.trap().kind()));
    for (const corowasm::TrapFrame& f : e.trap().backtrace())
      std::printf("  func %u %s\n", f.func_index, f.name.c_str());
  } catch (const corowasm::call_error& e) {       // a bad call: no such export, wrong arguments
    std::printf("bad call: %s\n", e.what());
  }
  // [/trap_error]
}

void with_error(corowasm::AsyncInstance& guest) {
  // [with_error]
  static corowasm::CallError err;   // must outlive the operation
  guest.async_call("divide", {Value::i32(0)}, corowasm::with_error(err,
      [](corowasm::error_code ec, std::vector<Value>) {
        if (ec == corowasm::make_error_code(corowasm::TrapKind::IntegerDivideByZero))
          std::printf("%s, %zu frames\n", err.message.c_str(), err.trap->backtrace().size());
        else if (ec == corowasm::errc::bad_call || ec == corowasm::errc::store_busy)
          std::printf("not run: %s\n", err.message.c_str());
      }));
  // [/with_error]
}

void reentry(corowasm::Store& store, corowasm::Imports& imports) {
  // [reentry]
  // env.descend(n) calls the guest's export "down"(n - 1), which calls env.descend again:
  // guest -> async import -> guest, all on the suspended guest's heap call stack.
  imports.define("env", "descend", corowasm::async_host_func(store, {{corowasm::ValType::I32}, {corowasm::ValType::I32}},
      [](corowasm::Caller& caller, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
        int32_t n = args[0].as_i32();
        if (n == 0) co_return std::vector<Value>{Value::i32(0)};
        auto down = std::get<corowasm::Func>(*caller.get_export("down"));
        std::vector<Value> inner_args{Value::i32(n - 1)};
        std::vector<Value> r = co_await corowasm::async_call(co_await asio::this_coro::executor, caller, down,
                                                             inner_args, asio::use_awaitable);
        co_return std::vector<Value>{Value::i32(r[0].as_i32() + 1)};
      }));
  // [/reentry]
}

void cancellation(asio::io_context& io, corowasm::AsyncInstance& guest) {
  // [cancel]
  static asio::cancellation_signal stop;
  guest.async_call("serve", {}, asio::bind_cancellation_slot(stop.slot(),
      [](corowasm::error_code ec, std::vector<Value>) {
        if (ec == asio::error::operation_aborted) std::printf("guest cancelled\n");
      }));
  asio::post(io, [] { stop.emit(asio::cancellation_type::terminal); });
  // [/cancel]
}

}  // namespace docs_async
