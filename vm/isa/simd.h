// The 128-bit SIMD instructions' semantics, one struct per row of isa/simd.def, on the
// compiler's vector types (clang and GCC vector extensions: SSE on x86-64, NEON on AArch64,
// plain lanes elsewhere). The handlers of exec/simd.cpp apply them to frame slots; every
// backend runs these same bodies.
//
// Floating-point lanes follow the scalar rules of isa/numeric.h (the same structs do the work:
// min/max, rounding, conversions), so a lane and a scalar of the same operation agree bit for
// bit. Relaxed SIMD is deterministic here, each relaxed instruction computes one of the results
// the spec allows, always the same:
//   relaxed_swizzle       = swizzle (an index >= 16 selects 0)
//   relaxed_trunc*        = trunc_sat* (NaN -> 0, out of range saturates)
//   relaxed_madd/nmadd    = fused: fma(a, b, c) and fma(-a, b, c), one rounding
//   relaxed_laneselect    = bitselect (every bit of the mask chooses)
//   relaxed_min/max       = min/max (NaN propagates, -0 < +0)
//   relaxed_q15mulr_s     = q15mulr_sat_s
//   relaxed_dot_*         = both operands signed, 16-bit sums wrap
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <corowasm/corowasm.h>

#include "isa/numeric.h"
#include "isa/simd_op.h"

namespace corowasm::detail {

namespace simd {

typedef uint8_t V __attribute__((vector_size(16)));
typedef int8_t i8x16 __attribute__((vector_size(16)));
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int16_t i16x8 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef int64_t i64x2 __attribute__((vector_size(16)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));
typedef float f32x4 __attribute__((vector_size(16)));
typedef double f64x2 __attribute__((vector_size(16)));

template <class VT> using Lane = std::remove_cvref_t<decltype(VT{}[0])>;
template <class VT> inline constexpr int kLanes = int(16 / sizeof(Lane<VT>));

template <size_t N>
using UInt = std::conditional_t<N == 1, uint8_t,
                                std::conditional_t<N == 2, uint16_t, std::conditional_t<N == 4, uint32_t, uint64_t>>>;

// Reinterpret the 16 bytes as another vector type.
template <class To, class From>
[[gnu::always_inline]] inline To as(From v) {
  static_assert(sizeof(To) == 16 && sizeof(From) == 16);
  To r;
  std::memcpy(&r, &v, 16);
  return r;
}

// ---- lane-wise helpers: f applied to each lane of VT ----
template <class VT, class F>
[[gnu::always_inline]] inline V map1(V a, F f) {
  VT x = as<VT>(a), r{};
  for (int i = 0; i < kLanes<VT>; ++i) r[i] = Lane<VT>(f(x[i]));
  return as<V>(r);
}
template <class VT, class F>
[[gnu::always_inline]] inline V map2(V a, V b, F f) {
  VT x = as<VT>(a), y = as<VT>(b), r{};
  for (int i = 0; i < kLanes<VT>; ++i) r[i] = Lane<VT>(f(x[i], y[i]));
  return as<V>(r);
}
// A comparison: each lane all ones where f holds, else zero.
template <class VT, class F>
[[gnu::always_inline]] inline V cmp(V a, V b, F f) {
  using U = UInt<sizeof(Lane<VT>)>;
  VT x = as<VT>(a), y = as<VT>(b);
  U out[kLanes<VT>];
  for (int i = 0; i < kLanes<VT>; ++i) out[i] = f(x[i], y[i]) ? U(~U(0)) : U(0);
  V r;
  std::memcpy(&r, out, 16);
  return r;
}
// From a narrower lane type: lane i of the result is f(lane i + Off of the input).
template <class To, class From, int Off, class F>
[[gnu::always_inline]] inline V widen1(V a, F f) {
  From x = as<From>(a);
  To r{};
  for (int i = 0; i < kLanes<To>; ++i) r[i] = Lane<To>(f(x[i + Off]));
  return as<V>(r);
}
template <class To, class From, int Off, class F>
[[gnu::always_inline]] inline V widen2(V a, V b, F f) {
  From x = as<From>(a), y = as<From>(b);
  To r{};
  for (int i = 0; i < kLanes<To>; ++i) r[i] = Lane<To>(f(x[i + Off], y[i + Off]));
  return as<V>(r);
}
template <class T>
constexpr T clamp_to(int64_t v) {
  constexpr int64_t lo = int64_t(std::numeric_limits<T>::min()), hi = int64_t(std::numeric_limits<T>::max());
  return T(v < lo ? lo : v > hi ? hi : v);
}

#define CW_V_UNARY(Name, VT, expr)                                                      \
  struct Name {                                                                         \
    [[gnu::always_inline]] static V apply(V va) {                                       \
      return map1<VT>(va, [](Lane<VT> a) { return (expr); });                           \
    }                                                                                   \
  };
#define CW_V_BINARY(Name, VT, expr)                                                     \
  struct Name {                                                                         \
    [[gnu::always_inline]] static V apply(V va, V vb) {                                 \
      return map2<VT>(va, vb, [](Lane<VT> a, Lane<VT> b) { return (expr); });           \
    }                                                                                   \
  };
#define CW_V_COMPARE(Name, VT, expr)                                                    \
  struct Name {                                                                         \
    [[gnu::always_inline]] static V apply(V va, V vb) {                                 \
      return cmp<VT>(va, vb, [](Lane<VT> a, Lane<VT> b) { return (expr); });            \
    }                                                                                   \
  };
// The integer comparisons of one lane width: eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u.
#define CW_V_INT_COMPARES(P, S, U)                                                      \
  CW_V_COMPARE(P##Eq, U, a == b)                                                        \
  CW_V_COMPARE(P##Ne, U, a != b)                                                        \
  CW_V_COMPARE(P##LtS, S, a < b)                                                        \
  CW_V_COMPARE(P##LtU, U, a < b)                                                        \
  CW_V_COMPARE(P##GtS, S, a > b)                                                        \
  CW_V_COMPARE(P##GtU, U, a > b)                                                        \
  CW_V_COMPARE(P##LeS, S, a <= b)                                                       \
  CW_V_COMPARE(P##LeU, U, a <= b)                                                       \
  CW_V_COMPARE(P##GeS, S, a >= b)                                                       \
  CW_V_COMPARE(P##GeU, U, a >= b)
#define CW_V_FLOAT_COMPARES(P, F)                                                       \
  CW_V_COMPARE(P##Eq, F, a == b)                                                        \
  CW_V_COMPARE(P##Ne, F, a != b)                                                        \
  CW_V_COMPARE(P##Lt, F, a < b)                                                         \
  CW_V_COMPARE(P##Gt, F, a > b)                                                         \
  CW_V_COMPARE(P##Le, F, a <= b)                                                        \
  CW_V_COMPARE(P##Ge, F, a >= b)

CW_V_INT_COMPARES(I8x16, i8x16, u8x16)
CW_V_INT_COMPARES(I16x8, i16x8, u16x8)
CW_V_INT_COMPARES(I32x4, i32x4, u32x4)
CW_V_COMPARE(I64x2Eq, u64x2, a == b)
CW_V_COMPARE(I64x2Ne, u64x2, a != b)
CW_V_COMPARE(I64x2LtS, i64x2, a < b)
CW_V_COMPARE(I64x2GtS, i64x2, a > b)
CW_V_COMPARE(I64x2LeS, i64x2, a <= b)
CW_V_COMPARE(I64x2GeS, i64x2, a >= b)
CW_V_FLOAT_COMPARES(F32x4, f32x4)
CW_V_FLOAT_COMPARES(F64x2, f64x2)

// ---- bitwise ----
struct V128Not { static V apply(V a) { return ~a; } };
struct V128And { static V apply(V a, V b) { return a & b; } };
struct V128AndNot { static V apply(V a, V b) { return a & ~b; } };
struct V128Or { static V apply(V a, V b) { return a | b; } };
struct V128Xor { static V apply(V a, V b) { return a ^ b; } };
struct V128Bitselect { static V apply(V a, V b, V c) { return (a & c) | (b & ~c); } };
struct V128AnyTrue {
  static uint32_t apply(V a) {
    u64x2 x = as<u64x2>(a);
    return (x[0] | x[1]) != 0;
  }
};
template <class VT>
struct AllTrue {
  static uint32_t apply(V a) {
    VT x = as<VT>(a);
    for (int i = 0; i < kLanes<VT>; ++i)
      if (x[i] == 0) return 0;
    return 1;
  }
};
template <class VT>  // VT signed: the top bit of each lane
struct Bitmask {
  static uint32_t apply(V a) {
    VT x = as<VT>(a);
    uint32_t m = 0;
    for (int i = 0; i < kLanes<VT>; ++i) m |= uint32_t(x[i] < 0) << i;
    return m;
  }
};

// ---- integer arithmetic (lanes wrap; the arithmetic happens in int or in unsigned) ----
#define CW_V_INT_COMMON(P, S, U)                                                        \
  CW_V_BINARY(P##Add, U, a + b)                                                         \
  CW_V_BINARY(P##Sub, U, a - b)                                                         \
  CW_V_UNARY(P##Neg, U, Lane<U>(0) - a)                                                 \
  CW_V_UNARY(P##Abs, U, Lane<S>(a) < 0 ? Lane<U>(Lane<U>(0) - a) : a)                   \
  CW_V_BINARY(P##MinS, S, a < b ? a : b)                                                \
  CW_V_BINARY(P##MinU, U, a < b ? a : b)                                                \
  CW_V_BINARY(P##MaxS, S, a > b ? a : b)                                                \
  CW_V_BINARY(P##MaxU, U, a > b ? a : b)
CW_V_INT_COMMON(I8x16, i8x16, u8x16)
CW_V_INT_COMMON(I16x8, i16x8, u16x8)
CW_V_INT_COMMON(I32x4, i32x4, u32x4)
CW_V_BINARY(I64x2Add, u64x2, a + b)
CW_V_BINARY(I64x2Sub, u64x2, a - b)
CW_V_UNARY(I64x2Neg, u64x2, uint64_t(0) - a)
CW_V_UNARY(I64x2Abs, u64x2, int64_t(a) < 0 ? uint64_t(0) - a : a)
CW_V_BINARY(I16x8Mul, u16x8, uint32_t(a) * uint32_t(b))
CW_V_BINARY(I32x4Mul, u32x4, a * b)
CW_V_BINARY(I64x2Mul, u64x2, a * b)
CW_V_BINARY(I8x16AddSatS, i8x16, clamp_to<int8_t>(int64_t(a) + b))
CW_V_BINARY(I8x16AddSatU, u8x16, clamp_to<uint8_t>(int64_t(a) + b))
CW_V_BINARY(I8x16SubSatS, i8x16, clamp_to<int8_t>(int64_t(a) - b))
CW_V_BINARY(I8x16SubSatU, u8x16, clamp_to<uint8_t>(int64_t(a) - b))
CW_V_BINARY(I16x8AddSatS, i16x8, clamp_to<int16_t>(int64_t(a) + b))
CW_V_BINARY(I16x8AddSatU, u16x8, clamp_to<uint16_t>(int64_t(a) + b))
CW_V_BINARY(I16x8SubSatS, i16x8, clamp_to<int16_t>(int64_t(a) - b))
CW_V_BINARY(I16x8SubSatU, u16x8, clamp_to<uint16_t>(int64_t(a) - b))
CW_V_BINARY(I8x16AvgrU, u8x16, (uint32_t(a) + b + 1) >> 1)
CW_V_BINARY(I16x8AvgrU, u16x8, (uint32_t(a) + b + 1) >> 1)
CW_V_UNARY(I8x16Popcnt, u8x16, std::popcount(a))
CW_V_BINARY(I16x8Q15MulrSatS, i16x8, clamp_to<int16_t>((int32_t(a) * b + 0x4000) >> 15))

// Shifts: the count is taken modulo the lane width.
template <class VT>
struct Shl {
  static V apply(V a, uint32_t n) {
    using U = UInt<sizeof(Lane<VT>)>;
    using UV = std::conditional_t<sizeof(U) == 1, u8x16, std::conditional_t<sizeof(U) == 2, u16x8,
                                  std::conditional_t<sizeof(U) == 4, u32x4, u64x2>>>;
    uint32_t k = n & (sizeof(U) * 8 - 1);
    return map1<UV>(a, [k](U x) { return U(x << k); });
  }
};
template <class VT>  // signed lanes: arithmetic shift; unsigned: logical
struct Shr {
  static V apply(V a, uint32_t n) {
    uint32_t k = n & (sizeof(Lane<VT>) * 8 - 1);
    return map1<VT>(a, [k](Lane<VT> x) { return Lane<VT>(x >> k); });
  }
};

// Narrowing: each signed lane of a (low half) and b (high half), saturated to the narrower type.
template <class To, class From>
struct Narrow {
  static V apply(V a, V b) {
    From x = as<From>(a), y = as<From>(b);
    constexpr int n = kLanes<From>;
    To r{};
    for (int i = 0; i < n; ++i) {
      r[i] = clamp_to<Lane<To>>(x[i]);
      r[i + n] = clamp_to<Lane<To>>(y[i]);
    }
    return as<V>(r);
  }
};

// Extension of the low or high half (From is the signed or unsigned narrow type).
template <class To, class From, bool High>
struct Extend {
  static V apply(V a) {
    return widen1<To, From, High ? kLanes<To> : 0>(a, [](Lane<From> x) { return x; });
  }
};
template <class To, class From, bool High>
struct ExtMul {
  static V apply(V a, V b) {
    return widen2<To, From, High ? kLanes<To> : 0>(
        a, b, [](Lane<From> x, Lane<From> y) { return Lane<To>(x) * Lane<To>(y); });
  }
};
template <class To, class From>
struct ExtAddPairwise {
  static V apply(V a) {
    From x = as<From>(a);
    To r{};
    for (int i = 0; i < kLanes<To>; ++i) r[i] = Lane<To>(Lane<To>(x[2 * i]) + Lane<To>(x[2 * i + 1]));
    return as<V>(r);
  }
};
struct I32x4DotI16x8S {
  static V apply(V a, V b) {
    i16x8 x = as<i16x8>(a), y = as<i16x8>(b);
    u32x4 r{};
    for (int i = 0; i < 4; ++i)
      r[i] = uint32_t(int64_t(x[2 * i]) * y[2 * i] + int64_t(x[2 * i + 1]) * y[2 * i + 1]);
    return as<V>(r);
  }
};
// Relaxed dots, both operands signed: sums of two products wrap to 16 bits.
struct I16x8RelaxedDotI8x16I7x16S {
  static V apply(V a, V b) {
    i8x16 x = as<i8x16>(a), y = as<i8x16>(b);
    u16x8 r{};
    for (int i = 0; i < 8; ++i) r[i] = uint16_t(x[2 * i] * y[2 * i] + x[2 * i + 1] * y[2 * i + 1]);
    return as<V>(r);
  }
};
struct I32x4RelaxedDotI8x16I7x16AddS {
  static V apply(V a, V b, V c) {
    i16x8 d = as<i16x8>(I16x8RelaxedDotI8x16I7x16S::apply(a, b));
    u32x4 acc = as<u32x4>(c), r{};
    for (int i = 0; i < 4; ++i) r[i] = acc[i] + uint32_t(int32_t(d[2 * i]) + int32_t(d[2 * i + 1]));
    return as<V>(r);
  }
};

// ---- floating point, lane by lane with the scalar rules ----
#define CW_V_FLOAT_COMMON(P, F, U, T)                                                   \
  CW_V_BINARY(P##Add, F, num::T##Add::apply(a, b))                                      \
  CW_V_BINARY(P##Sub, F, num::T##Sub::apply(a, b))                                      \
  CW_V_BINARY(P##Mul, F, num::T##Mul::apply(a, b))                                      \
  CW_V_BINARY(P##Div, F, num::T##Div::apply(a, b))                                      \
  CW_V_BINARY(P##Min, F, num::T##Min::apply(a, b))                                      \
  CW_V_BINARY(P##Max, F, num::T##Max::apply(a, b))                                      \
  CW_V_BINARY(P##Pmin, F, b < a ? b : a)                                                \
  CW_V_BINARY(P##Pmax, F, a < b ? b : a)                                                \
  CW_V_UNARY(P##Sqrt, F, num::T##Sqrt::apply(a))                                        \
  CW_V_UNARY(P##Ceil, F, num::T##Ceil::apply(a))                                        \
  CW_V_UNARY(P##Floor, F, num::T##Floor::apply(a))                                      \
  CW_V_UNARY(P##Trunc, F, num::T##Trunc::apply(a))                                      \
  CW_V_UNARY(P##Nearest, F, num::T##Nearest::apply(a))                                  \
  CW_V_UNARY(P##Abs, U, a & ~(Lane<U>(1) << (sizeof(Lane<U>) * 8 - 1)))                 \
  CW_V_UNARY(P##Neg, U, a ^ (Lane<U>(1) << (sizeof(Lane<U>) * 8 - 1)))
CW_V_FLOAT_COMMON(F32x4, f32x4, u32x4, F32)
CW_V_FLOAT_COMMON(F64x2, f64x2, u64x2, F64)

struct F32x4RelaxedMadd { static V apply(V a, V b, V c) { f32x4 x = as<f32x4>(a), y = as<f32x4>(b), z = as<f32x4>(c), r{}; for (int i = 0; i < 4; ++i) r[i] = std::fma(x[i], y[i], z[i]); return as<V>(r); } };
struct F32x4RelaxedNmadd { static V apply(V a, V b, V c) { f32x4 x = as<f32x4>(a), y = as<f32x4>(b), z = as<f32x4>(c), r{}; for (int i = 0; i < 4; ++i) r[i] = std::fma(-x[i], y[i], z[i]); return as<V>(r); } };
struct F64x2RelaxedMadd { static V apply(V a, V b, V c) { f64x2 x = as<f64x2>(a), y = as<f64x2>(b), z = as<f64x2>(c), r{}; for (int i = 0; i < 2; ++i) r[i] = std::fma(x[i], y[i], z[i]); return as<V>(r); } };
struct F64x2RelaxedNmadd { static V apply(V a, V b, V c) { f64x2 x = as<f64x2>(a), y = as<f64x2>(b), z = as<f64x2>(c), r{}; for (int i = 0; i < 2; ++i) r[i] = std::fma(-x[i], y[i], z[i]); return as<V>(r); } };

// Conversions. Lanes without a source (the _zero forms) are zero.
template <class To, class From, class Op>  // lane i of From through Op to lane i of To
struct Convert {
  static V apply(V a) {
    return widen1<To, From, 0>(a, [](Lane<From> x) { return Op::apply(x); });
  }
};
template <class Op>  // f64x2 -> i32x4, lanes 2 and 3 zero
struct TruncSatF64Zero {
  static V apply(V a) {
    f64x2 x = as<f64x2>(a);
    u32x4 r{uint32_t(Op::apply(x[0])), uint32_t(Op::apply(x[1])), 0, 0};
    return as<V>(r);
  }
};
template <class Op>  // i32x4 lanes 0 and 1 -> f64x2
struct ConvertLow {
  static V apply(V a) {
    u32x4 x = as<u32x4>(a);
    f64x2 r{Op::apply(x[0]), Op::apply(x[1])};
    return as<V>(r);
  }
};
struct F32x4DemoteF64x2Zero {
  static V apply(V a) {
    f64x2 x = as<f64x2>(a);
    f32x4 r{num::F32DemoteF64::apply(x[0]), num::F32DemoteF64::apply(x[1]), 0.0f, 0.0f};
    return as<V>(r);
  }
};
struct F64x2PromoteLowF32x4 {
  static V apply(V a) {
    f32x4 x = as<f32x4>(a);
    f64x2 r{num::F64PromoteF32::apply(x[0]), num::F64PromoteF32::apply(x[1])};
    return as<V>(r);
  }
};

// ---- lanes, splats, shuffles ----
struct I8x16Swizzle {
  static V apply(V a, V s) {
    V r{};
    for (int i = 0; i < 16; ++i) r[i] = s[i] < 16 ? a[s[i]] : 0;
    return r;
  }
};
template <class VT, class S>  // S: the scalar's type as slots hold it
struct Splat {
  static constexpr ValType scalar =
      std::is_same_v<S, float> ? ValType::F32 : std::is_same_v<S, double> ? ValType::F64
                                : sizeof(S) == 8 ? ValType::I64 : ValType::I32;
  using A = S;
  static V apply(S x) {
    VT r{};
    for (int i = 0; i < kLanes<VT>; ++i) r[i] = Lane<VT>(x);
    return as<V>(r);
  }
};
// Extract: lane of VT to the scalar R (sign- or zero-extended by the lane type's signedness).
template <class VT, class R>
struct ExtractLane {
  static constexpr ValType scalar = Splat<VT, R>::scalar;
  static constexpr int lanes = kLanes<VT>;
  using A = R;
  static R apply(V a, uint32_t lane) {
    VT x = as<VT>(a);
    if constexpr (std::is_floating_point_v<R>) return x[lane];
    else return R(std::make_unsigned_t<R>(std::make_signed_t<R>(x[lane])));
  }
};
template <class VT, class S>
struct ReplaceLane {
  static constexpr ValType scalar = Splat<VT, S>::scalar;
  static constexpr int lanes = kLanes<VT>;
  using A = S;
  static V apply(V a, S x, uint32_t lane) {
    VT r = as<VT>(a);
    r[lane] = Lane<VT>(x);
    return as<V>(r);
  }
};

// ---- memory ----
// Loads of `bytes` bytes made into a vector.
struct V128Load {
  static constexpr uint32_t bytes = 16;
  static V apply(const uint8_t* p) { V r; std::memcpy(&r, p, 16); return r; }
};
template <class To, class From>  // 8 bytes, each lane extended
struct LoadExtend {
  static constexpr uint32_t bytes = 8;
  static V apply(const uint8_t* p) {
    Lane<From> x[kLanes<To>];
    std::memcpy(x, p, 8);
    To r{};
    for (int i = 0; i < kLanes<To>; ++i) r[i] = Lane<To>(x[i]);
    return as<V>(r);
  }
};
template <class VT>
struct LoadSplat {
  static constexpr uint32_t bytes = sizeof(Lane<VT>);
  static V apply(const uint8_t* p) {
    Lane<VT> x;
    std::memcpy(&x, p, sizeof x);
    VT r{};
    for (int i = 0; i < kLanes<VT>; ++i) r[i] = x;
    return as<V>(r);
  }
};
template <uint32_t N>
struct LoadZero {
  static constexpr uint32_t bytes = N;
  static V apply(const uint8_t* p) {
    V r{};
    std::memcpy(&r, p, N);
    return r;
  }
};
struct V128Store {
  static constexpr uint32_t bytes = 16;
};
template <class VT>  // one lane from or to memory
struct MemLane {
  static constexpr uint32_t bytes = sizeof(Lane<VT>);
  static constexpr int lanes = kLanes<VT>;
  static V load(V a, const uint8_t* p, uint32_t lane) {
    VT r = as<VT>(a);
    Lane<VT> x;
    std::memcpy(&x, p, sizeof x);
    r[lane] = x;
    return as<V>(r);
  }
  static void store(V a, uint8_t* p, uint32_t lane) {
    Lane<VT> x = as<VT>(a)[lane];
    std::memcpy(p, &x, sizeof x);
  }
};

#undef CW_V_UNARY
#undef CW_V_BINARY
#undef CW_V_COMPARE
#undef CW_V_INT_COMPARES
#undef CW_V_FLOAT_COMPARES
#undef CW_V_INT_COMMON
#undef CW_V_FLOAT_COMMON

}  // namespace simd
}  // namespace corowasm::detail
