// Differential test of the compiler's compare-and-branch fusions: a loop whose br_if tests a
// value the instruction right before it just computed (`x = x OP k; if (a CMP x) continue`),
// for every i32 binary operator and comparison, with the updated value on either side or
// compared with a constant. Expected results come from a plain C++ model of the same loop.
// (It was `remaining < (threshold >>= 1)` in zstd that looped forever when the fusion swapped
// the comparison but not its operands.)
#include <corowasm/corowasm.h>
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace corowasm;

namespace {

void leb_u(std::vector<uint8_t>& o, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    o.push_back(v ? (b | 0x80) : b);
  } while (v);
}
void leb_s(std::vector<uint8_t>& o, int64_t v) {
  for (;;) {
    uint8_t b = v & 0x7F;
    v >>= 7;
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    o.push_back(done ? b : (b | 0x80));
    if (done) return;
  }
}

struct BinOp { const char* name; uint8_t opcode; uint32_t (*eval)(uint32_t, uint32_t); };
struct CmpOp { const char* name; uint8_t opcode; bool (*eval)(uint32_t, uint32_t); };

const BinOp kBinOps[] = {
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
const CmpOp kCmpOps[] = {
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

enum Variant { UpdatedRight, UpdatedLeft, AgainstConst, UpdatedRightEqz };
const char* kVariantNames[] = {"a CMP (x OP k)", "(x OP k) CMP a", "(x OP k) CMP c", "!(a CMP (x OP k))"};
constexpr uint32_t kMaxIterations = 40;

// (func (param a x) (result i32) (local n)
//   block loop  (exit after kMaxIterations)  n += 1;  <pattern>; br_if loop  end end
//   (n << 16) ^ x)
std::vector<uint8_t> module_for(const BinOp& op, const CmpOp& cmp, Variant v, int32_t k, int32_t c) {
  std::vector<uint8_t> body = {1, 1, 0x7F};  // one local group: 1 x i32 (n = local 2)
  auto ins = [&](std::initializer_list<uint8_t> bytes) { body.insert(body.end(), bytes); };
  auto i32c = [&](int32_t x) { body.push_back(0x41); leb_s(body, x); };
  ins({0x02, 0x40, 0x03, 0x40});                   // block loop
  ins({0x20, 2}); i32c(kMaxIterations); ins({0x4F, 0x0D, 1});   // n >= max: br_if exit
  ins({0x20, 2}); i32c(1); ins({0x6A, 0x21, 2});  // n += 1
  auto update = [&] { ins({0x20, 1}); i32c(k); ins({op.opcode, 0x22, 1}); };  // x = x OP k (tee)
  switch (v) {
    case UpdatedRight: ins({0x20, 0}); update(); ins({cmp.opcode}); break;
    case UpdatedLeft: update(); ins({0x20, 0}); ins({cmp.opcode}); break;
    case AgainstConst: update(); i32c(c); ins({cmp.opcode}); break;
    case UpdatedRightEqz: ins({0x20, 0}); update(); ins({cmp.opcode, 0x45}); break;
  }
  ins({0x0D, 0});                                  // br_if loop
  ins({0x0B, 0x0B});                               // end loop, end block
  ins({0x20, 2}); i32c(16); ins({0x74, 0x20, 1, 0x73});  // (n << 16) ^ x
  ins({0x0B});

  std::vector<uint8_t> m = {0, 'a', 's', 'm', 1, 0, 0, 0};
  m.insert(m.end(), {1, 7, 1, 0x60, 2, 0x7F, 0x7F, 1, 0x7F});  // type (i32 i32) -> i32
  m.insert(m.end(), {3, 2, 1, 0});                             // one function of type 0
  m.insert(m.end(), {7, 5, 1, 1, 'f', 0, 0});                  // export "f"
  std::vector<uint8_t> code = {1};
  leb_u(code, body.size());
  code.insert(code.end(), body.begin(), body.end());
  m.push_back(10);
  leb_u(m, code.size());
  m.insert(m.end(), code.begin(), code.end());
  return m;
}

uint32_t model(const BinOp& op, const CmpOp& cmp, Variant v, int32_t k, int32_t c, uint32_t a, uint32_t x) {
  uint32_t n = 0;
  for (;;) {
    if (n >= kMaxIterations) break;
    n += 1;
    x = op.eval(x, uint32_t(k));
    bool again = false;
    switch (v) {
      case UpdatedRight: again = cmp.eval(a, x); break;
      case UpdatedLeft: again = cmp.eval(x, a); break;
      case AgainstConst: again = cmp.eval(x, uint32_t(c)); break;
      case UpdatedRightEqz: again = !cmp.eval(a, x); break;
    }
    if (!again) break;
  }
  return (n << 16) ^ x;
}

}  // namespace

TEST_CASE("fusion: compare-and-branch on a value computed just before, every i32 operator and comparison") {
  Engine engine;
  const int32_t ks[] = {1, 3, -1, 31};
  const int32_t cs[] = {0, 5, -7};
  const uint32_t vals[] = {0, 1, 5, 64, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 12345};
  int checked = 0;
  for (const BinOp& op : kBinOps)
    for (const CmpOp& cmp : kCmpOps)
      for (Variant v : {UpdatedRight, UpdatedLeft, AgainstConst, UpdatedRightEqz})
        for (int32_t k : ks)
          for (int32_t c : (v == AgainstConst ? std::vector<int32_t>(std::begin(cs), std::end(cs)) : std::vector<int32_t>{0})) {
            Instance inst = engine.compile(module_for(op, cmp, v, k, c)).instantiate();
            for (uint32_t a : vals)
              for (uint32_t x : vals) {
                uint32_t got = uint32_t(inst.call_sync("f", {Value::i32(int32_t(a)), Value::i32(int32_t(x))})[0].as_i32());
                uint32_t want = model(op, cmp, v, k, c, a, x);
                if (got != want) {
                  FAIL_CHECK("x = x " << std::string(op.name) << " " << k << "; " << std::string(kVariantNames[v]) << " with " << std::string(cmp.name)
                                      << ", c=" << c << ", a=" << a << ", x=" << x << ": got " << got << ", want " << want);
                }
                ++checked;
              }
          }
  MESSAGE(checked << " loops checked against the C++ model");
  CHECK(checked > 10000);
}
