// spawn_fibers: the same guest call from stackful coroutines (asio::spawn + yield_context):
// 100 fibers, each calling a guest whose async import sleeps.
//
//   spawn_fibers GUEST.wasm
#include <corowasm/async.h>

#include <boost/asio/spawn.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace asio = boost::asio;
using corowasm::Value;
using corowasm::ValType;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: spawn_fibers GUEST.wasm\n");
    return 1;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  asio::io_context io;
  corowasm::Engine engine;
  corowasm::Module module = engine.compile(bytes);
  int counted = 0, finished = 0;
  for (int i = 0; i < 100; ++i) {
    asio::spawn(io, [&, i](asio::yield_context yield) {
      corowasm::Store store(engine);
      corowasm::Imports imports;
      imports.define("env", "sleep", corowasm::async_host_func(store, {{ValType::I32}, {}},
          [](corowasm::Caller&, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
            asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(args[0].as_i32()));
            co_await timer.async_wait(asio::use_awaitable);
            co_return std::vector<Value>{};
          }));
      imports.define("env", "count", store.host_func({{}, {}}, [&](corowasm::Caller&, auto, auto) { ++counted; }));
      corowasm::AsyncInstance guest(io.get_executor(), store.instantiate(module, imports));
      boost::system::error_code ec;
      guest.async_call("run", {Value::i32(10 + i % 10)}, asio::redirect_error(yield, ec));
      if (ec) std::fprintf(stderr, "fiber %d: %s\n", i, ec.message().c_str());
      else ++finished;
    }, asio::detached);
  }
  io.run();
  std::printf("fibers finished: %d of 100, guests counted: %d\n", finished, counted);
  return finished == 100 && counted == 100 ? 0 : 1;
}
