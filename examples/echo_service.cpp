// echo_service: a TCP server on loopback where each connection is served by its own guest. The
// guest's `serve` export loops on async host imports `read` and `write`, which move bytes
// between the socket and guest memory; while a guest waits for its client, the thread serves
// the others. The same process runs the clients and checks every echo.
//
//   echo_service GUEST.wasm [CONNECTIONS] [MESSAGES]
#include <corowasm/async.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using corowasm::Value;
using corowasm::ValType;

namespace {

// Bounds-checked view of guest memory for a host import (a bad pointer traps the guest).
std::span<uint8_t> guest_bytes(corowasm::Caller& caller, uint32_t ptr, uint32_t len) {
  corowasm::Memory mem = caller.memory();
  if (!mem || uint64_t(ptr) + len > mem.size_bytes()) throw corowasm::Trap(corowasm::TrapKind::MemoryOutOfBounds);
  return {mem.data() + ptr, len};
}

asio::awaitable<void> serve(const corowasm::Engine& engine, const corowasm::Module& module, tcp::socket socket_in) {
  auto socket = std::make_shared<tcp::socket>(std::move(socket_in));
  corowasm::Store store(engine);
  corowasm::Imports imports;
  imports.define("conn", "read", corowasm::async_host_func(store, {{ValType::I32, ValType::I32}, {ValType::I32}},
      [socket](corowasm::Caller& caller, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
        std::span<uint8_t> buf = guest_bytes(caller, uint32_t(args[0].as_i32()), uint32_t(args[1].as_i32()));
        auto [ec, n] = co_await socket->async_read_some(asio::buffer(buf.data(), buf.size()),
                                                        asio::as_tuple(asio::use_awaitable));
        if (ec && ec != asio::error::eof) throw boost::system::system_error(ec);
        co_return std::vector<Value>{Value::i32(int32_t(n))};  // 0: the peer closed
      }));
  imports.define("conn", "write", corowasm::async_host_func(store, {{ValType::I32, ValType::I32}, {}},
      [socket](corowasm::Caller& caller, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
        std::span<uint8_t> buf = guest_bytes(caller, uint32_t(args[0].as_i32()), uint32_t(args[1].as_i32()));
        co_await asio::async_write(*socket, asio::buffer(buf.data(), buf.size()), asio::use_awaitable);
        co_return std::vector<Value>{};
      }));
  corowasm::AsyncInstance guest(co_await asio::this_coro::executor, store.instantiate(module, imports));
  co_await guest.async_call("serve", {}, asio::use_awaitable);
}

asio::awaitable<void> client(tcp::endpoint server, int id, int messages, int& good) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(server, asio::use_awaitable);
  for (int m = 0; m < messages; ++m) {
    std::string msg = "connection " + std::to_string(id) + " message " + std::to_string(m) + "\n";
    co_await asio::async_write(socket, asio::buffer(msg), asio::use_awaitable);
    std::string echo(msg.size(), '\0');
    co_await asio::async_read(socket, asio::buffer(echo), asio::use_awaitable);
    if (echo == msg) ++good;
  }
  socket.shutdown(tcp::socket::shutdown_send);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: echo_service GUEST.wasm [CONNECTIONS] [MESSAGES]\n");
    return 1;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  int connections = argc > 2 ? std::atoi(argv[2]) : 50;
  int messages = argc > 3 ? std::atoi(argv[3]) : 20;

  asio::io_context io;
  corowasm::Engine engine;
  corowasm::Module module = engine.compile(bytes);
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  int served = 0, good = 0, failed = 0;

  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < connections; ++i) {
      tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
      asio::co_spawn(io, serve(engine, module, std::move(s)), [&](std::exception_ptr ep) {
        if (ep) ++failed;
        else ++served;
      });
    }
  }, asio::detached);
  for (int i = 0; i < connections; ++i)
    asio::co_spawn(io, client(acceptor.local_endpoint(), i, messages, good), asio::detached);
  io.run();

  std::printf("connections served by guests: %d of %d; echoes verified: %d of %d\n", served, connections, good,
              connections * messages);
  return served == connections && failed == 0 && good == connections * messages ? 0 : 1;
}
