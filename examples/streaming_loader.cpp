// streaming_loader: one side sends a .wasm over loopback TCP in small chunks with delays; the
// other compiles it while receiving (each function body as soon as it has arrived), then runs it.
//
//   streaming_loader GUEST.wasm
#include <corowasm/async.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: streaming_loader GUEST.wasm\n");
    return 1;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  asio::io_context io;
  corowasm::Engine engine;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  int exit_code = 1;

  // Sender: 8-byte chunks, 2 ms apart.
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    tcp::socket socket(io);
    co_await socket.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
    for (size_t pos = 0; pos < bytes.size(); pos += 8) {
      co_await asio::async_write(socket, asio::buffer(bytes.data() + pos, std::min<size_t>(8, bytes.size() - pos)),
                                 asio::use_awaitable);
      asio::steady_timer pause(io, 2ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
    socket.shutdown(tcp::socket::shutdown_send);
  }, asio::detached);

  // Receiver: compile while the bytes arrive, then run.
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    tcp::socket socket(io);
    co_await acceptor.async_accept(socket, asio::use_awaitable);
    auto t0 = std::chrono::steady_clock::now();
    corowasm::Module module = co_await corowasm::async_compile(engine, socket, asio::use_awaitable);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    auto result = module.instantiate().call_sync("fib", {corowasm::Value::i32(25)});
    std::printf("received and compiled %zu bytes in %.1f ms; fib(25) = %d\n", bytes.size(), ms, result.at(0).as_i32());
    exit_code = result.at(0).as_i32() == 75025 ? 0 : 1;
  }, [](std::exception_ptr ep) {
    if (!ep) return;
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "streaming_loader: %s\n", e.what());
    }
  });
  io.run();
  return exit_code;
}
