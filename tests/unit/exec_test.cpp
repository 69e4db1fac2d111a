// Execution on the heap call stack: deep recursion, tail calls in constant space, traps deep
// in the stack, re-entry, and resuming at the exact instruction after host calls.
#include <doctest/doctest.h>

#include <sys/resource.h>

#include <functional>
#include <stdexcept>
#include <vector>

#include "test_util.h"

using namespace corowasm;
using unit::catch_as;

namespace {

Config deep_config(uint32_t max_depth) {
  Config c;
  c.max_call_depth = max_depth;
  c.max_stack_bytes = 1ull << 30;  // never the limiting factor in these cases
  return c;
}

}  // namespace

// The three "native stack" cases also run under `ulimit -s 256` (ctest unit/native-stack-256k):
// Wasm calls must not consume native stack.
TEST_CASE("deep recursion: 1,000,000 frames complete with max_call_depth 2,000,000 (native stack)") {
  rlimit rl{};
  REQUIRE(getrlimit(RLIMIT_STACK, &rl) == 0);
  MESSAGE("native stack limit: " << (rl.rlim_cur == RLIM_INFINITY ? std::string("unlimited")
                                                                   : std::to_string(rl.rlim_cur) + " bytes"));
  Engine engine(deep_config(2'000'000));
  Instance inst = unit::compile(engine, "deep").instantiate();
  // sum(n) = n(n+1)/2 with n+1 frames: 1,000,000 * 1,000,001 / 2.
  auto r = inst.call_sync("sum", {Value::i32(1'000'000)});
  REQUIRE(r.size() == 1);
  CHECK(r[0] == Value::i64(500'000'500'000));
  // The stacks stay allocated and usable: once more, and a small call.
  CHECK(inst.call_sync("sum", {Value::i32(1'000'000)})[0] == Value::i64(500'000'500'000));
  CHECK(inst.call_sync("sum", {Value::i32(10)})[0] == Value::i64(55));
}

TEST_CASE("deep recursion: 1,000,000 frames trap with max_call_depth 500,000 (native stack)") {
  Engine engine(deep_config(500'000));
  Instance inst = unit::compile(engine, "deep").instantiate();
  auto trap = catch_as<Trap>([&] { inst.call_sync("sum", {Value::i32(1'000'000)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::CallStackExhausted);
  CHECK(std::string(trap->what()) == "call stack exhausted");

  // Exactly at the limit: sum(499,999) needs 500,000 frames, sum(500,000) one too many.
  CHECK(inst.call_sync("sum", {Value::i32(499'999)})[0] == Value::i64(124'999'750'000));
  trap = catch_as<Trap>([&] { inst.call_sync("sum", {Value::i32(500'000)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::CallStackExhausted);
  // Still usable after the traps.
  CHECK(inst.call_sync("sum", {Value::i32(100)})[0] == Value::i64(5050));
}

TEST_CASE("tail calls: 10,000,000 return_call iterations with max_call_depth 100 (native stack)") {
  Config cfg;
  cfg.max_call_depth = 100;
  Engine engine(cfg);
  Store store(engine);
  Imports imports;
  imports.define("env", "tick", store.host_func({{ValType::I32}, {ValType::I32}},
                                                [](Caller&, auto args, auto results) {
                                                  results[0] = Value::i32(args[0].as_i32() * 2);
                                                }));
  Instance inst = store.instantiate(unit::compile(engine, "tail"), imports);
  // 10,000,000 + 9,999,999 + ... + 1 = 10^7 (10^7 + 1) / 2.
  CHECK(inst.call_sync("loop", {Value::i64(10'000'000), Value::i64(0)})[0] == Value::i64(50'000'005'000'000));
  // Mutual tail recursion between two functions.
  CHECK(inst.call_sync("is_even", {Value::i32(10'000'000)})[0] == Value::i32(1));
  CHECK(inst.call_sync("is_even", {Value::i32(10'000'001)})[0] == Value::i32(0));
  // The limit is real: plain recursion 200 deep does not fit in 100 frames.
  Engine small(cfg);
  Instance deep = unit::compile(small, "deep").instantiate();
  CHECK(deep.call_sync("sum", {Value::i32(90)})[0] == Value::i64(4095));
  auto trap = catch_as<Trap>([&] { deep.call_sync("sum", {Value::i32(200)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::CallStackExhausted);
}

TEST_CASE("tail calls: a return_call needing a larger value stack at the maximum depth") {
  Config cfg;
  cfg.max_call_depth = 100;
  Engine engine(cfg);
  Instance inst = unit::compile(engine, "tail_bigframe").instantiate();
  // down(n) occupies n+1 frames, then return_calls $big (4096 locals) in place of the last.
  CHECK(inst.call_sync("down", {Value::i32(50)})[0] == Value::i32(8));
  // down(98) leaves one frame to spare: the value stack grows, as it must.
  CHECK(inst.call_sync("down", {Value::i32(98)})[0] == Value::i32(8));
}

TEST_CASE("tail calls: a return_call at exactly max_call_depth needs no new frame") {
  // Regression (tail-call-frame-limit): down(99) fills all 100 frames; its return_call to $big
  // needs more value stack but reuses the frame, so growing must not ask for one more frame.
  Config cfg;
  cfg.max_call_depth = 100;
  Engine engine(cfg);
  Instance inst = unit::compile(engine, "tail_bigframe").instantiate();
  std::vector<Value> r;
  CHECK_NOTHROW(r = inst.call_sync("down", {Value::i32(99)}));
  CHECK(r == std::vector<Value>{Value::i32(8)});
}

TEST_CASE("value stack limit: max_stack_bytes traps with call stack exhausted") {
  Config cfg;
  cfg.max_call_depth = 10'000'000;
  cfg.max_stack_bytes = 64 << 10;  // 8192 slots: far fewer than 100,000 frames need
  Engine engine(cfg);
  Instance inst = unit::compile(engine, "deep").instantiate();
  auto trap = catch_as<Trap>([&] { inst.call_sync("sum", {Value::i32(100'000)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::CallStackExhausted);
  CHECK(std::string(trap->what()) == "call stack exhausted");
  CHECK(inst.call_sync("sum", {Value::i32(100)})[0] == Value::i64(5050));
}

TEST_CASE("tail calls to host functions, direct and through the table, resume correctly") {
  Engine engine;
  Store store(engine);
  std::vector<int32_t> seen;
  Imports imports;
  imports.define("env", "tick", store.host_func({{ValType::I32}, {ValType::I32}},
                                                [&](Caller&, auto args, auto results) {
                                                  seen.push_back(args[0].as_i32());
                                                  int32_t x = args[0].as_i32();
                                                  results[0] = Value::i32(x * x + 5);
                                                }));
  Instance inst = store.instantiate(unit::compile(engine, "tail"), imports);
  // via_tail(3) = 1000 + tick(3) + tick(4) = 1000 + 14 + 21
  CHECK(inst.call_sync("via_tail", {Value::i32(3)})[0] == Value::i32(1035));
  CHECK(seen == std::vector<int32_t>{3, 4});
}

// ---- traps deep in the stack, then re-entry ----

namespace {

struct Reenter {
  Engine engine;
  Store store{engine};
  Instance inst;
  std::function<int32_t(int32_t)> cb;  // env.cb's behaviour, set per test
  std::vector<int32_t> leaf_args;

  Reenter() {
    Imports imports;
    imports.define("env", "cb", store.host_func({{ValType::I32}, {ValType::I32}},
                                                [this](Caller&, auto args, auto results) {
                                                  results[0] = Value::i32(cb(args[0].as_i32()));
                                                }));
    imports.define("env", "leaf", store.host_func({{ValType::I32}, {ValType::I32}},
                                                  [this](Caller&, auto args, auto results) {
                                                    leaf_args.push_back(args[0].as_i32());
                                                    results[0] = Value::i32(args[0].as_i32() + 1);
                                                  }));
    inst = store.instantiate(unit::compile(engine, "reenter"), imports);
  }
  int32_t call_i32(const char* name, std::initializer_list<Value> args) {
    auto r = inst.call_sync(name, args);
    REQUIRE(r.size() == 1);
    return r[0].as_i32();
  }
};

}  // namespace

TEST_CASE("a trap at depth 50,000 leaves the instance usable") {
  Reenter t;
  auto trap = catch_as<Trap>([&] { t.inst.call_sync("dive", {Value::i32(50'000)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::Unreachable);
  CHECK(std::string(trap->what()) == "unreachable");

  // The next call returns the right result.
  CHECK(t.inst.call_sync("sum", {Value::i32(1000)})[0] == Value::i64(500'500));
  // Nested host -> Wasm -> host -> Wasm still works:
  // outer(5) = 1000 + cb(5) + 35, cb(5) = inner(10) = leaf(10) * 3 = 33.
  t.cb = [&](int32_t x) { return t.call_i32("inner", {Value::i32(2 * x)}); };
  CHECK(t.call_i32("outer", {Value::i32(5)}) == 1068);
  CHECK(t.leaf_args == std::vector<int32_t>{10});
  // And from 1000 frames deep: down(1000, 5) = outer(5) + 1000.
  CHECK(t.call_i32("down", {Value::i32(1000), Value::i32(5)}) == 2068);
  // Another deep trap, then everything again.
  CHECK_THROWS_AS(t.inst.call_sync("dive", {Value::i32(50'000)}), Trap);
  CHECK(t.call_i32("outer", {Value::i32(1)}) == 1000 + 9 + 7);
}

TEST_CASE("a trap deep inside a nested re-entry propagates through the host and unwinds everything") {
  Reenter t;
  // cb lets the nested trap escape: the outer call fails with the same trap.
  t.cb = [&](int32_t x) { return t.call_i32("dive", {Value::i32(x)}); };
  auto trap = catch_as<Trap>([&] { t.call_i32("down", {Value::i32(100), Value::i32(50'000)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::Unreachable);
  CHECK(std::string(trap->what()) == "unreachable");
  // Usable afterwards, re-entry included.
  t.cb = [&](int32_t x) { return t.call_i32("inner", {Value::i32(x)}); };
  CHECK(t.call_i32("down", {Value::i32(10), Value::i32(4)}) == 1000 + 15 + 28 + 10);
}

TEST_CASE("a host function that catches a deep nested trap lets its Wasm caller continue") {
  Reenter t;
  // The nested dive(50,000) grows (and may move) the value stack under the frames of the
  // suspended outer call; those must come back intact.
  t.cb = [&](int32_t x) {
    CHECK_THROWS_AS(t.call_i32("dive", {Value::i32(50'000)}), Trap);
    CHECK(t.inst.call_sync("sum", {Value::i32(10)})[0] == Value::i64(55));
    return x + 1;
  };
  int32_t r = 0;
  CHECK_NOTHROW(r = t.call_i32("down", {Value::i32(2000), Value::i32(6)}));
  // down(2000, 6) = outer(6) + 2000 = 1000 + 7 + 42 + 2000
  CHECK(r == 3049);
}

TEST_CASE("host -> Wasm re-entry many levels deep on one call stack") {
  Reenter t;
  // cb(x) = x == 0 ? 0 : outer(x - 1) - 1000, so outer(x) = 1000 + cb(x) + 7x nests x times:
  // outer(n) = 1000 + 7(1 + 2 + ... + n).
  t.cb = [&](int32_t x) { return x == 0 ? 0 : t.call_i32("outer", {Value::i32(x - 1)}) - 1000; };
  CHECK(t.call_i32("outer", {Value::i32(100)}) == 1000 + 7 * 5050);
}

// ---- resuming after host calls at the exact instruction ----

TEST_CASE("host calls inside a loop at call depth 3 resume at the exact instruction") {
  Engine engine;
  Store store(engine);
  std::vector<int32_t> seen;
  Imports imports;
  imports.define("env", "tick", store.host_func({{ValType::I32}, {ValType::I32}},
                                                [&](Caller&, auto args, auto results) {
                                                  int32_t x = args[0].as_i32();
                                                  seen.push_back(x);
                                                  results[0] = Value::i32(x * x + 5);
                                                }));
  Instance inst = store.instantiate(unit::compile(engine, "resume"), imports);
  // Worked by hand (tick(x) = x*x + 5), inner(5, 7):
  //   i=0: 7*3 + (6^0)=27,        27 - tick(2)=9     -> 18
  //   i=1: 18*3 + (126^1)=181,    181 - tick(12)=149 -> 32
  //   i=2: 32*3 + (446^2)=540,    540 - tick(22)=489 -> 51
  //   i=3: 51*3 + (966^3)=1118,   1118 - 1029        -> 89
  //   i=4: 89*3 + (1686^4)=1949,  1949 - 1769        -> 180
  // middle = 100180; run = tick(9000) + 2*100180 - tick(9001) = 81000005 + 200360 - 81018006.
  auto r = inst.call_sync("run", {Value::i32(5)});
  REQUIRE(r.size() == 1);
  CHECK(r[0] == Value::i32(182359));
  CHECK(seen == std::vector<int32_t>{9000, 1, 2, 11, 12, 21, 22, 31, 32, 41, 42, 9001});

  // Again on the same instance: identical.
  seen.clear();
  CHECK(inst.call_sync("run", {Value::i32(5)})[0] == Value::i32(182359));
  CHECK(seen.size() == 12);
  // Zero iterations: 7 + 100000, doubled, plus tick(9000) - tick(9001).
  seen.clear();
  CHECK(inst.call_sync("run", {Value::i32(0)})[0] == Value::i32(81000005 + 200014 - 81018006));
  CHECK(seen == std::vector<int32_t>{9000, 9001});
}

TEST_CASE("fib runs and returns the known value") {
  Engine engine;
  Instance inst = unit::compile(engine, "fib").instantiate();
  CHECK(inst.call_sync("fib", {Value::i32(20)})[0] == Value::i32(6765));
  CHECK(inst.call_sync("fib64", {Value::i64(90)})[0] == Value::i64(2880067194370816120));
  auto trap = catch_as<Trap>([&] { inst.call_sync("div", {Value::i32(1), Value::i32(0)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::IntegerDivideByZero);
  CHECK(std::string(trap->what()) == "integer divide by zero");
  trap = catch_as<Trap>([&] { inst.call_sync("div", {Value::i32(INT32_MIN), Value::i32(-1)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::IntegerOverflow);
}

// ---- fuel ----

TEST_CASE("fuel: unlimited by default; a budget is spent per loop iteration and per call") {
  Engine engine;
  Store store(engine);
  Instance inst = store.instantiate(unit::compile(engine, "fuel"), {});
  CHECK_FALSE(store.fuel().has_value());
  CHECK(inst.call_sync("count", {Value::i32(10)})[0] == Value::i32(10));
  CHECK_FALSE(store.fuel().has_value());

  store.set_fuel(100);
  CHECK(inst.call_sync("count", {Value::i32(10)})[0] == Value::i32(10));
  CHECK(store.fuel() == 91u);  // 9 taken back-edges
  inst.call_sync("calls", {Value::i32(10)});
  CHECK(store.fuel() == 72u);  // 10 calls + 9 back-edges
}

TEST_CASE("fuel: an endless loop traps with \"all fuel consumed\" and the store can be refuelled") {
  Engine engine;
  Store store(engine);
  Instance inst = store.instantiate(unit::compile(engine, "fuel"), {});
  store.set_fuel(1000);
  auto trap = catch_as<Trap>([&] { inst.call_sync("spin"); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::OutOfFuel);
  CHECK(std::string(trap->what()) == "all fuel consumed");
  CHECK(store.fuel() == 0u);

  store.set_fuel(5);
  trap = catch_as<Trap>([&] { inst.call_sync("count", {Value::i32(10)}); });
  REQUIRE(trap);
  CHECK(trap->kind() == TrapKind::OutOfFuel);

  store.set_fuel(50);
  CHECK(inst.call_sync("count", {Value::i32(10)})[0] == Value::i32(10));
  CHECK(store.fuel() == 41u);
}

TEST_CASE("declared locals start at zero after another frame dirtied the same stack slots") {
  Engine engine;
  Instance inst = unit::compile(engine, "tail_zero_locals").instantiate();
  // Each callee returns (OR of its declared locals) + 1000 * k: exactly 1000 * k when all are zero.
  for (uint32_t k : {0u, 3u}) {
    CAPTURE(k);
    CHECK(inst.call_sync("direct", {Value::i32(k)})[0] == Value::i64(1000 * k));
    CHECK(inst.call_sync("tail", {Value::i32(k)})[0] == Value::i64(1000 * k));
    for (uint32_t i = 0; i < 5; ++i) {  // $z1 $z7 $z8 $z9 $z20
      CAPTURE(i);
      CHECK(inst.call_sync("indirect", {Value::i32(k), Value::i32(i)})[0] == Value::i64(1000 * k));
    }
  }
  // 200 levels of self-recursion, each dirtying its locals before the next: none found one set.
  CHECK(inst.call_sync("recurse", {Value::i32(200)})[0] == Value::i32(0));
}
