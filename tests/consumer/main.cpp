// The consumer test's program: compiles a small module, binds two host functions with bind.h
// (one synchronous, one awaiting on the io_context), and calls exports both synchronously and
// through AsyncInstance. tests/package/consumer_test.sh compares what it prints.
#include <corowasm/async.h>
#include <corowasm/bind.h>
#include <corowasm/bind_async.h>
#include <corowasm/corowasm.h>
#include <corowasm/version.h>
#include <corowasm/wasi.h>  // unused here: included so that both compilers check it

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>

namespace asio = boost::asio;
using corowasm::Value;

namespace {

// wat2wasm of:
//   (module
//     (import "host" "scale" (func $scale (param i32) (result i32)))
//     (import "host" "fetch" (func $fetch (param i32) (result i32)))
//     (func (export "add") (param i32 i32) (result i32)
//       (i32.add (local.get 0) (local.get 1)))
//     (func (export "scaled_sum") (param i32 i32) (result i32)
//       (call $scale (i32.add (local.get 0) (local.get 1))))
//     (func (export "fetch_plus") (param i32) (result i32)
//       (i32.add (call $fetch (local.get 0)) (i32.const 100))))
const uint8_t kModule[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x02, 0x1b, 0x02, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x05, 0x73,
    0x63, 0x61, 0x6c, 0x65, 0x00, 0x00, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x05, 0x66, 0x65, 0x74, 0x63,
    0x68, 0x00, 0x00, 0x03, 0x04, 0x03, 0x01, 0x01, 0x00, 0x07, 0x21, 0x03, 0x03, 0x61, 0x64, 0x64,
    0x00, 0x02, 0x0a, 0x73, 0x63, 0x61, 0x6c, 0x65, 0x64, 0x5f, 0x73, 0x75, 0x6d, 0x00, 0x03, 0x0a,
    0x66, 0x65, 0x74, 0x63, 0x68, 0x5f, 0x70, 0x6c, 0x75, 0x73, 0x00, 0x04, 0x0a, 0x1e, 0x03, 0x07,
    0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x10, 0x00,
    0x0b, 0x0a, 0x00, 0x20, 0x00, 0x10, 0x01, 0x41, 0xe4, 0x00, 0x6a, 0x0b};

asio::awaitable<void> call_async(corowasm::AsyncInstance& guest) {
  // The arguments on a line of their own: GCC 11 and 12 reject a braced list inside a co_await
  // expression ("array used as initializer").
  std::vector<Value> args{Value::i32(7)};
  std::vector<Value> r = co_await guest.async_call("fetch_plus", std::move(args), asio::use_awaitable);
  std::printf("async_call fetch_plus(7) = %d\n", r.at(0).as_i32());
}

}  // namespace

int main() {
#if defined(__clang__)
  std::printf("compiled by: clang %d\n", __clang_major__);
#elif defined(__GNUC__)
  std::printf("compiled by: gcc %d\n", __GNUC__);
#endif
  static_assert(COROWASM_VERSION == COROWASM_VERSION_MAJOR * 10000 + COROWASM_VERSION_MINOR * 100 + COROWASM_VERSION_PATCH);
  std::printf("corowasm %s, package %s\n", COROWASM_VERSION_STRING, COROWASM_PACKAGE_VERSION);
  if (std::strcmp(COROWASM_VERSION_STRING, COROWASM_PACKAGE_VERSION) != 0) return 1;

  asio::io_context io;
  corowasm::Engine engine;
  corowasm::Module module = engine.compile(kModule);
  corowasm::Store store(engine);
  corowasm::Imports imports;
  imports.define("host", "scale", corowasm::bind(store, [](int32_t x) { return x * 10; }));
  // An async import: the guest suspends while the coroutine waits on the io_context.
  imports.define("host", "fetch", corowasm::bind(store, [](int32_t key) -> asio::awaitable<int32_t> {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    co_return key * 3;
  }));
  corowasm::Instance inst = store.instantiate(module, imports);

  std::printf("call_sync add(2, 40) = %d\n", inst.call_sync("add", {Value::i32(2), Value::i32(40)}).at(0).as_i32());
  std::printf("call_sync scaled_sum(2, 3) = %d\n",
              inst.call_sync("scaled_sum", {Value::i32(2), Value::i32(3)}).at(0).as_i32());

  corowasm::AsyncInstance guest(io.get_executor(), inst);
  bool finished = false;
  asio::co_spawn(io, call_async(guest), [&](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
    finished = true;
  });
  io.run();
  std::printf("%s\n", finished ? "done" : "the async call did not finish");
  return finished ? 0 : 1;
}
