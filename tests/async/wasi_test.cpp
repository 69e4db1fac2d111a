// WASI under the async driver: a guest blocked on a pipe, a socket or a poll_oneoff sleep is
// suspended while the io_context keeps serving other guests on the same thread; proc_exit;
// the synchronous mode; and every WASI function called with garbage arguments.
#include <corowasm/bind_async.h>
#include <corowasm/wasi.h>
#include <doctest/doctest.h>

#include <boost/asio.hpp>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fcntl.h>
#include <random>
#include <sys/socket.h>
#include <unistd.h>

#include "test_util.h"

using namespace corowasm;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() { REQUIRE(::pipe2(fd, O_CLOEXEC) == 0); }
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  void close_write() {
    ::close(fd[1]);
    fd[1] = -1;
  }
};

// One guest of wasi_guest.wat with its own WASI context and store.
struct WasiGuest {
  std::unique_ptr<wasi::Context> ctx;
  Store store;
  Instance inst;
  std::unique_ptr<AsyncInstance> async;
  WasiGuest(asio::io_context& io, const Engine& engine, const Module& module, wasi::Config cfg, bool use_async = true)
      : ctx(std::make_unique<wasi::Context>(std::move(cfg))), store(engine) {
    Imports imports;
    if (use_async) ctx->define(imports, store, io.get_executor());
    else ctx->define(imports, store);
    inst = store.instantiate(module, imports);
    async = std::make_unique<AsyncInstance>(io.get_executor(), inst);
  }
  std::string data(size_t n) const {
    auto s = inst.memory("memory").span<const char>(2048, n);
    return std::string(s.begin(), s.end());
  }
};

wasi::Config quiet_config() {
  wasi::Config c;
  c.args = {"guest"};
  return c;
}

// Runs the loop until `done()`; fails the test when the loop runs out of work first (nothing
// could make it true any more). A wait that never ends is left to ctest's TIMEOUT: no wall-clock
// limit here, which a loaded machine could exceed.
template <class Done>
void run_until(asio::io_context& io, Done done) {
  while (!done()) {
    if (io.stopped()) io.restart();
    if (io.run_one() == 0) break;
  }
  REQUIRE(done());
}

}  // namespace

TEST_CASE("wasi: a guest waiting on a pipe does not stop another guest on the same thread") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "wasi_guest");
  Pipe pipe;
  wasi::Config ca = quiet_config();
  ca.stdin_fd = pipe.fd[0];
  WasiGuest reader(io, engine, module, ca);
  WasiGuest worker(io, engine, module, quiet_config());

  std::vector<std::string> order;
  int32_t nread = -1, computed = 0;
  reader.async->async_call("read", {Value::i32(0)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    nread = r[0].as_i32();
    order.push_back("reader");
  });
  // Several million iterations: many time slices, all while the reader is suspended.
  worker.async->async_call("compute", {Value::i32(3'000'000)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    computed = r[0].as_i32();
    order.push_back("worker");
    // Only now does the reader get its bytes: had fd_read blocked the thread, the worker could
    // never have finished and this would never run.
    REQUIRE(::write(pipe.fd[1], "hello pipe", 10) == 10);
  });
  run_until(io, [&] { return order.size() == 2; });
  REQUIRE(order == std::vector<std::string>{"worker", "reader"});
  CHECK(nread == 10);
  CHECK(reader.data(10) == "hello pipe");
  // The LCG after 3,000,000 steps, computed independently of the VM:
  uint32_t x = 1;
  for (int i = 0; i < 3'000'000; ++i) x = x * 1103515245u + 12345u;
  CHECK(uint32_t(computed) == x);
}

TEST_CASE("wasi: end of a pipe reads as 0 bytes; writing to a closed pipe is EPIPE, not SIGPIPE") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "wasi_guest");
  Pipe in, out;
  in.close_write();
  ::close(out.fd[0]);
  out.fd[0] = -1;
  wasi::Config c = quiet_config();
  c.stdin_fd = in.fd[0];
  c.stdout_fd = out.fd[1];
  WasiGuest g(io, engine, module, c);
  int32_t nread = -1, nwritten = 0;
  g.async->async_call("read", {Value::i32(0)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    nread = r[0].as_i32();
    g.async->async_call("write", {Value::i32(1), Value::i32(5)}, [&](error_code ec2, std::vector<Value> r2) {
      REQUIRE_FALSE(ec2);
      nwritten = r2[0].as_i32();
    });
  });
  run_until(io, [&] { return nwritten != 0; });
  CHECK(nread == 0);
  CHECK(nwritten == -64);  // ERRNO_PIPE
}

TEST_CASE("wasi: waiting on a pipe leaves it blocking for the host; a guest's NONBLOCK stays its own") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "wasi_guest");
  Pipe pipe;
  wasi::Config c = quiet_config();
  c.stdin_fd = pipe.fd[0];
  WasiGuest g(io, engine, module, c);
  std::vector<int32_t> reads;
  std::function<void()> read_next = [&] {
    g.async->async_call("read", {Value::i32(0)}, [&](error_code ec, std::vector<Value> r) {
      REQUIRE_FALSE(ec);
      reads.push_back(r[0].as_i32());
      if (reads.size() < 2) read_next();
    });
  };
  read_next();
  // Two writes with a pause between: the second read must wait again, not fail with EAGAIN
  // (Asio switches descriptors it waits on to O_NONBLOCK, and the flag is shared). The second
  // write follows the first read's completion, so the first read can only ever see "a".
  asio::steady_timer first(io, 20ms), second(io);
  first.async_wait([&](boost::system::error_code) { REQUIRE(::write(pipe.fd[1], "a", 1) == 1); });
  run_until(io, [&] { return reads.size() == 1; });
  second.expires_after(20ms);
  second.async_wait([&](boost::system::error_code) { REQUIRE(::write(pipe.fd[1], "bc", 2) == 2); });
  run_until(io, [&] { return reads.size() == 2; });
  CHECK(reads == std::vector<int32_t>{1, 2});
  CHECK((::fcntl(pipe.fd[0], F_GETFL) & O_NONBLOCK) == 0);

  // The guest asks for NONBLOCK: an empty pipe answers EAGAIN at once, and the host's pipe
  // stays blocking.
  int32_t set = -1, again = 0;
  g.async->async_call("set_flags", {Value::i32(0), Value::i32(4)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    set = r[0].as_i32();
    g.async->async_call("read", {Value::i32(0)}, [&](error_code ec2, std::vector<Value> r2) {
      REQUIRE_FALSE(ec2);
      again = r2[0].as_i32();
    });
  });
  run_until(io, [&] { return again != 0; });
  CHECK(set == 0);
  CHECK(again == -6);  // ERRNO_AGAIN
  CHECK((::fcntl(pipe.fd[0], F_GETFL) & O_NONBLOCK) == 0);
}

TEST_CASE("wasi: close_fds while the guest waits on a pipe ends the read with EBADF") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "wasi_guest");
  Pipe pipe;
  wasi::Config c = quiet_config();
  c.stdin_fd = pipe.fd[0];
  WasiGuest g(io, engine, module, c);
  int32_t result = 0;
  g.async->async_call("read", {Value::i32(0)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    result = r[0].as_i32();
  });
  asio::steady_timer later(io, 20ms);
  later.async_wait([&](boost::system::error_code) { g.ctx->close_fds(); });
  run_until(io, [&] { return result != 0; });
  CHECK(result == -8);  // ERRNO_BADF
}

TEST_CASE("wasi: poll_oneoff sleeps suspend the guest, not the thread") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "wasi_guest");
  WasiGuest sleeper(io, engine, module, quiet_config());
  WasiGuest worker(io, engine, module, quiet_config());
  // The sleeper sleeps an hour; the worker computes meanwhile and, once done, cancels the sleep.
  // Had the sleep blocked the thread, the worker could not have run first (and the test would
  // not end by itself).
  std::vector<std::string> order;
  error_code slept;
  asio::cancellation_signal cancel;
  sleeper.async->async_call("sleep", {Value::i64(3'600'000'000'000)},
                            asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, std::vector<Value>) {
                              slept = ec;
                              order.push_back("sleeper");
                            }));
  worker.async->async_call("compute", {Value::i32(100'000)}, [&](error_code ec, std::vector<Value>) {
    REQUIRE_FALSE(ec);
    order.push_back("worker");
    cancel.emit(asio::cancellation_type::terminal);
  });
  run_until(io, [&] { return order.size() == 2; });
  REQUIRE(order == std::vector<std::string>{"worker", "sleeper"});
  CHECK(slept == asio::error::operation_aborted);

  // A sleep that runs out returns its clock event; it cannot end early (a lower bound only).
  auto start = std::chrono::steady_clock::now();
  int32_t userdata = 0;
  sleeper.async->async_call("sleep", {Value::i64(50'000'000)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    userdata = r[0].as_i32();
  });
  run_until(io, [&] { return userdata != 0; });
  CHECK(userdata == 77);
  CHECK(std::chrono::steady_clock::now() - start >= 50ms);
}

TEST_CASE("wasi: poll_oneoff returns the fd event when a pipe becomes readable before the clock") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "wasi_guest");
  Pipe pipe;
  wasi::Config c = quiet_config();
  c.stdin_fd = pipe.fd[0];
  WasiGuest g(io, engine, module, c);
  int32_t first = 0, second = 0;
  // The first wait: the pipe, or a clock an hour away.
  g.async->async_call("wait_read", {Value::i32(0), Value::i64(3'600'000'000'000)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    first = r[0].as_i32();
    // Nothing more to read is not the same as readable: drain, then the clock must win.
    g.async->async_call("read", {Value::i32(0)}, [&](error_code, std::vector<Value>) {
      g.async->async_call("wait_read", {Value::i32(0), Value::i64(20'000'000)}, [&](error_code ec2, std::vector<Value> r2) {
        REQUIRE_FALSE(ec2);
        second = r2[0].as_i32();
      });
    });
  });
  asio::steady_timer later(io, 50ms);
  later.async_wait([&](boost::system::error_code) { REQUIRE(::write(pipe.fd[1], "x", 1) == 1); });
  run_until(io, [&] { return second != 0; });
  CHECK(first == 2);
  CHECK(second == 1);
}

TEST_CASE("wasi: sockets handed to the guest: sock_recv waits on the loop, sock_send reaches the peer") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "wasi_guest");
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  wasi::Config c = quiet_config();
  c.sockets = {sv[1]};
  WasiGuest g(io, engine, module, c);
  ::close(sv[1]);
  const int guest_fd = 3;  // after stdio; no preopens
  int32_t got = -1, sent = -1;
  g.async->async_call("recv", {Value::i32(guest_fd)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    got = r[0].as_i32();
    g.async->async_call("send", {Value::i32(guest_fd), Value::i32(got)}, [&](error_code ec2, std::vector<Value> r2) {
      REQUIRE_FALSE(ec2);
      sent = r2[0].as_i32();
    });
  });
  asio::steady_timer later(io, 30ms);
  later.async_wait([&](boost::system::error_code) { REQUIRE(::send(sv[0], "ping!", 5, 0) == 5); });
  run_until(io, [&] { return sent != -1; });
  CHECK(got == 5);
  CHECK(sent == 5);
  char back[8] = {};
  REQUIRE(::recv(sv[0], back, sizeof back, 0) == 5);
  CHECK(std::string(back, 5) == "ping!");
  // sock_recv on something that is not a socket (stdin) is ENOTSOCK.
  int32_t not_sock = 0;
  g.async->async_call("recv", {Value::i32(0)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    not_sock = r[0].as_i32();
  });
  run_until(io, [&] { return not_sock != 0; });
  CHECK(not_sock == -57);  // ERRNO_NOTSOCK
  ::close(sv[0]);
}

TEST_CASE("wasi: a listening socket handed to the guest: sock_accept waits on the loop for a TCP client") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "wasi_guest");
  asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("127.0.0.1"), 0});
  wasi::Config c = quiet_config();
  c.sockets = {listener.native_handle()};
  WasiGuest g(io, engine, module, c);
  const int guest_listener = 3;
  int32_t conn = 0, got = 0, sent = 0;
  bool client_done = false;
  std::string echoed;
  // The guest: accept, receive, send back what it got.
  g.async->async_call("accept", {Value::i32(guest_listener)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    conn = r[0].as_i32();
    REQUIRE(conn > guest_listener);
    g.async->async_call("recv", {Value::i32(conn)}, [&](error_code ec2, std::vector<Value> r2) {
      REQUIRE_FALSE(ec2);
      got = r2[0].as_i32();
      g.async->async_call("send", {Value::i32(conn), Value::i32(got)}, [&](error_code ec3, std::vector<Value> r3) {
        REQUIRE_FALSE(ec3);
        sent = r3[0].as_i32();
      });
    });
  });
  // The client, on the same thread, connects only after the guest is already waiting.
  asio::ip::tcp::socket client(io);
  std::array<char, 16> reply{};
  asio::steady_timer later(io, 30ms);
  later.async_wait([&](boost::system::error_code) {
    client.async_connect(listener.local_endpoint(), [&](boost::system::error_code ec) {
      REQUIRE_FALSE(ec);
      asio::async_write(client, asio::buffer("hello tcp", 9), [&](boost::system::error_code ec2, size_t) {
        REQUIRE_FALSE(ec2);
        asio::async_read(client, asio::buffer(reply.data(), 9), [&](boost::system::error_code ec3, size_t n) {
          REQUIRE_FALSE(ec3);
          echoed.assign(reply.data(), n);
          client_done = true;
        });
      });
    });
  });
  run_until(io, [&] { return client_done && sent != 0; });
  CHECK(got == 9);
  CHECK(sent == 9);
  CHECK(echoed == "hello tcp");
}

TEST_CASE("wasi: proc_exit ends the call with TrapKind::Exit and keeps the code") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "wasi_guest");
  WasiGuest g(io, engine, module, quiet_config());
  error_code result;
  g.async->async_call("exit", {Value::i32(42)}, [&](error_code ec, std::vector<Value>) { result = ec; });
  run_until(io, [&] { return bool(result); });
  CHECK(result == make_error_code(TrapKind::Exit));
  REQUIRE(g.ctx->exit_code().has_value());
  CHECK(*g.ctx->exit_code() == 42);
  // Synchronously, too.
  WasiGuest s(io, engine, module, quiet_config(), false);
  auto trap = unit::catch_as<Trap>([&] { s.inst.call_sync("exit", {Value::i32(7)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::Exit);
  CHECK(*s.ctx->exit_code() == 7);
}

TEST_CASE("wasi: without an executor the same functions block the thread (call_sync)") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "wasi_guest");
  Pipe pipe;
  REQUIRE(::write(pipe.fd[1], "sync!", 5) == 5);
  wasi::Config c = quiet_config();
  c.stdin_fd = pipe.fd[0];
  WasiGuest g(io, engine, module, c, false);
  CHECK(g.inst.call_sync("read", {Value::i32(0)})[0].as_i32() == 5);
  CHECK(g.data(5) == "sync!");
  auto t0 = std::chrono::steady_clock::now();
  CHECK(g.inst.call_sync("sleep", {Value::i64(30'000'000)})[0].as_i32() == 77);
  CHECK(std::chrono::steady_clock::now() - t0 >= 30ms);
}

TEST_CASE("bind: a callable returning asio::awaitable<R> is an async import") {
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "guest");
  Store store(engine);
  Imports imports;
  int calls = 0;
  imports.define("env", "fetch", bind(store, [&](int32_t x) -> asio::awaitable<int32_t> {
    asio::steady_timer t(co_await asio::this_coro::executor, 2ms);
    co_await t.async_wait(asio::use_awaitable);
    ++calls;
    co_return x + 1;
  }));
  imports.define("env", "fail", bind(store, [](int32_t) -> asio::awaitable<int32_t> {
    throw std::runtime_error("typed async failure");
    co_return 0;
  }));
  CHECK(host_type_of<decltype([](int32_t) -> asio::awaitable<int32_t> { co_return 0; })>() ==
        FuncType{{ValType::I32}, {ValType::I32}});
  Instance inst = store.instantiate(module, imports);
  AsyncInstance guest(io.get_executor(), inst);
  std::vector<Value> results;
  error_code err, fail_err;
  guest.async_call("handle", {Value::i32(10)}, [&](error_code ec, std::vector<Value> r) {
    err = ec;
    results = r;
    guest.async_call("failing", {Value::i32(1)}, [&](error_code ec2, std::vector<Value>) { fail_err = ec2; });
  });
  run_until(io, [&] { return bool(fail_err); });
  REQUIRE_FALSE(err);
  CHECK(calls == 1);
  REQUIRE(results.size() == 1);
  CHECK(results[0].as_i32() == 23);  // fetch(10) * 2 + 1, fetch adding 1
  CHECK(fail_err == make_error_code(TrapKind::Host));
  CHECK(last_trap_message(store) == "typed async failure");
  // A synchronous call cannot await: it traps with a message saying so.
  auto trap = unit::catch_as<Trap>([&] { inst.call_sync("handle", {Value::i32(1)}); });
  REQUIRE(trap);
  CHECK(std::string(trap->what()).find("async") != std::string::npos);
}

TEST_CASE("wasi: thousands of guests borrowing the host's stdio hold no descriptors") {
  auto open_fds = [] {
    size_t n = 0;
    for (auto& e : fs::directory_iterator("/proc/self/fd")) n += e.path().filename() != "." ? 1 : 0;
    return n;
  };
  asio::io_context io;
  Engine engine;
  Module module = unit::compile(engine, "wasi_guest");
  Pipe out;
  asio::steady_timer reactor_up(io);  // Asio opens its reactor's descriptors on first use
  size_t before = open_fds();
  std::vector<std::unique_ptr<WasiGuest>> guests;
  for (int i = 0; i < 3000; ++i) {
    wasi::Config c = quiet_config();
    c.stdout_fd = out.fd[1];
    c.borrow_stdio = true;
    guests.push_back(std::make_unique<WasiGuest>(io, engine, module, c));
  }
  CHECK(open_fds() == before);
  // A borrowed stdout works, and the guests going away leave it open.
  int32_t written = 0;
  std::memcpy(guests[0]->inst.memory("memory").data() + 2048, "borrowed", 8);
  guests[0]->async->async_call("write", {Value::i32(1), Value::i32(8)}, [&](error_code ec, std::vector<Value> r) {
    REQUIRE_FALSE(ec);
    written = r[0].as_i32();
  });
  run_until(io, [&] { return written != 0; });
  CHECK(written == 8);
  guests.clear();
  CHECK(::fcntl(out.fd[1], F_GETFD) >= 0);
  char buf[8];
  REQUIRE(::read(out.fd[0], buf, 8) == 8);
  CHECK(std::string(buf, 8) == "borrowed");
  // Without borrowing, each guest holds its own three duplicates.
  {
    WasiGuest owning(io, engine, module, quiet_config());
    CHECK(open_fds() == before + 3);
  }
  CHECK(open_fds() == before);
}
