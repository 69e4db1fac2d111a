// Host functions: every value type across the boundary (NaN payloads and references included),
// multi-value results, host exceptions becoming traps, and re-entry into the calling instance.
#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "test_util.h"

using namespace corowasm;
using unit::catch_as;

namespace {

enum class BoomMode { RuntimeError, Trap, NonStd, WrongType, Ok };

// host.wat instantiated against host functions that record what they saw.
struct HostFixture {
  Engine engine;
  Store store{engine};
  Instance inst;
  Func triple;  // a host function of type (i32) -> i32, used as a funcref
  std::vector<Value> seen;  // every argument any host function received, in order
  bool swap_fref = false;
  BoomMode boom = BoomMode::RuntimeError;

  HostFixture() {
    using V = ValType;
    triple = store.host_func({{V::I32}, {V::I32}}, [](Caller&, auto args, auto results) {
      results[0] = Value::i32(args[0].as_i32() * 3);
    });
    Imports im;
    im.define("env", "i32", store.host_func({{V::I32}, {V::I32}}, [this](Caller&, auto args, auto results) {
      seen.push_back(args[0]);
      results[0] = Value::i32(int32_t(uint32_t(args[0].as_i32()) * 3u + 1u));
    }));
    im.define("env", "i64", store.host_func({{V::I64}, {V::I64}}, [this](Caller&, auto args, auto results) {
      seen.push_back(args[0]);
      results[0] = Value::i64(int64_t(uint64_t(args[0].as_i64()) * 3));
    }));
    // The float functions flip the sign bit only, so any payload must come back intact.
    im.define("env", "f32", store.host_func({{V::F32}, {V::F32}}, [this](Caller&, auto args, auto results) {
      seen.push_back(args[0]);
      results[0] = Value::f32_bits(uint32_t(args[0].bits) ^ 0x80000000u);
    }));
    im.define("env", "f64", store.host_func({{V::F64}, {V::F64}}, [this](Caller&, auto args, auto results) {
      seen.push_back(args[0]);
      results[0] = Value::f64_bits(args[0].bits ^ 0x8000000000000000ull);
    }));
    im.define("env", "ext", store.host_func({{V::ExternRef}, {V::ExternRef}},
                                            [this](Caller&, auto args, auto results) {
      seen.push_back(args[0]);
      results[0] = args[0].is_null() ? Value::null(V::ExternRef) : Value::externref(args[0].bits + 1);
    }));
    im.define("env", "fref", store.host_func({{V::FuncRef}, {V::FuncRef}},
                                             [this](Caller&, auto args, auto results) {
      seen.push_back(args[0]);
      results[0] = (swap_fref && !args[0].is_null()) ? triple.ref() : args[0];
    }));
    im.define("env", "multi", store.host_func({{V::I32, V::I64, V::F32, V::F64}, {V::F64, V::F32, V::I64, V::I32}},
                                              [this](Caller&, auto args, auto results) {
      seen.insert(seen.end(), args.begin(), args.end());
      results[0] = Value::f64(args[3].as_f64() * 2);
      results[1] = Value::f32(args[2].as_f32() + 1);
      results[2] = Value::i64(args[1].as_i64() - 1);
      results[3] = Value::i32(args[0].as_i32() ^ 0xFF);
    }));
    im.define("env", "boom", store.host_func({{V::I32}, {V::I32}}, [this](Caller&, auto args, auto results) {
      seen.push_back(args[0]);
      switch (boom) {
        case BoomMode::RuntimeError: throw std::runtime_error("boom");
        case BoomMode::Trap: throw Trap(TrapKind::IntegerOverflow);
        case BoomMode::NonStd: throw 42;
        case BoomMode::WrongType: results[0] = Value::i64(1); break;
        case BoomMode::Ok: results[0] = Value::i32(41); break;
      }
    }));
    im.define("env", "fact_host", store.host_func({{V::I32}, {V::I32}}, [this](Caller&, auto args, auto results) {
      seen.push_back(args[0]);
      // Re-enter the instance that called us.
      auto r = inst.call_sync("fact", {args[0]});
      results[0] = r.at(0);
    }));
    inst = store.instantiate(unit::compile(engine, "host"), im);
  }

  Value call1(const char* name, std::initializer_list<Value> args) {
    auto r = inst.call_sync(name, args);
    REQUIRE(r.size() == 1);
    return r[0];
  }
};

}  // namespace

TEST_CASE("host functions: i32 and i64") {
  HostFixture h;
  CHECK(h.call1("call_i32", {Value::i32(-7)}) == Value::i32(-20));
  CHECK(h.call1("call_i32", {Value::i32(0x7FFFFFFF)}) == Value::i32(0x7FFFFFFE));  // 3(2^31-1)+1 wraps mod 2^32
  CHECK(h.call1("call_i64", {Value::i64(int64_t(1) << 40)}) == Value::i64(3298534883328));
  CHECK(h.call1("call_i64", {Value::i64(-1)}) == Value::i64(-3));
  REQUIRE(h.seen.size() == 4);
  CHECK(h.seen[0] == Value::i32(-7));
  CHECK(h.seen[1] == Value::i32(0x7FFFFFFF));
  CHECK(h.seen[2] == Value::i64(int64_t(1) << 40));
  CHECK(h.seen[3].type == ValType::I64);
  CHECK(h.seen[3].bits == 0xFFFFFFFFFFFFFFFFull);
}

TEST_CASE("host functions: f32 and f64, NaN payload bits preserved both ways") {
  HostFixture h;
  CHECK(h.call1("call_f32", {Value::f32(1.5f)}) == Value::f32(-1.5f));
  CHECK(h.call1("call_f64", {Value::f64(-2.25)}) == Value::f64(2.25));
  // NaNs built in Wasm: f32 nan:0x200001 = 0x7FA00001 (signalling), f64 -nan:0x4000000000001.
  CHECK(h.call1("nan32", {}) == Value::i32(int32_t(0xFFA00001u)));
  CHECK(h.call1("nan64", {}) == Value::i64(int64_t(0x7FF4000000000001ull)));
  REQUIRE(h.seen.size() == 4);
  CHECK(h.seen[2] == Value::f32_bits(0x7FA00001u));
  CHECK(h.seen[3] == Value::f64_bits(0xFFF4000000000001ull));
  // NaNs from the host through Wasm and back.
  CHECK(h.call1("call_f32", {Value::f32_bits(0x7F800001u)}) == Value::f32_bits(0xFF800001u));
  CHECK(h.call1("call_f64", {Value::f64_bits(0xFFF0000000000001ull)}) == Value::f64_bits(0x7FF0000000000001ull));
  CHECK(h.seen[4] == Value::f32_bits(0x7F800001u));
  CHECK(h.seen[5] == Value::f64_bits(0xFFF0000000000001ull));
}

TEST_CASE("host functions: externref params and results") {
  HostFixture h;
  CHECK(h.call1("call_ext", {Value::externref(0x1000)}) == Value::externref(0x1001));
  CHECK(h.call1("call_ext", {Value::null(ValType::ExternRef)}) == Value::null(ValType::ExternRef));
  CHECK(h.call1("ext_is_null", {Value::null(ValType::ExternRef)}) == Value::i32(1));
  CHECK(h.call1("ext_is_null", {Value::externref(0xFFFFFFFFFFFFFFFEull)}) == Value::i32(0));
  REQUIRE(h.seen.size() == 4);
  CHECK(h.seen[0] == Value::externref(0x1000));
  CHECK(h.seen[1] == Value::null(ValType::ExternRef));
  CHECK(h.seen[3] == Value::externref(0xFFFFFFFFFFFFFFFEull));
}

TEST_CASE("host functions: funcref params and results") {
  HostFixture h;
  // The host receives Wasm's $double and hands it back: the table calls $double.
  CHECK(h.call1("fref_call", {Value::i32(21)}) == Value::i32(42));
  REQUIRE(h.seen.size() == 1);
  CHECK(h.seen[0].type == ValType::FuncRef);
  CHECK_FALSE(h.seen[0].is_null());
  // The host substitutes a host function: the table now calls the host's triple.
  h.swap_fref = true;
  CHECK(h.call1("fref_call", {Value::i32(21)}) == Value::i32(63));
  // Null in, null out.
  CHECK(h.call1("fref_is_null", {}) == Value::i32(1));
  CHECK(h.seen.back() == Value::null(ValType::FuncRef));
  // A funcref passed from the host as an argument, then called through the table.
  CHECK(h.call1("call_via_table", {h.triple.ref(), Value::i32(5)}) == Value::i32(15));
  CHECK(h.call1("call_via_table", {h.inst.func("call_i32").ref(), Value::i32(5)}) == Value::i32(16));
  auto trap = catch_as<Trap>([&] { h.inst.call_sync("call_via_table", {h.inst.func("call_i64").ref(), Value::i32(5)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::IndirectCallMismatch);
  CHECK(std::string(trap->what()) == "indirect call type mismatch");
  // References round-trip unchanged.
  Value r = h.triple.ref();
  CHECK(h.call1("pass_fref", {r}) == r);
  CHECK(h.call1("pass_fref", {Value::null(ValType::FuncRef)}) == Value::null(ValType::FuncRef));
}

TEST_CASE("host functions: multi-value results") {
  HostFixture h;
  auto r = h.inst.call_sync("call_multi", {Value::i32(0x12), Value::i64(int64_t(1) << 40), Value::f32(1.5f), Value::f64(-2.25)});
  REQUIRE(r.size() == 4);
  CHECK(r[0] == Value::f64(-4.5));
  CHECK(r[1] == Value::f32(2.5f));
  CHECK(r[2] == Value::i64(1099511627775));
  CHECK(r[3] == Value::i32(0xED));
  REQUIRE(h.seen.size() == 4);
  CHECK(h.seen[0] == Value::i32(0x12));
  CHECK(h.seen[1] == Value::i64(int64_t(1) << 40));
  CHECK(h.seen[2] == Value::f32(1.5f));
  CHECK(h.seen[3] == Value::f64(-2.25));
  // Consumed in Wasm: 0xED + (2^40 - 1) + trunc(2.5) + trunc(-4.5) = 237 + 1099511627775 + 2 - 4.
  CHECK(h.call1("multi_sum", {Value::i32(0x12), Value::i64(int64_t(1) << 40), Value::f32(1.5f), Value::f64(-2.25)}) ==
        Value::i64(1099511628010));
}

TEST_CASE("host functions: a thrown std::runtime_error(\"boom\") becomes Trap{Host, \"boom\"}") {
  HostFixture h;
  auto trap = catch_as<Trap>([&] { h.inst.call_sync("call_boom", {Value::i32(1)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::Host);
  CHECK(std::string(trap->what()) == "boom");
  // A Trap thrown by the host keeps its kind and message.
  h.boom = BoomMode::Trap;
  trap = catch_as<Trap>([&] { h.inst.call_sync("call_boom", {Value::i32(2)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::IntegerOverflow);
  CHECK(std::string(trap->what()) == "integer overflow");
  // Anything else thrown is still a Host trap.
  h.boom = BoomMode::NonStd;
  trap = catch_as<Trap>([&] { h.inst.call_sync("call_boom", {Value::i32(3)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::Host);
  // A result of the wrong type is a Host trap, not a silent reinterpretation.
  h.boom = BoomMode::WrongType;
  trap = catch_as<Trap>([&] { h.inst.call_sync("call_boom", {Value::i32(4)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::Host);
  // The instance is fine afterwards.
  h.boom = BoomMode::Ok;
  CHECK(h.call1("call_boom", {Value::i32(5)}) == Value::i32(42));
  CHECK(h.seen == std::vector<Value>{Value::i32(1), Value::i32(2), Value::i32(3), Value::i32(4), Value::i32(5)});
}

TEST_CASE("host functions: re-entering the calling instance") {
  HostFixture h;
  // fact(10) alternates Wasm and host frames 10 levels deep: 10! = 3628800.
  CHECK(h.call1("fact", {Value::i32(10)}) == Value::i32(3628800));
  CHECK(h.seen == std::vector<Value>{Value::i32(9), Value::i32(8), Value::i32(7), Value::i32(6), Value::i32(5),
                                     Value::i32(4), Value::i32(3), Value::i32(2), Value::i32(1), Value::i32(0)});
  // And deeper: 1000 nested host <-> Wasm round trips (the product wraps; only the low bits
  // of 1000! survive, which are all zero).
  CHECK(h.call1("fact", {Value::i32(1000)}) == Value::i32(0));
  CHECK(h.call1("fact", {Value::i32(12)}) == Value::i32(479001600));
}

TEST_CASE("host functions: called directly from the host") {
  HostFixture h;
  auto r = h.triple.call_sync(std::vector<Value>{Value::i32(14)});
  REQUIRE(r.size() == 1);
  CHECK(r[0] == Value::i32(42));
  // Wrong arguments are an Error, not a Trap.
  try {
    h.inst.call_sync("call_i32", {Value::i64(1)});
    FAIL("no exception");
  } catch (const Trap&) {
    FAIL("a Trap for an argument type mismatch");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("wrong type") != std::string::npos);
  }
  CHECK_THROWS_AS(h.inst.call_sync("call_i32", {}), Error);
}

TEST_CASE("host functions: one that throws, called directly from the host, throws Trap") {
  // Regression (host-direct-call-exception): a host function called straight from the host goes
  // through the same error path as one called from Wasm.
  Engine engine;
  Store store(engine);
  Func f = store.host_func({{}, {}}, [](Caller&, auto, auto) { throw std::runtime_error("boom"); });
  auto trap = catch_as<Trap>([&] { f.call_sync({}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::Host);
  CHECK(std::string(trap->what()) == "boom");
}
