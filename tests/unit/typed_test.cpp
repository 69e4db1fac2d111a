// Typed calls (vm/include/corowasm/typed.h): C++ signatures checked once against an export's
// Wasm type, values converted both ways. Expected values are computed by hand.
#include <doctest/doctest.h>

#include <cstdint>
#include <tuple>

#include "test_util.h"

using namespace corowasm;
using unit::catch_as;

TEST_CASE("typed_func: calls with C++ values, single and multi-value results") {
  Engine engine;
  Instance inst = unit::compile(engine, "typed").instantiate();
  auto add = inst.typed_func<int64_t(int32_t, int64_t)>("add");
  CHECK(add.call_sync(-2, int64_t(1) << 40) == (int64_t(1) << 40) - 2);
  auto divmod = inst.typed_func<std::tuple<uint32_t, uint32_t>(uint32_t, uint32_t)>("divmod");
  auto [q, r] = divmod.call_sync(0xFFFFFFFFu, 10);  // unsigned: 4294967295 = 10 * 429496729 + 5
  CHECK(q == 429496729u);
  CHECK(r == 5u);
  CHECK(inst.typed_func<double(float, double)>("scale").call_sync(1.5f, -2.0) == -3.0);
  auto is_odd = inst.typed_func<bool(int32_t)>("is_odd");
  CHECK(is_odd.call_sync(7) == true);
  CHECK(is_odd.call_sync(-4) == false);
  auto same = inst.typed_func<ExternRef(ExternRef)>("same_ref");
  CHECK(same.call_sync(ExternRef{0x1234}) == ExternRef{0x1234});
  CHECK(same.call_sync(ExternRef{}).is_null());
  inst.typed_func<void()>("nothing").call_sync();
}

TEST_CASE("typed_func: a wrong signature or a missing export is refused, naming both types") {
  Engine engine;
  Instance inst = unit::compile(engine, "typed").instantiate();
  auto e = catch_as<Error>([&] { inst.typed_func<int32_t(int32_t, int32_t)>("add"); });
  REQUIRE(e);
  CHECK(std::string(e->what()) ==
        "export \"add\" has type (i32 i64) -> (i64), not the requested (i32 i32) -> (i32)");
  e = catch_as<Error>([&] { inst.typed_func<void()>("missing"); });
  REQUIRE(e);
  CHECK(std::string(e->what()) == "export \"missing\": no such function");
  e = catch_as<Error>([&] { inst.typed_func<void()>("mem"); });  // a memory, not a function
  REQUIRE(e);
  CHECK(std::string(e->what()) == "export \"mem\": no such function");
  // Results count too: divmod returns two values.
  CHECK(catch_as<Error>([&] { inst.typed_func<uint32_t(uint32_t, uint32_t)>("divmod"); }));
}

TEST_CASE("typed_func: a trap reaches the caller as Trap") {
  Engine engine;
  Instance inst = unit::compile(engine, "typed").instantiate();
  auto trap = inst.typed_func<int32_t(int32_t)>("trap");
  CHECK(trap.call_sync(1) == 1);
  auto t = catch_as<Trap>([&] { trap.call_sync(0); });
  REQUIRE(t);
  CHECK(t->kind() == TrapKind::IntegerDivideByZero);
}
