// Typed host binding (host/include/corowasm/bind.h) and checked guest-memory spans.
#include <corowasm/bind.h>
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <tuple>

#include "test_util.h"

using namespace corowasm;
using unit::catch_as;

namespace {

Imports bound_imports(Store& store) {
  Imports imports;
  imports.define("env", "add", bind(store, [](int32_t a, int32_t b) { return a + b; }));
  imports.define("env", "mix", bind(store, [](int64_t a, float b, double c) { return double(a) + b + c; }));
  imports.define("env", "sum", bind(store, [](Caller& caller, uint32_t ptr, uint32_t len) {
    int32_t total = 0;
    for (uint8_t b : caller.memory().span<const uint8_t>(ptr, len)) total += b;
    return total;
  }));
  return imports;
}

}  // namespace

TEST_CASE("bind: the Wasm type comes from the C++ types") {
  CHECK(host_type_of<decltype([](int32_t, uint32_t) { return int64_t(0); })>() ==
        FuncType{{ValType::I32, ValType::I32}, {ValType::I64}});
  CHECK(host_type_of<decltype([](Caller&, float, double) {})>() == FuncType{{ValType::F32, ValType::F64}, {}});
}

TEST_CASE("bind: typed host functions called from Wasm") {
  Engine engine;
  Store store(engine);
  Instance inst = store.instantiate(unit::compile(engine, "bind"), bound_imports(store));
  CHECK(inst.call_sync("add", {Value::i32(2), Value::i32(3)})[0] == Value::i32(5));
  CHECK(inst.call_sync("mix", {Value::i64(2), Value::f32(0.5f), Value::f64(0.25)})[0] == Value::f64(2.75));
  CHECK(inst.call_sync("sum", {Value::i32(16), Value::i32(4)})[0] == Value::i32(10));
  // A span past the end of memory traps instead of reading outside it.
  auto trap = catch_as<Trap>([&] { inst.call_sync("sum", {Value::i32(65534), Value::i32(4)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::MemoryOutOfBounds);
  trap = catch_as<Trap>([&] { inst.call_sync("sum", {Value::i32(-1), Value::i32(2)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::MemoryOutOfBounds);
}

TEST_CASE("bind: a callable of the wrong type is refused at link time, naming both types") {
  Engine engine;
  Store store(engine);
  Imports imports = bound_imports(store);
  imports.define("env", "add", bind(store, [](int32_t a) { return a; }));
  auto err = catch_as<LinkError>([&] { store.instantiate(unit::compile(engine, "bind"), imports); });
  REQUIRE(err);
  CHECK(std::string(err->what()) ==
        "incompatible import type for func \"env\".\"add\": the module expects (i32 i32) -> (i32), "
        "the host provides (i32) -> (i32)");
}

TEST_CASE("bind: tuples for multi-value, bool, externref, void, and a throwing callable's message") {
  Engine engine;
  Store store(engine);
  int failures = 0;
  Imports imports;
  imports.define("env", "divmod", bind(store, [](uint32_t a, uint32_t b) { return std::tuple{a / b, a % b}; }));
  imports.define("env", "both", bind(store, [](bool a, bool b) { return a && b; }));
  imports.define("env", "keep", bind(store, [](ExternRef r) { return ExternRef{r.word + 1}; }));
  imports.define("env", "fail", bind(store, [&](int32_t key) {
    ++failures;
    throw std::runtime_error("no such key: " + std::to_string(key));
  }));
  CHECK(host_type_of<decltype([](uint32_t, uint32_t) { return std::tuple<uint32_t, uint32_t>{}; })>() ==
        FuncType{{ValType::I32, ValType::I32}, {ValType::I32, ValType::I32}});
  CHECK(host_type_of<decltype([](ExternRef, bool) {})>() == FuncType{{ValType::ExternRef, ValType::I32}, {}});
  Instance inst = store.instantiate(unit::compile(engine, "bind_more"), imports);

  auto [q, r] = inst.typed_func<std::tuple<uint32_t, uint32_t>(uint32_t, uint32_t)>("divmod").call_sync(17, 5);
  CHECK(q == 3u);
  CHECK(r == 2u);
  auto both = inst.typed_func<bool(bool, bool)>("both");
  CHECK(both.call_sync(true, true));
  CHECK_FALSE(both.call_sync(true, false));
  // A guest's non-zero i32 other than 1 reads as true.
  CHECK(inst.call_sync("both", {Value::i32(2), Value::i32(-1)})[0] == Value::i32(1));
  CHECK(inst.typed_func<ExternRef(ExternRef)>("keep").call_sync(ExternRef{41}) == ExternRef{42});
  auto trap = catch_as<Trap>([&] { inst.typed_func<void(int32_t)>("fail").call_sync(7); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::Host);
  CHECK(std::string(trap->what()) == "no such key: 7");
  CHECK(failures == 1);
  REQUIRE_FALSE(trap->backtrace().empty());
  CHECK(trap->backtrace()[0].host);
  CHECK(trap->backtrace()[0].name == "env.fail");
}
