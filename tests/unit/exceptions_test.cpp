// Exception handling (eh.wat, legacy form): throws unwound across the heap call stack (100,000
// frames), exceptions escaping to the host as corowasm::Exception, host functions throwing
// into their guest and catching what a nested call lets escape, fuel, and the store's
// exception limit and collector. The standardized form (try_table, throw_ref, exnref) is
// covered by the 3.0 suite (spec3/try_table, spec3/throw_ref, ...).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "test_util.h"

using namespace corowasm;
using unit::catch_as;

namespace {

struct EhFixture {
  Engine engine;
  Store store{engine};
  Tag htag;
  Instance inst;
  bool rethrow_from_callback = false;

  explicit EhFixture(Config cfg = {}) : engine(cfg), store(engine) {
    htag = store.tag({ValType::I32}, "env.htag");
    using V = ValType;
    Imports im;
    auto thrower = [this](Caller&, std::span<const Value> args, std::span<Value>) {
      throw Exception(htag, {Value::i32(args[0].as_i32() * 10)});
    };
    im.define("env", "host_throw", store.host_func({{V::I32}, {}}, thrower));
    im.define("env", "host_tail", store.host_func({{V::I32}, {}}, thrower));
    im.define("env", "call_back", store.host_func({{V::I32}, {V::I32}}, [this](Caller&, auto args, auto results) {
      try {
        inst.call_sync("uncaught", {args[0]});
        results[0] = Value::i32(-1);
      } catch (const Exception& x) {
        if (rethrow_from_callback) throw;  // back into the guest, which catches it
        REQUIRE(x.payload().size() == 1);
        results[0] = Value::i32(x.payload()[0].as_i32() + 1);
      }
    }));
    im.define("env", "htag", htag);
    inst = store.instantiate(unit::compile(engine, "eh"), im);
  }
  int32_t call(const char* name, int32_t arg) { return inst.call_sync(name, {Value::i32(arg)}).at(0).as_i32(); }
};

}  // namespace

TEST_CASE("exceptions: a throw unwinds 99,999 heap frames to its handler, and the stack is reusable") {
  EhFixture f;
  CHECK(f.call("catch_deep", 99'990) == 42);
  CHECK(f.call("catch_deep", 0) == 42);
  CHECK(f.call("catch_deep", 99'990) == 42);
  // Uncaught from the same depth: the host gets it, the store stays usable.
  auto x = catch_as<Exception>([&] { f.inst.call_sync("throw_deep", {Value::i32(99'990)}); });
  REQUIRE(x);
  CHECK(x->payload() == std::vector<Value>{Value::i32(42)});
  CHECK(x->backtrace().size() + x->backtrace_omitted() == 99'992);
  CHECK(f.call("catch_deep", 10) == 42);
}

TEST_CASE("exceptions: one escaping to the host is an Exception naming its tag, with its payload") {
  EhFixture f;
  auto x = catch_as<Exception>([&] { f.inst.call_sync("uncaught", {Value::i32(7)}); });
  REQUIRE(x);
  CHECK(x->kind() == TrapKind::UncaughtException);
  CHECK(x->tag() == f.inst.tag("e"));
  CHECK(x->tag().name() == "e");
  CHECK(x->payload() == std::vector<Value>{Value::i32(7)});
  CHECK(std::string(x->what()) == "uncaught exception: tag e (i32 7)");
  REQUIRE(!x->backtrace().empty());
  CHECK(x->backtrace()[0].name == "uncaught");

  auto big = catch_as<Exception>([&] { f.inst.call_sync("uncaught_big", {}); });
  REQUIRE(big);
  CHECK(big->tag().name() == "tag 3");  // not exported: named by its index (after the import)
  CHECK(big->payload() == std::vector<Value>{Value::i64(-5), Value::f64(2.5), Value::i32(9)});
  // A Trap like any other for code that does not look closer.
  auto t = catch_as<Trap>([&] { f.inst.call_sync("uncaught", {Value::i32(1)}); });
  REQUIRE(t);
  CHECK(t->kind() == TrapKind::UncaughtException);
}

TEST_CASE("exceptions: a host function throws into its guest, which catches it by tag") {
  EhFixture f;
  CHECK(f.call("catch_host", 5) == 51);
  // Tail-called from inside a try, the host's exception passes that try and reaches the caller.
  CHECK(f.call("host_tail_escapes", 3) == 30);
}

TEST_CASE("exceptions: a host function catches what a nested call lets escape, or lets it through") {
  EhFixture f;
  CHECK(f.call("through_host", 8) == 9);  // the host caught payload 8 and returned 8 + 1
  f.rethrow_from_callback = true;
  CHECK(f.call("through_host", 8) == 1008);  // rethrown by the host: the guest's catch $e took it
}

TEST_CASE("exceptions: a host exception of the wrong shape traps with a message") {
  Engine engine;
  Store store(engine);
  Store other(engine);
  Tag foreign = other.tag({ValType::I32});
  Tag mine = store.tag({ValType::I32}, "env.htag");
  Tag wrong_payload;
  Imports im;
  int mode = 0;
  auto thrower = [&](Caller&, std::span<const Value>, std::span<Value>) {
    if (mode == 0) throw Exception(foreign, {Value::i32(1)});
    throw Exception(mine, {Value::i64(1)});
  };
  im.define("env", "host_throw", store.host_func({{ValType::I32}, {}}, thrower));
  im.define("env", "host_tail", store.host_func({{ValType::I32}, {}}, thrower));
  im.define("env", "call_back", store.host_func({{ValType::I32}, {ValType::I32}}, [](Caller&, auto, auto r) {
    r[0] = Value::i32(0);
  }));
  im.define("env", "htag", mine);
  Instance inst = store.instantiate(unit::compile(engine, "eh"), im);
  auto t = catch_as<Trap>([&] { inst.call_sync("catch_host", {Value::i32(1)}); });
  REQUIRE(t);
  CHECK(t->kind() == TrapKind::Host);
  CHECK(std::string(t->what()).find("another store") != std::string::npos);
  mode = 1;
  t = catch_as<Trap>([&] { inst.call_sync("catch_host", {Value::i32(1)}); });
  REQUIRE(t);
  CHECK(t->kind() == TrapKind::Host);
  CHECK(std::string(t->what()).find("does not match its tag env.htag (i32)") != std::string::npos);
}

TEST_CASE("exceptions: rethrow and delegate pass the same exception on") {
  EhFixture f;
  CHECK(f.call("rethrow", 77) == 77);
  CHECK(f.call("delegate", 21) == 42);
}

TEST_CASE("exceptions: a loop of throws caught by its own label spends fuel") {
  EhFixture f;
  f.store.set_fuel(10'000);
  auto t = catch_as<Trap>([&] { f.inst.call_sync("spin", {}); });
  REQUIRE(t);
  CHECK(t->kind() == TrapKind::OutOfFuel);
}

TEST_CASE("exceptions: dead exceptions are collected; live ones count against the store's limit") {
  Config cfg;
  cfg.max_exception_bytes = 64 * 1024;
  EhFixture f(cfg);
  // A million throws in one call, each caught at once: far more than 64 KiB in total.
  CHECK(f.call("churn", 1'000'000) == 1'000'000);
  // Each level of "hold" keeps the exception it caught while it recurses: 200 fit, 20,000 do not.
  CHECK(f.call("hold", 200) == 200);
  auto t = catch_as<Trap>([&] { f.call("hold", 20'000); });
  REQUIRE(t);
  CHECK(t->kind() == TrapKind::ExceptionLimit);
  // After the trap those are garbage: the same store throws again.
  CHECK(f.call("hold", 200) == 200);
  CHECK(f.call("churn", 1000) == 1000);
}

namespace {

std::vector<uint8_t> header() { return {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00}; }

// Types (0: () -> (), 1: () -> (i32)), one function of type 0 with `code` as its body (then end).
std::vector<uint8_t> with_tag_and_body(std::vector<uint8_t> tag_section, std::vector<uint8_t> code) {
  std::vector<uint8_t> m = header();
  unit::section(m, 1, {0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x01, 0x7F});
  unit::section(m, 3, {0x01, 0x00});
  if (!tag_section.empty()) unit::section(m, 13, tag_section);
  code.insert(code.begin(), 0x00);
  code.push_back(0x0B);
  std::vector<uint8_t> bodies = {0x01};
  unit::leb_u(bodies, code.size());
  bodies.insert(bodies.end(), code.begin(), code.end());
  unit::section(m, 10, bodies);
  return m;
}

template <class E>
std::string refusal(const std::vector<uint8_t>& bytes) {
  Engine engine;
  auto e = catch_as<E>([&] { engine.compile(bytes); });
  return e ? e->reason() : std::string("(compiled)");
}

}  // namespace

TEST_CASE("exceptions: malformed and invalid modules are refused with the spec's messages") {
  CHECK(refusal<DecodeError>(with_tag_and_body({0x01, 0x01, 0x00}, {})) == "malformed tag attribute");
  CHECK(refusal<ValidationError>(with_tag_and_body({0x01, 0x00, 0x01}, {})) == "non-empty tag result type");
  CHECK(refusal<ValidationError>(with_tag_and_body({0x01, 0x00, 0x07}, {})) == "unknown type");
  CHECK(refusal<ValidationError>(with_tag_and_body({}, {0x08, 0x00})) == "unknown tag 0");          // throw 0
  CHECK(refusal<ValidationError>(with_tag_and_body({}, {0x09, 0x00})) == "invalid rethrow label");  // rethrow 0
  CHECK(refusal<ValidationError>(with_tag_and_body({}, {0x0A})) == "type mismatch");                // throw_ref
  // try_table (catch_all 0) where label 0 (the function's) takes no values: valid; catch_all_ref: not.
  Engine engine;
  CHECK_NOTHROW(engine.compile(with_tag_and_body({}, {0x1F, 0x40, 0x01, 0x02, 0x00, 0x0B})));
  CHECK(refusal<ValidationError>(with_tag_and_body({}, {0x1F, 0x40, 0x01, 0x03, 0x00, 0x0B})) == "type mismatch");
  CHECK(refusal<DecodeError>(with_tag_and_body({}, {0x1F, 0x40, 0x01, 0x04, 0x00, 0x0B})) == "malformed catch clause");
  // catch_all twice, and catch after catch_all, in a legacy try.
  CHECK(refusal<ValidationError>(with_tag_and_body({0x01, 0x00, 0x00}, {0x06, 0x40, 0x19, 0x19, 0x0B})) ==
        "duplicate catch_all");
  CHECK(refusal<ValidationError>(with_tag_and_body({0x01, 0x00, 0x00}, {0x06, 0x40, 0x19, 0x07, 0x00, 0x0B})) ==
        "catch after catch_all");
  // The tag section stands between memory and global: after a global section it is out of order.
  std::vector<uint8_t> late = header();
  unit::section(late, 1, {0x01, 0x60, 0x00, 0x00});
  unit::section(late, 6, {0x01, 0x7F, 0x00, 0x41, 0x00, 0x0B});
  unit::section(late, 13, {0x01, 0x00, 0x00});
  CHECK(refusal<DecodeError>(late) == "unexpected content after last section");
}
