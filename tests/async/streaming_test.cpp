// async_compile: modules read from an AsyncReadStream compile while the bytes arrive.
#include <corowasm/async.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "test_util.h"

using namespace corowasm;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace tcp_ = boost::asio::ip;

namespace {

// An in-memory AsyncReadStream handing out `bytes` in chunks of the sizes `next_chunk` picks;
// every read completes through the executor, as a socket's would.
class ChunkedStream {
 public:
  using executor_type = asio::any_io_executor;
  ChunkedStream(executor_type ex, std::vector<uint8_t> bytes, std::function<size_t()> next_chunk)
      : ex_(std::move(ex)), bytes_(std::move(bytes)), next_chunk_(std::move(next_chunk)) {}
  executor_type get_executor() const { return ex_; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, size_t)>(
        [this](auto handler, MutableBuffers buffers) {
          size_t n = std::min({next_chunk_(), bytes_.size() - pos_, asio::buffer_size(buffers)});
          asio::buffer_copy(buffers, asio::buffer(bytes_.data() + pos_, n));
          pos_ += n;
          boost::system::error_code ec = n == 0 ? asio::error::eof : boost::system::error_code{};
          asio::post(ex_, [h = std::move(handler), ec, n]() mutable { std::move(h)(ec, n); });
        },
        token, buffers);
  }

 private:
  executor_type ex_;
  std::vector<uint8_t> bytes_;
  std::function<size_t()> next_chunk_;
  size_t pos_ = 0;
};

// "ok <stats>" or the error text: what a compile of `bytes` comes to.
std::string outcome_whole(const Engine& engine, const std::vector<uint8_t>& bytes) {
  try {
    ModuleStats st = engine.compile(bytes).stats();
    return "ok " + std::to_string(st.functions) + " " + std::to_string(st.compiled_code_bytes);
  } catch (const Error& e) {
    return e.what();
  }
}

std::string outcome_streamed(const Engine& engine, const std::vector<uint8_t>& bytes, std::function<size_t()> chunk) {
  asio::io_context io;
  ChunkedStream stream(io.get_executor(), bytes, std::move(chunk));
  std::string result = "never completed";
  async_compile(engine, stream, [&](std::exception_ptr ep, Module m) {
    if (!ep) {
      ModuleStats st = m.stats();
      result = "ok " + std::to_string(st.functions) + " " + std::to_string(st.compiled_code_bytes);
      return;
    }
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      result = e.what();
    }
  });
  io.run();
  return result;
}

}  // namespace

TEST_CASE("streaming compile of every spec module, 1-byte and random chunks, equals whole-buffer compile") {
  Engine engine;
  std::vector<std::filesystem::path> files;
  for (auto& e : std::filesystem::recursive_directory_iterator(COROWASM_UNIT_SPEC_DIR))
    if (e.path().extension() == ".wasm") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE_MESSAGE(!files.empty(), "no .wasm under " COROWASM_UNIT_SPEC_DIR);
  std::mt19937 rng(42);
  size_t ok = 0, errors = 0;
  for (auto& f : files) {
    std::vector<uint8_t> bytes = unit::read_bytes(f.string());
    std::string whole = outcome_whole(engine, bytes);
    CHECK_MESSAGE(outcome_streamed(engine, bytes, [] { return size_t(1); }) == whole, f.string());
    CHECK_MESSAGE(outcome_streamed(engine, bytes, [&] { return size_t(1 + rng() % 97); }) == whole, f.string());
    (whole.rfind("ok ", 0) == 0 ? ok : errors)++;
  }
  MESSAGE("streamed " << files.size() << " spec modules: " << ok << " compile, " << errors << " rejected");
}

TEST_CASE("a module sent over loopback TCP in small delayed chunks compiles while it arrives, then runs") {
  Engine engine;
  std::vector<uint8_t> bytes = unit::wasm("fib");
  asio::io_context io;
  tcp_::tcp::acceptor acceptor(io, {tcp_::make_address("127.0.0.1"), 0});
  tcp_::tcp::socket receiver(io);
  int32_t result = 0;
  size_t chunks_sent = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    tcp_::tcp::socket sender(io);
    co_await sender.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
    for (size_t pos = 0; pos < bytes.size(); pos += 7) {
      size_t n = std::min<size_t>(7, bytes.size() - pos);
      co_await asio::async_write(sender, asio::buffer(bytes.data() + pos, n), asio::use_awaitable);
      ++chunks_sent;
      asio::steady_timer delay(io, 1ms);
      co_await delay.async_wait(asio::use_awaitable);
    }
    sender.shutdown(tcp_::tcp::socket::shutdown_send);
  }, asio::detached);
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    co_await acceptor.async_accept(receiver, asio::use_awaitable);
    Module m = co_await async_compile(engine, receiver, asio::use_awaitable);
    result = m.instantiate().call_sync("fib", {Value::i32(20)}).at(0).as_i32();
  }, asio::detached);
  io.run();
  CHECK(chunks_sent > 3);
  CHECK(result == 6765);
}

TEST_CASE("a truncated or oversized stream completes with a clear error") {
  Engine engine;
  std::vector<uint8_t> bytes = unit::wasm("fib");
  std::vector<uint8_t> half(bytes.begin(), bytes.begin() + bytes.size() / 2);
  std::string truncated = outcome_streamed(engine, half, [] { return size_t(3); });
  CHECK(truncated.find("unexpected end") != std::string::npos);

  asio::io_context io;
  ChunkedStream stream(io.get_executor(), bytes, [] { return size_t(5); });
  std::string error;
  async_compile(engine, stream, [&](std::exception_ptr ep, Module) {
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }, /*max_bytes=*/16);
  io.run();
  CHECK(error == "module stream exceeds the limit of 16 bytes");
}
