// WebAssembly 2.0 numeric operators (non-SIMD) with exact spec semantics, for the interpreter.
//
// i32 -> uint32_t, i64 -> uint64_t, f32 -> float, f64 -> double. Each operator is a struct
// with A (, B), R, `traps` and one static apply():
//   traps == false:  R apply(A a [, B b])
//   traps == true:   bool apply(A a [, B b], R& out, TrapKind& why)   // false on a trap
// Comparisons and eqz return uint32_t 0/1. Nothing here has undefined behaviour for any input.
#pragma once

#include <bit>
#include <cstdint>
#include <cmath>
#include <limits>
#include <type_traits>

#include <corowasm/corowasm.h>

#define COROWASM_NUM_FN [[gnu::always_inline]] static constexpr
#define COROWASM_NUM_FN_RT [[gnu::always_inline]] static inline  // calls non-constexpr <cmath>

namespace corowasm::detail::num {

namespace impl {

template <class T> inline constexpr unsigned kBits = sizeof(T) * 8;
template <class T> using Signed = std::make_signed_t<T>;
template <class F> using FBits = std::conditional_t<sizeof(F) == 4, uint32_t, uint64_t>;
template <class F> inline constexpr FBits<F> kSignBit = FBits<F>(1) << (kBits<F> - 1);

template <class T, class R_ = T> struct Binary {
  using A = T; using B = T; using R = R_;
  static constexpr bool traps = false;
};
template <class T, class R_ = T> struct Unary {
  using A = T; using R = R_;
  static constexpr bool traps = false;
};
template <class T> struct TrappingBinary {
  using A = T; using B = T; using R = T;
  static constexpr bool traps = true;
};
template <class T, class R_> struct TrappingUnary {
  using A = T; using R = R_;
  static constexpr bool traps = true;
};

// ---- integers (T = uint32_t / uint64_t) ----

template <class T> struct Add : Binary<T> { COROWASM_NUM_FN T apply(T a, T b) { return a + b; } };
template <class T> struct Sub : Binary<T> { COROWASM_NUM_FN T apply(T a, T b) { return a - b; } };
template <class T> struct Mul : Binary<T> { COROWASM_NUM_FN T apply(T a, T b) { return a * b; } };
template <class T> struct And : Binary<T> { COROWASM_NUM_FN T apply(T a, T b) { return a & b; } };
template <class T> struct Or  : Binary<T> { COROWASM_NUM_FN T apply(T a, T b) { return a | b; } };
template <class T> struct Xor : Binary<T> { COROWASM_NUM_FN T apply(T a, T b) { return a ^ b; } };

template <class T> struct Shl : Binary<T> {
  COROWASM_NUM_FN T apply(T a, T b) { return a << (b & (kBits<T> - 1)); }
};
template <class T> struct ShrS : Binary<T> {
  COROWASM_NUM_FN T apply(T a, T b) { return T(Signed<T>(a) >> (b & (kBits<T> - 1))); }
};
template <class T> struct ShrU : Binary<T> {
  COROWASM_NUM_FN T apply(T a, T b) { return a >> (b & (kBits<T> - 1)); }
};
template <class T> struct Rotl : Binary<T> {
  COROWASM_NUM_FN T apply(T a, T b) { return std::rotl(a, int(b & (kBits<T> - 1))); }
};
template <class T> struct Rotr : Binary<T> {
  COROWASM_NUM_FN T apply(T a, T b) { return std::rotr(a, int(b & (kBits<T> - 1))); }
};

template <class T> struct Clz : Unary<T> { COROWASM_NUM_FN T apply(T a) { return T(std::countl_zero(a)); } };
template <class T> struct Ctz : Unary<T> { COROWASM_NUM_FN T apply(T a) { return T(std::countr_zero(a)); } };
template <class T> struct Popcnt : Unary<T> { COROWASM_NUM_FN T apply(T a) { return T(std::popcount(a)); } };

// Sign-extend the low bits of a (the width of N) to all of T.
template <class T, class N> struct ExtendS : Unary<T> {
  COROWASM_NUM_FN T apply(T a) { return T(Signed<T>(N(a))); }
};

template <class T> struct Eqz : Unary<T, uint32_t> { COROWASM_NUM_FN uint32_t apply(T a) { return a == 0; } };
template <class T> struct Eq : Binary<T, uint32_t> { COROWASM_NUM_FN uint32_t apply(T a, T b) { return a == b; } };
template <class T> struct Ne : Binary<T, uint32_t> { COROWASM_NUM_FN uint32_t apply(T a, T b) { return a != b; } };
template <class T> struct LtU : Binary<T, uint32_t> { COROWASM_NUM_FN uint32_t apply(T a, T b) { return a < b; } };
template <class T> struct GtU : Binary<T, uint32_t> { COROWASM_NUM_FN uint32_t apply(T a, T b) { return a > b; } };
template <class T> struct LeU : Binary<T, uint32_t> { COROWASM_NUM_FN uint32_t apply(T a, T b) { return a <= b; } };
template <class T> struct GeU : Binary<T, uint32_t> { COROWASM_NUM_FN uint32_t apply(T a, T b) { return a >= b; } };
template <class T> struct LtS : Binary<T, uint32_t> {
  COROWASM_NUM_FN uint32_t apply(T a, T b) { return Signed<T>(a) < Signed<T>(b); }
};
template <class T> struct GtS : Binary<T, uint32_t> {
  COROWASM_NUM_FN uint32_t apply(T a, T b) { return Signed<T>(a) > Signed<T>(b); }
};
template <class T> struct LeS : Binary<T, uint32_t> {
  COROWASM_NUM_FN uint32_t apply(T a, T b) { return Signed<T>(a) <= Signed<T>(b); }
};
template <class T> struct GeS : Binary<T, uint32_t> {
  COROWASM_NUM_FN uint32_t apply(T a, T b) { return Signed<T>(a) >= Signed<T>(b); }
};

template <class T> struct DivU : TrappingBinary<T> {
  COROWASM_NUM_FN bool apply(T a, T b, T& out, TrapKind& why) {
    if (b == 0) [[unlikely]] { why = TrapKind::IntegerDivideByZero; return false; }
    out = a / b;
    return true;
  }
};
template <class T> struct RemU : TrappingBinary<T> {
  COROWASM_NUM_FN bool apply(T a, T b, T& out, TrapKind& why) {
    if (b == 0) [[unlikely]] { why = TrapKind::IntegerDivideByZero; return false; }
    out = a % b;
    return true;
  }
};
template <class T> struct DivS : TrappingBinary<T> {
  COROWASM_NUM_FN bool apply(T a, T b, T& out, TrapKind& why) {
    if (b == 0) [[unlikely]] { why = TrapKind::IntegerDivideByZero; return false; }
    if (a == kSignBit<T> && b == ~T(0)) [[unlikely]] { why = TrapKind::IntegerOverflow; return false; }
    out = T(Signed<T>(a) / Signed<T>(b));
    return true;
  }
};
template <class T> struct RemS : TrappingBinary<T> {
  COROWASM_NUM_FN bool apply(T a, T b, T& out, TrapKind& why) {
    if (b == 0) [[unlikely]] { why = TrapKind::IntegerDivideByZero; return false; }
    // x % -1 is 0 for every x; computing INT_MIN % -1 in C++ is UB (and faults on x86).
    out = b == ~T(0) ? T(0) : T(Signed<T>(a) % Signed<T>(b));
    return true;
  }
};

// ---- floats (F = float / double) ----

template <class F> struct FAdd : Binary<F> { COROWASM_NUM_FN F apply(F a, F b) { return a + b; } };
template <class F> struct FSub : Binary<F> { COROWASM_NUM_FN F apply(F a, F b) { return a - b; } };
template <class F> struct FMul : Binary<F> { COROWASM_NUM_FN F apply(F a, F b) { return a * b; } };
template <class F> struct FDiv : Binary<F> { COROWASM_NUM_FN F apply(F a, F b) { return a / b; } };

// a + b turns a NaN operand into a quiet NaN; for equal operands (only ±0 differ in bits)
// OR picks -0 and AND picks +0.
template <class F> struct FMin : Binary<F> {
  COROWASM_NUM_FN F apply(F a, F b) {
    if (a != a || b != b) return a + b;
    if (a == b) return std::bit_cast<F>(std::bit_cast<FBits<F>>(a) | std::bit_cast<FBits<F>>(b));
    return a < b ? a : b;
  }
};
template <class F> struct FMax : Binary<F> {
  COROWASM_NUM_FN F apply(F a, F b) {
    if (a != a || b != b) return a + b;
    if (a == b) return std::bit_cast<F>(std::bit_cast<FBits<F>>(a) & std::bit_cast<FBits<F>>(b));
    return a > b ? a : b;
  }
};

template <class F> struct FCopysign : Binary<F> {
  COROWASM_NUM_FN F apply(F a, F b) {
    auto ua = std::bit_cast<FBits<F>>(a), ub = std::bit_cast<FBits<F>>(b);
    return std::bit_cast<F>((ua & ~kSignBit<F>) | (ub & kSignBit<F>));
  }
};
template <class F> struct FAbs : Unary<F> {
  COROWASM_NUM_FN F apply(F a) { return std::bit_cast<F>(std::bit_cast<FBits<F>>(a) & ~kSignBit<F>); }
};
template <class F> struct FNeg : Unary<F> {
  COROWASM_NUM_FN F apply(F a) { return std::bit_cast<F>(std::bit_cast<FBits<F>>(a) ^ kSignBit<F>); }
};

// A NaN is quieted here (a + a), not by <cmath>: GCC inlines ceil/floor/trunc as an SSE2
// sequence that hands a signalling NaN back unchanged, where Wasm wants an arithmetic NaN.
template <class F> struct FCeil : Unary<F> { COROWASM_NUM_FN_RT F apply(F a) { return a != a ? a + a : std::ceil(a); } };
template <class F> struct FFloor : Unary<F> { COROWASM_NUM_FN_RT F apply(F a) { return a != a ? a + a : std::floor(a); } };
template <class F> struct FTrunc : Unary<F> { COROWASM_NUM_FN_RT F apply(F a) { return a != a ? a + a : std::trunc(a); } };
template <class F> struct FSqrt : Unary<F> { COROWASM_NUM_FN_RT F apply(F a) { return std::sqrt(a); } };

// Round half to even on the bits, independent of the FPU rounding mode.
template <class F> struct FNearest : Unary<F> {
  COROWASM_NUM_FN F apply(F x) {
    using U = FBits<F>;
    constexpr int kMant = std::numeric_limits<F>::digits - 1;         // 23 / 52
    constexpr int kBias = std::numeric_limits<F>::max_exponent - 1;   // 127 / 1023
    const U u = std::bit_cast<U>(x);
    const U sign = u & kSignBit<F>;
    const int e = int((u & ~kSignBit<F>) >> kMant) - kBias;
    if (e >= kMant) return x != x ? x + x : x;  // already integral, inf, or NaN (quieted)
    if (e < -1) return std::bit_cast<F>(sign);  // |x| < 0.5
    if (e == -1) {                              // 0.5 <= |x| < 1: exactly 0.5 goes to even 0
      const bool half = (u & ((U(1) << kMant) - 1)) == 0;
      return std::bit_cast<F>(sign | (half ? U(0) : std::bit_cast<U>(F(1))));
    }
    const int shift = kMant - e;  // number of fraction bits, 1..kMant
    const U mask = (U(1) << shift) - 1, half = U(1) << (shift - 1);
    const U frac = u & mask;
    U r = u & ~mask;
    const bool odd = e == 0 || ((u >> shift) & 1);  // for e == 0 the integer part is 1
    if (frac > half || (frac == half && odd)) r += U(1) << shift;  // a carry bumps the exponent
    return std::bit_cast<F>(r);
  }
};

template <class F> struct FEq : Binary<F, uint32_t> { COROWASM_NUM_FN uint32_t apply(F a, F b) { return a == b; } };
template <class F> struct FNe : Binary<F, uint32_t> { COROWASM_NUM_FN uint32_t apply(F a, F b) { return a != b; } };
template <class F> struct FLt : Binary<F, uint32_t> { COROWASM_NUM_FN uint32_t apply(F a, F b) { return a < b; } };
template <class F> struct FGt : Binary<F, uint32_t> { COROWASM_NUM_FN uint32_t apply(F a, F b) { return a > b; } };
template <class F> struct FLe : Binary<F, uint32_t> { COROWASM_NUM_FN uint32_t apply(F a, F b) { return a <= b; } };
template <class F> struct FGe : Binary<F, uint32_t> { COROWASM_NUM_FN uint32_t apply(F a, F b) { return a >= b; } };

// ---- conversions ----

// Float -> integer I (int32_t/uint32_t/int64_t/uint64_t). Lo and Hi are the nearest F values
// just outside I's range after truncation toward zero, so x is in range iff Lo < x < Hi.
template <class F, class I, F Lo, F Hi> struct TruncF : TrappingUnary<F, std::make_unsigned_t<I>> {
  using R = std::make_unsigned_t<I>;
  COROWASM_NUM_FN bool apply(F x, R& out, TrapKind& why) {
    if (x > Lo && x < Hi) [[likely]] { out = R(I(x)); return true; }
    why = x != x ? TrapKind::InvalidConversion : TrapKind::IntegerOverflow;
    return false;
  }
};
template <class F, class I, F Lo, F Hi> struct TruncSatF : Unary<F, std::make_unsigned_t<I>> {
  using R = std::make_unsigned_t<I>;
  COROWASM_NUM_FN R apply(F x) {
    if (x > Lo && x < Hi) [[likely]] return R(I(x));
    if (x != x) return 0;
    return x < 0 ? R(std::numeric_limits<I>::min()) : R(std::numeric_limits<I>::max());
  }
};

// Integer I (signedness as given) -> F, rounded to nearest-even by the compiler's conversion.
template <class F, class I> struct ConvertI : Unary<std::make_unsigned_t<I>, F> {
  COROWASM_NUM_FN F apply(std::make_unsigned_t<I> a) { return F(I(a)); }
};

template <class From, class To> struct Reinterpret : Unary<From, To> {
  COROWASM_NUM_FN To apply(From a) { return std::bit_cast<To>(a); }
};

}  // namespace impl

// ---- i32 ----

struct I32Add : impl::Add<uint32_t> {};
struct I32Sub : impl::Sub<uint32_t> {};
struct I32Mul : impl::Mul<uint32_t> {};
struct I32DivS : impl::DivS<uint32_t> {};
struct I32DivU : impl::DivU<uint32_t> {};
struct I32RemS : impl::RemS<uint32_t> {};
struct I32RemU : impl::RemU<uint32_t> {};
struct I32And : impl::And<uint32_t> {};
struct I32Or : impl::Or<uint32_t> {};
struct I32Xor : impl::Xor<uint32_t> {};
struct I32Shl : impl::Shl<uint32_t> {};
struct I32ShrS : impl::ShrS<uint32_t> {};
struct I32ShrU : impl::ShrU<uint32_t> {};
struct I32Rotl : impl::Rotl<uint32_t> {};
struct I32Rotr : impl::Rotr<uint32_t> {};
struct I32Clz : impl::Clz<uint32_t> {};
struct I32Ctz : impl::Ctz<uint32_t> {};
struct I32Popcnt : impl::Popcnt<uint32_t> {};
struct I32Eqz : impl::Eqz<uint32_t> {};
struct I32Eq : impl::Eq<uint32_t> {};
struct I32Ne : impl::Ne<uint32_t> {};
struct I32LtS : impl::LtS<uint32_t> {};
struct I32LtU : impl::LtU<uint32_t> {};
struct I32GtS : impl::GtS<uint32_t> {};
struct I32GtU : impl::GtU<uint32_t> {};
struct I32LeS : impl::LeS<uint32_t> {};
struct I32LeU : impl::LeU<uint32_t> {};
struct I32GeS : impl::GeS<uint32_t> {};
struct I32GeU : impl::GeU<uint32_t> {};
struct I32Extend8S : impl::ExtendS<uint32_t, int8_t> {};
struct I32Extend16S : impl::ExtendS<uint32_t, int16_t> {};

// ---- i64 ----

struct I64Add : impl::Add<uint64_t> {};
struct I64Sub : impl::Sub<uint64_t> {};
struct I64Mul : impl::Mul<uint64_t> {};
struct I64DivS : impl::DivS<uint64_t> {};
struct I64DivU : impl::DivU<uint64_t> {};
struct I64RemS : impl::RemS<uint64_t> {};
struct I64RemU : impl::RemU<uint64_t> {};
struct I64And : impl::And<uint64_t> {};
struct I64Or : impl::Or<uint64_t> {};
struct I64Xor : impl::Xor<uint64_t> {};
struct I64Shl : impl::Shl<uint64_t> {};
struct I64ShrS : impl::ShrS<uint64_t> {};
struct I64ShrU : impl::ShrU<uint64_t> {};
struct I64Rotl : impl::Rotl<uint64_t> {};
struct I64Rotr : impl::Rotr<uint64_t> {};
struct I64Clz : impl::Clz<uint64_t> {};
struct I64Ctz : impl::Ctz<uint64_t> {};
struct I64Popcnt : impl::Popcnt<uint64_t> {};
struct I64Eqz : impl::Eqz<uint64_t> {};
struct I64Eq : impl::Eq<uint64_t> {};
struct I64Ne : impl::Ne<uint64_t> {};
struct I64LtS : impl::LtS<uint64_t> {};
struct I64LtU : impl::LtU<uint64_t> {};
struct I64GtS : impl::GtS<uint64_t> {};
struct I64GtU : impl::GtU<uint64_t> {};
struct I64LeS : impl::LeS<uint64_t> {};
struct I64LeU : impl::LeU<uint64_t> {};
struct I64GeS : impl::GeS<uint64_t> {};
struct I64GeU : impl::GeU<uint64_t> {};
struct I64Extend8S : impl::ExtendS<uint64_t, int8_t> {};
struct I64Extend16S : impl::ExtendS<uint64_t, int16_t> {};
struct I64Extend32S : impl::ExtendS<uint64_t, int32_t> {};

// ---- f32 ----

struct F32Add : impl::FAdd<float> {};
struct F32Sub : impl::FSub<float> {};
struct F32Mul : impl::FMul<float> {};
struct F32Div : impl::FDiv<float> {};
struct F32Min : impl::FMin<float> {};
struct F32Max : impl::FMax<float> {};
struct F32Copysign : impl::FCopysign<float> {};
struct F32Abs : impl::FAbs<float> {};
struct F32Neg : impl::FNeg<float> {};
struct F32Ceil : impl::FCeil<float> {};
struct F32Floor : impl::FFloor<float> {};
struct F32Trunc : impl::FTrunc<float> {};
struct F32Nearest : impl::FNearest<float> {};
struct F32Sqrt : impl::FSqrt<float> {};
struct F32Eq : impl::FEq<float> {};
struct F32Ne : impl::FNe<float> {};
struct F32Lt : impl::FLt<float> {};
struct F32Gt : impl::FGt<float> {};
struct F32Le : impl::FLe<float> {};
struct F32Ge : impl::FGe<float> {};

// ---- f64 ----

struct F64Add : impl::FAdd<double> {};
struct F64Sub : impl::FSub<double> {};
struct F64Mul : impl::FMul<double> {};
struct F64Div : impl::FDiv<double> {};
struct F64Min : impl::FMin<double> {};
struct F64Max : impl::FMax<double> {};
struct F64Copysign : impl::FCopysign<double> {};
struct F64Abs : impl::FAbs<double> {};
struct F64Neg : impl::FNeg<double> {};
struct F64Ceil : impl::FCeil<double> {};
struct F64Floor : impl::FFloor<double> {};
struct F64Trunc : impl::FTrunc<double> {};
struct F64Nearest : impl::FNearest<double> {};
struct F64Sqrt : impl::FSqrt<double> {};
struct F64Eq : impl::FEq<double> {};
struct F64Ne : impl::FNe<double> {};
struct F64Lt : impl::FLt<double> {};
struct F64Gt : impl::FGt<double> {};
struct F64Le : impl::FLe<double> {};
struct F64Ge : impl::FGe<double> {};

// ---- conversions ----

struct I32WrapI64 : impl::Unary<uint64_t, uint32_t> {
  COROWASM_NUM_FN uint32_t apply(uint64_t a) { return uint32_t(a); }
};
struct I64ExtendI32S : impl::Unary<uint32_t, uint64_t> {
  COROWASM_NUM_FN uint64_t apply(uint32_t a) { return uint64_t(int64_t(int32_t(a))); }
};
struct I64ExtendI32U : impl::Unary<uint32_t, uint64_t> {
  COROWASM_NUM_FN uint64_t apply(uint32_t a) { return a; }
};

// Exclusive bounds: e.g. -0x1.000002p31f is -2^31 - 256, the f32 just below -2^31, and
// -0x1.00000002p31 is -2^31 - 1, the lowest f64 below -2^31 that truncates out of range.
struct I32TruncF32S : impl::TruncF<float, int32_t, -0x1.000002p31f, 0x1p31f> {};
struct I32TruncF32U : impl::TruncF<float, uint32_t, -1.0f, 0x1p32f> {};
struct I32TruncF64S : impl::TruncF<double, int32_t, -0x1.00000002p31, 0x1p31> {};
struct I32TruncF64U : impl::TruncF<double, uint32_t, -1.0, 0x1p32> {};
struct I64TruncF32S : impl::TruncF<float, int64_t, -0x1.000002p63f, 0x1p63f> {};
struct I64TruncF32U : impl::TruncF<float, uint64_t, -1.0f, 0x1p64f> {};
struct I64TruncF64S : impl::TruncF<double, int64_t, -0x1.0000000000001p63, 0x1p63> {};
struct I64TruncF64U : impl::TruncF<double, uint64_t, -1.0, 0x1p64> {};

struct I32TruncSatF32S : impl::TruncSatF<float, int32_t, -0x1.000002p31f, 0x1p31f> {};
struct I32TruncSatF32U : impl::TruncSatF<float, uint32_t, -1.0f, 0x1p32f> {};
struct I32TruncSatF64S : impl::TruncSatF<double, int32_t, -0x1.00000002p31, 0x1p31> {};
struct I32TruncSatF64U : impl::TruncSatF<double, uint32_t, -1.0, 0x1p32> {};
struct I64TruncSatF32S : impl::TruncSatF<float, int64_t, -0x1.000002p63f, 0x1p63f> {};
struct I64TruncSatF32U : impl::TruncSatF<float, uint64_t, -1.0f, 0x1p64f> {};
struct I64TruncSatF64S : impl::TruncSatF<double, int64_t, -0x1.0000000000001p63, 0x1p63> {};
struct I64TruncSatF64U : impl::TruncSatF<double, uint64_t, -1.0, 0x1p64> {};

struct F32ConvertI32S : impl::ConvertI<float, int32_t> {};
struct F32ConvertI32U : impl::ConvertI<float, uint32_t> {};
struct F32ConvertI64S : impl::ConvertI<float, int64_t> {};
struct F32ConvertI64U : impl::ConvertI<float, uint64_t> {};
struct F64ConvertI32S : impl::ConvertI<double, int32_t> {};
struct F64ConvertI32U : impl::ConvertI<double, uint32_t> {};
struct F64ConvertI64S : impl::ConvertI<double, int64_t> {};
struct F64ConvertI64U : impl::ConvertI<double, uint64_t> {};

// Out-of-range doubles round to ±inf (defined in clang: its float range includes ±inf).
struct F32DemoteF64 : impl::Unary<double, float> {
  COROWASM_NUM_FN float apply(double a) { return float(a); }
};
struct F64PromoteF32 : impl::Unary<float, double> {
  COROWASM_NUM_FN double apply(float a) { return double(a); }
};

struct I32ReinterpretF32 : impl::Reinterpret<float, uint32_t> {};
struct I64ReinterpretF64 : impl::Reinterpret<double, uint64_t> {};
struct F32ReinterpretI32 : impl::Reinterpret<uint32_t, float> {};
struct F64ReinterpretI64 : impl::Reinterpret<uint64_t, double> {};

}  // namespace corowasm::detail::num

#undef COROWASM_NUM_FN
#undef COROWASM_NUM_FN_RT
