// SIMD handlers: one template per shape of isa/simd_op.h, instantiated for each row of
// simd.def with its semantics from isa/simd.h. A v128 takes two consecutive slots (low half
// first); handlers read every operand before they write the result, which may overlap them.
#include "exec/support.h"
#include "isa/simd.h"

namespace corowasm::detail {

namespace {

using simd::V;

[[gnu::always_inline]] inline V vget(const Slot* fp, uint32_t i) {
  V v;
  std::memcpy(&v, fp + i, 16);
  return v;
}
[[gnu::always_inline]] inline void vput(Slot* fp, uint32_t i, V v) { std::memcpy(fp + i, &v, 16); }

// The effective address of an access of `bytes`, or nullopt-like UINT64_MAX when out of bounds.
[[gnu::always_inline]] inline bool address(const Slot* fp, uint32_t addr, uint64_t offset, uint32_t bytes,
                                           uint64_t memsize, uint64_t& ea) {
  ea = uint64_t(get<uint32_t>(fp, addr)) + offset;  // 33 bits at most: cannot wrap
  return !out_of_bounds(ea + bytes, memsize);
}

}  // namespace

template <class Impl>
CW_HANDLER(h_v_unary) {
  auto a = imm<ImmSD>(ip);
  vput(fp, a.d, Impl::apply(vget(fp, a.s)));
  CW_NEXT(cells_of<ImmSD>);
}

template <class Impl>
CW_HANDLER(h_v_binary) {
  auto a = imm<ImmSSD>(ip);
  vput(fp, a.d, Impl::apply(vget(fp, a.a), vget(fp, a.b)));
  CW_NEXT(cells_of<ImmSSD>);
}

// The right operand was a v128.const, fused in (the usual shape of masks and bounds in
// vectorised loops): one handler instead of two.
template <class Impl>
CW_HANDLER(h_v_binary_k) {
  auto a = imm<ImmV128K>(ip);
  V k;
  std::memcpy(&k, &a.lo, 16);
  vput(fp, a.d, Impl::apply(vget(fp, a.a), k));
  CW_NEXT(cells_of<ImmV128K>);
}

template <class Impl>
CW_HANDLER(h_v_ternary) {
  auto a = imm<ImmSSSD>(ip);
  vput(fp, a.d, Impl::apply(vget(fp, a.a), vget(fp, a.b), vget(fp, a.c)));
  CW_NEXT(cells_of<ImmSSSD>);
}

template <class Impl>
CW_HANDLER(h_v_test) {
  auto a = imm<ImmSD>(ip);
  put<uint32_t>(fp, a.d, Impl::apply(vget(fp, a.s)));
  CW_NEXT(cells_of<ImmSD>);
}

template <class Impl>
CW_HANDLER(h_v_shift) {
  auto a = imm<ImmSSD>(ip);
  vput(fp, a.d, Impl::apply(vget(fp, a.a), get<uint32_t>(fp, a.b)));
  CW_NEXT(cells_of<ImmSSD>);
}

template <class Impl>
CW_HANDLER(h_v_splat) {
  auto a = imm<ImmSD>(ip);
  vput(fp, a.d, Impl::apply(get<typename Impl::A>(fp, a.s)));
  CW_NEXT(cells_of<ImmSD>);
}

template <class Impl>
CW_HANDLER(h_v_extract) {
  auto a = imm<ImmLane>(ip);
  put<typename Impl::A>(fp, a.d, Impl::apply(vget(fp, a.s), a.lane));
  CW_NEXT(cells_of<ImmLane>);
}

template <class Impl>
CW_HANDLER(h_v_replace) {
  auto a = imm<ImmLane2>(ip);
  vput(fp, a.d, Impl::apply(vget(fp, a.a), get<typename Impl::A>(fp, a.b), a.lane));
  CW_NEXT(cells_of<ImmLane2>);
}

template <class Impl>
CW_HANDLER(h_v_load) {
  auto a = imm<ImmMem>(ip);
  uint64_t ea;
  if (!address(fp, a.addr, a.offset, Impl::bytes, memsize, ea)) [[unlikely]]
    CW_TRAP(TrapKind::MemoryOutOfBounds);
  vput(fp, a.v, Impl::apply(mem + ea));
  CW_NEXT(cells_of<ImmMem>);
}

CW_HANDLER(h_v_store) {
  auto a = imm<ImmMem>(ip);
  uint64_t ea;
  if (!address(fp, a.addr, a.offset, 16, memsize, ea)) [[unlikely]]
    CW_TRAP(TrapKind::MemoryOutOfBounds);
  std::memcpy(mem + ea, fp + a.v, 16);
  CW_NEXT(cells_of<ImmMem>);
}

template <class Impl>
CW_HANDLER(h_v_load_lane) {
  auto a = imm<ImmMemLane>(ip);
  uint64_t ea;
  if (!address(fp, a.addr, a.offset, Impl::bytes, memsize, ea)) [[unlikely]]
    CW_TRAP(TrapKind::MemoryOutOfBounds);
  vput(fp, a.d, Impl::load(vget(fp, a.v), mem + ea, a.lane));
  CW_NEXT(cells_of<ImmMemLane>);
}

template <class Impl>
CW_HANDLER(h_v_store_lane) {
  auto a = imm<ImmMemLane>(ip);
  uint64_t ea;
  if (!address(fp, a.addr, a.offset, Impl::bytes, memsize, ea)) [[unlikely]]
    CW_TRAP(TrapKind::MemoryOutOfBounds);
  Impl::store(vget(fp, a.v), mem + ea, a.lane);
  CW_NEXT(cells_of<ImmMemLane>);
}

CW_HANDLER(h_v128_const) {
  auto a = imm<ImmV128>(ip);
  fp[a.d] = a.lo;
  fp[a.d + 1] = a.hi;
  CW_NEXT(cells_of<ImmV128>);
}

CW_HANDLER(h_i8x16_shuffle) {
  auto a = imm<ImmShuffle>(ip);
  uint8_t both[32];
  std::memcpy(both, fp + a.a, 16);
  std::memcpy(both + 16, fp + a.b, 16);
  uint8_t r[16];
  for (int i = 0; i < 16; ++i) r[i] = both[a.lanes[i] & 31];  // validated: < 32
  std::memcpy(fp + a.d, r, 16);
  CW_NEXT(cells_of<ImmShuffle>);
}

// A shuffle selecting 16 consecutive bytes of the pair (a byte shift or a concatenation, as
// vectorised loops with neighbouring elements use): one unaligned load.
CW_HANDLER(h_i8x16_shuffle_window) {
  auto a = imm<ImmWindow>(ip);
  uint8_t both[32];
  std::memcpy(both, fp + a.a, 16);
  std::memcpy(both + 16, fp + a.b, 16);
  std::memcpy(fp + a.d, both + (a.base <= 16 ? a.base : 16), 16);  // validated: <= 16
  CW_NEXT(cells_of<ImmWindow>);
}

#if defined(__x86_64__)
}  // namespace corowasm::detail
#include <tmmintrin.h>
namespace corowasm::detail {
// Any other shuffle, on a CPU with SSSE3: two pshufb and an or.
__attribute__((target("ssse3"))) CW_HANDLER(h_i8x16_shuffle_ssse3) {
  auto a = imm<ImmShuffleMasks>(ip);
  __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(fp + a.a));
  __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(fp + a.b));
  __m128i ma = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a.ma));
  __m128i mb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a.mb));
  __m128i r = _mm_or_si128(_mm_shuffle_epi8(x, ma), _mm_shuffle_epi8(y, mb));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(fp + a.d), r);
  CW_NEXT(cells_of<ImmShuffleMasks>);
}
#endif

namespace {

template <SimdShape S, class Impl = void>
constexpr Handler handler_of() {
  using enum SimdShape;
  if constexpr (S == Const) return &h_v128_const;
  else if constexpr (S == Shuffle) return &h_i8x16_shuffle;
  else if constexpr (S == Unary) return &h_v_unary<Impl>;
  else if constexpr (S == Binary) return &h_v_binary<Impl>;
  else if constexpr (S == Ternary) return &h_v_ternary<Impl>;
  else if constexpr (S == Test) return &h_v_test<Impl>;
  else if constexpr (S == Shift) return &h_v_shift<Impl>;
  else if constexpr (S == Splat) return &h_v_splat<Impl>;
  else if constexpr (S == Extract) return &h_v_extract<Impl>;
  else if constexpr (S == Replace) return &h_v_replace<Impl>;
  else if constexpr (S == Load) return &h_v_load<Impl>;
  else if constexpr (S == Store) return &h_v_store;
  else if constexpr (S == LoadLane) return &h_v_load_lane<Impl>;
  else return &h_v_store_lane<Impl>;
}

template <SimdShape S, class Impl = void>
constexpr Handler binary_const_handler_of() {
  if constexpr (S == SimdShape::Binary) return &h_v_binary_k<Impl>;
  else return nullptr;
}

}  // namespace

Handler simd_binary_const_handler(Op op) {
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_SIMD(Name, code, text, Shape, ...) \
  case Op::Name: return binary_const_handler_of<SimdShape::Shape, __VA_ARGS__>();
#include "isa/opcodes.def"
    default: return nullptr;
  }
}

Handler simd_handler(Op op) {
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_SIMD(Name, code, text, Shape, ...) \
  case Op::Name: return handler_of<SimdShape::Shape, __VA_ARGS__>();
#include "isa/opcodes.def"
    default: return nullptr;
  }
}

}  // namespace corowasm::detail
