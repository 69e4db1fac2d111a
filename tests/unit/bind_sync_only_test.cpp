// <corowasm/bind.h> alone: the synchronous binding builds and runs without Asio, whose async
// binding is <corowasm/bind_async.h>. The check below stands right after the include, before
// anything else could bring Asio in.
#include <corowasm/bind.h>

#if defined(BOOST_ASIO_VERSION) || defined(BOOST_ASIO_DETAIL_CONFIG_HPP) || defined(ASIO_VERSION) || \
    defined(ASIO_DETAIL_CONFIG_HPP)
#error "<corowasm/bind.h> includes Asio: asynchronous binding belongs in <corowasm/bind_async.h>"
#endif

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "test_util.h"

using namespace corowasm;

TEST_CASE("bind without Asio: a stateful callable and a void one, called from Wasm") {
  Engine engine;
  Store store(engine);
  int32_t factor = 3;
  std::vector<int64_t> notes;
  Imports imports;
  imports.define("env", "scale", bind(store, [&factor](uint32_t x) { return uint32_t(x * factor); }));
  imports.define("env", "note", bind(store, [&notes](Caller&, int64_t v) { notes.push_back(v); }));
  Instance inst = store.instantiate(unit::compile(engine, "bind_sync"), imports);

  CHECK(inst.call_sync("scale_twice", {Value::i32(7)})[0] == Value::i32(63));
  factor = -1;  // the callable is bound by reference to the host's state
  CHECK(inst.call_sync("scale_twice", {Value::i32(5)})[0] == Value::i32(5));
  CHECK(inst.call_sync("note", {Value::i64(-42)}).empty());
  CHECK(notes == std::vector<int64_t>{-42});
}
