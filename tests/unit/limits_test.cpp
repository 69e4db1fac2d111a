// Limits on every synchronous path: start functions, bulk instructions, host re-entry, tables,
// backtraces, cross-store imports and host-function arguments. The asynchronous paths are in
// tests/async/limits_test.cpp.
#include <corowasm/corowasm.h>
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include <corowasm/internal.h>
#include "test_util.h"

using namespace corowasm;
using unit::catch_as;

namespace {

struct Guest {
  Store store;
  Instance inst;
};

// limits.wat, its `reenter` import calling f(n) back through call_sync.
Guest limits_guest(const Engine& engine) {
  Guest g{Store(engine), {}};
  Imports imports;
  Instance* self = &g.inst;
  imports.define("env", "reenter",
                 g.store.host_func({{ValType::I32}, {ValType::I32}},
                                   [self](Caller&, std::span<const Value> args, std::span<Value> results) {
                                     results[0] = self->call_sync("f", {args[0]}).at(0);
                                   }));
  g.inst = g.store.instantiate(unit::compile(engine, "limits"), imports);
  return g;
}

}  // namespace

TEST_CASE("limits: a start function that loops forever stops on the store's fuel") {
  Engine engine;
  Store store(engine);
  store.set_fuel(10'000);
  auto trap = catch_as<Trap>([&] { store.instantiate(unit::compile(engine, "limits_start"), {}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::OutOfFuel);
  CHECK(store.fuel() == 0u);
  CHECK_FALSE(trap->backtrace().empty());  // it names the start function's frame
}

TEST_CASE("limits: bulk instructions cost one fuel unit per 4 KiB") {
  Engine engine;
  Guest g = limits_guest(engine);
  g.store.set_fuel(1'000'000);
  const uint32_t n = 16u << 20;
  g.inst.call_sync("fill", {Value::i32(0), Value::i32(7), Value::i32(int32_t(n))});
  CHECK(*g.store.fuel() == 1'000'000 - n / 4096);
  auto mem = g.inst.memory("memory").span<uint8_t>(0, n);
  size_t wrong = 0;
  for (uint32_t i = 0; i < n; ++i) wrong += mem[i] != 7;
  CHECK(wrong == 0);

  // 100 fills of 8 KiB in a loop: 2 units each, and one per loop iteration after the first.
  g.store.set_fuel(1'000'000);
  g.inst.call_sync("fill_loop", {Value::i32(8192), Value::i32(100)});
  CHECK(*g.store.fuel() == 1'000'000 - 100 * 2 - 99);

  // A budget smaller than the work stops the instruction part-way.
  g.store.set_fuel(1000);
  auto trap = catch_as<Trap>([&] { g.inst.call_sync("fill", {Value::i32(0), Value::i32(1), Value::i32(int32_t(n))}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::OutOfFuel);
  CHECK(mem[n - 1] == 7);  // the end was never reached

  // Tables: one unit per 512 elements (4 KiB of references).
  g.store.set_fuel(1'000'000);
  CHECK(g.inst.call_sync("table_grow", {Value::i32(1 << 20)}).at(0) == Value::i32(10));
  CHECK(*g.store.fuel() == 1'000'000 - (1u << 20) / 512);
  g.inst.call_sync("table_fill", {Value::i32(1 << 20)});
  CHECK(*g.store.fuel() == 1'000'000 - 2 * (1u << 20) / 512);
}

TEST_CASE("limits: tables count toward one store-wide element limit") {
  Config config;
  config.max_table_elements = 1000;
  Engine engine(config);
  {
    Store store(engine);
    auto trap = catch_as<Trap>([&] { store.instantiate(unit::compile(engine, "limits_tables"), {}); });
    REQUIRE(trap);
    CHECK(std::string(trap->what()).find("table size exceeds the configured limit") != std::string::npos);
  }
  config.max_table_elements = 100;
  Engine small(config);
  Guest g = limits_guest(small);  // t0: 10 elements
  CHECK(g.inst.call_sync("table_grow", {Value::i32(50)}).at(0) == Value::i32(10));
  CHECK(g.inst.call_sync("table_grow", {Value::i32(41)}).at(0) == Value::i32(-1));  // 101 > 100
  CHECK(g.inst.call_sync("table_grow", {Value::i32(40)}).at(0) == Value::i32(60));
  // A host-made table shares the same budget, now spent.
  CHECK_THROWS_AS(g.store.table(TableType{ValType::FuncRef, {1, {}}}, Value::null(ValType::FuncRef)), Trap);
}

TEST_CASE("limits: host re-entry is bounded by max_reentry_depth") {
  Config config;
  config.max_reentry_depth = 10;
  Engine engine(config);
  Guest g = limits_guest(engine);
  CHECK(g.inst.call_sync("f", {Value::i32(10)}).at(0) == Value::i32(10));  // 10 nested re-entries
  auto trap = catch_as<Trap>([&] { g.inst.call_sync("f", {Value::i32(11)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::CallStackExhausted);
  CHECK(g.inst.call_sync("f", {Value::i32(3)}).at(0) == Value::i32(3));  // still usable
}

// Also run under `ulimit -s 256` (ctest unit/native-stack-256k).
TEST_CASE("limits: 100,000 nested host re-entries trap instead of overflowing the native stack") {
  Config config;
  config.max_reentry_depth = 1'000'000;  // the native-stack check must be what stops it
  Engine engine(config);
  Guest g = limits_guest(engine);
  auto trap = catch_as<Trap>([&] { g.inst.call_sync("f", {Value::i32(100'000)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::CallStackExhausted);
  CHECK(std::string(trap->what()) == "call stack exhausted");
  CHECK(g.inst.call_sync("f", {Value::i32(20)}).at(0) == Value::i32(20));
}

TEST_CASE("limits: a trap 50,000 frames deep keeps the first and last 64 frames") {
  Engine engine;
  Guest g = limits_guest(engine);
  auto trap = catch_as<Trap>([&] { g.inst.call_sync("rec", {Value::i32(50'000)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::Unreachable);
  CHECK(trap->backtrace().size() == 128);
  CHECK(trap->backtrace_omitted() == 50'001 - 128);  // rec(50000) .. rec(0)
  for (const TrapFrame& f : trap->backtrace()) CHECK(f.func_index == trap->backtrace()[0].func_index);
}

TEST_CASE("limits: importing another store's objects is a LinkError") {
  Engine engine;
  Store a(engine), b(engine);
  Imports imports;
  imports.define("env", "reenter",
                 a.host_func({{ValType::I32}, {ValType::I32}}, [](Caller&, std::span<const Value>, std::span<Value> r) {
                   r[0] = Value::i32(0);
                 }));
  auto err = catch_as<LinkError>([&] { b.instantiate(unit::compile(engine, "limits"), imports); });
  REQUIRE(err);
  CHECK(std::string(err->what()).find("belongs to another store") != std::string::npos);
  CHECK_NOTHROW(a.instantiate(unit::compile(engine, "limits"), imports));

  // The same for a memory, a table and a global exported by an instance of another store.
  Guest other = limits_guest(engine);
  Imports from_other;
  from_other.define("env", "reenter", b.host_func({{ValType::I32}, {ValType::I32}},
                                                   [](Caller&, std::span<const Value>, std::span<Value> r) {
                                                     r[0] = Value::i32(0);
                                                   }));
  Imports mem_import;
  mem_import.define("env", "grow", b.host_func({{ValType::I32}, {ValType::I32}},
                                                [](Caller&, std::span<const Value>, std::span<Value> r) {
                                                  r[0] = Value::i32(0);
                                                }));
  CHECK_NOTHROW(b.instantiate(unit::compile(engine, "memory_host"), mem_import));
  Imports wrong_store;
  wrong_store.define("env", "grow", other.store.host_func({{ValType::I32}, {ValType::I32}},
                                                          [](Caller&, std::span<const Value>, std::span<Value> r) {
                                                            r[0] = Value::i32(0);
                                                          }));
  CHECK_THROWS_AS(b.instantiate(unit::compile(engine, "memory_host"), wrong_store), LinkError);
}

TEST_CASE("limits: calling a host function checks the arguments' number and types") {
  Engine engine;
  Store store(engine);
  Func h = store.host_func({{ValType::I32, ValType::I64}, {ValType::I64}},
                           [](Caller&, std::span<const Value> args, std::span<Value> results) {
                             results[0] = Value::i64(args[0].as_i32() + args[1].as_i64());
                           });
  auto err = catch_as<Error>([&] { h.call_sync({}); });
  REQUIRE(err);
  CHECK(std::string(err->what()) == "wrong number of arguments: expected 2, got 0");
  Value wrong[] = {Value::i32(1), Value::i32(2)};
  err = catch_as<Error>([&] { h.call_sync(wrong); });
  REQUIRE(err);
  CHECK(std::string(err->what()) == "argument 1 has the wrong type: expected i64, got i32");
  Value right[] = {Value::i32(1), Value::i64(2)};
  CHECK(h.call_sync(right).at(0) == Value::i64(3));
}

namespace {

std::vector<uint8_t> module_header() { return {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00}; }

// A module whose type section holds `n` distinct function types: type k takes three f64
// and k % 200 i32 params (an unusual signature) and gives 1 + k / 200 f32 results.
std::vector<uint8_t> many_types(uint32_t n) {
  std::vector<uint8_t> body;
  unit::leb_u(body, n);
  for (uint32_t k = 0; k < n; ++k) {
    body.push_back(0x60);
    unit::leb_u(body, 3 + k % 200);
    body.insert(body.end(), 3, 0x7C);
    body.insert(body.end(), k % 200, 0x7F);
    unit::leb_u(body, 1 + k / 200);
    body.insert(body.end(), 1 + k / 200, 0x7D);
  }
  auto m = module_header();
  unit::section(m, 1, body);
  return m;
}

}  // namespace

TEST_CASE("limits: function types are released when no module or host function holds them") {
  Engine engine;
  size_t before = detail::live_type_ids();
  {
    Module m = engine.compile(many_types(20'000));  // signatures nobody else uses
    CHECK(detail::live_type_ids() == before + 20'000);
    Module again = engine.compile(many_types(20'000));  // the same 20,000: shared
    CHECK(detail::live_type_ids() == before + 20'000);
  }
  CHECK(detail::live_type_ids() == before);
  {
    Store store(engine);
    store.host_func({{ValType::F64, ValType::F64, ValType::F64, ValType::I32}, {ValType::F32}},
                    [](Caller&, std::span<const Value>, std::span<Value>) {});
    CHECK(detail::live_type_ids() == before + 1);
  }
  CHECK(detail::live_type_ids() == before);
}

TEST_CASE("limits: the JS API's implementation limits are ValidationErrors naming the limit") {
  Engine engine;
  auto too_many = [&](std::vector<uint8_t> bytes, const std::string& what) {
    auto err = catch_as<ValidationError>([&] { engine.compile(bytes); });
    REQUIRE(err);
    CHECK(err->reason().find("too many " + what) != std::string::npos);
    CHECK(err->reason().find("implementation limit") != std::string::npos);
  };
  // 1,001 parameters; 1,001 results (types k = 1001 and 1,001,000 of many_types' pattern).
  auto params = module_header();
  unit::section(params, 1, {0x01, 0x60, 0xE9, 0x07});  // count 1001, then nothing
  too_many(params, "parameters");
  auto results = module_header();
  unit::section(results, 1, {0x01, 0x60, 0x00, 0xE9, 0x07});
  too_many(results, "results");
  // Counts past the limits, refused before their contents are read.
  auto section_with_count = [](uint8_t id, uint32_t n) {
    std::vector<uint8_t> body;
    unit::leb_u(body, n);
    auto m = module_header();
    unit::section(m, id, body);
    return m;
  };
  too_many(section_with_count(1, 1'000'001), "types");
  too_many(section_with_count(2, 100'001), "imports");
  too_many(section_with_count(3, 1'000'001), "functions");
  too_many(section_with_count(4, 100'001), "tables");
  too_many(section_with_count(6, 1'000'001), "globals");
  too_many(section_with_count(7, 100'001), "exports");
  too_many(section_with_count(11, 100'001), "data segments");
  // 1,000 parameters are fine.
  std::vector<uint8_t> ok_body = {0x01, 0x60, 0xE8, 0x07};
  ok_body.insert(ok_body.end(), 1000, 0x7F);
  ok_body.push_back(0x00);
  auto ok = module_header();
  unit::section(ok, 1, ok_body);
  CHECK_NOTHROW(engine.compile(ok));
}

TEST_CASE("limits: a funcref of another store cannot enter a store") {
  Engine engine;
  Guest a = limits_guest(engine), b = limits_guest(engine);
  Value foreign = a.inst.func("f").ref();
  Value own = b.inst.func("f").ref();
  Table table = b.inst.table("t0");
  auto err = catch_as<Error>([&] { table.set(0, foreign); });
  REQUIRE(err);
  CHECK(std::string(err->what()) == "funcref belongs to another store");
  CHECK_NOTHROW(table.set(0, own));
  CHECK_THROWS_AS(b.store.table(TableType{ValType::FuncRef, {1, {}}}, foreign), Error);
  CHECK_THROWS_AS(b.store.global(GlobalType{ValType::FuncRef, true}, foreign), Error);
  Global g = b.store.global(GlobalType{ValType::FuncRef, true}, own);
  CHECK_THROWS_AS(g.set(foreign), Error);
  // As an argument, and as a host function's result.
  Func takes = b.store.host_func({{ValType::FuncRef}, {}}, [](Caller&, std::span<const Value>, std::span<Value>) {});
  Value arg[] = {foreign};
  CHECK_THROWS_AS(takes.call_sync(arg), Error);
  Func gives = b.store.host_func({{}, {ValType::FuncRef}},
                                 [&](Caller&, std::span<const Value>, std::span<Value> r) { r[0] = foreign; });
  auto trap = catch_as<Trap>([&] { gives.call_sync({}); });
  REQUIRE(trap);
  CHECK(std::string(trap->what()) == "host function returned a funcref of another store");
}
