// Branches that carry values: br, br_if and br_table with multi-value labels (blocks, loops,
// ifs and the function itself) while the values are still deferred `local.get`s or constants.
// Hand-written cases with hand-computed answers, then random branch-heavy modules checked
// against a direct interpreter of the generated program written here (it shares no code with
// corowasm).
//
// (A br_if to the function's label with two results, one a deferred local.get, used to copy the
// locals to their temporaries on the taken path only but mark them copied for the fall-through
// path too, which then returned stale temporaries.)
#include <corowasm/corowasm.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <corowasm/internal.h>
#include "test_util.h"

using namespace corowasm;

namespace {

using unit::leb_s;
using unit::leb_u;

constexpr uint8_t kI32 = 0x7F;

// The bound vm/compiler.cpp promises (see the top of that file): bytes of threaded code per
// byte of Wasm code, whatever the guest.
constexpr double kMaxCodeBytesPerWasmByte = 48;

// One exported function "f" over i32 only; block types beyond the one-result shorthand become
// entries of the type section (type 0 is the function's own).
class ModuleBuilder {
 public:
  ModuleBuilder(uint32_t params, uint32_t results) { type_index(params, results); }

  // The block type immediate for (params) -> (results).
  void block_type(std::vector<uint8_t>& out, uint32_t params, uint32_t results) {
    if (params == 0 && results == 0) out.push_back(0x40);
    else if (params == 0 && results == 1) out.push_back(kI32);
    else leb_s(out, type_index(params, results));
  }

  // `table`: a funcref table holding "f" itself, for call_indirect.
  std::vector<uint8_t> build(uint32_t extra_locals, const std::vector<uint8_t>& body, bool table = false) const {
    std::vector<uint8_t> m = {0, 'a', 's', 'm', 1, 0, 0, 0};
    std::vector<uint8_t> types;
    leb_u(types, types_.size());
    for (auto [p, r] : types_) {
      types.push_back(0x60);
      leb_u(types, p);
      types.insert(types.end(), p, kI32);
      leb_u(types, r);
      types.insert(types.end(), r, kI32);
    }
    unit::section(m, 1, types);
    unit::section(m, 3, {1, 0});
    if (table) unit::section(m, 4, {1, 0x70, 0, 1});
    unit::section(m, 7, {1, 1, 'f', 0, 0});
    if (table) unit::section(m, 9, {1, 0, 0x41, 0, 0x0B, 1, 0});
    std::vector<uint8_t> fn;
    if (extra_locals) {
      fn.push_back(1);
      leb_u(fn, extra_locals);
      fn.push_back(kI32);
    } else {
      fn.push_back(0);
    }
    fn.insert(fn.end(), body.begin(), body.end());
    std::vector<uint8_t> code = {1};
    leb_u(code, fn.size());
    code.insert(code.end(), fn.begin(), fn.end());
    unit::section(m, 10, code);
    return m;
  }

 private:
  uint32_t type_index(uint32_t params, uint32_t results) {
    for (size_t i = 0; i < types_.size(); ++i)
      if (types_[i].first == params && types_[i].second == results) return uint32_t(i);
    types_.push_back({params, results});
    return uint32_t(types_.size() - 1);
  }
  std::vector<std::pair<uint32_t, uint32_t>> types_;
};

// Instruction bytes, written the way the .wat reads.
struct Asm {
  std::vector<uint8_t> b;
  Asm& get(uint32_t i) { b.push_back(0x20); leb_u(b, i); return *this; }
  Asm& set(uint32_t i) { b.push_back(0x21); leb_u(b, i); return *this; }
  Asm& tee(uint32_t i) { b.push_back(0x22); leb_u(b, i); return *this; }
  Asm& i32(int32_t k) { b.push_back(0x41); leb_s(b, k); return *this; }
  Asm& op(uint8_t code) { b.push_back(code); return *this; }
  Asm& br(uint32_t d) { b.push_back(0x0C); leb_u(b, d); return *this; }
  Asm& br_if(uint32_t d) { b.push_back(0x0D); leb_u(b, d); return *this; }
  Asm& br_table(const std::vector<uint32_t>& ds, uint32_t dflt) {
    b.push_back(0x0E);
    leb_u(b, ds.size());
    for (uint32_t d : ds) leb_u(b, d);
    leb_u(b, dflt);
    return *this;
  }
  Asm& open(uint8_t kind, ModuleBuilder& mb, uint32_t params, uint32_t results) {
    b.push_back(kind);
    mb.block_type(b, params, results);
    return *this;
  }
  Asm& end() { b.push_back(0x0B); return *this; }
  // Writes junk into the temporaries of stack positions 0..n-1 (so stale ones show).
  Asm& junk_temps(uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) get(0).i32(int32_t(1000 * (i + 1))).op(0x6A);
    for (uint32_t i = 0; i < n; ++i) op(0x1A);
    return *this;
  }
};
constexpr uint8_t kBlock = 0x02, kLoop = 0x03, kIf = 0x04, kElse = 0x05;
constexpr uint8_t kAdd = 0x6A, kSub = 0x6B, kMul = 0x6C, kDrop = 0x1A;

std::vector<int32_t> run(const std::vector<uint8_t>& wasm, std::vector<int32_t> args) {
  Engine engine;
  Instance inst = engine.compile(wasm).instantiate();
  std::vector<Value> vs;
  for (int32_t a : args) vs.push_back(Value::i32(a));
  std::vector<int32_t> out;
  for (const Value& v : inst.call_sync("f", vs)) out.push_back(v.as_i32());
  return out;
}
using V = std::vector<int32_t>;

}  // namespace

namespace doctest {
template <>
struct StringMaker<std::vector<int32_t>> {
  static String convert(const std::vector<int32_t>& v) {
    std::string s = "(";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + std::to_string(v[i]);
    return (s + ")").c_str();
  }
};
}  // namespace doctest

TEST_CASE("branch values: br_if to the function label with deferred local.gets, then fall through") {
  // (func (param i32 i32) (result i32 i32)
  //   local.get 0  local.get 1  local.get 0  br_if 0   ;; returns (p0, p1) when p0 != 0
  //   <tail>)
  ModuleBuilder mb(2, 2);
  SUBCASE("fall through to the end") {
    auto wasm = mb.build(0, Asm().junk_temps(2).get(0).get(1).get(0).br_if(0).end().b);
    CHECK(run(wasm, {0, 5}) == V{0, 5});
    CHECK(run(wasm, {3, 5}) == V{3, 5});
  }
  SUBCASE("fall through, overwrite both locals, add to the values") {
    Asm a;
    a.junk_temps(2).get(0).get(1).get(0).br_if(0);
    a.i32(40).set(0).i32(50).set(1).get(1).op(kAdd).get(0).op(kSub);  // (p0, p1 + 50 - 40)
    auto wasm = mb.build(0, a.end().b);
    CHECK(run(wasm, {0, 5}) == V{0, 15});
    CHECK(run(wasm, {7, 5}) == V{7, 5});
  }
  SUBCASE("a constant and a local, then a second br_if") {
    Asm a;
    a.junk_temps(2).i32(9).get(1).get(0).br_if(0);     // p0 != 0: (9, p1)
    a.get(1).set(0).i32(2).set(1).get(0).br_if(0);     // p1 != 0: (9, p1)
    a.op(kMul).i32(1);                                 // (9 * p1, 1) = (0, 1)
    auto wasm = mb.build(0, a.end().b);
    CHECK(run(wasm, {1, 5}) == V{9, 5});
    CHECK(run(wasm, {0, 5}) == V{9, 5});
    CHECK(run(wasm, {0, 0}) == V{0, 1});
  }
}

TEST_CASE("branch values: br_table to the function label and to a block, with deferred local.gets") {
  // (func (param i32 i32 i32) (result i32 i32)
  //   block (result i32 i32)
  //     local.get 0  local.get 1  local.get 2  br_table 1 0 (default 0)
  //   end
  //   i32.const 7  i32.add)     ;; index 0 returns (p0, p1); others give (p0, p1 + 7)
  ModuleBuilder mb(3, 2);
  Asm a;
  a.junk_temps(2).open(kBlock, mb, 0, 2).get(0).get(1).get(2).br_table({1, 0}, 0).end().i32(7).op(kAdd);
  auto wasm = mb.build(0, a.end().b);
  CHECK(run(wasm, {4, 5, 0}) == V{4, 5});
  CHECK(run(wasm, {4, 5, 1}) == V{4, 12});
  CHECK(run(wasm, {4, 5, 9}) == V{4, 12});

  SUBCASE("three values, the function label among block targets") {
    ModuleBuilder mb2(3, 3);
    Asm b;
    // block (result i32 i32 i32)
    //   i32.const 3  local.get 1  local.get 0  local.get 2  br_table 0 1 0 (default 1)
    // end  i32.add i32.add  i32.const 100  i32.const 200
    // The function label returns (3, p1, p0); the block gives (3 + p1 + p0, 100, 200).
    b.junk_temps(3).open(kBlock, mb2, 0, 3).i32(3).get(1).get(0).get(2).br_table({0, 1, 0}, 1).end();
    b.op(kAdd).op(kAdd).i32(100).i32(200);  // block path: (3 + p1 + p0, 100, 200)
    auto w2 = mb2.build(0, b.end().b);
    CHECK(run(w2, {1, 2, 0}) == V{6, 100, 200});
    CHECK(run(w2, {1, 2, 1}) == V{3, 2, 1});
    CHECK(run(w2, {1, 2, 2}) == V{6, 100, 200});
    CHECK(run(w2, {1, 2, 3}) == V{3, 2, 1});
  }
}

TEST_CASE("branch values: block and loop params of different types keep their own types") {
  Engine engine;
  Instance inst = unit::compile(engine, "block_params").instantiate();
  CHECK(inst.call_sync("f", {}) == std::vector<Value>{Value::i32(1), Value::i64(5)});
  CHECK(inst.call_sync("g", {Value::i32(3)}) == std::vector<Value>{Value::i64(10), Value::i32(0)});
}

TEST_CASE("branch values: br_if to block, loop and if labels with two values") {
  SUBCASE("block, fall through changes the locals") {
    // (func (param i32 i32) (result i32 i32)
    //   block (result i32 i32)  local.get 1 local.get 0 local.get 0 br_if 0
    //     i32.const 1 local.set 0  i32.const 2 local.set 1  i32.add local.get 0  end)
    ModuleBuilder mb(2, 2);
    Asm a;
    a.junk_temps(2).open(kBlock, mb, 0, 2).get(1).get(0).get(0).br_if(0);
    a.i32(1).set(0).i32(2).set(1).op(kAdd).get(0).end();
    auto wasm = mb.build(0, a.end().b);
    CHECK(run(wasm, {3, 4}) == V{4, 3});
    CHECK(run(wasm, {0, 4}) == V{4, 1});
  }
  SUBCASE("nested: br_if past an inner block to the outer one") {
    ModuleBuilder mb(2, 2);
    Asm a;
    a.junk_temps(2).open(kBlock, mb, 0, 2).open(kBlock, mb, 0, 0).get(1).get(0).get(0).br_if(1);
    a.op(kDrop).op(kDrop).end().i32(11).i32(12).end();
    auto wasm = mb.build(0, a.end().b);
    CHECK(run(wasm, {3, 4}) == V{4, 3});
    CHECK(run(wasm, {0, 4}) == V{11, 12});
  }
  SUBCASE("loop with two params: count down p0, accumulate into the second value") {
    // (func (param i32 i32) (result i32 i32) (local i32)
    //   local.get 0 local.get 1
    //   loop (param i32 i32) (result i32 i32)          ;; (n, acc)
    //     local.set 2  i32.const 1 i32.sub  local.get 2 i32.const 10 i32.add   ;; (n-1, acc+10)
    //     local.set 2  local.tee 0  local.get 2  local.get 0  br_if 0          ;; while n-1 != 0
    //   end)
    ModuleBuilder mb(2, 2);
    Asm a;
    a.get(0).get(1).open(kLoop, mb, 2, 2);
    a.set(2).i32(1).op(kSub).get(2).i32(10).op(kAdd);   // (n - 1, acc + 10)
    a.set(2).tee(0).get(2).get(0).br_if(0);             // p0 = n - 1; loop while it is not 0
    a.end();
    auto wasm = mb.build(1, a.end().b);
    CHECK(run(wasm, {3, 5}) == V{0, 35});
    CHECK(run(wasm, {1, 5}) == V{0, 15});
  }
  SUBCASE("if with else, br_if out of each arm") {
    // if (result i32 i32) on p0: then (p1, 1) unless p1 is 0 (then (5, 6)); else (2, p1)
    ModuleBuilder mb(2, 2);
    Asm a;
    a.junk_temps(2).get(0).open(kIf, mb, 0, 2).get(1).i32(1).get(1).br_if(0).op(kDrop).op(kDrop).i32(5).i32(6);
    a.op(kElse).i32(2).get(1).get(1).br_if(0).i32(9).set(1).op(kDrop).op(kDrop).get(1).get(1).end();
    auto wasm = mb.build(0, a.end().b);
    CHECK(run(wasm, {1, 4}) == V{4, 1});
    CHECK(run(wasm, {1, 0}) == V{5, 6});
    CHECK(run(wasm, {0, 4}) == V{2, 4});
    CHECK(run(wasm, {0, 0}) == V{9, 9});
  }
}

// ---- random branch-heavy modules against a direct interpreter ----
namespace {

struct BinOp32 { uint8_t opcode; uint32_t (*eval)(uint32_t, uint32_t); };
const BinOp32 kOps[] = {
    {0x6A, [](uint32_t a, uint32_t b) { return a + b; }},
    {0x6B, [](uint32_t a, uint32_t b) { return a - b; }},
    {0x6C, [](uint32_t a, uint32_t b) { return a * b; }},
    {0x71, [](uint32_t a, uint32_t b) { return a & b; }},
    {0x72, [](uint32_t a, uint32_t b) { return a | b; }},
    {0x73, [](uint32_t a, uint32_t b) { return a ^ b; }},
    {0x74, [](uint32_t a, uint32_t b) { return a << (b & 31); }},
    {0x76, [](uint32_t a, uint32_t b) { return a >> (b & 31); }},
    {0x46, [](uint32_t a, uint32_t b) { return uint32_t(a == b); }},
    {0x47, [](uint32_t a, uint32_t b) { return uint32_t(a != b); }},
    {0x48, [](uint32_t a, uint32_t b) { return uint32_t(int32_t(a) < int32_t(b)); }},
    {0x49, [](uint32_t a, uint32_t b) { return uint32_t(a < b); }},
    {0x4B, [](uint32_t a, uint32_t b) { return uint32_t(a > b); }},
    {0x4E, [](uint32_t a, uint32_t b) { return uint32_t(int32_t(a) >= int32_t(b)); }},
};
constexpr size_t kNumOps = sizeof(kOps) / sizeof(kOps[0]);
constexpr size_t kFirstCompare = 8;  // kOps[8..] are comparisons
constexpr uint32_t kGtU = 12;

// The generated program, as a tree. Every value is an i32.
struct Ins {
  enum Kind { Const, Get, Set, Tee, Bin, Eqz, Drop, Select, Block, Loop, If, Br, BrIf, BrTable, Return, Fuel };
  Kind kind = Const;
  uint32_t x = 0;                   // constant, local, operator index or branch depth
  uint32_t params = 0, results = 0;  // blocks
  std::vector<Ins> body, els;        // blocks; els: the else-arm of an if
  bool has_else = false;
  std::vector<uint32_t> depths;      // br_table, the default last
};

Ins make(Ins::Kind k, uint32_t x = 0) {
  Ins i;
  i.kind = k;
  i.x = x;
  return i;
}

constexpr uint32_t kParams = 3, kExtraLocals = 2, kFuelLocal = kParams + kExtraLocals;
constexpr uint32_t kFuel = 25;  // loop iterations per call before the guard traps

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  std::vector<Ins> function(uint32_t results) {
    results_ = results;
    labels_ = {{results, false}};
    budget_ = 30 + int(pick(60));
    return body(0, results, 0);
  }

 private:
  uint32_t pick(uint32_t n) { return uint32_t(rng_() % n); }
  bool chance(uint32_t percent) { return pick(100) < percent; }
  uint32_t value() {
    static const uint32_t kInteresting[] = {0, 1, 2, 3, 7, 0xFFFFFFFFu, 0x80000000u, 100};
    return chance(70) ? kInteresting[pick(8)] : uint32_t(rng_());
  }
  uint32_t local() { return pick(kParams + kExtraLocals); }
  void push_value(std::vector<Ins>& out) {
    if (chance(50)) out.push_back(make(Ins::Get, local()));
    else out.push_back(make(Ins::Const, value()));
  }
  // An i32 on top for br_if/if/br_table: often a comparison right before the branch.
  void push_condition(std::vector<Ins>& out) {
    switch (pick(4)) {
      case 0: out.push_back(make(Ins::Get, local())); break;
      case 1: out.push_back(make(Ins::Const, uint32_t(pick(3)))); break;
      case 2:
        out.push_back(make(Ins::Get, local()));
        push_value(out);
        out.push_back(make(Ins::Bin, uint32_t(kFirstCompare + pick(kNumOps - kFirstCompare))));
        break;
      default:
        out.push_back(make(Ins::Get, local()));
        out.push_back(make(Ins::Eqz));
        break;
    }
  }
  // Depths (from the innermost) of the labels whose arity is at most `h`; loops only for
  // br_if (an unconditional branch back would spin until the guard traps).
  std::vector<uint32_t> reachable_labels(uint32_t h, bool loops) const {
    std::vector<uint32_t> ds;
    for (uint32_t d = 0; d < labels_.size(); ++d) {
      const Label& l = labels_[labels_.size() - 1 - d];
      if (l.arity <= h && (loops || !l.loop)) ds.push_back(d);
    }
    return ds;
  }
  uint32_t arity(uint32_t depth) const { return labels_[labels_.size() - 1 - depth].arity; }

  // A block body entered with `params` values that leaves `results`.
  std::vector<Ins> body(uint32_t params, uint32_t results, uint32_t nesting) {
    std::vector<Ins> out;
    uint32_t h = params;
    uint32_t len = 2 + pick(10);
    for (uint32_t n = 0; n < len && budget_ > 0; ++n) {
      --budget_;
      uint32_t what = pick(100);
      std::vector<uint32_t> ds = reachable_labels(h, what < 80);
      if (ds.empty() && what >= 58) what = pick(58);  // no label takes h values
      if (what < 22) {
        push_value(out);
        ++h;
      } else if (what < 30 && h >= 1) {
        out.push_back(make(chance(50) ? Ins::Set : Ins::Tee, local()));
        if (out.back().kind == Ins::Set) --h;
      } else if (what < 38 && h >= 2) {
        out.push_back(make(Ins::Bin, pick(kNumOps)));
        --h;
      } else if (what < 41 && h >= 1) {
        out.push_back(make(Ins::Drop));
        --h;
      } else if (what < 43 && h >= 3) {
        out.push_back(make(Ins::Select));
        h -= 2;
      } else if (what < 58 && nesting < 4) {
        uint32_t kind = pick(3);
        Ins b = make(kind == 0 ? Ins::Block : kind == 1 ? Ins::Loop : Ins::If);
        if (b.kind == Ins::If) {
          push_condition(out);
        }
        b.params = pick(std::min(h, 3u) + 1);
        b.results = pick(4);
        if (b.kind == Ins::If) b.has_else = chance(60);
        if (b.kind == Ins::If && !b.has_else) b.results = b.params;
        labels_.push_back({b.kind == Ins::Loop ? b.params : b.results, b.kind == Ins::Loop});
        if (b.kind == Ins::Loop) {
          std::vector<Ins> inner = body(b.params, b.results, nesting + 1);
          b.body.push_back(make(Ins::Fuel));
          b.body.insert(b.body.end(), inner.begin(), inner.end());
        } else {
          b.body = body(b.params, b.results, nesting + 1);
          if (b.has_else) b.els = body(b.params, b.results, nesting + 1);
        }
        labels_.pop_back();
        h = h - b.params + b.results;
        out.push_back(std::move(b));
      } else if (what < 80 && !ds.empty()) {
        uint32_t d = ds[pick(uint32_t(ds.size()))];
        if (labels_[labels_.size() - 1 - d].loop && chance(90)) {
          // Back to a loop while the guard is above a threshold: a few iterations.
          out.push_back(make(Ins::Get, kFuelLocal));
          out.push_back(make(Ins::Const, kFuel - 2 - pick(6)));
          out.push_back(make(Ins::Bin, kGtU));
        } else {
          push_condition(out);
        }
        out.push_back(make(Ins::BrIf, d));
      } else if (what < 86 && !ds.empty()) {
        out.push_back(make(Ins::Br, ds[pick(uint32_t(ds.size()))]));
        return out;  // the rest would be unreachable
      } else if (what < 93 && !ds.empty()) {
        uint32_t a = arity(ds[pick(uint32_t(ds.size()))]);
        std::vector<uint32_t> same;
        for (uint32_t d : ds)
          if (arity(d) == a) same.push_back(d);
        Ins t = make(Ins::BrTable);
        uint32_t n_targets = 1 + pick(5);
        for (uint32_t i = 0; i < n_targets; ++i) t.depths.push_back(same[pick(uint32_t(same.size()))]);
        if (chance(50)) out.push_back(make(Ins::Get, local()));
        else out.push_back(make(Ins::Const, pick(n_targets + 1)));
        out.push_back(std::move(t));
        return out;
      } else if (what < 96 && h >= results_) {
        out.push_back(make(Ins::Return));
        return out;
      }
    }
    for (; h > results; --h) out.push_back(make(Ins::Drop));
    for (; h < results; ++h) push_value(out);
    return out;
  }

  std::mt19937 rng_;
  uint32_t results_ = 0;
  struct Label { uint32_t arity; bool loop; };
  std::vector<Label> labels_;  // the enclosing labels, the function's first
  int budget_ = 0;
};

void emit(const std::vector<Ins>& code, ModuleBuilder& mb, Asm& a) {
  for (const Ins& i : code) {
    switch (i.kind) {
      case Ins::Const: a.i32(int32_t(i.x)); break;
      case Ins::Get: a.get(i.x); break;
      case Ins::Set: a.set(i.x); break;
      case Ins::Tee: a.tee(i.x); break;
      case Ins::Bin: a.op(kOps[i.x].opcode); break;
      case Ins::Eqz: a.op(0x45); break;
      case Ins::Drop: a.op(kDrop); break;
      case Ins::Select: a.op(0x1B); break;
      case Ins::Block:
      case Ins::Loop:
      case Ins::If:
        a.open(i.kind == Ins::Block ? kBlock : i.kind == Ins::Loop ? kLoop : kIf, mb, i.params, i.results);
        emit(i.body, mb, a);
        if (i.has_else) {
          a.op(kElse);
          emit(i.els, mb, a);
        }
        a.end();
        break;
      case Ins::Br: a.br(i.x); break;
      case Ins::BrIf: a.br_if(i.x); break;
      case Ins::BrTable: a.br_table(std::vector<uint32_t>(i.depths.begin(), i.depths.end() - 1), i.depths.back()); break;
      case Ins::Return: a.op(0x0F); break;
      case Ins::Fuel:  // if (fuel == 0) unreachable; fuel -= 1
        a.get(kFuelLocal).op(0x45).open(kIf, mb, 0, 0).op(0x00).end();
        a.get(kFuelLocal).i32(1).op(kSub).set(kFuelLocal);
        break;
    }
  }
}

// The reference: runs the tree directly.
class Interpreter {
 public:
  enum Signal { Normal, Branch, Returned, Trapped };

  // The results, or nullopt for a trap.
  std::optional<std::vector<uint32_t>> call(const std::vector<Ins>& fn, uint32_t results, std::vector<uint32_t> args) {
    locals_ = args;
    locals_.resize(kFuelLocal + 1, 0);
    locals_[kFuelLocal] = kFuel;
    st_.clear();
    Signal s = run(fn);
    if (s == Trapped) return std::nullopt;
    // Normal end, return, or a branch to the function's label: the top `results` values.
    return std::vector<uint32_t>(st_.end() - results, st_.end());
  }

 private:
  uint32_t pop() {
    uint32_t v = st_.back();
    st_.pop_back();
    return v;
  }
  // Keeps the top n values and drops what lies between them and `base`.
  void unwind(size_t base, uint32_t n) {
    std::copy(st_.end() - n, st_.end(), st_.begin() + ptrdiff_t(base));
    st_.resize(base + n);
  }

  Signal run(const std::vector<Ins>& code) {
    for (const Ins& i : code) {
      switch (i.kind) {
        case Ins::Const: st_.push_back(i.x); break;
        case Ins::Get: st_.push_back(locals_[i.x]); break;
        case Ins::Set: locals_[i.x] = pop(); break;
        case Ins::Tee: locals_[i.x] = st_.back(); break;
        case Ins::Bin: {
          uint32_t b = pop(), a = pop();
          st_.push_back(kOps[i.x].eval(a, b));
          break;
        }
        case Ins::Eqz: st_.back() = st_.back() == 0; break;
        case Ins::Drop: pop(); break;
        case Ins::Select: {
          uint32_t c = pop(), b = pop(), a = pop();
          st_.push_back(c ? a : b);
          break;
        }
        case Ins::Block:
        case Ins::If: {
          const std::vector<Ins>* arm = &i.body;
          if (i.kind == Ins::If && pop() == 0) arm = &i.els;  // an absent else-arm is empty
          size_t base = st_.size() - i.params;
          Signal s = run(*arm);
          if (s == Branch && depth_ == 0) unwind(base, i.results);
          else if (s == Branch) { --depth_; return Branch; }
          else if (s != Normal) return s;
          break;
        }
        case Ins::Loop: {
          for (;;) {
            size_t base = st_.size() - i.params;
            Signal s = run(i.body);
            if (s == Branch && depth_ == 0) { unwind(base, i.params); continue; }
            if (s == Branch) { --depth_; return Branch; }
            if (s != Normal) return s;
            break;
          }
          break;
        }
        case Ins::Br: depth_ = i.x; return Branch;
        case Ins::BrIf:
          if (pop() != 0) { depth_ = i.x; return Branch; }
          break;
        case Ins::BrTable: {
          uint32_t k = pop();
          depth_ = k < i.depths.size() - 1 ? i.depths[k] : i.depths.back();
          return Branch;
        }
        case Ins::Return: return Returned;
        case Ins::Fuel:
          if (locals_[kFuelLocal] == 0) return Trapped;
          --locals_[kFuelLocal];
          break;
      }
    }
    return Normal;
  }

  std::vector<uint32_t> st_, locals_;
  uint32_t depth_ = 0;
};

}  // namespace

TEST_CASE("branch values: random multi-value branchy modules agree with a direct interpreter") {
  constexpr uint32_t kModules = 10000;
  Engine engine;
  int checked = 0, trapped = 0, mismatches = 0;
  for (uint32_t seed = 1; seed <= kModules; ++seed) {
    Generator gen(seed);
    uint32_t results = 1 + seed % 3;
    std::vector<Ins> fn = gen.function(results);
    ModuleBuilder mb(kParams, results);
    Asm a;
    a.i32(int32_t(kFuel)).set(kFuelLocal);
    emit(fn, mb, a);
    std::vector<uint8_t> wasm = mb.build(kExtraLocals + 1, a.end().b);
    Module module = engine.compile(wasm);
    ModuleStats st = module.stats();
    CHECK(st.compiled_code_bytes <= kMaxCodeBytesPerWasmByte * double(st.wasm_code_bytes));
    Instance inst = module.instantiate();
    std::mt19937 args_rng(seed * 7919u);
    for (int call = 0; call < 4; ++call) {
      std::vector<uint32_t> args;
      for (uint32_t p = 0; p < kParams; ++p) args.push_back(call == 0 ? p : uint32_t(args_rng() % 4) * (call == 3 ? 0x7FFFFFFFu : 1u));
      std::optional<std::vector<uint32_t>> want = Interpreter().call(fn, results, args);
      std::optional<std::vector<uint32_t>> got;
      try {
        std::vector<Value> vs;
        for (uint32_t x : args) vs.push_back(Value::i32(int32_t(x)));
        got.emplace();
        for (const Value& v : inst.call_sync("f", vs)) got->push_back(uint32_t(v.as_i32()));
      } catch (const Trap& t) {
        CHECK(t.kind() == TrapKind::Unreachable);
        got.reset();
      }
      if (got != want && ++mismatches <= 10) {
        auto show = [](const std::optional<std::vector<uint32_t>>& r) {
          if (!r) return std::string("trap");
          std::string s;
          for (uint32_t x : *r) s += std::to_string(int32_t(x)) + " ";
          return s;
        };
        FAIL_CHECK("seed " << seed << " args " << args[0] << "," << args[1] << "," << args[2] << ": got " << show(got)
                           << "want " << show(want));
      }
      ++checked;
      trapped += !want;
    }
  }
  MESSAGE(checked << " calls of " << kModules << " random modules checked, " << trapped << " trapped by the loop guard, "
                  << mismatches << " mismatches");
  CHECK(mismatches == 0);
  CHECK(trapped < checked / 4);  // most calls run to a result
}

// ---- the size of the threaded code ----
namespace {

struct Sized {
  ModuleStats stats;
  double ms;
};
Sized compile_sized(const std::vector<uint8_t>& wasm) {
  Engine engine;
  auto t0 = std::chrono::steady_clock::now();
  Module m = engine.compile(wasm);
  auto t1 = std::chrono::steady_clock::now();
  return {m.stats(), std::chrono::duration<double, std::milli>(t1 - t0).count()};
}

// Compiles `wasm`, prints its sizes and compile time, and checks the bound.
void check_size(const char* what, const std::vector<uint8_t>& wasm) {
  Sized s = compile_sized(wasm);
  double ratio = double(s.stats.compiled_code_bytes) / double(s.stats.wasm_code_bytes);
  MESSAGE(std::string(what) << ": " << s.stats.wasm_code_bytes << " bytes of wasm code -> " << s.stats.compiled_code_bytes
               << " bytes of threaded code (" << ratio << " per byte), compiled in " << s.ms << " ms");
  CHECK(s.stats.compiled_code_bytes <= kMaxCodeBytesPerWasmByte * double(s.stats.wasm_code_bytes));
}

constexpr uint32_t kLive = 1000, kBranches = 10000;

}  // namespace

TEST_CASE("code size: A values kept across N br_if to a label of A values") {
  SUBCASE("the function's label, deferred local.gets") {
    ModuleBuilder mb(1, kLive);
    Asm a;
    for (uint32_t i = 0; i < kLive; ++i) a.get(0);
    for (uint32_t i = 0; i < kBranches; ++i) a.get(0).br_if(0);
    check_size("function label, local.gets", mb.build(0, a.end().b));
  }
  SUBCASE("the function's label, constants") {
    ModuleBuilder mb(1, kLive);
    Asm a;
    for (uint32_t i = 0; i < kLive; ++i) a.i32(int32_t(i));
    for (uint32_t i = 0; i < kBranches; ++i) a.get(0).br_if(0);
    check_size("function label, constants", mb.build(0, a.end().b));
  }
  SUBCASE("a block's label, one value below (the values never in place)") {
    ModuleBuilder mb(1, kLive);
    Asm a;
    a.open(kBlock, mb, 0, kLive).i32(0);
    for (uint32_t i = 0; i < kLive; ++i) a.get(0);
    for (uint32_t i = 0; i < kBranches; ++i) a.get(0).br_if(0);
    check_size("block label, values above a junk value", mb.build(0, a.br(0).end().end().b));
  }
  SUBCASE("a loop's label, a constant and a local.get per branch") {
    ModuleBuilder mb(1, kLive);
    Asm a;
    for (uint32_t i = 0; i < kLive; ++i) a.get(0);
    a.open(kLoop, mb, kLive, kLive);
    for (uint32_t i = 0; i < kBranches; ++i) a.op(kDrop).i32(int32_t(i)).get(0).br_if(0);
    check_size("loop label, the top value replaced each time", mb.build(0, a.end().end().b));
  }
}

TEST_CASE("code size: nested blocks of A results, each moving them by one slot") {
  // (i32.const 0  block (result i32 x A)) x M; local.get 0 x A; (end br 0) x M
  constexpr uint32_t kLevels = 3000;
  ModuleBuilder mb(1, kLive);
  Asm a;
  for (uint32_t i = 0; i < kLevels; ++i) a.i32(0).open(kBlock, mb, 0, kLive);
  for (uint32_t i = 0; i < kLive; ++i) a.get(0);
  for (uint32_t i = 0; i < kLevels; ++i) a.end().br(0);
  check_size("nested blocks with a junk value each", mb.build(0, a.end().b));
}

TEST_CASE("code size: br_table with many entries") {
  constexpr uint32_t kEntries = 50000;
  SUBCASE("A values, entries alternating between the function and a block") {
    ModuleBuilder mb(1, kLive);
    Asm a;
    a.open(kBlock, mb, 0, kLive);
    for (uint32_t i = 0; i < kLive; ++i) a.get(0);
    std::vector<uint32_t> ds;
    for (uint32_t i = 0; i < kEntries; ++i) ds.push_back(i % 2);
    a.get(0).br_table(ds, 0).end();
    check_size("br_table of A values", mb.build(0, a.end().b));
  }
  SUBCASE("one constant, entries to 100 nested blocks") {
    ModuleBuilder mb(1, 1);
    Asm a;
    for (uint32_t i = 0; i < 100; ++i) a.open(kBlock, mb, 0, 1);
    std::vector<uint32_t> ds;
    for (uint32_t i = 0; i < kEntries; ++i) ds.push_back(i % 100);
    a.i32(5).get(0).br_table(ds, 0);
    for (uint32_t i = 0; i < 100; ++i) a.end();
    check_size("br_table of one constant", mb.build(0, a.end().b));
  }
}

TEST_CASE("code size: br_tables whose every entry needs a stub that writes a constant") {
  // D nested (block (result i32)); at each level from the innermost out:
  //   drop  i32.const 5  local.get 0  br_table 0 1 .. level-1 (default 0)  end
  // Every entry of every table reaches a different label: the worst case per byte of Wasm.
  constexpr uint32_t kDepth = 300;
  ModuleBuilder mb(1, 1);
  Asm a;
  for (uint32_t i = 0; i < kDepth; ++i) a.open(kBlock, mb, 0, 1);
  a.i32(0);
  for (uint32_t level = kDepth; level > 0; --level) {
    std::vector<uint32_t> ds;
    for (uint32_t d = 0; d < level; ++d) ds.push_back(d);
    a.op(kDrop).i32(5).get(0).br_table(ds, 0).end();
  }
  check_size("br_tables of a constant to every enclosing label", mb.build(0, a.end().b));
}

TEST_CASE("code size: A results of a return_call_indirect, N times") {
  // (func (param i32) (result i32 x A)
  //   (block  local.get 0 br_if 0  local.get 0 i32.const 0 return_call_indirect (type 0)) x N
  //   local.get 0 x A)
  ModuleBuilder mb(1, kLive);
  Asm a;
  for (uint32_t i = 0; i < kBranches; ++i) {
    a.open(kBlock, mb, 0, 0).get(0).br_if(0).get(0).i32(0);
    a.op(0x13).op(0).op(0).end();
  }
  for (uint32_t i = 0; i < kLive; ++i) a.get(0);
  check_size("return_call_indirect of A results", mb.build(0, a.end().b, true));
}

TEST_CASE("code size and compile time: a deep operand stack under many blocks and local.sets") {
  // 40,000 values stay on the stack while 10,000 blocks open and close and 10,000 local.sets
  // run: neither may scan the whole stack (printing the time; the assertion is the size).
  ModuleBuilder mb(1, 0);
  Asm a;
  for (uint32_t i = 0; i < 20000; ++i) a.i32(int32_t(i)).get(0);
  for (uint32_t i = 0; i < kBranches; ++i) a.open(kBlock, mb, 0, 0).end().i32(1).set(0);
  a.op(0x0F);
  check_size("deep stack, blocks and local.sets", mb.build(0, a.end().b));
}

TEST_CASE("code size: every spec module within the bound") {
  Engine engine;
  size_t compiled = 0;
  double worst = 0;
  std::string worst_path;
  std::error_code ec;
  for (auto& e : std::filesystem::recursive_directory_iterator(COROWASM_UNIT_SPEC_DIR, ec)) {
    if (!e.is_regular_file() || e.path().extension() != ".wasm") continue;
    std::optional<Module> m;
    try {
      m.emplace(engine.compile(unit::read_bytes(e.path().string())));
    } catch (const std::exception&) {
      continue;  // malformed or invalid on purpose
    }
    ModuleStats st = m->stats();
    ++compiled;
    if (st.wasm_code_bytes == 0) continue;
    double ratio = double(st.compiled_code_bytes) / double(st.wasm_code_bytes);
    CHECK_MESSAGE(ratio <= kMaxCodeBytesPerWasmByte, e.path().string());
    if (ratio > worst) worst = ratio, worst_path = e.path().string();
  }
  MESSAGE(compiled << " spec modules compiled; the most threaded code per byte of wasm: " << worst << " (" << worst_path
                   << ")");
  CHECK(compiled > 500);
}

TEST_CASE("code size: no move for a function without results or with one") {
  // (func (param i32) (result R)  (block local.get 0 br_if 1 (R ? local.get 0) return) ... )
  for (uint32_t results : {0u, 1u}) {
    ModuleBuilder mb(1, results);
    Asm a;
    a.open(kBlock, mb, 0, 0);
    if (results) a.get(0);
    a.get(0).br_if(1);
    if (results) a.op(kDrop);
    a.end();
    if (results) a.get(0);
    a.op(0x0F);
    Engine engine;
    Module m = engine.compile(mb.build(0, a.end().b));
    std::string code;
    for (auto& f : corowasm::detail::Access::module(m)->codes) code += corowasm::detail::disassemble(*f);
    CHECK_MESSAGE(code.find("move") == std::string::npos, code);
  }
}
