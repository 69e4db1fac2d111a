// Differential test of the compiler's compare-and-branch fusions: a loop whose br_if tests a
// value the instruction right before it just computed (`x = x OP k; if (a CMP x) continue`),
// for every i32 and i64 binary operator and comparison, with the updated value on either side or
// compared with a constant. Expected results come from a plain C++ model of the same loop.
// (It was `remaining < (threshold >>= 1)` in zstd that looped forever when the fusion swapped
// the comparison but not its operands.)
#include <corowasm/corowasm.h>
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <corowasm/internal.h>
#include "test_util.h"

using namespace corowasm;

namespace {

using unit::leb_s;
using unit::leb_u;

template <class T>
struct BinOp { const char* name; uint8_t opcode; T (*eval)(T, T); };
template <class T>
struct CmpOp { const char* name; uint8_t opcode; bool (*eval)(T, T); };

const BinOp<uint32_t> kBinOps32[] = {
    {"add", 0x6A, [](uint32_t a, uint32_t b) { return a + b; }},
    {"sub", 0x6B, [](uint32_t a, uint32_t b) { return a - b; }},
    {"mul", 0x6C, [](uint32_t a, uint32_t b) { return a * b; }},
    {"and", 0x71, [](uint32_t a, uint32_t b) { return a & b; }},
    {"or", 0x72, [](uint32_t a, uint32_t b) { return a | b; }},
    {"xor", 0x73, [](uint32_t a, uint32_t b) { return a ^ b; }},
    {"shl", 0x74, [](uint32_t a, uint32_t b) { return a << (b & 31); }},
    {"shr_s", 0x75, [](uint32_t a, uint32_t b) { return uint32_t(int32_t(a) >> (b & 31)); }},
    {"shr_u", 0x76, [](uint32_t a, uint32_t b) { return a >> (b & 31); }},
    {"rotl", 0x77, [](uint32_t a, uint32_t b) { b &= 31; return b ? (a << b) | (a >> (32 - b)) : a; }},
    {"rotr", 0x78, [](uint32_t a, uint32_t b) { b &= 31; return b ? (a >> b) | (a << (32 - b)) : a; }},
};
const CmpOp<uint32_t> kCmpOps32[] = {
    {"eq", 0x46, [](uint32_t a, uint32_t b) { return a == b; }},
    {"ne", 0x47, [](uint32_t a, uint32_t b) { return a != b; }},
    {"lt_s", 0x48, [](uint32_t a, uint32_t b) { return int32_t(a) < int32_t(b); }},
    {"lt_u", 0x49, [](uint32_t a, uint32_t b) { return a < b; }},
    {"gt_s", 0x4A, [](uint32_t a, uint32_t b) { return int32_t(a) > int32_t(b); }},
    {"gt_u", 0x4B, [](uint32_t a, uint32_t b) { return a > b; }},
    {"le_s", 0x4C, [](uint32_t a, uint32_t b) { return int32_t(a) <= int32_t(b); }},
    {"le_u", 0x4D, [](uint32_t a, uint32_t b) { return a <= b; }},
    {"ge_s", 0x4E, [](uint32_t a, uint32_t b) { return int32_t(a) >= int32_t(b); }},
    {"ge_u", 0x4F, [](uint32_t a, uint32_t b) { return a >= b; }},
};

const BinOp<uint64_t> kBinOps64[] = {
    {"add", 0x7C, [](uint64_t a, uint64_t b) { return a + b; }},
    {"sub", 0x7D, [](uint64_t a, uint64_t b) { return a - b; }},
    {"mul", 0x7E, [](uint64_t a, uint64_t b) { return a * b; }},
    {"and", 0x83, [](uint64_t a, uint64_t b) { return a & b; }},
    {"or", 0x84, [](uint64_t a, uint64_t b) { return a | b; }},
    {"xor", 0x85, [](uint64_t a, uint64_t b) { return a ^ b; }},
    {"shl", 0x86, [](uint64_t a, uint64_t b) { return a << (b & 63); }},
    {"shr_s", 0x87, [](uint64_t a, uint64_t b) { return uint64_t(int64_t(a) >> (b & 63)); }},
    {"shr_u", 0x88, [](uint64_t a, uint64_t b) { return a >> (b & 63); }},
    {"rotl", 0x89, [](uint64_t a, uint64_t b) { b &= 63; return b ? (a << b) | (a >> (64 - b)) : a; }},
    {"rotr", 0x8A, [](uint64_t a, uint64_t b) { b &= 63; return b ? (a >> b) | (a << (64 - b)) : a; }},
};
const CmpOp<uint64_t> kCmpOps64[] = {
    {"eq", 0x51, [](uint64_t a, uint64_t b) { return a == b; }},
    {"ne", 0x52, [](uint64_t a, uint64_t b) { return a != b; }},
    {"lt_s", 0x53, [](uint64_t a, uint64_t b) { return int64_t(a) < int64_t(b); }},
    {"lt_u", 0x54, [](uint64_t a, uint64_t b) { return a < b; }},
    {"gt_s", 0x55, [](uint64_t a, uint64_t b) { return int64_t(a) > int64_t(b); }},
    {"gt_u", 0x56, [](uint64_t a, uint64_t b) { return a > b; }},
    {"le_s", 0x57, [](uint64_t a, uint64_t b) { return int64_t(a) <= int64_t(b); }},
    {"le_u", 0x58, [](uint64_t a, uint64_t b) { return a <= b; }},
    {"ge_s", 0x59, [](uint64_t a, uint64_t b) { return int64_t(a) >= int64_t(b); }},
    {"ge_u", 0x5A, [](uint64_t a, uint64_t b) { return a >= b; }},
};

// From BranchTee on they branch on the updated value itself, or on x OP c, against zero (i32 only:
// br_if and if take an i32): the update fuses into the test.
enum Variant { UpdatedRight, UpdatedLeft, AgainstConst, UpdatedRightEqz, BranchTee, BranchTemp, IfTemp, BranchTeeEqz, BranchTempEqz };
const char* kVariantNames[] = {"a CMP (x OP k)", "(x OP k) CMP a",     "(x OP k) CMP c", "!(a CMP (x OP k))",
                               "br_if (x OP= k)", "br_if (x OP c)", "if (x OP c) continue",
                               "br_if !(x OP= k)", "br_if !(x OP c)"};
constexpr uint32_t kMaxIterations = 40;

// (func (param a x: T) (result T) (local n: i32)
//   block loop  (exit after kMaxIterations)  n += 1;  <pattern>; br_if loop  end end
//   x ^ (n << 40 for i64, n << 16 for i32))
template <class T>
std::vector<uint8_t> module_for(const BinOp<T>& op, const CmpOp<T>& cmp, Variant v, int64_t k, int64_t c) {
  constexpr bool wide = sizeof(T) == 8;
  const uint8_t vt = wide ? 0x7E : 0x7F, konst = wide ? 0x42 : 0x41;
  std::vector<uint8_t> body = {1, 1, 0x7F};  // one local group: 1 x i32 (n = local 2)
  auto ins = [&](std::initializer_list<uint8_t> bytes) { body.insert(body.end(), bytes); };
  auto i32c = [&](int32_t x) { body.push_back(0x41); leb_s(body, x); };
  auto tc = [&](int64_t x) { body.push_back(konst); leb_s(body, x); };
  ins({0x02, 0x40, 0x03, 0x40});                   // block loop
  ins({0x20, 2}); i32c(kMaxIterations); ins({0x4F, 0x0D, 1});   // n >= max: br_if exit
  ins({0x20, 2}); i32c(1); ins({0x6A, 0x21, 2});  // n += 1
  auto update = [&] { ins({0x20, 1}); tc(k); ins({op.opcode, 0x22, 1}); };  // x = x OP k (tee)
  switch (v) {
    case UpdatedRight: ins({0x20, 0}); update(); ins({cmp.opcode}); break;
    case UpdatedLeft: update(); ins({0x20, 0}); ins({cmp.opcode}); break;
    case AgainstConst: update(); tc(c); ins({cmp.opcode}); break;
    case UpdatedRightEqz: ins({0x20, 0}); update(); ins({cmp.opcode, 0x45}); break;
    case BranchTee: update(); break;
    case BranchTemp: case IfTemp: update(); ins({0x1A, 0x20, 1}); tc(c); ins({op.opcode}); break;
    case BranchTeeEqz: update(); ins({0x45}); break;
    case BranchTempEqz: update(); ins({0x1A, 0x20, 1}); tc(c); ins({op.opcode, 0x45}); break;
  }
  if (v == IfTemp) ins({0x04, 0x40, 0x0C, 1, 0x0B});  // if (then br loop) end
  else ins({0x0D, 0});                             // br_if loop
  ins({0x0B, 0x0B});                               // end loop, end block
  if (wide) { ins({0x20, 1, 0x20, 2, 0xAD}); tc(40); ins({0x86, 0x85}); }  // x ^ (u64(n) << 40)
  else { ins({0x20, 2}); i32c(16); ins({0x74, 0x20, 1, 0x73}); }           // (n << 16) ^ x
  ins({0x0B});

  std::vector<uint8_t> m = {0, 'a', 's', 'm', 1, 0, 0, 0};
  m.insert(m.end(), {1, 7, 1, 0x60, 2, vt, vt, 1, vt});     // type (T T) -> T
  m.insert(m.end(), {3, 2, 1, 0});                             // one function of type 0
  m.insert(m.end(), {7, 5, 1, 1, 'f', 0, 0});                  // export "f"
  std::vector<uint8_t> code = {1};
  leb_u(code, body.size());
  code.insert(code.end(), body.begin(), body.end());
  unit::section(m, 10, code);
  return m;
}

template <class T>
T model(const BinOp<T>& op, const CmpOp<T>& cmp, Variant v, int64_t k, int64_t c, T a, T x) {
  uint32_t n = 0;
  for (;;) {
    if (n >= kMaxIterations) break;
    n += 1;
    x = op.eval(x, T(k));
    bool again = false;
    switch (v) {
      case UpdatedRight: again = cmp.eval(a, x); break;
      case UpdatedLeft: again = cmp.eval(x, a); break;
      case AgainstConst: again = cmp.eval(x, T(c)); break;
      case UpdatedRightEqz: again = !cmp.eval(a, x); break;
      case BranchTee: again = x != 0; break;
      case BranchTemp: case IfTemp: again = op.eval(x, T(c)) != 0; break;
      case BranchTeeEqz: again = x == 0; break;
      case BranchTempEqz: again = op.eval(x, T(c)) == 0; break;
    }
    if (!again) break;
  }
  if constexpr (sizeof(T) == 8) return x ^ (uint64_t(n) << 40);
  else return (n << 16) ^ x;
}

// Every operator x comparison x variant x constant, over pairs of interesting values.
template <class T, size_t NB, size_t NC>
int check_all(const BinOp<T> (&ops)[NB], const CmpOp<T> (&cmps)[NC], std::initializer_list<T> vals) {
  Engine engine;
  const int64_t ks[] = {1, 3, -1, sizeof(T) * 8 - 1};
  const int64_t cs[] = {0, 5, -7};
  int checked = 0;
  for (const BinOp<T>& op : ops)
    for (const CmpOp<T>& cmp : cmps)
      for (Variant v : {UpdatedRight, UpdatedLeft, AgainstConst, UpdatedRightEqz, BranchTee, BranchTemp, IfTemp,
                        BranchTeeEqz, BranchTempEqz})
        for (int64_t k : ks)
          for (int64_t c : (v == AgainstConst || v == BranchTemp || v == IfTemp || v == BranchTempEqz
                                ? std::vector<int64_t>(std::begin(cs), std::end(cs))
                                : std::vector<int64_t>{0})) {
            if (sizeof(T) == 8 && v >= BranchTee) continue;  // an i64 is no branch condition
            if (v >= BranchTee && &cmp != &cmps[0]) continue;  // the comparison plays no part
            Instance inst = engine.compile(module_for(op, cmp, v, k, c)).instantiate();
            for (T a : vals)
              for (T x : vals) {
                auto arg = [](T y) { return sizeof(T) == 8 ? Value::i64(int64_t(y)) : Value::i32(int32_t(y)); };
                Value r = inst.call_sync("f", {arg(a), arg(x)})[0];
                T got = sizeof(T) == 8 ? T(r.as_i64()) : T(uint32_t(r.as_i32()));
                T want = model(op, cmp, v, k, c, a, x);
                if (got != want) {
                  FAIL_CHECK((sizeof(T) == 8 ? "i64: " : "i32: ") << "x = x " << std::string(op.name) << " " << k << "; "
                             << std::string(kVariantNames[v]) << " with " << std::string(cmp.name) << ", c=" << c
                             << ", a=" << uint64_t(a) << ", x=" << uint64_t(x) << ": got " << uint64_t(got) << ", want "
                             << uint64_t(want));
                }
                ++checked;
              }
          }
  return checked;
}

}  // namespace

TEST_CASE("fusion: compare-and-branch on a value computed just before, every i32 operator and comparison") {
  int checked = check_all<uint32_t>(kBinOps32, kCmpOps32, {0u, 1u, 5u, 64u, 0xFFFFFFFFu, 0x7FFFFFFFu, 0x80000000u, 12345u});
  MESSAGE(checked << " i32 loops checked against the C++ model");
  CHECK(checked > 10000);
}

TEST_CASE("fusion: compare-and-branch on a value computed just before, every i64 operator and comparison") {
  int checked = check_all<uint64_t>(kBinOps64, kCmpOps64,
                                    {0ull, 1ull, 5ull, 64ull, ~0ull, 0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull,
                                     0xFFFFFFFFull, 0x100000000ull, 12345ull});
  MESSAGE(checked << " i64 loops checked against the C++ model");
  CHECK(checked > 10000);
}

// ---- two loads in a row: one handler (h_load_pair) ----

namespace {

struct LoadOp { const char* name; uint8_t opcode; uint32_t size; bool sign; bool wide; };
const LoadOp kPairLoads[] = {
    {"i32.load", 0x28, 4, false, false},    {"i32.load8_u", 0x2D, 1, false, false},
    {"i32.load8_s", 0x2C, 1, true, false},  {"i32.load16_u", 0x2F, 2, false, false},
    {"i64.load", 0x29, 8, false, true},
};
constexpr uint32_t kPageBytes = 65536;
constexpr uint32_t kOffset1 = 3, kOffset2 = 5;

// The memory the modules start with: a byte pattern, and at 128.. small little-endian words
// (pointers for the chained loads).
std::vector<uint8_t> pair_memory() {
  std::vector<uint8_t> m(kPageBytes, 0);
  for (uint32_t i = 0; i < 256; ++i) m[i] = uint8_t(i * 37 + 11);
  for (uint32_t i = 128; i < 256; i += 4) m[i] = uint8_t(i - 120), m[i + 1] = m[i + 2] = m[i + 3] = 0;
  return m;
}

// The C++ model of one load: nullopt when it is out of bounds.
std::optional<uint64_t> model_load(const std::vector<uint8_t>& mem, const LoadOp& op, uint64_t addr) {
  if (addr + op.size > mem.size()) return std::nullopt;
  uint64_t v = 0;
  for (uint32_t i = 0; i < op.size; ++i) v |= uint64_t(mem[addr + i]) << (8 * i);
  if (op.sign && (v >> (8 * op.size - 1)) & 1) v |= ~0ull << (8 * op.size);
  if (!op.wide) v &= 0xFFFFFFFFull;
  return v;
}

struct PairModule {
  std::vector<uint8_t> bytes;
  size_t load1_at, load2_at;  // func_offset of each load's opcode
};

// (func (param a1 a2: i32) (result i64) (local i32 i64)
//   first load from a1 (or from a1 | 0, so that the address comes in the accumulator);
//   chained: the second loads from the first's value; else the first goes to a local and the
//   second loads from a2; the result mixes both as i64.)
PairModule pair_module(const LoadOp& op1, const LoadOp& op2, bool acc, bool chained) {
  PairModule pm;
  std::vector<uint8_t> body = {2, 1, 0x7F, 1, 0x7E};  // locals 2: i32, 3: i64
  auto ins = [&](std::initializer_list<uint8_t> b) { body.insert(body.end(), b); };
  auto load = [&](const LoadOp& op, uint32_t offset) {
    size_t at = body.size();
    ins({op.opcode, 0});
    leb_u(body, offset);
    return at;
  };
  auto to_i64 = [&](const LoadOp& op) { if (!op.wide) ins({0xAD}); };  // i64.extend_i32_u
  ins({0x20, 0});
  if (acc) ins({0x41, 0, 0x72});  // i32.or 0
  pm.load1_at = load(op1, kOffset1);
  if (chained) {
    pm.load2_at = load(op2, kOffset2);
    to_i64(op2);
  } else {
    ins({0x21, uint8_t(op1.wide ? 3 : 2), 0x20, 1});  // local.set r1, local.get a2
    pm.load2_at = load(op2, kOffset2);
    to_i64(op2);
    ins({0x20, uint8_t(op1.wide ? 3 : 2)});
    to_i64(op1);
    ins({0x42, 32, 0x89, 0x85});  // i64.rotl 32, i64.xor
  }
  ins({0x0B});

  std::vector<uint8_t> m = {0, 'a', 's', 'm', 1, 0, 0, 0};
  m.insert(m.end(), {1, 7, 1, 0x60, 2, 0x7F, 0x7F, 1, 0x7E});  // (i32 i32) -> i64
  m.insert(m.end(), {3, 2, 1, 0});
  m.insert(m.end(), {5, 3, 1, 0, 1});                          // memory 1 page
  m.insert(m.end(), {7, 5, 1, 1, 'f', 0, 0});
  std::vector<uint8_t> code = {1};
  leb_u(code, body.size());
  code.insert(code.end(), body.begin(), body.end());
  unit::section(m, 10, code);
  std::vector<uint8_t> mem = pair_memory();
  std::vector<uint8_t> data = {1, 0, 0x41, 0, 0x0B};  // active, memory 0, offset 0
  leb_u(data, 256);
  data.insert(data.end(), mem.begin(), mem.begin() + 256);
  unit::section(m, 11, data);
  pm.bytes = std::move(m);
  return pm;
}

}  // namespace

TEST_CASE("fusion: two loads in a row, every pair of load types, chained or not, each trapping at its own offset") {
  Engine engine;
  const std::vector<uint8_t> mem = pair_memory();
  const uint32_t addrs[] = {0, 1, 125, 129, 200, 250, kPageBytes - 12, kPageBytes - 8, kPageBytes - 6, kPageBytes - 4};
  int checked = 0, traps1 = 0, traps2 = 0, fused = 0;
  for (const LoadOp& op1 : kPairLoads)
    for (const LoadOp& op2 : kPairLoads)
      for (bool acc : {false, true})
        for (bool chained : {false, true}) {
          if (chained && op1.wide) continue;  // an i64 is no address
          std::string first = op1.name, second = op2.name;
          CAPTURE(first);
          CAPTURE(second);
          CAPTURE(acc);
          CAPTURE(chained);
          PairModule pm = pair_module(op1, op2, acc, chained);
          Module module = engine.compile(pm.bytes);
          // The compiler did fuse them (the disassembler names the pair handler).
          std::string code = corowasm::detail::disassemble(*corowasm::detail::Access::module(module)->codes[0]);
          std::string name = std::string(op1.name) + (acc ? "@acc" : "") + (chained ? "->" : ",") + op2.name;
          bool has = code.find(" " + name + " ") != std::string::npos;
          CHECK_MESSAGE(has, code);
          fused += has;
          Instance inst = module.instantiate();
          for (uint32_t a1 : addrs)
            for (uint32_t a2 : addrs) {
              if (chained && a2 != addrs[0]) continue;  // a2 plays no part
              std::optional<uint64_t> v1 = model_load(mem, op1, uint64_t(a1) + kOffset1);
              std::optional<uint64_t> v2;
              if (v1) v2 = model_load(mem, op2, (chained ? (*v1 & 0xFFFFFFFFull) : a2) + uint64_t(kOffset2));
              try {
                Value r = inst.call_sync("f", {Value::i32(int32_t(a1)), Value::i32(int32_t(a2))})[0];
                REQUIRE_MESSAGE(v2, "a1=" << a1 << " a2=" << a2 << ": returned, the model traps");
                uint64_t want = chained ? *v2 : (*v2 ^ ((*v1 << 32) | (*v1 >> 32)));
                CHECK_MESSAGE(uint64_t(r.as_i64()) == want, "a1=" << a1 << " a2=" << a2);
              } catch (const Trap& t) {
                REQUIRE_MESSAGE(!v2, "a1=" << a1 << " a2=" << a2 << ": trapped (" << t.what() << "), the model does not");
                CHECK(t.kind() == TrapKind::MemoryOutOfBounds);
                REQUIRE(!t.backtrace().empty());
                // The load that failed, not its partner.
                CHECK_MESSAGE(t.backtrace()[0].func_offset == (v1 ? pm.load2_at : pm.load1_at), "a1=" << a1 << " a2=" << a2);
                (v1 ? traps2 : traps1) += 1;
              }
              ++checked;
            }
        }
  MESSAGE(checked << " calls checked against the C++ model; " << traps1 << " first-load traps, " << traps2
                  << " second-load traps; " << fused << " fused pairs");
  CHECK(traps1 > 0);
  CHECK(traps2 > 0);
}

// ---- *p += k: i32.load, i32.add of a constant, i32.store to the same address (h_i32_rmw_add) ----

TEST_CASE("fusion: *p += k in one handler, alone or with the test of the new value, trapping as the load") {
  Engine engine;
  const std::vector<uint8_t> bytes = unit::wasm("fusion_rmw");
  Module module = engine.compile(bytes);
  auto code = [&](uint32_t f) { return corowasm::detail::disassemble(*corowasm::detail::Access::module(module)->codes[f]); };
  auto has = [&](uint32_t f, const std::string& name) { return code(f).find(" " + name + " ") != std::string::npos; };
  CHECK_MESSAGE(has(2, "i32.rmw_add"), code(2));          // incref
  CHECK_MESSAGE(has(3, "i32.rmw_add@acc"), code(3));      // add_acc
  CHECK_MESSAGE(has(4, "i32.rmw_add"), code(4));          // fetch_add
  CHECK_MESSAGE(has(5, "i32.rmw_add->br_nz"), code(5));   // decref
  CHECK_MESSAGE(has(6, "i32.rmw_add->br_z"), code(6));    // decref_br
  CHECK_MESSAGE(has(7, "i32.rmw_add->br_nz"), code(7));   // decref_nz
  for (uint32_t f : {8u, 9u}) CHECK_MESSAGE(code(f).find("rmw") == std::string::npos, code(f));  // near misses

  Instance inst = module.instantiate();
  auto call = [&](const char* f, std::initializer_list<int32_t> args) {
    std::vector<Value> v;
    for (int32_t a : args) v.push_back(Value::i32(a));
    std::vector<Value> r = inst.call_sync(f, v);
    return r.empty() ? 0 : r[0].as_i32();
  };
  auto get = [&](int32_t p) { return call("get", {p}); };
  auto set = [&](int32_t p, int32_t v) { call("set", {p, v}); };

  set(108, 41);
  for (int i = 0; i < 3; ++i) call("incref", {100});
  CHECK(get(108) == 44);
  CHECK(get(104) == 0);
  CHECK(get(112) == 0);
  set(208, -1);
  call("incref", {200});
  CHECK(get(208) == 0);  // wraps

  set(0x30, 10);
  call("add_acc", {0x20, 0x10});  // address 0x20 | 0x10
  CHECK(get(0x30) == 3);
  CHECK(get(0x20) == 0);

  set(300, 5);
  CHECK(call("fetch_add", {300}) == 5);  // the loaded value, tee'd into a local
  CHECK(get(300) == 8);

  set(400, 2);
  CHECK(call("decref", {400}) == 0);
  CHECK(get(400) == 1);
  CHECK(call("decref", {400}) == 1);  // dropped to zero
  CHECK(get(400) == 0);
  CHECK(call("decref", {400}) == 0);
  CHECK(get(400) == -1);

  set(504, 3);
  CHECK(call("decref_br", {500}) == 101);  // new count 1: nonzero
  CHECK(get(504) == 1);
  CHECK(call("decref_br", {500}) == 99);   // -1
  set(504, 2);
  CHECK(call("decref_br", {500}) == 0);    // zero: falls through
  CHECK(get(504) == 0);
  set(800, 2);
  CHECK(call("decref_nz", {800}) == 1);
  CHECK(call("decref_nz", {800}) == 0);
  CHECK(get(800) == 0);

  set(600, 7);
  call("move_add", {600, 604});
  CHECK(get(604) == 8);
  CHECK(get(600) == 7);
  set(700, 9);
  call("shift_add", {700});
  CHECK(get(704) == 10);
  CHECK(get(700) == 9);

  // The last word of memory is in bounds, a word past it not: the trap names the load (the
  // byte at its module offset is i32.load's opcode), and memory stays as it was.
  constexpr int32_t kEnd = 65536;
  call("incref", {kEnd - 12});
  CHECK(get(kEnd - 4) == 1);
  int traps = 0;
  auto expect_trap = [&](const char* f, std::initializer_list<int32_t> args) {
    CAPTURE(f);
    try {
      call(f, args);
      FAIL("no trap");
    } catch (const Trap& t) {
      CHECK(t.kind() == TrapKind::MemoryOutOfBounds);
      REQUIRE(!t.backtrace().empty());
      REQUIRE(t.backtrace()[0].module_offset);
      CHECK(bytes.at(*t.backtrace()[0].module_offset) == 0x28);  // i32.load
      ++traps;
    }
  };
  expect_trap("incref", {kEnd - 11});
  expect_trap("decref", {kEnd - 3});
  expect_trap("decref_br", {-1});  // 0xffffffff + 4: the effective address does not wrap
  expect_trap("add_acc", {int32_t(0xfffffff0), 0x0f});
  expect_trap("fetch_add", {kEnd});
  expect_trap("decref_nz", {kEnd - 2});
  CHECK(traps == 6);
  CHECK(get(kEnd - 4) == 1);
}

// ---- br_table on an index computed just before (h_br_table_and_add) ----

TEST_CASE("fusion: br_table with the and/add/sub of constants that computed its index, against a C++ model") {
  Engine engine;
  Module module = unit::compile(engine, "fusion_br_table");
  for (uint32_t f = 0; f < 6; ++f) {
    std::string code = corowasm::detail::disassemble(*corowasm::detail::Access::module(module)->codes[f]);
    CHECK_MESSAGE(code.find(" br_table_and_add ") != std::string::npos, code);
    CHECK_MESSAGE(code.find(" br_table ") == std::string::npos, code);
  }
  Instance inst = module.instantiate();
  // 10 + the entry taken: indices 0..2 name entries, anything else the default (3).
  auto entry = [](uint32_t index) { return 10 + int32_t(std::min(index, 3u)); };
  std::vector<uint32_t> xs;
  for (uint32_t base : {0u, 250u, 256u, 0x7ffffff0u, 0xfffffff0u})
    for (uint32_t d = 0; d < 20; ++d) xs.push_back(base + d);
  int checked = 0;
  for (uint32_t x : xs) {
    CAPTURE(x);
    auto call = [&](const char* f) { return inst.call_sync(f, {Value::i32(int32_t(x))})[0].as_i32(); };
    CHECK(call("and_add") == entry((x & 255) - 1));
    CHECK(call("add") == entry(x + 2));
    CHECK(call("sub") == entry(x - 5));
    CHECK(call("and") == entry(x & 6));
    uint32_t i = (x & 15) - 3;
    CHECK(call("tee") == (i < 3 ? entry(i) * 100 : 0) + int32_t(i));  // the default sets no $r
    checked += 5;
  }
  // The loop: n counts down (tee'd), entry n - 1 - 0: 0 adds 1, 1 adds 100, 2 loops on, else done.
  for (int32_t n : {0, 1, 2, 3, 4, 10}) {
    CAPTURE(n);
    int32_t s = 0;
    for (int32_t m = n;;) {
      uint32_t idx = uint32_t(--m);
      if (idx == 0) s += 1;
      else if (idx == 1) s += 100;
      else if (idx != 2) break;
    }
    CHECK(inst.call_sync("loop", {Value::i32(n)})[0].as_i32() == s);
  }
  MESSAGE(checked << " br_table calls checked against the C++ model");
}

TEST_CASE("fusion: a copy and a constant, two constants, in one handler each") {
  Engine engine;
  Module module = unit::compile(engine, "fusion_moves");
  std::string code = corowasm::detail::disassemble(*corowasm::detail::Access::module(module)->codes[0]);
  CHECK_MESSAGE(code.find(" copy_const ") != std::string::npos, code);
  CHECK_MESSAGE(code.find(" const2 ") != std::string::npos, code);
  Instance inst = module.instantiate();
  for (uint32_t a : {0u, 5u, 0xffffffffu}) {
    CAPTURE(a);
    uint64_t want = uint64_t(uint32_t(a * 100 + 7)) + 0x100000002ull - 3;
    CHECK(uint64_t(inst.call_sync("moves", {Value::i32(int32_t(a))})[0].as_i64()) == want);
  }
}

TEST_CASE("fusion: a direct call with the copies or constant before it, which run once however often it re-executes") {
  Engine engine;
  Module module = unit::compile(engine, "fusion_call_moves");
  auto code = [&](uint32_t f) { return corowasm::detail::disassemble(*corowasm::detail::Access::module(module)->codes[f]); };
  for (uint32_t f : {1u, 2u, 4u}) CHECK_MESSAGE(code(f).find(" call_copy2 ") != std::string::npos, code(f));
  CHECK_MESSAGE(code(3).find(" call_const ") != std::string::npos, code(3));
  Instance inst = module.instantiate();
  CHECK(inst.call_sync("one", {Value::i32(7)})[0] == Value::i32(1 + 20 + 700));
  CHECK(inst.call_sync("two", {Value::i32(8), Value::i32(9)})[0] == Value::i32(3 + 80 + 900));
  CHECK(inst.call_sync("konst", {Value::i32(6)})[0] == Value::i32(6 + 40 + 500));
  // Deep enough that the call stack grows under the recursion, more than once.
  for (int32_t n : {1, 100, 20000}) CHECK(inst.call_sync("r", {Value::i32(n)})[0] == Value::i32(n));
}

TEST_CASE("fusion: a load from a local its address add was tee'd into, every load type, against a C++ model") {
  Engine engine;
  const std::vector<uint8_t> bytes = unit::wasm("fusion_tee_load");
  Module module = engine.compile(bytes);
  struct Load { const char* name; uint32_t size; bool sign; bool wide; };
  const Load loads[] = {{"i32.load", 4, false, false},    {"i32.load8_u", 1, false, false},
                        {"i32.load8_s", 1, true, false},  {"i32.load16_u", 2, false, false},
                        {"i32.load16_s", 2, true, false}, {"i64.load", 8, false, true},
                        {"f64.load", 8, false, true},     {"i64.load32_s", 4, true, true}};
  for (uint32_t f = 0; f < std::size(loads); ++f) {
    std::string code = corowasm::detail::disassemble(*corowasm::detail::Access::module(module)->codes[f + 1]);
    CHECK_MESSAGE(code.find(std::string(" ") + loads[f].name + ".tee_add_si ") != std::string::npos, code);
  }
  Instance inst = module.instantiate();
  inst.call_sync("init", {});
  auto byte = [](uint64_t i) { return uint8_t(i * 37 + 11); };
  int checked = 0, traps = 0;
  for (const Load& l : loads)
    for (uint32_t p : {0u, 1u, 77u, 4000u, 65536u - 16, 65536u - 8 - 8, 65536u - 8 - l.size, 65536u - 7 - l.size,
                       65536u, 0xfffffff9u, 0xfffffffbu}) {
      CAPTURE(l.name);
      CAPTURE(p);
      uint32_t np = p + 5;
      uint64_t ea = uint64_t(np) + 3;
      std::string f = std::string("l_") + l.name;
      try {
        uint64_t r = uint64_t(inst.call_sync(f, {Value::i32(int32_t(p))})[0].as_i64());
        REQUIRE_MESSAGE(ea + l.size <= 65536, "returned, the model traps");
        uint64_t v = 0;
        for (uint32_t i = 0; i < l.size; ++i) v |= uint64_t(byte(ea + i)) << (8 * i);
        if (l.sign && (v >> (8 * l.size - 1)) & 1) v |= ~0ull << (8 * l.size);
        if (!l.wide) v &= 0xFFFFFFFFull;
        CHECK(r == v + (uint64_t(np) << 32));
      } catch (const Trap& t) {
        REQUIRE_MESSAGE(ea + l.size > 65536, "trapped (" << t.what() << "), the model does not");
        CHECK(t.kind() == TrapKind::MemoryOutOfBounds);
        REQUIRE(!t.backtrace().empty());
        REQUIRE(t.backtrace()[0].module_offset);
        uint8_t opcode = bytes.at(*t.backtrace()[0].module_offset);
        CHECK((opcode >= 0x28 && opcode <= 0x35));  // the load, not the add
        ++traps;
      }
      ++checked;
    }
  MESSAGE(checked << " loads checked against the C++ model, " << traps << " traps");
  CHECK(traps >= 16);
}

TEST_CASE("fusion: a jump back to a loop that starts with moves runs them, sliced to one fuel unit or not") {
  Engine engine;
  Module module = unit::compile(engine, "fusion_loop_head");
  auto code = [&](uint32_t f) { return corowasm::detail::disassemble(*corowasm::detail::Access::module(module)->codes[f]); };
  CHECK_MESSAGE(code(0).find(" const_br ") != std::string::npos, code(0));
  CHECK_MESSAGE(code(1).find(" copy_br ") != std::string::npos, code(1));
  Instance inst = module.instantiate();
  auto walk = [](int32_t n) { return 2 * (3 * n + n * (n - 1) / 2); };
  CHECK(inst.call_sync("count", {})[0] == Value::i32(10));
  for (int32_t n : {1, 2, 7, 100}) CHECK(inst.call_sync("walk", {Value::i32(n)})[0] == Value::i32(walk(n)));
  // Every jump back spends a fuel unit: with a slice of one, each leaves the handler chain and
  // the call resumes where it stopped.
  using corowasm::detail::Access;
  auto sliced = [&](const char* name, std::vector<Value> args, int& yields) {
    Func f = inst.func(name);
    corowasm::detail::ResumableCall call(*Access::owner(f), Access::func(f), args,
                                         corowasm::detail::CallLimits{.slice = 1, .fuel = {}, .deadline = {}});
    for (;;) switch (call.resume()) {
        case corowasm::detail::CallStatus::Done: return call.take_results();
        case corowasm::detail::CallStatus::OutOfSlice: ++yields; break;
        default: FAIL("unexpected status"); return std::vector<Value>{};
      }
  };
  int yields = 0;
  CHECK(sliced("count", {}, yields)[0] == Value::i32(10));
  CHECK(yields == 9);  // 10 jumps back, the first within the slice
  yields = 0;
  CHECK(sliced("walk", {Value::i32(50)}, yields)[0] == Value::i32(walk(50)));
  CHECK(yields == 48);
}

TEST_CASE("fusion: a load and the store of its value in one handler, each access trapping at its own offset") {
  Engine engine;
  const std::vector<uint8_t> bytes = unit::wasm("fusion_mem_move");
  Module module = engine.compile(bytes);
  const char* names[] = {"i64.load->i64.store", "i32.load->i32.store", "i64.load@acc->i64.store",
                         "i32.load.add_si->i32.store", "i64.load->i64.store"};
  for (uint32_t f = 0; f < 5; ++f) {
    std::string code = corowasm::detail::disassemble(*corowasm::detail::Access::module(module)->codes[f]);
    CHECK_MESSAGE(code.find(std::string(" ") + names[f] + " ") != std::string::npos, code);
  }
  Instance inst = module.instantiate();
  Memory mem = inst.memory("mem");
  constexpr uint64_t kSize = 65536;
  std::vector<uint8_t> model(kSize);
  for (uint64_t i = 0; i < kSize; ++i) model[i] = uint8_t(i * 37 + 11);
  std::memcpy(mem.data(), model.data(), kSize);
  struct Fn { const char* name; uint32_t size; uint32_t add; };
  const Fn fns[] = {{"m64", 8, 0}, {"m32", 4, 0}, {"m64_acc", 8, 0}, {"m32_add", 4, 16}, {"m64_tee", 8, 0}};
  const uint32_t addrs[] = {0, 1, 7, 100, 104, 3000, kSize - 24, kSize - 13, kSize - 12, kSize - 9, kSize - 8, kSize};
  int checked = 0, load_traps = 0, store_traps = 0;
  for (const Fn& fn : fns)
    for (uint32_t s : addrs)
      for (uint32_t d : addrs) {
        CAPTURE(fn.name);
        CAPTURE(s);
        CAPTURE(d);
        uint64_t from = uint64_t(uint32_t(s + fn.add)) + 3, to = uint64_t(d) + 5;
        bool load_ok = from + fn.size <= kSize, store_ok = to + fn.size <= kSize;
        uint64_t value = 0;
        if (load_ok) std::memcpy(&value, model.data() + from, fn.size);
        try {
          std::vector<Value> r = inst.call_sync(fn.name, {Value::i32(int32_t(s)), Value::i32(int32_t(d))});
          REQUIRE_MESSAGE((load_ok && store_ok), "returned, the model traps");
          std::memcpy(model.data() + to, &value, fn.size);
          if (!r.empty()) CHECK(uint64_t(r[0].as_i64()) == value);
        } catch (const Trap& t) {
          REQUIRE_MESSAGE(!(load_ok && store_ok), "trapped (" << t.what() << "), the model does not");
          CHECK(t.kind() == TrapKind::MemoryOutOfBounds);
          REQUIRE(!t.backtrace().empty());
          REQUIRE(t.backtrace()[0].module_offset);
          uint8_t opcode = bytes.at(*t.backtrace()[0].module_offset);
          // The access that failed: i32.load 0x28 / i64.load 0x29, i32.store 0x36 / i64.store 0x37.
          if (!load_ok) CHECK((opcode == 0x28 || opcode == 0x29));
          else CHECK((opcode == 0x36 || opcode == 0x37));
          (load_ok ? store_traps : load_traps) += 1;
        }
        REQUIRE(std::memcmp(mem.data(), model.data(), kSize) == 0);
        ++checked;
      }
  MESSAGE(checked << " moves checked against the C++ model; " << load_traps << " load traps, " << store_traps
                  << " store traps");
  CHECK(load_traps > 0);
  CHECK(store_traps > 0);
}
