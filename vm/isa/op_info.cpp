#include "isa/op_info.h"

#include <type_traits>
#include <vector>

#include "isa/numeric.h"

namespace corowasm::detail {

namespace {

template <class T>
constexpr ValType val_type_of() {
  if constexpr (std::is_same_v<T, uint32_t>) return ValType::I32;
  else if constexpr (std::is_same_v<T, uint64_t>) return ValType::I64;
  else if constexpr (std::is_same_v<T, float>) return ValType::F32;
  else return ValType::F64;
}

}  // namespace

const OpInfo& op_info(Op op) {
  static const std::vector<OpInfo> table = [] {
    std::vector<OpInfo> t(static_cast<size_t>(Op::Count_));
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_UNARY(Name, prefix, code, text, OpT) \
  t[size_t(Op::Name)] = {OpInfo::Unary, val_type_of<OpT::A>(), kUnknown, val_type_of<OpT::R>(), 0, kPlain};
#define CW_BINARY(Name, prefix, code, text, OpT, Flags)                                                    \
  t[size_t(Op::Name)] = {OpInfo::Binary, val_type_of<OpT::A>(), val_type_of<OpT::B>(), val_type_of<OpT::R>(), \
                         0, (Flags)};
#define CW_LOAD(Name, prefix, code, text, ValueT, MemT) \
  t[size_t(Op::Name)] = {OpInfo::Load, ValType::I32, kUnknown, val_type_of<ValueT>(), sizeof(MemT), kPlain};
#define CW_STORE(Name, prefix, code, text, ValueT, MemT) \
  t[size_t(Op::Name)] = {OpInfo::Store, ValType::I32, val_type_of<ValueT>(), kUnknown, sizeof(MemT), kPlain};
#include "isa/opcodes.def"
    return t;
  }();
  return table[size_t(op)];
}

}  // namespace corowasm::detail
