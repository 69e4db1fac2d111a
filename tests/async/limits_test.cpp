// Limits on the asynchronous paths: the Store's fuel in async_call, start functions run by
// async_instantiate, deadlines that also end suspended waits (an async import, a WASI sleep,
// a silent pipe, a full pipe), bulk instructions resumed across slices, and host re-entry
// within the enclosing call's budget and deadline.
//
// No assertion here is on wall-clock time: waits the deadline must end are 60 s long, so a
// deadline that did not cut them short shows as a wrong result. Elapsed times are printed.
#include <corowasm/async.h>
#include <corowasm/wasi.h>
#include <doctest/doctest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include "test_util.h"

using namespace corowasm;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

// Runs the loop until `done()`. No time limit: the waits a deadline must end last 60 s, so a
// deadline that failed shows as a wrong result, and a hang as the ctest timeout.
template <class Done>
void run_until(asio::io_context& io, Done done) {
  while (!done()) {
    if (io.stopped()) io.restart();
    io.run_one();
  }
}

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

struct Outcome {
  bool done = false;
  error_code ec;
  std::vector<Value> results;
  auto handler() {
    return [this](error_code e, std::vector<Value> r) {
      ec = e;
      results = std::move(r);
      done = true;
    };
  }
};

CallOptions with_slice(uint64_t units) {
  CallOptions o;
  o.slice = units;
  return o;
}
CallOptions with_fuel(uint64_t units) {
  CallOptions o;
  o.fuel = units;
  return o;
}
CallOptions with_timeout(std::chrono::milliseconds t) {
  CallOptions o;
  o.timeout = t;
  return o;
}

bool is_trap(const error_code& ec, TrapKind kind) { return ec == make_error_code(kind); }

// limits.wat with `reenter` calling back into the guest's export `target` through call_sync.
struct LimitsGuest {
  Store store;
  Instance inst;
  LimitsGuest(const Engine& engine, std::string target) : store(engine) {
    Imports imports;
    imports.define("env", "reenter",
                   store.host_func({{ValType::I32}, {ValType::I32}},
                                   [this, target](Caller&, std::span<const Value> args, std::span<Value> results) {
                                     if (target == "spin") inst.call_sync("spin");
                                     else results[0] = inst.call_sync(target, {args[0]}).at(0);
                                   }));
    inst = store.instantiate(unit::compile(engine, "limits"), imports);
  }
};

// A host function awaiting a 60 s timer (the deadline must cut it short).
Func slow_import(Store& store) {
  return async_host_func(store, {{ValType::I32}, {ValType::I32}},
                         [](Caller&, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
                           asio::steady_timer timer(co_await asio::this_coro::executor, 60s);
                           co_await timer.async_wait(asio::use_awaitable);
                           co_return std::vector<Value>{Value::i32(args[0].as_i32() + 1)};
                         });
}

}  // namespace

TEST_CASE("limits: Store::set_fuel counts in async_call as in call_sync") {
  asio::io_context io;
  Engine engine;
  LimitsGuest g(engine, "f");
  g.store.set_fuel(5'000);
  AsyncInstance guest(io.get_executor(), g.inst, with_slice(1'000));
  Outcome out;
  guest.async_call("spin", {}, out.handler());
  run_until(io, [&] { return out.done; });
  CHECK(is_trap(out.ec, TrapKind::OutOfFuel));
  CHECK(g.store.fuel() == 0u);

  // A budget left over is spent exactly: fill of 1 MiB = 256 units.
  g.store.set_fuel(1'000);
  Outcome fill;
  guest.async_call("fill", {Value::i32(0), Value::i32(3), Value::i32(1 << 20)}, fill.handler());
  run_until(io, [&] { return fill.done; });
  CHECK_FALSE(fill.ec);
  CHECK(g.store.fuel() == 1'000u - 256u);
}

TEST_CASE("limits: async_instantiate runs a looping start function under fuel, deadline and cancellation") {
  asio::io_context io;
  Engine engine;
  Module looping = unit::compile(engine, "limits_start");

  struct Inst {
    bool done = false;
    error_code ec;
    Instance inst;
  };
  auto start = [&](Store store, CallOptions options, asio::cancellation_slot slot = {}) {
    auto r = std::make_shared<Inst>();
    async_instantiate(io.get_executor(), store, looping, Imports{}, options,
                      asio::bind_cancellation_slot(slot, [r](error_code ec, Instance i) {
                        r->ec = ec;
                        r->inst = i;
                        r->done = true;
                      }));
    return r;
  };

  Store s1(engine);
  auto by_fuel = start(s1, with_fuel(100'000));
  Store s2(engine);
  auto t0 = Clock::now();
  auto by_deadline = start(s2, with_timeout(100ms));
  Store s3(engine);
  asio::cancellation_signal cancel;
  auto by_cancel = start(s3, CallOptions{}, cancel.slot());
  Store s4(engine);
  s4.set_fuel(50'000);
  auto by_store_fuel = start(s4, CallOptions{});
  // Cancel once the others have finished: all four were time-sliced on this one thread.
  run_until(io, [&] { return by_fuel->done && by_deadline->done && by_store_fuel->done; });
  std::printf("looping start function: deadline of 100 ms trapped after %.1f ms\n", ms_since(t0));
  CHECK_FALSE(by_cancel->done);
  cancel.emit(asio::cancellation_type::terminal);
  run_until(io, [&] { return by_cancel->done; });

  CHECK(is_trap(by_fuel->ec, TrapKind::OutOfFuel));
  CHECK(is_trap(by_deadline->ec, TrapKind::Timeout));
  CHECK(is_trap(by_store_fuel->ec, TrapKind::OutOfFuel));
  CHECK(s4.fuel() == 0u);
  CHECK(by_cancel->ec == asio::error::operation_aborted);
  CHECK_FALSE(by_fuel->inst);
  CHECK(last_trap_message(s2) == "wall-clock deadline exceeded");
  CHECK_FALSE(store_busy(s3));
}

TEST_CASE("limits: async_instantiate awaits an async import in the start function; link errors complete too") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "limits_start_async");
  Store store(engine);
  Imports imports;
  imports.define("env", "fetch",
                 async_host_func(store, {{ValType::I32}, {ValType::I32}},
                                 [](Caller&, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
                                   asio::steady_timer timer(co_await asio::this_coro::executor, 5ms);
                                   co_await timer.async_wait(asio::use_awaitable);
                                   co_return std::vector<Value>{Value::i32(args[0].as_i32() + 1)};
                                 }));
  bool done = false;
  error_code ec;
  Instance inst;
  async_instantiate(io.get_executor(), store, module, imports, CallOptions{}, [&](error_code e, Instance i) {
    ec = e;
    inst = i;
    done = true;
  });
  // It is an asynchronous operation: nothing has run yet.
  CHECK_FALSE(done);
  run_until(io, [&] { return done; });
  REQUIRE_FALSE(ec);
  CHECK(inst.global("g").get() == Value::i32(21));

  Store other(engine);
  done = false;
  async_instantiate(io.get_executor(), other, module, Imports{}, CallOptions{}, [&](error_code e, Instance i) {
    ec = e;
    inst = i;
    done = true;
  });
  run_until(io, [&] { return done; });
  CHECK(ec == make_error_code(errc::link_error));
  CHECK(last_trap_message(other).find("unknown import") != std::string::npos);
}

TEST_CASE("limits: a deadline ends a guest suspended in an async import") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "limits_start_async");
  Store store(engine);
  Imports imports;
  imports.define("env", "fetch", slow_import(store));
  bool done = false;
  error_code ec;
  auto t0 = Clock::now();
  async_instantiate(io.get_executor(), store, module, imports, with_timeout(100ms),
                    [&](error_code e, Instance) {
                      ec = e;
                      done = true;
                    });
  run_until(io, [&] { return done; });
  std::printf("async import of 60 s: deadline of 100 ms trapped after %.1f ms\n", ms_since(t0));
  CHECK(is_trap(ec, TrapKind::Timeout));
  CHECK_FALSE(last_trap_backtrace(store).empty());
  CHECK(io.poll() == 0);  // the 60 s timer was cancelled: nothing is left waiting
}

TEST_CASE("limits: a deadline ends WASI waits: a sleep, a silent pipe, a full pipe, a silent socket") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "wasi_guest");
  int silent[2], full[2], sock[2];
  REQUIRE(::pipe2(silent, O_CLOEXEC) == 0);
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) == 0);
  REQUIRE(::pipe2(full, O_CLOEXEC | O_NONBLOCK) == 0);
  // Fill `full` to the brim, so a write to it can only wait.
  std::vector<char> junk(65536, 'x');
  while (::write(full[1], junk.data(), junk.size()) > 0) {
  }
  struct Case {
    const char* what;
    std::string fn;
    std::vector<Value> args;
    int stdin_fd = 0, stdout_fd = 1;
    std::vector<int> sockets = {};
  };
  std::vector<Case> cases = {
      {"poll_oneoff sleep of 60 s", "sleep", {Value::i64(60'000'000'000)}},
      {"fd_read of a silent pipe", "read", {Value::i32(0)}, silent[0], 1},
      {"fd_write of 60,000 bytes to a full pipe", "write", {Value::i32(1), Value::i32(60'000)}, 0, full[1]},
      {"sock_recv of a silent socket", "recv", {Value::i32(3)}, 0, 1, {sock[0]}},  // guest fd 3
  };
  for (const Case& c : cases) {
    wasi::Config cfg;
    cfg.args = {"guest"};
    cfg.stdin_fd = c.stdin_fd;
    cfg.stdout_fd = c.stdout_fd;
    cfg.sockets = c.sockets;
    wasi::Context ctx(cfg);
    Store store(engine);
    Imports imports;
    ctx.define(imports, store, io.get_executor());
    Instance inst = store.instantiate(module, imports);
    AsyncInstance guest(io.get_executor(), inst, with_timeout(100ms));
    Outcome out;
    auto t0 = Clock::now();
    guest.async_call(c.fn, c.args, out.handler());
    run_until(io, [&] { return out.done; });
    std::printf("%s: deadline of 100 ms trapped after %.1f ms\n", c.what, ms_since(t0));
    INFO(c.what);
    CHECK(is_trap(out.ec, TrapKind::Timeout));
  }
  for (int fd : {silent[0], silent[1], full[0], full[1], sock[0], sock[1]}) ::close(fd);
}

TEST_CASE("limits: bulk instructions continue across time slices and stay exact") {
  asio::io_context io;
  Engine engine;
  LimitsGuest g(engine, "f");
  // 10-unit slices: a 16 MiB fill works in 256 KiB chunks of 64 units each, so it yields
  // after every chunk: 63 times on the way.
  AsyncInstance guest(io.get_executor(), g.inst, with_slice(10));
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    asio::post(io, [&] {
      if (ticks < 1'000'000) tick();
    });
  };
  const int32_t n = 16 << 20;
  Memory mem = g.inst.memory("memory");
  Outcome fill;
  ticks = 0;
  tick();
  guest.async_call("fill", {Value::i32(0), Value::i32(0x5A), Value::i32(n)}, fill.handler());
  run_until(io, [&] { return fill.done; });
  int during_fill = ticks;
  REQUIRE_FALSE(fill.ec);
  auto bytes = mem.span<uint8_t>(0, uint64_t(n));
  size_t wrong = 0;
  for (uint8_t b : bytes) wrong += b != 0x5A;
  CHECK(wrong == 0);
  std::printf("16 MiB memory.fill in 10-unit slices: %d other handlers ran meanwhile\n", during_fill);
  CHECK(during_fill >= 63);  // the posted handler ran between slices, inside one instruction

  // Overlapping copies, both directions, across chunk and slice boundaries: compared with
  // memmove on a host copy.
  for (int i = 0; i < n; ++i) bytes[size_t(i)] = uint8_t(i * 7 + (i >> 13));
  std::vector<uint8_t> expect(bytes.begin(), bytes.end());
  const int32_t len = 8 << 20;
  for (auto [dst, src] : {std::pair{1000, 0}, std::pair{0, 333'333}, std::pair{5'000'001, 4'999'999}}) {
    std::memmove(expect.data() + dst, expect.data() + src, size_t(len));
    Outcome copy;
    guest.async_call("copy", {Value::i32(dst), Value::i32(src), Value::i32(len)}, copy.handler());
    run_until(io, [&] { return copy.done; });
    REQUIRE_FALSE(copy.ec);
    CHECK(std::memcmp(bytes.data(), expect.data(), size_t(n)) == 0);
  }
  ticks = 1'000'000;  // stop ticking
  io.poll();
}

TEST_CASE("limits: a host re-entry runs within the enclosing async call's fuel and deadline") {
  asio::io_context io;
  Engine engine;
  // f(1) calls the host, which calls spin() (an endless loop) through call_sync.
  LimitsGuest fuel_guest(engine, "spin");
  AsyncInstance by_fuel(io.get_executor(), fuel_guest.inst, with_fuel(100'000));
  Outcome a;
  by_fuel.async_call("f", {Value::i32(1)}, a.handler());
  run_until(io, [&] { return a.done; });
  CHECK(is_trap(a.ec, TrapKind::OutOfFuel));

  LimitsGuest deadline_guest(engine, "spin");
  AsyncInstance by_deadline(io.get_executor(), deadline_guest.inst, with_timeout(100ms));
  Outcome b;
  auto t0 = Clock::now();
  by_deadline.async_call("f", {Value::i32(1)}, b.handler());
  run_until(io, [&] { return b.done; });
  std::printf("re-entered endless loop: deadline of 100 ms trapped after %.1f ms\n", ms_since(t0));
  CHECK(is_trap(b.ec, TrapKind::Timeout));

  // Re-entries that finish are fine, and nest as deep as max_reentry_depth allows.
  LimitsGuest nested(engine, "f");
  AsyncInstance ok(io.get_executor(), nested.inst, with_fuel(100'000));
  Outcome c;
  ok.async_call("f", {Value::i32(50)}, c.handler());
  run_until(io, [&] { return c.done; });
  REQUIRE_FALSE(c.ec);
  CHECK(c.results.at(0) == Value::i32(50));
}

TEST_CASE("limits: WASI transfers cost fuel like bulk instructions (one unit per 4 KiB)") {
  Engine engine;
  Module module = unit::compile(engine, "wasi_guest");
  int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  REQUIRE(devnull >= 0);
  wasi::Config cfg;
  cfg.args = {"guest"};
  cfg.stdout_fd = devnull;
  wasi::Context ctx(cfg);
  Store store(engine);
  Imports imports;
  ctx.define(imports, store);  // synchronous WASI: call_sync
  Instance inst = store.instantiate(module, imports);
  store.set_fuel(1'000);
  // fd_write of 40 KiB: 10 units, and 1 for the call of the import.
  CHECK(inst.call_sync("write", {Value::i32(1), Value::i32(40 * 1024)}).at(0) == Value::i32(40 * 1024));
  CHECK(store.fuel() == 1'000u - 10u - 1u);
  // A budget smaller than the transfer: the bytes are written, then the guest traps.
  store.set_fuel(5);
  auto trap = unit::catch_as<Trap>([&] { inst.call_sync("write", {Value::i32(1), Value::i32(40 * 1024)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::OutOfFuel);
  ::close(devnull);
}

TEST_CASE("limits: a slice that runs out exactly at a host call still yields") {
  asio::io_context io;
  Engine engine;
  Store store(engine);
  Imports imports;
  int pings = 0;
  imports.define("env", "ping", store.host_func({{}, {}}, [&](Caller&, std::span<const Value>, std::span<Value>) { ++pings; }));
  Instance inst = store.instantiate(unit::compile(engine, "limits_yield"), imports);
  AsyncInstance guest(io.get_executor(), inst, with_slice(2));
  int ticks = 0;
  bool stop = false;
  std::function<void()> tick = [&] {
    asio::post(io, [&] {
      ++ticks;
      if (!stop) tick();
    });
  };
  tick();
  Outcome out;
  const int n = 1000;
  guest.async_call("run", {Value::i32(n)}, out.handler());
  run_until(io, [&] { return out.done; });
  stop = true;
  io.poll();
  REQUIRE_FALSE(out.ec);
  CHECK(pings == n + 1);
  std::printf("2-unit slices ending at host calls: the other handler ran %d times during %d iterations\n", ticks, n);
  CHECK(ticks >= n / 2);  // one slice per iteration: it ran between them
}

TEST_CASE("limits: a timeout too large to add to the clock means no deadline, not an immediate one") {
  asio::io_context io;
  Engine engine;
  LimitsGuest g(engine, "f");
  CallOptions options;
  options.timeout = std::chrono::steady_clock::duration::max();
  AsyncInstance guest(io.get_executor(), g.inst, options);
  Outcome out;
  guest.async_call("f", {Value::i32(3)}, out.handler());
  run_until(io, [&] { return out.done; });
  REQUIRE_FALSE(out.ec);
  CHECK(out.results.at(0) == Value::i32(3));
}
