#include "isa/simd_op.h"

#include <vector>

#include "isa/simd.h"

namespace corowasm::detail {

namespace {

template <SimdShape S, class Impl = void>
constexpr SimdInfo info_of() {
  SimdInfo i{S};
  if constexpr (S == SimdShape::Shuffle) i.lanes = 32;
  if constexpr (requires { Impl::bytes; }) i.bytes = uint8_t(Impl::bytes);
  if constexpr (requires { Impl::lanes; }) i.lanes = uint8_t(Impl::lanes);
  if constexpr (requires { Impl::scalar; }) i.scalar = Impl::scalar;
  return i;
}

}  // namespace

const SimdInfo& simd_info(Op op) {
  static const std::vector<SimdInfo> table = [] {
    std::vector<SimdInfo> t(size_t(Op::Count_) - size_t(Op::V128Load));
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_SIMD(Name, code, text, Shape, ...) \
  t[size_t(Op::Name) - size_t(Op::V128Load)] = info_of<SimdShape::Shape, __VA_ARGS__>();
#include "isa/opcodes.def"
    return t;
  }();
  return table[size_t(op) - size_t(Op::V128Load)];
}

}  // namespace corowasm::detail
