// Hostile guests (issue 9): no guest may block the event loop, whatever the others on the same
// thread do with the same pipe, terminal or socket.
//
// Each scenario runs in a child process (in_child): a loop blocked in a system call cannot
// report anything, so the parent gives the child a generous bound and fails the test when the
// child has not finished by then. Nothing asserts how fast anything ran; timings are printed.
#include <corowasm/async.h>
#include <corowasm/wasi.h>
#include <doctest/doctest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <map>
#include <poll.h>
#include <random>
#include <sstream>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "test_util.h"

using namespace corowasm;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

using Results = std::map<std::string, std::string>;

// Runs `body` in a child process and returns the key=value lines it returned. A child still
// running after `limit` (its event loop blocked in a system call) is killed: the test fails.
Results in_child(const std::function<Results()>& body, std::chrono::seconds limit = 120s) {
  int p[2];
  REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(p[0]);
    std::string out;
    try {
      for (auto& [k, v] : body()) out += k + "=" + v + "\n";
    } catch (const std::exception& e) {
      out += std::string("exception=") + e.what() + "\n";
    }
    for (size_t done = 0; done < out.size();) {
      ssize_t n = ::write(p[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += size_t(n);
    }
    ::_exit(0);
  }
  ::close(p[1]);
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + limit;
  bool finished = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pf{p[0], POLLIN, 0};
    int r = ::poll(&pf, 1, int(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    char buf[4096];
    ssize_t n = ::read(p[0], buf, sizeof buf);
    if (n <= 0) {
      finished = true;
      break;
    }
    text.append(buf, size_t(n));
  }
  ::close(p[0]);
  if (!finished) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  INFO("child output: " << text);
  REQUIRE_MESSAGE(finished, "the scenario did not finish: the event loop was blocked (child killed after "
                                << limit.count() << " s)");
  Results out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  REQUIRE_MESSAGE(!out.count("exception"), out["exception"]);
  return out;
}

Module streams_module(const Engine& engine) {
  return engine.compile(unit::read_bytes(std::string(COROWASM_ASYNC_WASM_DIR) + "/wasi_streams.wasm"));
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

// One wasi_streams.wat guest with its own WASI context, on the test's io_context.
struct Guest {
  std::unique_ptr<wasi::Context> ctx;
  Store store;
  Instance inst;
  std::unique_ptr<AsyncInstance> async;
  Guest(asio::io_context& io, const Engine& engine, const Module& module, wasi::Config cfg)
      : ctx(std::make_unique<wasi::Context>(std::move(cfg))), store(engine) {
    Imports imports;
    ctx->define(imports, store, io.get_executor());
    inst = store.instantiate(module, imports);
    async = std::make_unique<AsyncInstance>(io.get_executor(), inst);
  }
  std::span<uint8_t> mem(uint32_t at, size_t n) { return inst.memory("memory").span<uint8_t>(at, n); }
  void grow_to(size_t bytes) {
    uint64_t pages = (bytes + 65535) / 65536, have = inst.memory("memory").pages();
    if (pages > have) check(inst.memory("memory").grow(pages - have) >= 0, "memory.grow");
  }
  // Calls `fn` and stores its i32 result (or a trap as INT32_MIN) in `out`.
  void call(const char* fn, std::vector<Value> args, std::optional<int32_t>& out, std::function<void()> then = {}) {
    async->async_call(fn, std::move(args), [&out, then](error_code ec, std::vector<Value> r) {
      out = ec ? INT32_MIN : r[0].as_i32();
      if (then) then();
    });
  }
};

wasi::Config config() {
  wasi::Config c;
  c.args = {"guest"};
  return c;
}

// Runs the loop until `done()` or a bound (a fail-safe; a blocked loop never gets back here).
bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::seconds limit = 100s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(100ms);
  }
  return done();
}

// What every scenario starts from: one loop, one engine, the module, and a pipe or socket pair
// (`ends[0]` the readers', `ends[1]` the writers').
struct Scene {
  asio::io_context io;
  Engine engine;
  Module module{streams_module(engine)};
  int ends[2] = {-1, -1};
  explicit Scene(bool socket = false) {
    if (socket) check(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) == 0, "socketpair");
    else check(::pipe2(ends, O_CLOEXEC) == 0, "pipe");
  }
  // A guest whose fd 0 is the reading end, or whose fd 1 is the writing end.
  std::unique_ptr<Guest> guest(bool reads) {
    wasi::Config c = config();
    (reads ? c.stdin_fd : c.stdout_fd) = ends[reads ? 0 : 1];
    return std::make_unique<Guest>(io, engine, module, c);
  }
};

std::string str(const std::optional<int32_t>& v) { return v ? std::to_string(*v) : "none"; }

bool nonblocking(int fd) { return (::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }

constexpr uint32_t kBuf = 65536;  // where the guests' data starts (page 1)

}  // namespace

TEST_CASE("wasi hostile: two writer guests and one reader guest on one pipe, one thread") {
  // Each writer writes 256 records of PIPE_BUF bytes ('A's or 'B's), each fd_write on its own;
  // the reader reads 1000 bytes at a time until end of file. Old code: both writers woke on the
  // same free page, the second then blocked the thread in writev with the reader unable to run.
  constexpr uint32_t kRecord = PIPE_BUF, kRecords = 256;
  auto r = in_child([&] {
    Scene sc;
    auto& io = sc.io;
    auto pr = sc.guest(true), pa = sc.guest(false), pb = sc.guest(false);
    Guest &reader = *pr, &a = *pa, &b = *pb;
    ::close(sc.ends[1]);
    reader.grow_to(kBuf + 2 * kRecord * kRecords + kBuf);
    for (auto [g, ch] : {std::pair{&a, 'A'}, std::pair{&b, 'B'}}) {
      g->grow_to(kBuf + kRecord);
      auto m = g->mem(kBuf, kRecord);
      std::memset(m.data(), ch, m.size());
    }
    std::optional<int32_t> ra, rb, got;
    auto t0 = std::chrono::steady_clock::now();
    reader.call("read_all", {Value::i32(0), Value::i32(kBuf), Value::i32(2 * kRecord * kRecords + 1), Value::i32(1000)}, got);
    a.call("write_records", {Value::i32(1), Value::i32(kBuf), Value::i32(kRecord), Value::i32(kRecords)}, ra,
           [&] { a.ctx->close_fds(); });
    b.call("write_records", {Value::i32(1), Value::i32(kBuf), Value::i32(kRecord), Value::i32(kRecords)}, rb,
           [&] { b.ctx->close_fds(); });
    bool done = run_until(io, [&] { return ra && rb && got; });
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Every PIPE_BUF record arrived whole (atomic writes), none lost.
    size_t whole_a = 0, whole_b = 0, torn = 0;
    if (got && *got > 0) {
      auto data = reader.mem(kBuf, size_t(*got));
      for (size_t off = 0; off + kRecord <= data.size(); off += kRecord) {
        size_t as = std::count(data.begin() + off, data.begin() + off + kRecord, 'A');
        size_t bs = std::count(data.begin() + off, data.begin() + off + kRecord, 'B');
        if (as == kRecord) ++whole_a;
        else if (bs == kRecord) ++whole_b;
        else ++torn;
      }
    }
    bool pipe_blocking = !nonblocking(sc.ends[0]);
    ::close(sc.ends[0]);
    return Results{{"done", std::to_string(done)}, {"a", str(ra)}, {"b", str(rb)}, {"got", str(got)},
                   {"whole_a", std::to_string(whole_a)}, {"whole_b", std::to_string(whole_b)},
                   {"torn", std::to_string(torn)}, {"host_pipe_blocking", std::to_string(pipe_blocking)},
                   {"secs", std::to_string(secs)}};
  });
  MESSAGE("two writers, one reader: 2 MiB in " << r["secs"] << " s");
  CHECK(r["done"] == "1");
  CHECK(r["a"] == std::to_string(kRecord * kRecords));
  CHECK(r["b"] == std::to_string(kRecord * kRecords));
  CHECK(r["got"] == std::to_string(2 * kRecord * kRecords));
  CHECK(r["whole_a"] == std::to_string(kRecords));
  CHECK(r["whole_b"] == std::to_string(kRecords));
  CHECK(r["torn"] == "0");
  CHECK(r["host_pipe_blocking"] == "1");
}

// Two reader guests and one writer guest on one pipe or one socket pair: all bytes arrive, each
// exactly once. Old code: both readers woke on the same bytes; the second blocked the thread in
// readv, the writer unable to run.
Results two_readers(bool socket) {
  constexpr uint32_t kRecord = 1000, kRecords = 1000, kTotal = kRecord * kRecords;
  return in_child([&] {
    Scene sc(socket);
    auto& io = sc.io;
    auto p1 = sc.guest(true), p2 = sc.guest(true), pw = sc.guest(false);
    Guest &r1 = *p1, &r2 = *p2, &w = *pw;
    ::close(sc.ends[1]);
    for (Guest* g : {&r1, &r2}) g->grow_to(kBuf + kTotal + kBuf);
    w.grow_to(kBuf + kRecord);
    auto rec = w.mem(kBuf, kRecord);
    for (uint32_t i = 0; i < kRecord; ++i) rec[i] = uint8_t(i % 251 + 1);
    uint64_t record_sum = 0;
    for (uint8_t c : rec) record_sum += c;
    std::optional<int32_t> g1, g2, wrote;
    auto t0 = std::chrono::steady_clock::now();
    r1.call("read_all", {Value::i32(0), Value::i32(kBuf), Value::i32(kTotal + 1), Value::i32(8192)}, g1);
    r2.call("read_all", {Value::i32(0), Value::i32(kBuf), Value::i32(kTotal + 1), Value::i32(8192)}, g2);
    w.call("write_records", {Value::i32(1), Value::i32(kBuf), Value::i32(kRecord), Value::i32(kRecords)}, wrote,
           [&] { w.ctx->close_fds(); });
    bool done = run_until(io, [&] { return g1 && g2 && wrote; });
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    uint64_t sum = 0;
    for (auto [g, n] : {std::pair{&r1, g1}, std::pair{&r2, g2}})
      if (n && *n > 0)
        for (uint8_t c : g->mem(kBuf, size_t(*n))) sum += c;
    bool blocking = !nonblocking(sc.ends[0]);
    ::close(sc.ends[0]);
    return Results{{"done", std::to_string(done)}, {"wrote", str(wrote)}, {"g1", str(g1)}, {"g2", str(g2)},
                   {"total", std::to_string(uint64_t(g1.value_or(0)) + uint64_t(g2.value_or(0)))},
                   {"sum", std::to_string(sum)}, {"want_sum", std::to_string(record_sum * kRecords)},
                   {"want_total", std::to_string(kTotal)}, {"host_blocking", std::to_string(blocking)},
                   {"secs", std::to_string(secs)}};
  });
}

TEST_CASE("wasi hostile: two reader guests and one writer guest on one pipe, then one socket (fd_read/fd_write)") {
  for (bool socket : {false, true}) {
    auto r = two_readers(socket);
    const char* what = socket ? "socket" : "pipe";
    MESSAGE("two readers on a " << what << ": " << r["g1"] << " + " << r["g2"] << " bytes in " << r["secs"] << " s");
    INFO(what);
    CHECK(r["done"] == "1");
    CHECK(r["wrote"] == r["want_total"]);
    CHECK(r["total"] == r["want_total"]);
    CHECK(r["sum"] == r["want_sum"]);
    CHECK(r["host_blocking"] == "1");
  }
}

TEST_CASE("wasi hostile: one 64 MiB fd_write to a pipe read slowly by another guest") {
  // A blocking-mode fd_write returns only when everything is written (as write(2) to a pipe
  // does), in as many rounds as the reader's pace needs, without blocking the thread.
  constexpr uint32_t kSize = 64u << 20;
  auto r = in_child([&] {
    Scene sc;
    auto& io = sc.io;
    auto pr = sc.guest(true), pw = sc.guest(false);
    Guest &reader = *pr, &writer = *pw;
    ::close(sc.ends[0]);
    int write_end = sc.ends[1];  // kept until the writer is done: its flags must stay blocking
    writer.grow_to(kBuf + kSize);
    reader.grow_to(kBuf + kSize + kBuf);
    std::mt19937_64 rng(9);
    auto src = writer.mem(kBuf, kSize);
    for (size_t i = 0; i < kSize; i += 8) {
      uint64_t v = rng();
      std::memcpy(src.data() + i, &v, 8);
    }
    std::optional<int32_t> wrote, got;
    bool write_end_blocking = false;
    auto t0 = std::chrono::steady_clock::now();
    reader.call("read_all", {Value::i32(0), Value::i32(kBuf), Value::i32(kSize + 1), Value::i32(4000)}, got);
    writer.call("write_once", {Value::i32(1), Value::i32(kBuf), Value::i32(kSize)}, wrote, [&] {
      write_end_blocking = !nonblocking(write_end);
      ::close(write_end);
      writer.ctx->close_fds();
    });
    bool done = run_until(io, [&] { return wrote && got; });
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    bool same = got && uint32_t(*got) == kSize &&
                std::memcmp(reader.mem(kBuf, kSize).data(), writer.mem(kBuf, kSize).data(), kSize) == 0;
    return Results{{"done", std::to_string(done)}, {"wrote", str(wrote)}, {"got", str(got)},
                   {"same", std::to_string(same)}, {"write_end_blocking", std::to_string(write_end_blocking)},
                   {"secs", std::to_string(secs)}};
  });
  MESSAGE("64 MiB through a pipe in 4000-byte reads: " << r["secs"] << " s");
  CHECK(r["done"] == "1");
  CHECK(r["wrote"] == std::to_string(kSize));
  CHECK(r["got"] == std::to_string(kSize));
  CHECK(r["same"] == "1");
  CHECK(r["write_end_blocking"] == "1");
}

TEST_CASE("wasi hostile: a guest writing 1 MiB to a terminal nobody drains yet does not block the thread") {
  // The guest's stdout is a pty; the host reads the master slowly on the same loop. Old code
  // wrote to terminals with a blocking writev: once the pty's buffer was full, the thread hung.
  constexpr uint32_t kSize = 1u << 20;
  auto r = in_child([&] {
    Scene sc;
    auto& io = sc.io;
    int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    check(master >= 0 && ::grantpt(master) == 0 && ::unlockpt(master) == 0, "posix_openpt");
    int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    check(slave >= 0, "open pty slave");
    termios t{};
    check(::tcgetattr(slave, &t) == 0, "tcgetattr");
    ::cfmakeraw(&t);
    check(::tcsetattr(slave, TCSANOW, &t) == 0, "tcsetattr");
    wasi::Config wc = config();
    wc.stdout_fd = slave;
    Guest writer(io, sc.engine, sc.module, wc);
    writer.grow_to(kBuf + kSize);
    auto src = writer.mem(kBuf, kSize);
    for (uint32_t i = 0; i < kSize; ++i) src[i] = uint8_t(i * 7 + i / 4096);
    std::optional<int32_t> wrote;
    writer.call("write_once", {Value::i32(1), Value::i32(kBuf), Value::i32(kSize)}, wrote);
    // The host's reader: at most 4096 bytes per 1 ms timer tick, on the same loop.
    asio::posix::stream_descriptor m(io, ::dup(master));
    std::vector<uint8_t> received;
    asio::steady_timer tick(io);
    std::array<uint8_t, 4096> chunk{};
    std::function<void()> next = [&] {
      tick.expires_after(1ms);
      tick.async_wait([&](boost::system::error_code) {
        m.async_read_some(asio::buffer(chunk), [&](boost::system::error_code ec, size_t n) {
          if (ec) return;
          received.insert(received.end(), chunk.begin(), chunk.begin() + n);
          if (received.size() < kSize) next();
        });
      });
    };
    next();
    bool done = run_until(io, [&] { return wrote && received.size() >= kSize; });
    bool same = received.size() == kSize && std::memcmp(received.data(), src.data(), kSize) == 0;
    bool slave_blocking = !nonblocking(slave);
    ::close(slave);
    ::close(master);
    return Results{{"done", std::to_string(done)}, {"wrote", str(wrote)},
                   {"received", std::to_string(received.size())}, {"same", std::to_string(same)},
                   {"slave_blocking", std::to_string(slave_blocking)}};
  });
  CHECK(r["done"] == "1");
  CHECK(r["wrote"] == std::to_string(kSize));
  CHECK(r["received"] == std::to_string(kSize));
  CHECK(r["same"] == "1");
  CHECK(r["slave_blocking"] == "1");
}

// ---- Per-guest caps

namespace {

// A directory with one file "f" to open again and again.
std::string scratch_dir(const std::string& name) {
  std::string d = std::string(COROWASM_TEST_SCRATCH) + "/" + name;
  std::string cmd = "rm -rf '" + d + "' && mkdir -p '" + d + "' && echo x > '" + d + "/f'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return d;
}

// open_many(fd 3, "f") in `g`: how many opened, and the errno that stopped it.
std::pair<int32_t, uint32_t> open_many(Guest& g, asio::io_context& io, int32_t max) {
  std::memcpy(g.mem(1024, 1).data(), "f", 1);
  std::optional<int32_t> n;
  g.call("open_many", {Value::i32(3), Value::i32(1024), Value::i32(1), Value::i32(max)}, n);
  check(run_until(io, [&] { return n.has_value(); }), "open_many did not finish");
  uint32_t err;
  std::memcpy(&err, g.mem(20, 4).data(), 4);
  return {*n, err};
}

}  // namespace

TEST_CASE("wasi caps: descriptors per guest (max_fds): ERRNO_MFILE before the host runs out") {
  CHECK(wasi::Config{}.max_fds == 1024);
  asio::io_context io;
  Engine engine;
  Module module = streams_module(engine);
  wasi::Config c = config();
  c.preopens = {{.host_path = scratch_dir("caps-fds"), .guest_path = "/d"}};
  c.max_fds = 8;
  Guest g(io, engine, module, c);
  auto [opened, err] = open_many(g, io, 100);
  CHECK(opened == 4);  // fds 4..7 after stdio and the preopen
  CHECK(err == 33);    // ERRNO_MFILE
  // The default: 1024 in all, whatever the host allows beyond.
  wasi::Config d = config();
  d.preopens = c.preopens;
  Guest h(io, engine, module, d);
  auto [opened2, err2] = open_many(h, io, 5000);
  CHECK(opened2 == 1024 - 4);
  CHECK(err2 == 33);
  // More preopens than the cap allows is the host's mistake: the context refuses to start.
  wasi::Config tiny = c;
  tiny.max_fds = 3;
  CHECK_THROWS_AS(wasi::Context{tiny}, Error);
}

TEST_CASE("wasi caps: the host out of descriptors is ERRNO_MFILE for the guest, and a read still does not block") {
  // The guest opens files until the host process's own limit, then reads an empty pipe: the
  // wait needs a descriptor the host no longer has. Old code fell back to a blocking readv,
  // and the thread hung.
  std::string dir = scratch_dir("caps-host");
  auto r = in_child([&] {
    Scene sc;
    auto& io = sc.io;
    wasi::Config c = config();
    c.stdin_fd = sc.ends[0];
    c.preopens = {{.host_path = dir, .guest_path = "/d"}};
    c.max_fds = 100000;
    Guest g(io, sc.engine, sc.module, c);
    asio::steady_timer reactor_up(io);  // the loop's own descriptors exist before the limit bites
    size_t open_now = 0;
    for (int fd = 0; fd < 65536; ++fd) open_now += ::fcntl(fd, F_GETFD) >= 0;
    rlimit lim{open_now + 16, open_now + 16};
    check(::setrlimit(RLIMIT_NOFILE, &lim) == 0, "setrlimit");
    auto [opened, err] = open_many(g, io, 1000);
    std::optional<int32_t> read;
    g.call("read_once", {Value::i32(0)}, read);
    bool done = run_until(io, [&] { return read.has_value(); });
    return Results{{"done", std::to_string(done)}, {"opened", std::to_string(opened)},
                   {"err", std::to_string(err)}, {"read", str(read)}};
  });
  CHECK(r["done"] == "1");
  CHECK(std::stoi(r["opened"]) > 0);
  CHECK(std::stoi(r["opened"]) < 1000);  // stopped by the host's limit, not by max_fds
  CHECK(r["err"] == "33");    // the host's EMFILE as ERRNO_MFILE
  CHECK(r["read"] == "-33");  // no descriptor to wait with: said so, not a blocked thread
}

TEST_CASE("wasi caps: poll_oneoff subscriptions beyond max_poll_subscriptions are ERRNO_INVAL") {
  CHECK(wasi::Config{}.max_poll_subscriptions == 4096);
  asio::io_context io;
  Engine engine;
  Module module = streams_module(engine);
  wasi::Config c = config();
  c.max_poll_subscriptions = 64;
  Guest g(io, engine, module, c);
  constexpr uint32_t kIn = 4096, kOut = 32768;
  auto poll = [&](uint32_t n) {
    // n clock subscriptions, relative, already expired (timeout 0).
    auto subs = g.mem(kIn, n * 48);
    std::memset(subs.data(), 0, subs.size());
    for (uint32_t i = 0; i < n; ++i) {
      uint64_t ud = i + 1;
      uint32_t clock = 1;
      std::memcpy(subs.data() + i * 48, &ud, 8);
      std::memcpy(subs.data() + i * 48 + 16, &clock, 4);
    }
    std::optional<int32_t> r;
    g.call("poll", {Value::i32(kIn), Value::i32(kOut), Value::i32(int32_t(n))}, r);
    REQUIRE(run_until(io, [&] { return r.has_value(); }));
    return *r;
  };
  CHECK(poll(64) == 64);
  CHECK(poll(65) == -28);  // ERRNO_INVAL
  CHECK(poll(512) == -28);
}

TEST_CASE("wasi caps: a 64 MiB random_get fills guest memory in place and lets the loop run meanwhile") {
  // Old code filled it in one go: the handler below ran once or not at all before the call
  // returned. Now the loop serves others between 1 MiB chunks.
  constexpr uint32_t kSize = 64u << 20, kChunk = 1u << 20;
  asio::io_context io;
  Engine engine;
  Module module = streams_module(engine);
  Guest g(io, engine, module, config());
  g.grow_to(kBuf + kSize);
  std::optional<int32_t> r;
  size_t ticks = 0;
  std::function<void()> tick = [&] {
    if (r) return;
    ++ticks;
    asio::post(io, tick);
  };
  g.call("random", {Value::i32(kBuf), Value::i32(kSize)}, r);
  asio::post(io, tick);
  REQUIRE(run_until(io, [&] { return r.has_value(); }));
  CHECK(*r == 0);
  MESSAGE("random_get of 64 MiB: the loop ran " << ticks << " other handlers meanwhile");
  CHECK(ticks >= kSize / kChunk / 2);
  // Every MiB was written (an all-zero MiB of random bytes does not happen).
  auto data = g.mem(kBuf, kSize);
  size_t zero_chunks = 0;
  for (uint32_t off = 0; off < kSize; off += kChunk)
    zero_chunks += std::all_of(data.begin() + off, data.begin() + off + kChunk, [](uint8_t b) { return b == 0; });
  CHECK(zero_chunks == 0);
  // A range beyond memory traps before anything is written.
  std::optional<int32_t> bad;
  g.call("random", {Value::i32(kBuf), Value::i32(int32_t(0xFFFF0000u))}, bad);
  REQUIRE(run_until(io, [&] { return bad.has_value(); }));
  CHECK(*bad == INT32_MIN);
}
