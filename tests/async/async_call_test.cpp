// async_call with every completion token, async host imports that suspend the guest at any
// depth, time slicing, fuel and deadline traps, cancellation, and many suspended guests.
#include <corowasm/async.h>
#include <doctest/doctest.h>

#include <boost/asio/spawn.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <thread>

#include "test_util.h"

using namespace corowasm;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// env.fetch(x): waits `delay` on a real timer, then returns x + 1 (counting the waits that ran
// to their end in *waits_finished, when given).
// env.fail(x): waits, then throws std::runtime_error("boom").
struct Guest {
  Store store;
  Instance inst;
};

Guest make_guest(const Engine& engine, const Module& module, std::chrono::milliseconds delay = 1ms,
                 int* waits_finished = nullptr) {
  Store store(engine);
  Imports imports;
  imports.define("env", "fetch",
                 async_host_func(store, {{ValType::I32}, {ValType::I32}},
                                 [delay, waits_finished](Caller&, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
                                   asio::steady_timer timer(co_await asio::this_coro::executor, delay);
                                   co_await timer.async_wait(asio::use_awaitable);  // throws when cancelled
                                   if (waits_finished) ++*waits_finished;
                                   co_return std::vector<Value>{Value::i32(args[0].as_i32() + 1)};
                                 }));
  imports.define("env", "fail",
                 async_host_func(store, {{ValType::I32}, {ValType::I32}},
                                 [](Caller&, std::vector<Value>) -> asio::awaitable<std::vector<Value>> {
                                   asio::steady_timer timer(co_await asio::this_coro::executor, 1ms);
                                   co_await timer.async_wait(asio::use_awaitable);
                                   throw std::runtime_error("boom");
                                 }));
  Instance inst = store.instantiate(module, imports);
  return {store, inst};
}

struct Fixture {
  Engine engine;
  Module module = unit::compile(engine, "guest");
  asio::io_context io;
};

}  // namespace

TEST_CASE_FIXTURE(Fixture, "async_call with use_awaitable: an async import suspends and resumes the guest") {
  Guest g = make_guest(engine, module);
  AsyncInstance guest(io.get_executor(), g.inst);
  int32_t result = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto r = co_await guest.async_call("handle", {Value::i32(20)}, asio::use_awaitable);
    result = r.at(0).as_i32();
  }, asio::detached);
  io.run();
  CHECK(result == 43);  // (20 + 1) * 2 + 1
}

TEST_CASE_FIXTURE(Fixture, "async_call with a plain callback, on the callback's associated executor") {
  Guest g = make_guest(engine, module);
  AsyncInstance guest(io.get_executor(), g.inst);
  auto strand = asio::make_strand(io);
  bool called = false, on_strand = false;
  guest.async_call("add", {Value::i32(2), Value::i32(3)},
                   asio::bind_executor(strand, [&](error_code ec, std::vector<Value> r) {
                     called = true;
                     on_strand = strand.running_in_this_thread();
                     CHECK_FALSE(ec);
                     CHECK(r.at(0) == Value::i32(5));
                   }));
  io.run();
  CHECK(called);
  CHECK(on_strand);
}

TEST_CASE_FIXTURE(Fixture, "async_call with use_future") {
  Guest g = make_guest(engine, module);
  AsyncInstance guest(io.get_executor(), g.inst);
  auto work = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  std::future<std::vector<Value>> f = guest.async_call("handle", {Value::i32(1)}, asio::use_future);
  std::vector<Value> r = f.get();
  work.reset();
  runner.join();
  CHECK(r.at(0) == Value::i32(5));
}

TEST_CASE_FIXTURE(Fixture, "async_call with deferred starts only when invoked") {
  Guest g = make_guest(engine, module);
  AsyncInstance guest(io.get_executor(), g.inst);
  auto op = guest.async_call("handle", {Value::i32(4)}, asio::deferred);
  io.run();  // nothing started yet
  io.restart();
  int32_t result = 0;
  std::move(op)([&](error_code ec, std::vector<Value> r) {
    CHECK_FALSE(ec);
    result = r.at(0).as_i32();
  });
  io.run();
  CHECK(result == 11);
}

TEST_CASE_FIXTURE(Fixture, "async_call from asio::spawn with yield_context") {
  Guest g = make_guest(engine, module);
  AsyncInstance guest(io.get_executor(), g.inst);
  int32_t result = 0;
  error_code error;
  asio::spawn(io, [&](asio::yield_context yield) {
    std::vector<Value> r = guest.async_call("handle", {Value::i32(9)}, yield);
    result = r.at(0).as_i32();
    auto r2 = guest.async_call("failing", {Value::i32(0)}, asio::redirect_error(yield, error));
    (void)r2;
  }, asio::detached);
  io.run();
  CHECK(result == 21);
  CHECK(error == make_error_code(TrapKind::Host));
}

TEST_CASE_FIXTURE(Fixture, "typed async calls: every token, void(error_code, R), a trap as an error code") {
  Guest g = make_guest(engine, module);
  AsyncInstance guest(io.get_executor(), g.inst);
  auto handle = guest.typed_func<int32_t(int32_t)>("handle");
  auto failing = guest.typed_func<int32_t(int32_t)>("failing");
  // One call per store at a time: each token in its own run of the io_context.
  int32_t awaited = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    awaited = co_await handle.async_call(20, asio::use_awaitable);  // (20 + 1) * 2 + 1
  }, asio::detached);
  io.run();
  CHECK(awaited == 43);

  io.restart();
  int32_t called_back = 0;
  handle.async_call(3, [&](error_code ec, int32_t r) {
    CHECK_FALSE(ec);
    called_back = r;
  });
  io.run();
  CHECK(called_back == 9);

  io.restart();
  auto op = handle.async_call(4, asio::deferred);
  io.run();  // nothing started yet
  io.restart();
  int32_t deferred = 0;
  std::move(op)([&](error_code ec, int32_t r) {
    CHECK_FALSE(ec);
    deferred = r;
  });
  io.run();
  CHECK(deferred == 11);

  io.restart();
  int32_t yielded = 0, trap_value = -1;
  error_code trap_ec;
  asio::spawn(io, [&](asio::yield_context yield) {
    yielded = handle.async_call(9, yield);
    trap_value = failing.async_call(0, asio::redirect_error(yield, trap_ec));
  }, asio::detached);
  io.run();
  CHECK(yielded == 21);
  CHECK(trap_ec == make_error_code(TrapKind::Host));
  CHECK(trap_value == 0);  // R{} on error
  // Checked once, when made: the wrong type never starts a call.
  CHECK_THROWS_AS(guest.typed_func<int64_t(int32_t)>("handle"), Error);
}

TEST_CASE_FIXTURE(Fixture, "typed async calls with use_future, with a value and with a void result") {
  Guest g = make_guest(engine, module);
  AsyncInstance guest(io.get_executor(), g.inst);
  auto work = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  std::future<int32_t> f = guest.typed_func<int32_t(int32_t, int32_t)>("add").async_call(2, 40, asio::use_future);
  int32_t r = f.get();
  std::future<void> v = guest.typed_func<void()>("noop").async_call(asio::use_future);
  v.get();  // throws on error
  work.reset();
  runner.join();
  CHECK(r == 42);
}

TEST_CASE_FIXTURE(Fixture, "an async import called at Wasm call depth 1000 suspends and resumes there") {
  Guest g = make_guest(engine, module);
  AsyncInstance guest(io.get_executor(), g.inst);
  int32_t result = 0;
  guest.async_call("deep", {Value::i32(1000)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    result = r.at(0).as_i32();
  });
  io.run();
  CHECK(result == 2001);  // fetch(1000) = 1001, plus 1 per level
}

TEST_CASE_FIXTURE(Fixture, "a failing async host function traps the guest with the host's message") {
  Guest g = make_guest(engine, module);
  AsyncInstance guest(io.get_executor(), g.inst);
  error_code error;
  guest.async_call("failing", {Value::i32(1)}, [&](error_code ec, std::vector<Value>) { error = ec; });
  io.run();
  CHECK(error == make_error_code(TrapKind::Host));
  CHECK(error.category() == trap_category());
  CHECK(last_trap_message(g.store) == "boom");
  // The instance stays usable.
  io.restart();
  int32_t result = 0;
  guest.async_call("add", {Value::i32(1), Value::i32(1)}, [&](error_code ec, std::vector<Value> r) {
    CHECK_FALSE(ec);
    result = r.at(0).as_i32();
  });
  io.run();
  CHECK(result == 2);
}

TEST_CASE_FIXTURE(Fixture, "wrong arguments complete with errc::bad_call; a non-standard exception traps as Host") {
  Guest g = make_guest(engine, module);
  AsyncInstance guest(io.get_executor(), g.inst);
  error_code error;
  guest.async_call("add", {Value::i32(1)}, [&](error_code ec, std::vector<Value>) { error = ec; });
  io.run();
  CHECK(error == make_error_code(errc::bad_call));
  CHECK(last_trap_message(g.store) == "wrong number of arguments: expected 2, got 1");

  // A host function that throws what is no std::exception.
  Store store(engine);
  Imports imports;
  imports.define("env", "fetch", store.host_func({{ValType::I32}, {ValType::I32}},
                                                 [](Caller&, std::span<const Value>, std::span<Value>) { throw 42; }));
  imports.define("env", "fail", store.host_func({{ValType::I32}, {ValType::I32}},
                                                [](Caller&, std::span<const Value>, std::span<Value>) {}));
  AsyncInstance thrower(io.get_executor(), store.instantiate(module, imports));
  io.restart();
  thrower.async_call("handle", {Value::i32(1)}, [&](error_code ec, std::vector<Value>) { error = ec; });
  io.run();
  CHECK(error == make_error_code(TrapKind::Host));
  CHECK(last_trap_message(store) == "host function threw a non-standard exception");
}

TEST_CASE_FIXTURE(Fixture, "trap details travel with the completion: trap_error, call_error, with_error") {
  Guest g = make_guest(engine, module);
  AsyncInstance guest(io.get_executor(), g.inst);
  // use_awaitable throws trap_error: a system_error with the trap's code, plus kind, message
  // and backtrace; other failures throw call_error with their message.
  std::optional<trap_error> trapped;
  std::optional<call_error> missing, bad_args;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    try {
      co_await guest.async_call("divide", {Value::i32(0)}, asio::use_awaitable);
    } catch (const trap_error& e) {
      trapped = e;
    }
    try {
      co_await guest.async_call("nope", {}, asio::use_awaitable);
    } catch (const call_error& e) {
      missing = e;
    }
    try {
      co_await guest.typed_func<int32_t(int32_t)>("handle").async_call(0, asio::use_awaitable);  // succeeds
      co_await guest.async_call("add", {Value::i32(1)}, asio::use_awaitable);
    } catch (const call_error& e) {
      bad_args = e;
    }
  }, asio::detached);
  io.run();
  REQUIRE(trapped);
  CHECK(trapped->code() == make_error_code(TrapKind::IntegerDivideByZero));
  CHECK(std::string(trapped->what()) == "integer divide by zero");
  CHECK(trapped->trap().kind() == TrapKind::IntegerDivideByZero);
  // Innermost first: $div, called by the export "divide" (functions 4 and 5 of guest.wat:
  // imports fetch 0, fail 1; then add 2, noop 3, $div 4, divide 5).
  REQUIRE(trapped->trap().backtrace().size() == 2);
  CHECK(trapped->trap().backtrace()[0].func_index == 4);
  CHECK(trapped->trap().backtrace()[1].func_index == 5);
  REQUIRE(missing);
  CHECK(missing->code() == make_error_code(errc::bad_call));
  CHECK(std::string(missing->what()) == "no exported function named \"nope\"");
  CHECK_FALSE(missing->error().trap);
  REQUIRE(bad_args);
  CHECK(bad_args->code() == make_error_code(errc::bad_call));
  CHECK(std::string(bad_args->what()) == "wrong number of arguments: expected 2, got 1");

  // use_future: the future throws the same.
  io.restart();
  auto work = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  std::future<std::vector<Value>> f = guest.async_call("divide", {Value::i32(0)}, asio::use_future);
  try {
    f.get();
    FAIL_CHECK("the future did not throw");
  } catch (const trap_error& e) {
    CHECK(e.trap().kind() == TrapKind::IntegerDivideByZero);
  }
  work.reset();
  runner.join();

  // with_error: a plain error_code handler sees this call's details, cleared by the next call.
  io.restart();
  CallError err;
  error_code seen;
  bool had_trap_in_handler = false;
  guest.async_call("failing", {Value::i32(1)}, with_error(err, [&](error_code ec, std::vector<Value>) {
    seen = ec;
    had_trap_in_handler = err.trap.has_value();
  }));
  io.run();
  CHECK(seen == make_error_code(TrapKind::Host));
  CHECK(had_trap_in_handler);
  CHECK(err.message == "boom");
  CHECK(err.trap->kind() == TrapKind::Host);
  io.restart();
  int32_t sum = 0;
  guest.async_call("add", {Value::i32(2), Value::i32(2)}, with_error(err, [&](error_code ec, std::vector<Value> r) {
    CHECK_FALSE(ec);
    sum = r.at(0).as_i32();
  }));
  io.run();
  CHECK(sum == 4);
  CHECK_FALSE(err);  // not stale: the successful call cleared it
  CHECK_FALSE(err.trap);
  CHECK(err.message.empty());
  // The store-wide last-trap record drops the old backtrace when a later failure is no Wasm trap.
  io.restart();
  guest.async_call("divide", {Value::i32(0)}, [](error_code, std::vector<Value>) {});
  io.run();
  CHECK(last_trap_backtrace(g.store).size() == 2);
  io.restart();
  guest.async_call("add", {Value::i32(1)}, [](error_code, std::vector<Value>) {});
  io.run();
  CHECK(last_trap_message(g.store) == "wrong number of arguments: expected 2, got 1");
  CHECK(last_trap_backtrace(g.store).empty());
}

TEST_CASE_FIXTURE(Fixture, "fuel and deadline limits trap with clear errors") {
  Guest g = make_guest(engine, module);
  AsyncInstance guest(io.get_executor(), g.inst);
  error_code fuel_error, time_error;
  guest.options().fuel = 100'000;
  guest.async_call("forever", {}, [&](error_code ec, std::vector<Value>) { fuel_error = ec; });
  io.run();
  CHECK(fuel_error == make_error_code(TrapKind::OutOfFuel));
  CHECK(fuel_error.message() == "all fuel consumed");

  io.restart();
  guest.options().fuel.reset();
  guest.options().timeout = 30ms;
  auto t0 = std::chrono::steady_clock::now();
  guest.async_call("forever", {}, [&](error_code ec, std::vector<Value>) { time_error = ec; });
  io.run();
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(time_error == make_error_code(TrapKind::Timeout));
  // Only a lower bound: the deadline cannot pass early, and load can only make it later.
  CHECK(took >= 30ms);
}

TEST_CASE_FIXTURE(Fixture, "cancelling a running guest and a suspended guest; both instances stay callable") {
  Guest spinning = make_guest(engine, module);
  int waits_finished = 0;
  Guest waiting = make_guest(engine, module, 10s, &waits_finished);  // fetch waits 10 s unless cancelled
  AsyncInstance a(io.get_executor(), spinning.inst), b(io.get_executor(), waiting.inst);
  asio::cancellation_signal cancel_a, cancel_b;
  error_code ea, eb;
  a.async_call("forever", {}, asio::bind_cancellation_slot(cancel_a.slot(), [&](error_code ec, std::vector<Value>) {
                 ea = ec;
               }));
  b.async_call("handle", {Value::i32(1)}, asio::bind_cancellation_slot(cancel_b.slot(), [&](error_code ec, std::vector<Value>) {
                 eb = ec;
               }));
  asio::steady_timer timer(io, 20ms);
  timer.async_wait([&](auto) {
    cancel_a.emit(asio::cancellation_type::terminal);
    cancel_b.emit(asio::cancellation_type::terminal);
  });
  io.run();
  CHECK(ea == asio::error::operation_aborted);
  CHECK(eb == asio::error::operation_aborted);
  CHECK(waits_finished == 0);  // the host's 10 s wait was cancelled, not waited out

  io.restart();
  int32_t r = 0;
  a.async_call("add", {Value::i32(20), Value::i32(22)}, [&](error_code ec, std::vector<Value> v) {
    CHECK_FALSE(ec);
    r = v.at(0).as_i32();
  });
  io.run();
  CHECK(r == 42);
}

// Starvation is measured in guest work, not wall-clock time: the timer is re-armed to expire at
// once every time it runs, so it is always due, and the guests report their progress. Between
// two runs of the timer's handler at most a few rounds of guest slices may pass (one round to
// reach the reactor, one to reach the handler; the bound allows 4), whatever the machine's load.
TEST_CASE("100 spinning guests do not starve an always-due timer on one thread") {
  constexpr int kGuests = 100, kIterations = 500'000, kEvery = 1'000;
  Engine engine;
  Module module = unit::compile(engine, "async_progress");
  asio::io_context io;
  std::vector<Store> stores;
  std::vector<AsyncInstance> async;
  std::vector<int64_t> reported(kGuests, 0);
  int64_t work_since_tick = 0, worst_window = 0;
  for (int g = 0; g < kGuests; ++g) {
    Store store(engine);
    Imports imports;
    imports.define("env", "progress", store.host_func({{ValType::I32}, {}}, [&, g](Caller&, std::span<const Value> a, std::span<Value>) {
      work_since_tick += a[0].as_i32() - reported[g];
      reported[g] = a[0].as_i32();
    }));
    async.emplace_back(io.get_executor(), store.instantiate(module, imports));
    stores.push_back(store);
  }
  const uint64_t slice = async[0].options().slice;
  int done = 0;
  for (auto& g : async)
    g.async_call("spin", {Value::i32(kIterations), Value::i32(kEvery)}, [&](error_code ec, std::vector<Value> r) {
      CHECK_FALSE(ec);
      CHECK(r.at(0) == Value::i32(kIterations));
      if (++done == kGuests) worst_window = std::max(worst_window, work_since_tick);
    });
  asio::steady_timer timer(io);
  std::chrono::steady_clock::time_point armed;
  std::chrono::steady_clock::duration worst_lateness{};
  int ticks = 0;
  std::function<void()> arm = [&] {
    armed = std::chrono::steady_clock::now();
    timer.expires_at(armed);
    timer.async_wait([&](auto) {
      worst_lateness = std::max(worst_lateness, std::chrono::steady_clock::now() - armed);
      worst_window = std::max(worst_window, work_since_tick);
      work_since_tick = 0;
      ++ticks;
      if (done < kGuests) arm();
    });
  };
  arm();
  io.run();
  int64_t total = 0;
  for (int64_t r : reported) total += r;
  const int64_t round = int64_t(kGuests) * int64_t(slice);
  std::printf("100 spinning guests: %d timer runs; most guest work between two: %lld iterations (%.2f rounds of "
              "%d slices); worst wall-clock lateness %.2f ms (printed, not checked)\n",
              ticks, (long long)worst_window, double(worst_window) / double(round), kGuests,
              std::chrono::duration<double, std::milli>(worst_lateness).count());
  CHECK(done == kGuests);
  CHECK(total == int64_t(kGuests) * kIterations);  // every iteration was reported
  // A guest that did not yield would run all its 500,000 iterations (50 slices) in one go.
  CHECK(worst_window <= 4 * round + int64_t(kGuests) * kEvery);
  CHECK(ticks >= total / (4 * round + int64_t(kGuests) * kEvery));
}

TEST_CASE_FIXTURE(Fixture, "10,000 concurrently suspended guests on one io_context all complete") {
  constexpr int n = 10'000;
  std::vector<Guest> guests;
  std::vector<AsyncInstance> async;
  guests.reserve(n);
  async.reserve(n);
  for (int i = 0; i < n; ++i) {
    guests.push_back(make_guest(engine, module, 50ms));
    async.emplace_back(io.get_executor(), guests.back().inst);
  }
  int done = 0;
  int64_t sum = 0;
  for (int i = 0; i < n; ++i)
    async[i].async_call("handle", {Value::i32(i)}, [&](error_code ec, std::vector<Value> r) {
      REQUIRE_FALSE(ec);
      sum += r.at(0).as_i32();
      ++done;
    });
  io.run();
  CHECK(done == n);
  // sum over i of (i + 1) * 2 + 1 = n(n-1) + 3n
  CHECK(sum == int64_t(n) * (n - 1) + 3 * int64_t(n));
}

TEST_CASE_FIXTURE(Fixture, "guests on strands of a 4-thread io_context (module shared, one strand per instance)") {
  constexpr int n = 400;
  std::vector<Guest> guests;
  std::vector<AsyncInstance> async;
  guests.reserve(n);
  async.reserve(n);
  for (int i = 0; i < n; ++i) {
    guests.push_back(make_guest(engine, module));
    async.emplace_back(asio::make_strand(io), guests.back().inst);
  }
  std::atomic<int> done{0};
  std::atomic<int64_t> sum{0};
  for (int i = 0; i < n; ++i)
    async[i].async_call("deep", {Value::i32(i)}, [&](error_code ec, std::vector<Value> r) {
      CHECK_FALSE(ec);
      sum += r.at(0).as_i32();
      ++done;
    });
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) threads.emplace_back([&] { io.run(); });
  for (auto& th : threads) th.join();
  CHECK(done == n);
  CHECK(sum == int64_t(n) * 1001 + int64_t(n) * (n - 1) / 2);  // deep(i) = 1001 + i
}

TEST_CASE_FIXTURE(Fixture, "per-store call depth limit applies to asynchronous calls") {
  Guest g = make_guest(engine, module);
  Config lim = g.store.limits();
  lim.max_call_depth = 50;
  g.store.set_limits(lim);
  AsyncInstance guest(io.get_executor(), g.inst);
  error_code deep_error;
  guest.async_call("deep", {Value::i32(100)}, [&](error_code ec, std::vector<Value>) { deep_error = ec; });
  io.run();
  CHECK(deep_error == make_error_code(TrapKind::CallStackExhausted));
  CHECK(guest.can_call());  // reports that the instance is ready for the next call
  io.restart();
  int32_t r = 0;
  guest.async_call("deep", {Value::i32(10)}, [&](error_code ec, std::vector<Value> v) {
    CHECK_FALSE(ec);
    r = v.at(0).as_i32();
  });
  io.run();
  CHECK(r == 1011);
}

TEST_CASE_FIXTURE(Fixture, "an async import re-enters the same instance synchronously while its caller is suspended") {
  Store store(engine);
  Instance inst;
  Imports imports;
  imports.define("env", "fetch", async_host_func(store, {{ValType::I32}, {ValType::I32}},
      [&inst](Caller&, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 1ms);
        co_await timer.async_wait(asio::use_awaitable);
        // The suspended guest's frames are on its own heap stack; this call uses the store's.
        std::vector<Value> r = inst.call_sync("add", {args[0], Value::i32(100)});
        co_return r;
      }));
  imports.define("env", "fail", store.host_func({{ValType::I32}, {ValType::I32}}, [](Caller&, auto, auto) {}));
  inst = store.instantiate(module, imports);
  AsyncInstance guest(io.get_executor(), inst);
  int32_t r = 0;
  guest.async_call("deep", {Value::i32(5)}, [&](error_code ec, std::vector<Value> v) {
    CHECK_FALSE(ec);
    r = v.at(0).as_i32();
  });
  io.run();
  CHECK(r == 1105);  // fetch(1000) = add(1000, 100), plus 5 levels

  // A second asynchronous call of the same store while one is suspended reports busy.
  io.restart();
  error_code second;
  guest.async_call("deep", {Value::i32(1)}, [&](error_code, std::vector<Value>) {});
  guest.async_call("add", {Value::i32(1), Value::i32(2)}, [&](error_code ec, std::vector<Value>) { second = ec; });
  io.run();
  CHECK(second == make_error_code(errc::store_busy));
}

namespace {

// env.reenter(n): waits on a real timer, then calls `target`(n - 1) back into its own store
// (step or step_trap: whichever export the outer call began with) and returns its result + 10.
struct Reentrant {
  Store store;
  Instance inst;
  std::string target = "step";
  int max_level_seen = 0;
  int entered = 0;  // host function calls begun
};

std::unique_ptr<Reentrant> make_reentrant(const Engine& engine, const Module& module) {
  auto g = std::make_unique<Reentrant>(Reentrant{Store(engine), Instance()});
  Reentrant* self = g.get();
  Imports imports;
  imports.define("env", "reenter",
                 async_host_func(g->store, {{ValType::I32}, {ValType::I32}},
                                 [self](Caller& caller, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
                                   auto ex = co_await asio::this_coro::executor;
                                   asio::steady_timer timer(ex, 100us);
                                   co_await timer.async_wait(asio::use_awaitable);
                                   int32_t n = args[0].as_i32();
                                   self->max_level_seen = std::max(self->max_level_seen, n);
                                   ++self->entered;
                                   auto next = std::get<Func>(*caller.get_export(self->target));
                                   auto r = co_await async_call(ex, caller, next, {Value::i32(n - 1)}, asio::use_awaitable);
                                   co_return std::vector<Value>{Value::i32(r.at(0).as_i32() + 10)};
                                 }));
  g->inst = g->store.instantiate(module, imports);
  return g;
}

Module reenter_module(const Engine& engine) {
  return engine.compile(unit::read_bytes(std::string(COROWASM_ASYNC_WASM_DIR) + "/reenter.wasm"));
}

}  // namespace

TEST_CASE("async re-entry: guest -> async import -> guest, 100 levels deep, on one heap call stack") {
  Engine engine;
  Module module = reenter_module(engine);
  asio::io_context io;
  auto g = make_reentrant(engine, module);
  AsyncInstance guest(io.get_executor(), g->inst);
  // Another guest of another store runs meanwhile: the thread serves it while the levels wait.
  auto other = make_reentrant(engine, module);
  AsyncInstance spinner(io.get_executor(), other->inst);
  int32_t result = 0, spun = 0;
  guest.async_call("step", {Value::i32(100)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    result = r.at(0).as_i32();
  });
  spinner.async_call("spin", {Value::i32(1'000'000)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    spun = r.at(0).as_i32();
  });
  io.run();
  CHECK(result == 1000 + 100 * 11);
  CHECK(g->max_level_seen == 100);
  CHECK(spun == 1'000'000);
  CHECK_FALSE(store_busy(g->store));

  // A trap at the bottom: its backtrace walks the one heap call stack, through every level's
  // suspended frames (101 frames of step_trap); each level's host function rethrows it, and the
  // outer call ends with the same trap.
  g->target = "step_trap";
  io.restart();
  std::optional<trap_error> trapped;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    try {
      co_await guest.async_call("step_trap", {Value::i32(100)}, asio::use_awaitable);
    } catch (const trap_error& e) {
      trapped = e;
    }
  }, asio::detached);
  io.run();
  REQUIRE(trapped);
  CHECK(trapped->trap().kind() == TrapKind::Unreachable);
  CHECK(trapped->trap().backtrace().size() == 101);
  for (const TrapFrame& f : trapped->trap().backtrace()) CHECK(f.name == "step_trap");
  // The instance is whole again afterwards.
  g->target = "step";
  io.restart();
  result = 0;
  guest.async_call("step", {Value::i32(3)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    result = r.at(0).as_i32();
  });
  io.run();
  CHECK(result == 1033);
}

TEST_CASE("async re-entry is only for the suspended guest's own host function, one call at a time") {
  Engine engine;
  Module module = reenter_module(engine);
  asio::io_context io;
  Store store(engine);
  std::optional<call_error> second_error;
  int32_t first = 0;
  bool outsider_busy = false;
  AsyncInstance* self = nullptr;
  Imports imports;
  imports.define("env", "reenter",
                 async_host_func(store, {{ValType::I32}, {ValType::I32}},
                                 [&](Caller& caller, std::vector<Value>) -> asio::awaitable<std::vector<Value>> {
                                   auto ex = co_await asio::this_coro::executor;
                                   auto spin = std::get<Func>(*caller.get_export("spin"));
                                   // A first nested call that yields (several slices of spinning) ...
                                   async_call(ex, caller, spin, {Value::i32(200'000)},
                                              [&](error_code ec, std::vector<Value> r) {
                                                CHECK_FALSE(ec);
                                                first = r.at(0).as_i32();
                                              });
                                   // ... and, while it runs (it starts, spins one slice and yields
                                   // before this coroutine goes on), a second one: refused.
                                   co_await asio::post(ex, asio::use_awaitable);
                                   co_await asio::post(ex, asio::use_awaitable);
                                   REQUIRE(first == 0);
                                   asio::steady_timer timer(ex);
                                   try {
                                     co_await async_call(ex, caller, spin, {Value::i32(1)}, asio::use_awaitable);
                                   } catch (const call_error& e) {
                                     second_error = e;
                                   }
                                   // A plain async call of the busy store from here is store_busy.
                                   error_code ec;
                                   co_await self->async_call("spin", {Value::i32(1)},
                                                             asio::redirect_error(asio::use_awaitable, ec));
                                   outsider_busy = ec == make_error_code(errc::store_busy);
                                   while (first == 0) {
                                     timer.expires_after(1ms);
                                     co_await timer.async_wait(asio::use_awaitable);
                                   }
                                   co_return std::vector<Value>{Value::i32(0)};
                                 }));
  AsyncInstance guest(io.get_executor(), store.instantiate(module, imports));
  self = &guest;
  int32_t result = -1;
  guest.async_call("step", {Value::i32(1)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    result = r.at(0).as_i32();
  });
  io.run();
  CHECK(result == 1);  // reenter returned 0, + 1
  CHECK(first == 200'000);
  REQUIRE(second_error);
  CHECK(second_error->code() == make_error_code(errc::bad_call));
  CHECK(std::string(second_error->what()).find("one call at a time") != std::string::npos);
  CHECK(outsider_busy);
}

TEST_CASE("an io_context destroyed while guests wait in nested calls leaves the store whole") {
  Engine engine;
  Module module = reenter_module(engine);
  auto g = make_reentrant(engine, module);
  {
    asio::io_context io;
    AsyncInstance guest(io.get_executor(), g->inst);
    bool completed = false;
    guest.async_call("step", {Value::i32(50)}, [&](error_code, std::vector<Value>) { completed = true; });
    // Run until about a dozen levels wait on each other (the outer ones suspended, the inner
    // ones nested on their call stack), then abandon them all.
    while (g->entered < 12) io.run_one();
    CHECK_FALSE(completed);
    CHECK(store_busy(g->store));
  }
  // Every coroutine frame is gone, nested ones included, in whatever order Asio destroyed them.
  CHECK_FALSE(store_busy(g->store));
  asio::io_context io;
  AsyncInstance guest(io.get_executor(), g->inst);
  int32_t result = 0;
  guest.async_call("step", {Value::i32(2)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    result = r.at(0).as_i32();
  });
  io.run();
  CHECK(result == 1022);
}
