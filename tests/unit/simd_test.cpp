// v128 across the boundaries the VM moves values over: the host API (Value::v128), frames with
// scalars and vectors mixed, globals, select, blocks and branches, host imports and table
// calls. The lane arithmetic itself is the spec suite's (spec/simd, spec3).
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "test_util.h"

using namespace corowasm;

namespace {

// i32x4 lanes, lane 0 first.
Value i32x4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return Value::v128(uint64_t(a) | uint64_t(b) << 32, uint64_t(c) | uint64_t(d) << 32);
}

struct SimdFixture {
  Engine engine;
  Store store{engine};
  Instance inst;
  std::vector<Value> seen;

  SimdFixture() {
    using V = ValType;
    Imports im;
    im.define("env", "swap", store.host_func({{V::I32, V::V128, V::I64}, {V::V128, V::I32}},
                                             [this](Caller&, auto args, auto results) {
      seen.assign(args.begin(), args.end());
      results[0] = Value::v128(args[1].hi, args[1].bits);  // the halves swapped
      results[1] = Value::i32(args[0].as_i32() + int32_t(args[2].as_i64()));
    }));
    inst = store.instantiate(unit::compile(engine, "simd_values"), im);
  }
};

}  // namespace

TEST_CASE("simd: Value::v128 halves and bytes") {
  uint8_t b[16];
  for (int i = 0; i < 16; ++i) b[i] = uint8_t(i + 1);
  Value v = Value::v128(b);
  CHECK(v.type == ValType::V128);
  CHECK(v.bits == 0x0807060504030201ull);
  CHECK(v.hi == 0x100f0e0d0c0b0a09ull);
  uint8_t out[16];
  v.v128_bytes(out);
  CHECK(std::vector<uint8_t>(out, out + 16) == std::vector<uint8_t>(b, b + 16));
  CHECK(to_string(v) == "0x100f0e0d0c0b0a090807060504030201");
}

TEST_CASE("simd: v128 parameters and results among scalars") {
  SimdFixture f;
  auto r = f.inst.call_sync("mix", {Value::i32(5), i32x4(1, 2, 3, 4), Value::i64(100), i32x4(10, 20, 30, 40),
                                    Value::f32(1.5f)});
  REQUIRE(r.size() == 4);
  CHECK(r[0] == Value::f64(1.5));
  CHECK(r[1] == i32x4(11, 22, 33, 44));
  CHECK(r[2] == Value::i32(105));
  CHECK(r[3] == i32x4(20, 40, 60, 80));
}

TEST_CASE("simd: block parameters and a branch carrying a v128") {
  SimdFixture f;
  auto taken = f.inst.call_sync("block", {i32x4(1, 1, 1, 1), Value::i32(0)});
  CHECK(taken == std::vector<Value>{Value::i32(4), i32x4(3, 3, 3, 3)});
  auto fell = f.inst.call_sync("block", {i32x4(1, 2, 3, 4), Value::i32(1)});
  CHECK(fell == std::vector<Value>{Value::i32(9), i32x4(3, 4, 5, 6)});
}

TEST_CASE("simd: select, globals, table calls, deep recursion") {
  SimdFixture f;
  CHECK(f.inst.call_sync("select", {i32x4(1, 2, 3, 4), i32x4(5, 6, 7, 8), Value::i32(1)})[0] == i32x4(1, 2, 3, 4));
  CHECK(f.inst.call_sync("select", {i32x4(1, 2, 3, 4), i32x4(5, 6, 7, 8), Value::i32(0)})[0] == i32x4(5, 6, 7, 8));

  // g = (10,20,30,40) + (1,1,1,1); the result adds i64x2 (-1, 7) to it.
  auto r = f.inst.call_sync("global", {i32x4(1, 1, 1, 1)});
  CHECK(f.inst.global("g").get() == i32x4(11, 21, 31, 41));
  CHECK(r[0] == Value::v128((uint64_t(21) << 32 | 11) - 1, (uint64_t(41) << 32 | 31) + 7));
  f.inst.global("g").set(i32x4(0, 0, 0, 9));
  CHECK(f.inst.global("g").get() == i32x4(0, 0, 0, 9));

  CHECK(f.inst.call_sync("indirect", {i32x4(1, 2, 3, 0xFFFFFFFF)})[0] == i32x4(2, 4, 6, 0xFFFFFFFE));
  // 1 + 2 + ... + 10000 in every lane, 10001 frames deep
  CHECK(f.inst.call_sync("rec", {i32x4(0, 1, 2, 3), Value::i32(10000)})[0] ==
        i32x4(50005000, 50005001, 50005002, 50005003));
}

TEST_CASE("simd: a host import with v128 arguments and results") {
  SimdFixture f;
  auto r = f.inst.call_sync("host", {Value::v128(0x1111, 0x2222)});
  REQUIRE(f.seen.size() == 3);
  CHECK(f.seen[0] == Value::i32(7));
  CHECK(f.seen[1] == Value::v128(0x1111, 0x2222));
  CHECK(f.seen[2] == Value::i64(8));
  CHECK(r == std::vector<Value>{Value::v128(0x2222, 0x1111), Value::i32(15)});
}

TEST_CASE("simd: wrong v128 arguments are refused") {
  SimdFixture f;
  CHECK_THROWS_AS(f.inst.call_sync("select", {i32x4(1, 2, 3, 4), Value::i64(1), Value::i32(0)}), Error);
  CHECK_THROWS_AS(f.inst.global("g").set(Value::i64(3)), Error);
}
