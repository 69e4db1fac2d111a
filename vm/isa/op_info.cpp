#include "isa/op_info.h"

#include <array>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
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

// The relation a comparison's name spells ("lt" in i32.lt_s), its negation and its mirror.
struct Relation {
  std::string_view name, inverse, mirror;
};
constexpr std::array<Relation, 6> kRelations{{
    {"eq", "ne", "eq"}, {"ne", "eq", "ne"}, {"lt", "ge", "gt"},
    {"gt", "le", "lt"}, {"le", "gt", "ge"}, {"ge", "lt", "le"},
}};

struct CompareTables {
  std::vector<std::optional<Op>> inverse, mirror;
};

// Each kCompare row's name is <type>.<relation>[_s|_u]; its inverse and mirror are the
// kCompare rows named with the other relation.
const CompareTables& compare_tables() {
  static const CompareTables tables = [] {
    CompareTables t{std::vector<std::optional<Op>>(size_t(Op::Count_)),
                    std::vector<std::optional<Op>>(size_t(Op::Count_))};
    std::unordered_map<std::string_view, Op> compare_by_name;
    for (size_t i = 0; i < size_t(Op::Count_); ++i)
      if (op_info(Op(i)).compare()) compare_by_name.emplace(op_name(Op(i)), Op(i));
    auto renamed = [&](std::string_view name, std::string_view from, std::string_view to) -> std::optional<Op> {
      std::string other(name.substr(0, name.size() - from.size()));
      other += to;
      auto it = compare_by_name.find(other);
      return it == compare_by_name.end() ? std::nullopt : std::optional<Op>(it->second);
    };
    for (auto [name, op] : compare_by_name) {
      size_t dot = name.find('.');
      std::string_view rel = name.substr(dot + 1, 2), sign = name.substr(dot + 3);
      for (const Relation& r : kRelations) {
        if (r.name != rel) continue;
        std::string_view tail = name.substr(dot + 1);
        t.inverse[size_t(op)] = renamed(name, tail, std::string(r.inverse) + std::string(sign));
        t.mirror[size_t(op)] = renamed(name, tail, std::string(r.mirror) + std::string(sign));
      }
    }
    return t;
  }();
  return tables;
}

}  // namespace

std::optional<Op> inverse_compare(Op op) { return op < Op::Count_ ? compare_tables().inverse[size_t(op)] : std::nullopt; }
std::optional<Op> mirror_compare(Op op) { return op < Op::Count_ ? compare_tables().mirror[size_t(op)] : std::nullopt; }

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
