// Linear memory: bounds checks at the last byte, effective-address overflow past 4 GiB,
// memory.grow results and limits, Config::max_memory_pages.
#include <doctest/doctest.h>

#include <cstdint>

#include "test_util.h"

using namespace corowasm;
using unit::catch_as;

namespace {

void check_oob(const Instance& inst, const char* name, std::initializer_list<Value> args) {
  CAPTURE(name);
  auto trap = catch_as<Trap>([&] { inst.call_sync(name, args); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::MemoryOutOfBounds);
  CHECK(std::string(trap->what()) == "out of bounds memory access");
}

Value one(const Instance& inst, const char* name, std::initializer_list<Value> args) {
  auto r = inst.call_sync(name, args);
  REQUIRE(r.size() == 1);
  return r[0];
}

}  // namespace

TEST_CASE("memory: loads and stores at the boundary of a 1-page memory") {
  Engine engine;
  Instance inst = unit::compile(engine, "memory").instantiate();
  Memory mem = inst.memory("mem");
  REQUIRE(mem);
  CHECK(mem.size_bytes() == 65536);

  // Last valid positions for each width.
  inst.call_sync("store32", {Value::i32(65532), Value::i32(0x11223344)});
  CHECK(one(inst, "load32", {Value::i32(65532)}) == Value::i32(0x11223344));
  CHECK(one(inst, "load8", {Value::i32(65535)}) == Value::i32(0x11));  // little-endian: top byte last
  CHECK(one(inst, "load16", {Value::i32(65534)}) == Value::i32(0x1122));
  CHECK(mem.data()[65532] == 0x44);
  inst.call_sync("store64", {Value::i32(65528), Value::i64(0x0102030405060708)});
  CHECK(one(inst, "load64", {Value::i32(65528)}) == Value::i64(0x0102030405060708));
  inst.call_sync("store8", {Value::i32(65535), Value::i32(0xAB)});
  CHECK(one(inst, "load8", {Value::i32(65535)}) == Value::i32(0xAB));

  // One past traps.
  check_oob(inst, "load8", {Value::i32(65536)});
  check_oob(inst, "load16", {Value::i32(65535)});
  check_oob(inst, "load32", {Value::i32(65533)});
  check_oob(inst, "load64", {Value::i32(65529)});
  check_oob(inst, "loadf64", {Value::i32(65529)});
  check_oob(inst, "load32", {Value::i32(-1)});  // address 0xFFFFFFFF
  check_oob(inst, "store8", {Value::i32(65536), Value::i32(1)});
  check_oob(inst, "store32", {Value::i32(65533), Value::i32(0x55667788)});
  check_oob(inst, "store64", {Value::i32(65529), Value::i64(-1)});
  // A trapping store writes nothing, not even its in-bounds bytes.
  CHECK(mem.data()[65533] == 0x03);
  CHECK(mem.data()[65534] == 0x02);
  CHECK(mem.data()[65535] == 0xAB);

  // offset + address: 65535 + 0 is the last byte, 65535 + 1 is past the end.
  CHECK(one(inst, "load8_off65535", {Value::i32(0)}) == Value::i32(0xAB));
  check_oob(inst, "load8_off65535", {Value::i32(1)});
  // offset 0xFFFFFFFF + address: the sum needs 33 bits and must not wrap around to a small
  // in-bounds address (0xFFFFFFFF + 1 = 2^32, + 0xFFFFFFFF = 2^33 - 2).
  check_oob(inst, "load8_offmax", {Value::i32(0)});
  check_oob(inst, "load8_offmax", {Value::i32(1)});
  check_oob(inst, "load32_offmax", {Value::i32(1)});
  check_oob(inst, "load32_offmax", {Value::i32(-1)});
  check_oob(inst, "store64_offmax", {Value::i32(1)});
  check_oob(inst, "store64_offmax", {Value::i32(0)});
  CHECK(mem.data()[0] == 0x00);

  // Bulk memory at the edge: zero-length at the very end is fine, one byte past is not.
  inst.call_sync("fill", {Value::i32(65535), Value::i32(0x5A), Value::i32(1)});
  CHECK(mem.data()[65535] == 0x5A);
  inst.call_sync("fill", {Value::i32(65536), Value::i32(0), Value::i32(0)});
  check_oob(inst, "fill", {Value::i32(65537), Value::i32(0), Value::i32(0)});
  check_oob(inst, "fill", {Value::i32(65535), Value::i32(0), Value::i32(2)});
  CHECK(mem.data()[65535] == 0x5A);
  inst.call_sync("copy", {Value::i32(0), Value::i32(65535), Value::i32(1)});
  CHECK(mem.data()[0] == 0x5A);
  check_oob(inst, "copy", {Value::i32(0), Value::i32(65535), Value::i32(2)});
  check_oob(inst, "copy", {Value::i32(65535), Value::i32(0), Value::i32(2)});
}

TEST_CASE("memory: memory.grow returns the old size, and -1 past the maximum") {
  Engine engine;
  Instance inst = unit::compile(engine, "memory").instantiate();  // (memory 1 3)
  Memory mem = inst.memory("mem");
  CHECK(one(inst, "size", {}) == Value::i32(1));
  CHECK(one(inst, "grow", {Value::i32(0)}) == Value::i32(1));
  CHECK(one(inst, "grow", {Value::i32(1)}) == Value::i32(1));
  CHECK(one(inst, "size", {}) == Value::i32(2));
  // The new page is zeroed and in bounds; its end is the new boundary.
  CHECK(one(inst, "load8", {Value::i32(65536)}) == Value::i32(0));
  CHECK(one(inst, "load32", {Value::i32(131068)}) == Value::i32(0));
  check_oob(inst, "load32", {Value::i32(131069)});
  CHECK(one(inst, "grow", {Value::i32(1)}) == Value::i32(2));
  CHECK(one(inst, "size", {}) == Value::i32(3));
  // At the maximum of 3 pages.
  CHECK(one(inst, "grow", {Value::i32(1)}) == Value::i32(-1));
  CHECK(one(inst, "grow", {Value::i32(-1)}) == Value::i32(-1));       // 0xFFFFFFFF pages
  CHECK(one(inst, "grow", {Value::i32(0x10000)}) == Value::i32(-1));
  CHECK(one(inst, "grow", {Value::i32(0)}) == Value::i32(3));
  CHECK(one(inst, "size", {}) == Value::i32(3));
  CHECK(mem.pages() == 3);
  CHECK(mem.size_bytes() == 3 * 65536);
  CHECK(one(inst, "load8", {Value::i32(3 * 65536 - 1)}) == Value::i32(0));
  check_oob(inst, "load8", {Value::i32(3 * 65536)});
  // The host side sees and obeys the same limits.
  CHECK(mem.grow(1) == -1);
  CHECK(mem.grow(0) == 3);
  REQUIRE(mem.type().limits.max.has_value());
  CHECK(*mem.type().limits.max == 3);
}

TEST_CASE("memory: host-side growth is visible to running code") {
  Engine engine;
  Instance inst = unit::compile(engine, "memory").instantiate();
  Memory mem = inst.memory("mem");
  check_oob(inst, "load8", {Value::i32(65536)});
  CHECK(mem.grow(2) == 1);
  mem.data()[3 * 65536 - 1] = 0x7E;
  CHECK(one(inst, "load8", {Value::i32(3 * 65536 - 1)}) == Value::i32(0x7E));
  CHECK(one(inst, "size", {}) == Value::i32(3));
}

TEST_CASE("memory: Config::max_memory_pages caps growth") {
  Config cfg;
  cfg.max_memory_pages = 2;
  Engine engine(cfg);
  SUBCASE("a memory without a maximum") {
    Instance inst = unit::compile(engine, "memory_nomax").instantiate();  // (memory 1)
    CHECK(one(inst, "grow", {Value::i32(1)}) == Value::i32(1));
    CHECK(one(inst, "grow", {Value::i32(1)}) == Value::i32(-1));
    CHECK(one(inst, "size", {}) == Value::i32(2));
    CHECK(one(inst, "load8", {Value::i32(2 * 65536 - 1)}) == Value::i32(0));
    check_oob(inst, "load8", {Value::i32(2 * 65536)});
    CHECK(inst.memory("mem").grow(1) == -1);
  }
  SUBCASE("a memory whose own maximum (3) is above the cap") {
    Instance inst = unit::compile(engine, "memory").instantiate();  // (memory 1 3)
    CHECK(one(inst, "grow", {Value::i32(2)}) == Value::i32(-1));
    CHECK(one(inst, "grow", {Value::i32(1)}) == Value::i32(1));
    CHECK(one(inst, "grow", {Value::i32(1)}) == Value::i32(-1));
    CHECK(one(inst, "size", {}) == Value::i32(2));
  }
  SUBCASE("a memory whose minimum is above the cap cannot be created") {
    Module m = unit::compile(engine, "memory_min3");  // (memory 3)
    CHECK_THROWS_AS(m.instantiate(), Error);
    Store store(engine);
    CHECK_THROWS_AS(store.memory(MemoryType{Limits{3, std::nullopt}}), Error);
    Memory host_mem = store.memory(MemoryType{Limits{1, std::nullopt}});
    CHECK(host_mem.grow(1) == 1);
    CHECK(host_mem.grow(1) == -1);
  }
  SUBCASE("the default cap is 65536 pages (4 GiB)") {
    Engine dflt;
    Instance inst = unit::compile(dflt, "memory_nomax").instantiate();
    CHECK(one(inst, "grow", {Value::i32(65536)}) == Value::i32(-1));  // 1 + 65536 pages
    CHECK(one(inst, "size", {}) == Value::i32(1));
  }
}

TEST_CASE("memory: growth during a host call is seen by the Wasm frame that resumes") {
  Engine engine;
  Store store(engine);
  Instance inst;
  bool nested = false;  // grow from the host directly, or through a nested Wasm call
  Imports imports;
  imports.define("env", "grow", store.host_func({{ValType::I32}, {ValType::I32}},
                                                [&](Caller& caller, auto args, auto results) {
    if (nested) {
      results[0] = inst.call_sync("grow_wasm", {args[0]}).at(0);
    } else {
      Memory m = caller.memory();
      REQUIRE(m);
      results[0] = Value::i32(int32_t(m.grow(uint64_t(args[0].as_i32()))));
    }
  }));
  inst = store.instantiate(unit::compile(engine, "memory_host"), imports);
  Memory mem = inst.memory("mem");
  // 1 page -> 3 pages inside the call; the store at 3*65536-4 was out of bounds before.
  CHECK(one(inst, "grow_then_store", {Value::i32(3 * 65536 - 4), Value::i32(10)}) == Value::i32(11));
  CHECK(mem.pages() == 3);
  CHECK(mem.data()[3 * 65536 - 4] == 10);
  // Again, growth from a nested Wasm call: 3 -> 5 pages exceeds the maximum of 4, so -1,
  // and the address 4*65536 stays out of bounds.
  nested = true;
  check_oob(inst, "grow_then_store", {Value::i32(4 * 65536), Value::i32(1)});
  CHECK(one(inst, "size", {}) == Value::i32(3));
  CHECK(one(inst, "grow_wasm", {Value::i32(-1)}) == Value::i32(-1));
}

TEST_CASE("memory: growth by a nested Wasm call is seen by the Wasm frame that resumes") {
  Engine engine;
  Store store(engine);
  Instance inst;
  Imports imports;
  imports.define("env", "grow", store.host_func({{ValType::I32}, {ValType::I32}},
                                                [&](Caller&, auto args, auto results) {
    results[0] = inst.call_sync("grow_wasm", {args[0]}).at(0);
  }));
  inst = store.instantiate(unit::compile(engine, "memory_host"), imports);
  CHECK(one(inst, "grow_then_store", {Value::i32(3 * 65536 - 4), Value::i32(20)}) == Value::i32(21));
  CHECK(one(inst, "size", {}) == Value::i32(3));
  CHECK(inst.memory("mem").data()[3 * 65536 - 4] == 20);
}

TEST_CASE("per-store limits: two stores of one engine, different memory caps") {
  Engine engine;
  Module m = unit::compile(engine, "memory_nomax");
  Store small(engine), large(engine);
  Config lim = small.limits();
  lim.max_memory_pages = 3;
  small.set_limits(lim);
  Instance a = small.instantiate(m, {});
  Instance b = large.instantiate(m, {});
  CHECK(a.call_sync("grow", {Value::i32(2)})[0] == Value::i32(1));   // 1 -> 3 pages
  CHECK(a.call_sync("grow", {Value::i32(1)})[0] == Value::i32(-1));  // past this store's cap
  CHECK(b.call_sync("grow", {Value::i32(5)})[0] == Value::i32(1));   // the other store: engine's cap
}
