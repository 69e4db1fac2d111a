// Linker (vm/api/linker.cpp): definitions made once, each store getting its own functions and
// module instances; per-store host state through Caller::data<T>().
#include <doctest/doctest.h>

#include <memory>

#include "test_util.h"

using namespace corowasm;
using unit::catch_as;

namespace {

struct Counter {
  int calls = 0;
};

}  // namespace

TEST_CASE("Linker: host functions and modules defined once, instantiated per store") {
  Engine engine;
  Module lib = unit::compile(engine, "linker_lib");
  Module main_module = unit::compile(engine, "linker_main");
  int made = 0;  // how many stores got their own env.add
  Linker linker;
  linker.define("env", "add", [&made](Store& store) {
    ++made;
    return store.host_func({{ValType::I32, ValType::I32}, {ValType::I32}},
                           [](Caller& caller, std::span<const Value> args, std::span<Value> out) {
                             // Per-store state, and the calling instance's exports.
                             caller.data<Counter>()->calls++;
                             Memory mem = std::get<Memory>(*caller.get_export("memory"));
                             out[0] = Value::i32(args[0].as_i32() + args[1].as_i32() + mem.data()[0]);
                           });
  });
  linker.define_module("lib", lib);

  Store a(engine), b(engine);
  a.set_data(Counter{});
  b.set_data(Counter{});
  Instance a1 = linker.instantiate(a, main_module);
  Instance a2 = linker.instantiate(a, main_module);
  Instance b1 = linker.instantiate(b, main_module);
  CHECK(made == 2);  // once per store, shared by a1 and a2

  CHECK(a1.call_sync("add", {Value::i32(1), Value::i32(2)})[0] == Value::i32(1 + 2 + 42));
  CHECK(a2.call_sync("add", {Value::i32(3), Value::i32(4)})[0] == Value::i32(3 + 4 + 42));
  CHECK(b1.call_sync("add", {Value::i32(5), Value::i32(6)})[0] == Value::i32(5 + 6 + 42));
  CHECK(a.data<Counter>()->calls == 2);
  CHECK(b.data<Counter>()->calls == 1);
  CHECK(a.data<int>() == nullptr);  // no int stored

  // One "lib" instance per store: a1 and a2 share its counter, b1 has its own.
  CHECK(a1.call_sync("next")[0] == Value::i32(1));
  CHECK(a2.call_sync("next")[0] == Value::i32(2));
  CHECK(b1.call_sync("next")[0] == Value::i32(1));
}

TEST_CASE("Linker: what nothing defines is named by the instantiation") {
  Engine engine;
  Linker linker;
  linker.define_module("lib", unit::compile(engine, "linker_lib"));
  Store store(engine);
  auto e = catch_as<LinkError>([&] { linker.instantiate(store, unit::compile(engine, "linker_main")); });
  REQUIRE(e);
  CHECK(std::string(e->what()).find("\"env\"") != std::string::npos);
  CHECK(std::string(e->what()).find("add") != std::string::npos);
}

TEST_CASE("Linker: a store that used a Linker is freed with its last handle") {
  Engine engine;
  Linker linker;
  linker.define("env", "add", {{ValType::I32, ValType::I32}, {ValType::I32}},
                [](Caller&, std::span<const Value> a, std::span<Value> r) { r[0] = Value::i32(a[0].as_i32() + a[1].as_i32()); });
  linker.define_module("lib", unit::compile(engine, "linker_lib"));
  std::weak_ptr<int> witness;
  {
    Store store(engine);
    auto token = std::make_shared<int>(7);
    witness = token;
    store.set_data(std::move(token));  // the store's data: dies with the store
    Instance inst = linker.instantiate(store, unit::compile(engine, "linker_main"));
    CHECK(inst.call_sync("next")[0] == Value::i32(1));
    CHECK(**store.data<std::shared_ptr<int>>() == 7);
  }
  // The store's cache of what the Linker made holds no handle that would keep it alive.
  CHECK(witness.expired());
}

TEST_CASE("Linker: a redefinition reaches stores that used the old definition") {
  Engine engine;
  Linker linker;
  auto adder = [](int32_t k) {
    return [k](Caller&, std::span<const Value> a, std::span<Value> r) { r[0] = Value::i32(a[0].as_i32() + a[1].as_i32() + k); };
  };
  linker.define("env", "add", {{ValType::I32, ValType::I32}, {ValType::I32}}, adder(0));
  linker.define_module("lib", unit::compile(engine, "linker_lib"));
  Module main_module = unit::compile(engine, "linker_main");
  Store store(engine);
  Instance before = linker.instantiate(store, main_module);
  CHECK(before.call_sync("add", {Value::i32(1), Value::i32(2)})[0] == Value::i32(3));
  CHECK(before.call_sync("next")[0] == Value::i32(1));
  linker.define("env", "add", {{ValType::I32, ValType::I32}, {ValType::I32}}, adder(100));
  linker.define_module("lib", unit::compile(engine, "linker_lib"));  // a fresh library instance
  Instance after = linker.instantiate(store, main_module);
  CHECK(after.call_sync("add", {Value::i32(1), Value::i32(2)})[0] == Value::i32(103));
  CHECK(after.call_sync("next")[0] == Value::i32(1));
  // Instances made before keep what they were linked with.
  CHECK(before.call_sync("add", {Value::i32(1), Value::i32(2)})[0] == Value::i32(3));
  CHECK(before.call_sync("next")[0] == Value::i32(2));
}
