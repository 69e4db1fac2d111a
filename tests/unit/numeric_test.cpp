// Edge cases of vm/numeric.h. Expected values are written by hand from the Wasm spec.
#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <ostream>
#include <type_traits>

#include "isa/numeric.h"

namespace num = corowasm::detail::num;
using corowasm::TrapKind;

namespace {

// Hides the argument from the optimizer, so the operators run as compiled code rather than
// being constant-folded.
template <class T> T opaque(T v) {
  volatile T x = v;
  return x;
}

float f32(uint32_t b) { return std::bit_cast<float>(b); }
double f64(uint64_t b) { return std::bit_cast<double>(b); }
uint32_t bits(float f) { return std::bit_cast<uint32_t>(f); }
uint64_t bits(double d) { return std::bit_cast<uint64_t>(d); }

constexpr float kInfF = std::numeric_limits<float>::infinity();
constexpr double kInf = std::numeric_limits<double>::infinity();
const float kNanF = f32(0x7FC00000);
const double kNan = f64(0x7FF8000000000000);

template <class Op> typename Op::R un(typename Op::A a) { return Op::apply(opaque(a)); }
template <class Op> typename Op::R bin(typename Op::A a, typename Op::B b) {
  return Op::apply(opaque(a), opaque(b));
}

// Result of a trapping operator: a value, or the trap it raised.
struct Outcome {
  bool ok;
  uint64_t value;
  TrapKind why;
  bool operator==(const Outcome&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  if (o.ok) return os << "ok(0x" << std::hex << o.value << std::dec << ")";
  return os << "trap(" << int(o.why) << ")";
}
Outcome ok(uint64_t v) { return {true, v, TrapKind::Unreachable}; }
const Outcome kDivZero{false, 0, TrapKind::IntegerDivideByZero};
const Outcome kOverflow{false, 0, TrapKind::IntegerOverflow};
const Outcome kInvalid{false, 0, TrapKind::InvalidConversion};

template <class Op> Outcome run(typename Op::A a) {
  typename Op::R out{};
  TrapKind why = TrapKind::Unreachable;
  if (Op::apply(opaque(a), out, why)) return ok(out);
  return {false, 0, why};
}
template <class Op> Outcome run(typename Op::A a, typename Op::B b) {
  typename Op::R out{};
  TrapKind why = TrapKind::Unreachable;
  if (Op::apply(opaque(a), opaque(b), out, why)) return ok(out);
  return {false, 0, why};
}

}  // namespace

// ---- shape ----

static_assert(std::is_same_v<num::I64Eqz::R, uint32_t>);
static_assert(std::is_same_v<num::I64LtS::R, uint32_t>);
static_assert(std::is_same_v<num::F64Eq::R, uint32_t>);
static_assert(std::is_same_v<num::I64Clz::R, uint64_t>);
static_assert(std::is_same_v<num::I64Shl::B, uint64_t>);
static_assert(std::is_same_v<num::I32TruncF64U::A, double>);
static_assert(std::is_same_v<num::I32TruncF64U::R, uint32_t>);
static_assert(std::is_same_v<num::F32ConvertI64S::A, uint64_t>);
static_assert(num::I32DivS::traps && num::I64RemU::traps && num::I64TruncF32S::traps);
static_assert(!num::I32Add::traps && !num::I32TruncSatF32S::traps && !num::F32Min::traps);
static_assert(num::I32Rotl::apply(0x80000001u, 1u) == 3u);        // usable in constant expressions
static_assert(num::F64Nearest::apply(2.5) == 2.0);

// ---- integers ----

TEST_CASE("numeric: integer wrap-around") {
  CHECK(bin<num::I32Add>(0x7FFFFFFF, 1) == 0x80000000u);
  CHECK(bin<num::I32Sub>(0, 1) == 0xFFFFFFFFu);
  CHECK(bin<num::I32Mul>(0x80000000, 0xFFFFFFFF) == 0x80000000u);
  CHECK(bin<num::I32Mul>(0x10000, 0x10000) == 0u);
  CHECK(bin<num::I64Add>(0x7FFFFFFFFFFFFFFF, 1) == 0x8000000000000000u);
  CHECK(bin<num::I64Sub>(0, 1) == 0xFFFFFFFFFFFFFFFFu);
  CHECK(bin<num::I64Mul>(0x8000000000000000, 0xFFFFFFFFFFFFFFFF) == 0x8000000000000000u);
  CHECK(bin<num::I64Mul>(0x100000000, 0x100000000) == 0u);
}

TEST_CASE("numeric: shifts mask the count") {
  CHECK(bin<num::I32Shl>(1, 31) == 0x80000000u);
  CHECK(bin<num::I32Shl>(1, 32) == 1u);
  CHECK(bin<num::I32Shl>(1, 33) == 2u);
  CHECK(bin<num::I32Shl>(1, 0xFFFFFFFF) == 0x80000000u);
  CHECK(bin<num::I32ShrS>(0x80000000, 31) == 0xFFFFFFFFu);
  CHECK(bin<num::I32ShrS>(0x80000000, 32) == 0x80000000u);
  CHECK(bin<num::I32ShrS>(0x80000000, 63) == 0xFFFFFFFFu);
  CHECK(bin<num::I32ShrS>(0x7FFFFFFF, 30) == 1u);
  CHECK(bin<num::I32ShrU>(0x80000000, 31) == 1u);
  CHECK(bin<num::I32ShrU>(0x80000000, 32) == 0x80000000u);
  CHECK(bin<num::I32ShrU>(0xFFFFFFFF, 0x80000024) == 0x0FFFFFFFu);

  CHECK(bin<num::I64Shl>(1, 63) == 0x8000000000000000u);
  CHECK(bin<num::I64Shl>(1, 64) == 1u);
  CHECK(bin<num::I64Shl>(1, 65) == 2u);
  CHECK(bin<num::I64Shl>(1, 32) == 0x100000000u);  // not masked to 5 bits
  CHECK(bin<num::I64ShrS>(0x8000000000000000, 63) == 0xFFFFFFFFFFFFFFFFu);
  CHECK(bin<num::I64ShrS>(0x8000000000000000, 64) == 0x8000000000000000u);
  CHECK(bin<num::I64ShrU>(0x8000000000000000, 0x7F) == 1u);
  CHECK(bin<num::I64ShrU>(0x8000000000000000, 0xFFFFFFFFFFFFFF40) == 0x8000000000000000u);
}

TEST_CASE("numeric: rotations") {
  CHECK(bin<num::I32Rotl>(0x80000001, 1) == 3u);
  CHECK(bin<num::I32Rotl>(0x12345678, 0) == 0x12345678u);
  CHECK(bin<num::I32Rotl>(0x12345678, 32) == 0x12345678u);
  CHECK(bin<num::I32Rotl>(0x12345678, 36) == 0x23456781u);
  CHECK(bin<num::I32Rotr>(1, 1) == 0x80000000u);
  CHECK(bin<num::I32Rotr>(0x12345678, 4) == 0x81234567u);
  CHECK(bin<num::I32Rotr>(0x12345678, 0xFFFFFFE4) == 0x81234567u);
  CHECK(bin<num::I64Rotl>(0x8000000000000001, 1) == 3u);
  CHECK(bin<num::I64Rotl>(0x0123456789ABCDEF, 4) == 0x123456789ABCDEF0u);
  CHECK(bin<num::I64Rotl>(0x0123456789ABCDEF, 68) == 0x123456789ABCDEF0u);
  CHECK(bin<num::I64Rotl>(0x0123456789ABCDEF, 64) == 0x0123456789ABCDEFu);
  CHECK(bin<num::I64Rotr>(1, 65) == 0x8000000000000000u);
  CHECK(bin<num::I64Rotr>(0x0123456789ABCDEF, 32) == 0x89ABCDEF01234567u);
}

TEST_CASE("numeric: clz ctz popcnt eqz") {
  CHECK(un<num::I32Clz>(0) == 32u);
  CHECK(un<num::I32Clz>(1) == 31u);
  CHECK(un<num::I32Clz>(0x80000000) == 0u);
  CHECK(un<num::I32Ctz>(0) == 32u);
  CHECK(un<num::I32Ctz>(0x80000000) == 31u);
  CHECK(un<num::I32Ctz>(1) == 0u);
  CHECK(un<num::I32Popcnt>(0) == 0u);
  CHECK(un<num::I32Popcnt>(0xFFFFFFFF) == 32u);
  CHECK(un<num::I32Popcnt>(0x55555555) == 16u);
  CHECK(un<num::I64Clz>(0) == 64u);
  CHECK(un<num::I64Clz>(1) == 63u);
  CHECK(un<num::I64Clz>(0x100000000) == 31u);
  CHECK(un<num::I64Ctz>(0) == 64u);
  CHECK(un<num::I64Ctz>(0x8000000000000000) == 63u);
  CHECK(un<num::I64Popcnt>(0xFFFFFFFFFFFFFFFF) == 64u);
  CHECK(un<num::I32Eqz>(0) == 1u);
  CHECK(un<num::I32Eqz>(0x80000000) == 0u);
  CHECK(un<num::I64Eqz>(0) == 1u);
  CHECK(un<num::I64Eqz>(0x100000000) == 0u);
}

TEST_CASE("numeric: integer comparisons") {
  CHECK(bin<num::I32Eq>(5, 5) == 1u);
  CHECK(bin<num::I32Ne>(5, 5) == 0u);
  CHECK(bin<num::I32LtS>(0x80000000, 0) == 1u);
  CHECK(bin<num::I32LtU>(0x80000000, 0) == 0u);
  CHECK(bin<num::I32GtS>(0, 0xFFFFFFFF) == 1u);
  CHECK(bin<num::I32GtU>(0, 0xFFFFFFFF) == 0u);
  CHECK(bin<num::I32LeS>(0xFFFFFFFF, 0xFFFFFFFF) == 1u);
  CHECK(bin<num::I32LeS>(0, 0xFFFFFFFF) == 0u);
  CHECK(bin<num::I32LeU>(0, 0xFFFFFFFF) == 1u);
  CHECK(bin<num::I32GeS>(0x7FFFFFFF, 0x80000000) == 1u);
  CHECK(bin<num::I32GeU>(0x7FFFFFFF, 0x80000000) == 0u);
  CHECK(bin<num::I64Eq>(0x100000000, 0) == 0u);
  CHECK(bin<num::I64Ne>(0x100000000, 0) == 1u);
  CHECK(bin<num::I64LtS>(0x8000000000000000, 0) == 1u);
  CHECK(bin<num::I64LtU>(0x8000000000000000, 0) == 0u);
  CHECK(bin<num::I64GtS>(0x7FFFFFFFFFFFFFFF, 0x8000000000000000) == 1u);
  CHECK(bin<num::I64GtU>(0x7FFFFFFFFFFFFFFF, 0x8000000000000000) == 0u);
  CHECK(bin<num::I64LeS>(0x8000000000000000, 0x8000000000000000) == 1u);
  CHECK(bin<num::I64LeU>(0xFFFFFFFFFFFFFFFF, 1) == 0u);
  CHECK(bin<num::I64GeS>(0xFFFFFFFFFFFFFFFF, 0) == 0u);
  CHECK(bin<num::I64GeU>(0xFFFFFFFFFFFFFFFF, 0) == 1u);
}

TEST_CASE("numeric: sign extension and i32/i64 conversions") {
  CHECK(un<num::I32Extend8S>(0x7F) == 0x7Fu);
  CHECK(un<num::I32Extend8S>(0x80) == 0xFFFFFF80u);
  CHECK(un<num::I32Extend8S>(0x12345680) == 0xFFFFFF80u);
  CHECK(un<num::I32Extend8S>(0xFFFFFF01) == 1u);
  CHECK(un<num::I32Extend16S>(0x7FFF) == 0x7FFFu);
  CHECK(un<num::I32Extend16S>(0x8000) == 0xFFFF8000u);
  CHECK(un<num::I64Extend8S>(0x80) == 0xFFFFFFFFFFFFFF80u);
  CHECK(un<num::I64Extend16S>(0xFFFF) == 0xFFFFFFFFFFFFFFFFu);
  CHECK(un<num::I64Extend32S>(0x80000000) == 0xFFFFFFFF80000000u);
  CHECK(un<num::I64Extend32S>(0x7FFFFFFF) == 0x7FFFFFFFu);
  CHECK(un<num::I64Extend32S>(0x17FFFFFFF) == 0x7FFFFFFFu);
  CHECK(un<num::I32WrapI64>(0x123456789) == 0x23456789u);
  CHECK(un<num::I64ExtendI32S>(0x80000000) == 0xFFFFFFFF80000000u);
  CHECK(un<num::I64ExtendI32S>(0x7FFFFFFF) == 0x7FFFFFFFu);
  CHECK(un<num::I64ExtendI32U>(0x80000000) == 0x80000000u);
}

TEST_CASE("numeric: i32 division and remainder") {
  CHECK(run<num::I32DivS>(1, 0) == kDivZero);
  CHECK(run<num::I32DivS>(0x80000000, 0) == kDivZero);
  CHECK(run<num::I32DivS>(0x80000000, 0xFFFFFFFF) == kOverflow);
  CHECK(run<num::I32DivS>(0x80000000, 1) == ok(0x80000000));
  CHECK(run<num::I32DivS>(0x80000000, 2) == ok(0xC0000000));
  CHECK(run<num::I32DivS>(7, 0xFFFFFFFE) == ok(0xFFFFFFFD));  // 7 / -2 = -3 (toward zero)
  CHECK(run<num::I32DivS>(0xFFFFFFF9, 2) == ok(0xFFFFFFFD));  // -7 / 2 = -3
  CHECK(run<num::I32DivU>(1, 0) == kDivZero);
  CHECK(run<num::I32DivU>(0x80000000, 0xFFFFFFFF) == ok(0));
  CHECK(run<num::I32DivU>(0xFFFFFFFF, 2) == ok(0x7FFFFFFF));
  CHECK(run<num::I32RemS>(5, 0) == kDivZero);
  CHECK(run<num::I32RemS>(0x80000000, 0xFFFFFFFF) == ok(0));
  CHECK(run<num::I32RemS>(0x7FFFFFFF, 0xFFFFFFFF) == ok(0));
  CHECK(run<num::I32RemS>(0x80000000, 2) == ok(0));
  CHECK(run<num::I32RemS>(0xFFFFFFF9, 2) == ok(0xFFFFFFFF));  // -7 % 2 = -1 (sign of dividend)
  CHECK(run<num::I32RemS>(7, 0xFFFFFFFE) == ok(1));           // 7 % -2 = 1
  CHECK(run<num::I32RemU>(5, 0) == kDivZero);
  CHECK(run<num::I32RemU>(0x80000000, 0xFFFFFFFF) == ok(0x80000000));
  CHECK(run<num::I32RemU>(0xFFFFFFFF, 0x10) == ok(0xF));
}

TEST_CASE("numeric: i64 division and remainder") {
  CHECK(run<num::I64DivS>(1, 0) == kDivZero);
  CHECK(run<num::I64DivS>(0x8000000000000000, 0) == kDivZero);
  CHECK(run<num::I64DivS>(0x8000000000000000, 0xFFFFFFFFFFFFFFFF) == kOverflow);
  CHECK(run<num::I64DivS>(0x8000000000000000, 1) == ok(0x8000000000000000));
  CHECK(run<num::I64DivS>(0xFFFFFFFFFFFFFFF9, 2) == ok(0xFFFFFFFFFFFFFFFD));
  CHECK(run<num::I64DivU>(0xFFFFFFFFFFFFFFFF, 0) == kDivZero);
  CHECK(run<num::I64DivU>(0xFFFFFFFFFFFFFFFF, 2) == ok(0x7FFFFFFFFFFFFFFF));
  CHECK(run<num::I64DivU>(0x8000000000000000, 0xFFFFFFFFFFFFFFFF) == ok(0));
  CHECK(run<num::I64RemS>(1, 0) == kDivZero);
  CHECK(run<num::I64RemS>(0x8000000000000000, 0xFFFFFFFFFFFFFFFF) == ok(0));
  CHECK(run<num::I64RemS>(0xFFFFFFFFFFFFFFF9, 2) == ok(0xFFFFFFFFFFFFFFFF));
  CHECK(run<num::I64RemU>(1, 0) == kDivZero);
  CHECK(run<num::I64RemU>(0x8000000000000001, 0xFFFFFFFFFFFFFFFF) == ok(0x8000000000000001));
  CHECK(run<num::I64RemU>(0xFFFFFFFFFFFFFFFF, 0x100000000) == ok(0xFFFFFFFF));
}

// ---- float -> int ----

TEST_CASE("numeric: i32.trunc_f32") {
  CHECK(run<num::I32TruncF32S>(-0x1p31f) == ok(0x80000000));              // -2147483648
  CHECK(run<num::I32TruncF32S>(-0x1.000002p31f) == kOverflow);            // -2147483904
  CHECK(run<num::I32TruncF32S>(0x1.fffffep30f) == ok(0x7FFFFF80));        // 2147483520
  CHECK(run<num::I32TruncF32S>(0x1p31f) == kOverflow);                    // 2147483648
  CHECK(run<num::I32TruncF32S>(-1.5f) == ok(0xFFFFFFFF));
  CHECK(run<num::I32TruncF32S>(1.9f) == ok(1));
  CHECK(run<num::I32TruncF32S>(-0.9f) == ok(0));
  CHECK(run<num::I32TruncF32S>(-0.0f) == ok(0));
  CHECK(run<num::I32TruncF32S>(kNanF) == kInvalid);
  CHECK(run<num::I32TruncF32S>(f32(0xFFC00000)) == kInvalid);
  CHECK(run<num::I32TruncF32S>(f32(0x7FA00000)) == kInvalid);  // signalling NaN
  CHECK(run<num::I32TruncF32S>(kInfF) == kOverflow);
  CHECK(run<num::I32TruncF32S>(-kInfF) == kOverflow);

  CHECK(run<num::I32TruncF32U>(-0x1.fffffep-1f) == ok(0));                // -0.99999994
  CHECK(run<num::I32TruncF32U>(-1.0f) == kOverflow);
  CHECK(run<num::I32TruncF32U>(0x1p31f) == ok(0x80000000));
  CHECK(run<num::I32TruncF32U>(0x1.fffffep31f) == ok(0xFFFFFF00));        // 4294967040
  CHECK(run<num::I32TruncF32U>(0x1p32f) == kOverflow);                    // 4294967296
  CHECK(run<num::I32TruncF32U>(kNanF) == kInvalid);
  CHECK(run<num::I32TruncF32U>(kInfF) == kOverflow);
  CHECK(run<num::I32TruncF32U>(-kInfF) == kOverflow);
}

TEST_CASE("numeric: i32.trunc_f64") {
  CHECK(run<num::I32TruncF64S>(-2147483648.0) == ok(0x80000000));
  CHECK(run<num::I32TruncF64S>(-0x1.00000001fffffp31) == ok(0x80000000));  // -2147483648.9999995
  CHECK(run<num::I32TruncF64S>(-2147483649.0) == kOverflow);
  CHECK(run<num::I32TruncF64S>(0x1.fffffffffffffp30) == ok(0x7FFFFFFF));   // 2147483647.9999998
  CHECK(run<num::I32TruncF64S>(2147483647.0) == ok(0x7FFFFFFF));
  CHECK(run<num::I32TruncF64S>(2147483648.0) == kOverflow);
  CHECK(run<num::I32TruncF64S>(kNan) == kInvalid);
  CHECK(run<num::I32TruncF64S>(kInf) == kOverflow);
  CHECK(run<num::I32TruncF64S>(-kInf) == kOverflow);

  CHECK(run<num::I32TruncF64U>(-0x1.fffffffffffffp-1) == ok(0));
  CHECK(run<num::I32TruncF64U>(-1.0) == kOverflow);
  CHECK(run<num::I32TruncF64U>(0x1.fffffffffffffp31) == ok(0xFFFFFFFF));   // 4294967295.9999995
  CHECK(run<num::I32TruncF64U>(4294967296.0) == kOverflow);
  CHECK(run<num::I32TruncF64U>(1e16) == kOverflow);
  CHECK(run<num::I32TruncF64U>(f64(0xFFF8000000000000)) == kInvalid);
  CHECK(run<num::I32TruncF64U>(kInf) == kOverflow);
}

TEST_CASE("numeric: i64.trunc_f32 and i64.trunc_f64") {
  CHECK(run<num::I64TruncF32S>(-0x1p63f) == ok(0x8000000000000000));
  CHECK(run<num::I64TruncF32S>(-0x1.000002p63f) == kOverflow);
  CHECK(run<num::I64TruncF32S>(0x1.fffffep62f) == ok(0x7FFFFF8000000000));
  CHECK(run<num::I64TruncF32S>(0x1p63f) == kOverflow);
  CHECK(run<num::I64TruncF32S>(-1.5f) == ok(0xFFFFFFFFFFFFFFFF));
  CHECK(run<num::I64TruncF32S>(kNanF) == kInvalid);
  CHECK(run<num::I64TruncF32S>(-kInfF) == kOverflow);

  CHECK(run<num::I64TruncF32U>(-0x1.fffffep-1f) == ok(0));
  CHECK(run<num::I64TruncF32U>(-1.0f) == kOverflow);
  CHECK(run<num::I64TruncF32U>(0x1.fffffep63f) == ok(0xFFFFFF0000000000));
  CHECK(run<num::I64TruncF32U>(0x1p64f) == kOverflow);
  CHECK(run<num::I64TruncF32U>(kNanF) == kInvalid);
  CHECK(run<num::I64TruncF32U>(kInfF) == kOverflow);

  CHECK(run<num::I64TruncF64S>(-0x1p63) == ok(0x8000000000000000));
  CHECK(run<num::I64TruncF64S>(-0x1.0000000000001p63) == kOverflow);
  CHECK(run<num::I64TruncF64S>(0x1.fffffffffffffp62) == ok(0x7FFFFFFFFFFFFC00));
  CHECK(run<num::I64TruncF64S>(0x1p63) == kOverflow);
  CHECK(run<num::I64TruncF64S>(-0.5) == ok(0));
  CHECK(run<num::I64TruncF64S>(kNan) == kInvalid);
  CHECK(run<num::I64TruncF64S>(kInf) == kOverflow);

  CHECK(run<num::I64TruncF64U>(-0x1.fffffffffffffp-1) == ok(0));
  CHECK(run<num::I64TruncF64U>(-1.0) == kOverflow);
  CHECK(run<num::I64TruncF64U>(0x1p63) == ok(0x8000000000000000));
  CHECK(run<num::I64TruncF64U>(0x1.fffffffffffffp63) == ok(0xFFFFFFFFFFFFF800));
  CHECK(run<num::I64TruncF64U>(0x1p64) == kOverflow);
  CHECK(run<num::I64TruncF64U>(kNan) == kInvalid);
  CHECK(run<num::I64TruncF64U>(-kInf) == kOverflow);
}

TEST_CASE("numeric: trunc_sat saturates") {
  CHECK(un<num::I32TruncSatF32S>(kNanF) == 0u);
  CHECK(un<num::I32TruncSatF32S>(f32(0xFFC00000)) == 0u);
  CHECK(un<num::I32TruncSatF32S>(kInfF) == 0x7FFFFFFFu);
  CHECK(un<num::I32TruncSatF32S>(-kInfF) == 0x80000000u);
  CHECK(un<num::I32TruncSatF32S>(0x1p31f) == 0x7FFFFFFFu);
  CHECK(un<num::I32TruncSatF32S>(0x1.fffffep30f) == 0x7FFFFF80u);
  CHECK(un<num::I32TruncSatF32S>(-0x1p31f) == 0x80000000u);
  CHECK(un<num::I32TruncSatF32S>(-0x1.000002p31f) == 0x80000000u);
  CHECK(un<num::I32TruncSatF32S>(-1.5f) == 0xFFFFFFFFu);

  CHECK(un<num::I32TruncSatF32U>(kNanF) == 0u);
  CHECK(un<num::I32TruncSatF32U>(-kInfF) == 0u);
  CHECK(un<num::I32TruncSatF32U>(-1.0f) == 0u);
  CHECK(un<num::I32TruncSatF32U>(-0.9f) == 0u);
  CHECK(un<num::I32TruncSatF32U>(0x1.fffffep31f) == 0xFFFFFF00u);
  CHECK(un<num::I32TruncSatF32U>(0x1p32f) == 0xFFFFFFFFu);
  CHECK(un<num::I32TruncSatF32U>(kInfF) == 0xFFFFFFFFu);

  CHECK(un<num::I32TruncSatF64S>(kNan) == 0u);
  CHECK(un<num::I32TruncSatF64S>(2147483648.0) == 0x7FFFFFFFu);
  CHECK(un<num::I32TruncSatF64S>(0x1.fffffffffffffp30) == 0x7FFFFFFFu);
  CHECK(un<num::I32TruncSatF64S>(-2147483649.0) == 0x80000000u);
  CHECK(un<num::I32TruncSatF64S>(-0x1.00000001fffffp31) == 0x80000000u);
  CHECK(un<num::I32TruncSatF64S>(-1e300) == 0x80000000u);

  CHECK(un<num::I32TruncSatF64U>(kNan) == 0u);
  CHECK(un<num::I32TruncSatF64U>(-1.0) == 0u);
  CHECK(un<num::I32TruncSatF64U>(0x1.fffffffffffffp31) == 0xFFFFFFFFu);
  CHECK(un<num::I32TruncSatF64U>(4294967296.0) == 0xFFFFFFFFu);
  CHECK(un<num::I32TruncSatF64U>(1e300) == 0xFFFFFFFFu);

  CHECK(un<num::I64TruncSatF32S>(kNanF) == 0u);
  CHECK(un<num::I64TruncSatF32S>(kInfF) == 0x7FFFFFFFFFFFFFFFu);
  CHECK(un<num::I64TruncSatF32S>(-kInfF) == 0x8000000000000000u);
  CHECK(un<num::I64TruncSatF32S>(0x1p63f) == 0x7FFFFFFFFFFFFFFFu);
  CHECK(un<num::I64TruncSatF32S>(-0x1p63f) == 0x8000000000000000u);
  CHECK(un<num::I64TruncSatF32S>(0x1.fffffep62f) == 0x7FFFFF8000000000u);

  CHECK(un<num::I64TruncSatF32U>(kNanF) == 0u);
  CHECK(un<num::I64TruncSatF32U>(-1.0f) == 0u);
  CHECK(un<num::I64TruncSatF32U>(0x1.fffffep63f) == 0xFFFFFF0000000000u);
  CHECK(un<num::I64TruncSatF32U>(0x1p64f) == 0xFFFFFFFFFFFFFFFFu);

  CHECK(un<num::I64TruncSatF64S>(kNan) == 0u);
  CHECK(un<num::I64TruncSatF64S>(0x1p63) == 0x7FFFFFFFFFFFFFFFu);
  CHECK(un<num::I64TruncSatF64S>(0x1.fffffffffffffp62) == 0x7FFFFFFFFFFFFC00u);
  CHECK(un<num::I64TruncSatF64S>(-0x1p63) == 0x8000000000000000u);
  CHECK(un<num::I64TruncSatF64S>(-0x1.0000000000001p63) == 0x8000000000000000u);

  CHECK(un<num::I64TruncSatF64U>(kNan) == 0u);
  CHECK(un<num::I64TruncSatF64U>(-kInf) == 0u);
  CHECK(un<num::I64TruncSatF64U>(-0x1.fffffffffffffp-1) == 0u);
  CHECK(un<num::I64TruncSatF64U>(0x1.fffffffffffffp63) == 0xFFFFFFFFFFFFF800u);
  CHECK(un<num::I64TruncSatF64U>(0x1p64) == 0xFFFFFFFFFFFFFFFFu);
  CHECK(un<num::I64TruncSatF64U>(kInf) == 0xFFFFFFFFFFFFFFFFu);
}

// ---- int -> float ----

TEST_CASE("numeric: int to f32 rounds to nearest even") {
  CHECK(un<num::F32ConvertI64U>(0xFFFFFFFFFFFFFFFF) == 0x1p64f);
  CHECK(un<num::F32ConvertI64U>(0x1000000000000001) == 0x1p60f);
  CHECK(un<num::F32ConvertI64U>(0x1000001000000000) == 0x1p60f);          // tie, to even
  CHECK(un<num::F32ConvertI64U>(0x1000001000000001) == 0x1.000002p60f);   // just above the tie
  CHECK(un<num::F32ConvertI64U>(0x1000003000000000) == 0x1.000004p60f);   // tie, to even
  CHECK(un<num::F32ConvertI64U>(0x8000008000000000) == 0x1p63f);          // tie, top bit set
  CHECK(un<num::F32ConvertI64U>(0x8000008000000001) == 0x1.000002p63f);
  CHECK(un<num::F32ConvertI64U>(0x8000018000000000) == 0x1.000004p63f);
  CHECK(un<num::F32ConvertI64S>(0x8000000000000000) == -0x1p63f);
  CHECK(un<num::F32ConvertI64S>(0x7FFFFFFFFFFFFFFF) == 0x1p63f);
  CHECK(un<num::F32ConvertI64S>(0xEFFFFFEFFFFFFFFF) == -0x1.000002p60f);  // -0x1000001000000001
  CHECK(un<num::F32ConvertI32U>(0xFFFFFFFF) == 0x1p32f);
  CHECK(un<num::F32ConvertI32U>(0x80000080) == 0x1p31f);
  CHECK(un<num::F32ConvertI32U>(0x80000081) == 0x1.000002p31f);
  CHECK(un<num::F32ConvertI32S>(0x80000000) == -0x1p31f);
  CHECK(un<num::F32ConvertI32S>(0x01000001) == 16777216.0f);
  CHECK(un<num::F32ConvertI32S>(0x01000003) == 16777220.0f);
  CHECK(un<num::F32ConvertI32S>(0xFFFFFFFF) == -1.0f);
}

TEST_CASE("numeric: int to f64") {
  CHECK(un<num::F64ConvertI64U>(0xFFFFFFFFFFFFFFFF) == 0x1p64);
  CHECK(un<num::F64ConvertI64U>(0x8000000000000400) == 0x1p63);                // tie, to even
  CHECK(un<num::F64ConvertI64U>(0x8000000000000401) == 0x1.0000000000001p63);
  CHECK(un<num::F64ConvertI64U>(0x8000000000000C00) == 0x1.0000000000002p63);  // tie, to even
  CHECK(un<num::F64ConvertI64U>(0x20000000000001) == 0x1p53);
  CHECK(un<num::F64ConvertI64S>(0x20000000000001) == 0x1p53);
  CHECK(un<num::F64ConvertI64S>(0x20000000000003) == 0x1.0000000000002p53);
  CHECK(un<num::F64ConvertI64S>(0x8000000000000000) == -0x1p63);
  CHECK(un<num::F64ConvertI64S>(0xFFFFFFFFFFFFFFFF) == -1.0);
  CHECK(un<num::F64ConvertI32U>(0xFFFFFFFF) == 4294967295.0);
  CHECK(un<num::F64ConvertI32S>(0x80000000) == -2147483648.0);
  CHECK(un<num::F64ConvertI32S>(0xFFFFFFFF) == -1.0);
}

// ---- float <-> float, reinterpret ----

TEST_CASE("numeric: demote and promote") {
  CHECK(un<num::F32DemoteF64>(0x1.fffffep127) == 0x1.fffffep127f);
  CHECK(un<num::F32DemoteF64>(0x1.fffffefffffffp127) == 0x1.fffffep127f);
  CHECK(un<num::F32DemoteF64>(0x1.ffffffp127) == kInfF);  // tie with 2^128, to even
  CHECK(un<num::F32DemoteF64>(1e300) == kInfF);
  CHECK(un<num::F32DemoteF64>(-1e300) == -kInfF);
  CHECK(un<num::F32DemoteF64>(0x1.000001p0) == 1.0f);
  CHECK(un<num::F32DemoteF64>(0x1.000003p0) == 0x1.000004p0f);
  CHECK(bits(un<num::F32DemoteF64>(0x1p-150)) == 0u);
  CHECK(un<num::F32DemoteF64>(0x1.0000000000001p-150) == 0x1p-149f);
  CHECK(bits(un<num::F32DemoteF64>(-0.0)) == 0x80000000u);
  float d = un<num::F32DemoteF64>(kNan);
  CHECK(d != d);
  CHECK(un<num::F64PromoteF32>(0x1p-149f) == 0x1p-149);
  CHECK(un<num::F64PromoteF32>(0x1.fffffep127f) == 0x1.fffffep127);
  CHECK(un<num::F64PromoteF32>(-kInfF) == -kInf);
  double p = un<num::F64PromoteF32>(kNanF);
  CHECK(p != p);
}

TEST_CASE("numeric: reinterpret keeps bits") {
  CHECK(un<num::I32ReinterpretF32>(-0.0f) == 0x80000000u);
  CHECK(un<num::I32ReinterpretF32>(1.0f) == 0x3F800000u);
  CHECK(un<num::I32ReinterpretF32>(f32(0x7FA00001)) == 0x7FA00001u);
  CHECK(un<num::I64ReinterpretF64>(1.0) == 0x3FF0000000000000u);
  CHECK(bits(un<num::F32ReinterpretI32>(0x7FA00001)) == 0x7FA00001u);
  CHECK(un<num::F32ReinterpretI32>(0xC0000000) == -2.0f);
  CHECK(bits(un<num::F64ReinterpretI64>(0x7FF0000000000001)) == 0x7FF0000000000001u);
}

// ---- float arithmetic ----

TEST_CASE("numeric: nearest rounds half to even") {
  CHECK(bits(un<num::F32Nearest>(0.5f)) == 0u);
  CHECK(bits(un<num::F32Nearest>(-0.5f)) == 0x80000000u);
  CHECK(un<num::F32Nearest>(1.5f) == 2.0f);
  CHECK(un<num::F32Nearest>(2.5f) == 2.0f);
  CHECK(un<num::F32Nearest>(3.5f) == 4.0f);
  CHECK(un<num::F32Nearest>(-1.5f) == -2.0f);
  CHECK(un<num::F32Nearest>(-2.5f) == -2.0f);
  CHECK(un<num::F32Nearest>(0.75f) == 1.0f);
  CHECK(un<num::F32Nearest>(-0.75f) == -1.0f);
  CHECK(bits(un<num::F32Nearest>(0x1.fffffep-2f)) == 0u);            // 0.49999997
  CHECK(un<num::F32Nearest>(0x1.000002p-1f) == 1.0f);                 // 0.50000006
  CHECK(un<num::F32Nearest>(0x1.7ffffep0f) == 1.0f);                  // 1.4999999
  CHECK(un<num::F32Nearest>(4194304.5f) == 4194304.0f);
  CHECK(un<num::F32Nearest>(4194305.5f) == 4194306.0f);
  CHECK(un<num::F32Nearest>(8388607.5f) == 8388608.0f);               // carries into the exponent
  CHECK(un<num::F32Nearest>(8388609.0f) == 8388609.0f);
  CHECK(bits(un<num::F32Nearest>(0x1p-149f)) == 0u);
  CHECK(bits(un<num::F32Nearest>(-0.0f)) == 0x80000000u);
  CHECK(un<num::F32Nearest>(kInfF) == kInfF);
  CHECK(un<num::F32Nearest>(-kInfF) == -kInfF);
  float n = un<num::F32Nearest>(f32(0x7FA00000));  // a signalling NaN comes out quiet
  CHECK(n != n);
  CHECK((bits(n) & 0x00400000u) != 0u);

  CHECK(bits(un<num::F64Nearest>(0.5)) == 0u);
  CHECK(bits(un<num::F64Nearest>(-0.5)) == 0x8000000000000000u);
  CHECK(un<num::F64Nearest>(1.5) == 2.0);
  CHECK(un<num::F64Nearest>(2.5) == 2.0);
  CHECK(un<num::F64Nearest>(-2.5) == -2.0);
  CHECK(un<num::F64Nearest>(-3.5) == -4.0);
  CHECK(bits(un<num::F64Nearest>(0x1.fffffffffffffp-2)) == 0u);
  CHECK(un<num::F64Nearest>(0x1.fffffffffffffp51) == 0x1p52);         // 4503599627370495.5
  CHECK(un<num::F64Nearest>(4503599627370494.5) == 4503599627370494.0);
  CHECK(un<num::F64Nearest>(0x1p52 + 1) == 4503599627370497.0);
  CHECK(un<num::F64Nearest>(-kInf) == -kInf);
  double m = un<num::F64Nearest>(f64(0x7FF4000000000000));
  CHECK(m != m);
  CHECK((bits(m) & 0x0008000000000000u) != 0u);
}

TEST_CASE("numeric: min and max") {
  CHECK(bits(bin<num::F32Min>(0.0f, -0.0f)) == 0x80000000u);
  CHECK(bits(bin<num::F32Min>(-0.0f, 0.0f)) == 0x80000000u);
  CHECK(bits(bin<num::F32Max>(0.0f, -0.0f)) == 0u);
  CHECK(bits(bin<num::F32Max>(-0.0f, 0.0f)) == 0u);
  CHECK(bin<num::F32Min>(1.0f, 2.0f) == 1.0f);
  CHECK(bin<num::F32Max>(1.0f, 2.0f) == 2.0f);
  CHECK(bin<num::F32Min>(-kInfF, 1.0f) == -kInfF);
  CHECK(bin<num::F32Max>(-kInfF, kInfF) == kInfF);
  float a = bin<num::F32Min>(kNanF, 1.0f), b = bin<num::F32Min>(1.0f, kNanF);
  float c = bin<num::F32Max>(-kInfF, kNanF), d = bin<num::F32Max>(f32(0x7FA00000), 0.0f);
  CHECK(a != a);
  CHECK(b != b);
  CHECK(c != c);
  CHECK(d != d);
  CHECK((bits(d) & 0x00400000u) != 0u);  // quiet

  CHECK(bits(bin<num::F64Min>(0.0, -0.0)) == 0x8000000000000000u);
  CHECK(bits(bin<num::F64Min>(-0.0, 0.0)) == 0x8000000000000000u);
  CHECK(bits(bin<num::F64Max>(0.0, -0.0)) == 0u);
  CHECK(bits(bin<num::F64Max>(-0.0, 0.0)) == 0u);
  CHECK(bin<num::F64Min>(-1.0, 1.0) == -1.0);
  CHECK(bin<num::F64Max>(-1.0, 1.0) == 1.0);
  double e = bin<num::F64Min>(1.0, kNan), f = bin<num::F64Max>(kNan, kInf);
  double g = bin<num::F64Min>(f64(0x7FF4000000000000), 0.0);
  CHECK(e != e);
  CHECK(f != f);
  CHECK(g != g);
  CHECK((bits(g) & 0x0008000000000000u) != 0u);
}

TEST_CASE("numeric: abs neg copysign are bit operations") {
  CHECK(bits(un<num::F32Neg>(f32(0x7FA00001))) == 0xFFA00001u);  // signalling NaN stays signalling
  CHECK(bits(un<num::F32Neg>(0.0f)) == 0x80000000u);
  CHECK(bits(un<num::F32Abs>(f32(0xFFC12345))) == 0x7FC12345u);
  CHECK(bits(un<num::F32Abs>(f32(0xFFA00001))) == 0x7FA00001u);
  CHECK(bits(un<num::F32Abs>(-0.0f)) == 0u);
  CHECK(bits(bin<num::F32Copysign>(f32(0x7FA00001), -1.0f)) == 0xFFA00001u);
  CHECK(bits(bin<num::F32Copysign>(1.0f, f32(0xFFC00000))) == 0xBF800000u);
  CHECK(bits(bin<num::F32Copysign>(-2.0f, 0.0f)) == 0x40000000u);
  CHECK(bits(un<num::F64Neg>(f64(0x7FF0000000000001))) == 0xFFF0000000000001u);
  CHECK(bits(un<num::F64Abs>(f64(0xFFF4000000000123))) == 0x7FF4000000000123u);
  CHECK(bits(bin<num::F64Copysign>(f64(0x7FF0000000000001), -0.0)) == 0xFFF0000000000001u);
  CHECK(bits(bin<num::F64Copysign>(-1.0, f64(0x7FF8000000000000))) == 0x3FF0000000000000u);
}

TEST_CASE("numeric: ceil floor trunc sqrt and arithmetic") {
  CHECK(bits(un<num::F32Ceil>(-0.5f)) == 0x80000000u);
  CHECK(un<num::F32Ceil>(0x1.000002p0f) == 2.0f);
  CHECK(un<num::F32Floor>(-0.5f) == -1.0f);
  CHECK(bits(un<num::F32Floor>(0.5f)) == 0u);
  CHECK(bits(un<num::F32Trunc>(-0.5f)) == 0x80000000u);
  CHECK(un<num::F32Trunc>(-1.5f) == -1.0f);
  CHECK(un<num::F32Sqrt>(4.0f) == 2.0f);
  CHECK(bits(un<num::F32Sqrt>(-0.0f)) == 0x80000000u);
  float s = un<num::F32Sqrt>(-1.0f);
  CHECK(s != s);
  CHECK(un<num::F64Ceil>(0x1.fffffffffffffp-1) == 1.0);
  CHECK(bits(un<num::F64Ceil>(-0x1p-1074)) == 0x8000000000000000u);
  CHECK(un<num::F64Floor>(-0x1p-1074) == -1.0);
  CHECK(un<num::F64Trunc>(0x1.fffffffffffffp51) == 4503599627370495.0);
  CHECK(un<num::F64Sqrt>(2.0) == 0x1.6a09e667f3bcdp0);

  CHECK(bin<num::F32Add>(0x1p24f, 1.0f) == 0x1p24f);  // tie, to even
  CHECK(bin<num::F32Sub>(1.0f, 1.0f) == 0.0f);
  CHECK(bin<num::F32Mul>(0x1p127f, 2.0f) == kInfF);
  CHECK(bin<num::F32Div>(1.0f, -0.0f) == -kInfF);
  CHECK(bin<num::F64Add>(0.1, 0.2) == 0x1.3333333333334p-2);
  CHECK(bin<num::F64Sub>(-0.0, 0.0) == -0.0);
  CHECK(bits(bin<num::F64Sub>(-0.0, 0.0)) == 0x8000000000000000u);
  CHECK(bin<num::F64Mul>(-0x1p-1074, 0.5) == 0.0);
  CHECK(bin<num::F64Div>(1.0, 3.0) == 0x1.5555555555555p-2);
  double z = bin<num::F64Div>(0.0, 0.0);
  CHECK(z != z);
}

TEST_CASE("numeric: float comparisons") {
  CHECK(bin<num::F32Eq>(kNanF, kNanF) == 0u);
  CHECK(bin<num::F32Ne>(kNanF, kNanF) == 1u);
  CHECK(bin<num::F32Lt>(kNanF, 1.0f) == 0u);
  CHECK(bin<num::F32Gt>(1.0f, kNanF) == 0u);
  CHECK(bin<num::F32Le>(kNanF, kNanF) == 0u);
  CHECK(bin<num::F32Ge>(kNanF, kInfF) == 0u);
  CHECK(bin<num::F32Eq>(0.0f, -0.0f) == 1u);
  CHECK(bin<num::F32Lt>(-0.0f, 0.0f) == 0u);
  CHECK(bin<num::F32Le>(-0.0f, 0.0f) == 1u);
  CHECK(bin<num::F32Gt>(kInfF, 0x1.fffffep127f) == 1u);
  CHECK(bin<num::F64Eq>(kNan, kNan) == 0u);
  CHECK(bin<num::F64Ne>(kNan, 1.0) == 1u);
  CHECK(bin<num::F64Lt>(-kInf, kNan) == 0u);
  CHECK(bin<num::F64Gt>(kNan, -kInf) == 0u);
  CHECK(bin<num::F64Le>(1.0, kNan) == 0u);
  CHECK(bin<num::F64Ge>(0.0, -0.0) == 1u);
  CHECK(bin<num::F64Lt>(-0x1p-1074, 0.0) == 1u);
  CHECK(bin<num::F64Eq>(0.0, -0.0) == 1u);
}

// inverse_compare and mirror_compare are derived from the rows' names; check them against what
// the operators compute, on values around the signed and unsigned boundaries.
#include "isa/op_info.h"

namespace {

using corowasm::detail::Op;

// A kCompare row applied to two values (as slot bits); nullopt for any other row.
template <class OpT, unsigned Flags>
std::optional<bool> compare_row(uint64_t a, uint64_t b) {
  if constexpr ((Flags & corowasm::detail::kCompare) != 0)
    return OpT::apply(typename OpT::A(a), typename OpT::B(b)) != 0;
  else
    return std::nullopt;
}

std::optional<bool> compare(Op op, uint64_t a, uint64_t b) {
  using namespace corowasm::detail;  // the rows name their flags unqualified
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_BINARY(Name, prefix, code, text, OpT, Flags) \
  case Op::Name: return compare_row<OpT, (Flags)>(a, b);
#include "isa/opcodes.def"
    default: return std::nullopt;
  }
}

}  // namespace

TEST_CASE("inverse_compare and mirror_compare agree with the operators") {
  using corowasm::detail::inverse_compare;
  using corowasm::detail::mirror_compare;
  const uint64_t values[] = {0, 1, 2, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000,
                             0xFFFFFFFFFFFFFFFF};
  int compares = 0;
  for (size_t i = 0; i < size_t(Op::Count_); ++i) {
    Op op = Op(i);
    bool is_compare = corowasm::detail::op_info(op).compare();
    CHECK(inverse_compare(op).has_value() == is_compare);
    CHECK(mirror_compare(op).has_value() == is_compare);
    if (!is_compare) continue;
    ++compares;
    Op inv = *inverse_compare(op), mir = *mirror_compare(op);
    CHECK(*inverse_compare(inv) == op);
    CHECK(*mirror_compare(mir) == op);
    for (uint64_t a : values)
      for (uint64_t b : values) {
        CAPTURE(corowasm::detail::op_name(op));
        CAPTURE(a);
        CAPTURE(b);
        CHECK(*compare(inv, a, b) == !*compare(op, a, b));
        CHECK(*compare(mir, a, b) == *compare(op, b, a));
      }
  }
  CHECK(compares == 20);  // i32 and i64: eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u
  CHECK(*inverse_compare(Op::I32LtS) == Op::I32GeS);
  CHECK(*mirror_compare(Op::I64LeU) == Op::I64GeU);
  CHECK(*mirror_compare(Op::I32Ne) == Op::I32Ne);
}
