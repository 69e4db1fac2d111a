// What the validating compiler and the constant-expression reader need to know of an opcode
// of a table family (unary, binary, load, store), derived from its row of opcodes.def.
#pragma once

#include <corowasm/corowasm.h>

#include <cstdint>

#include "isa/op.h"

namespace corowasm::detail {

// The bottom type of unreachable code (no value type has this encoding).
inline constexpr ValType kUnknown = ValType(0);

struct OpInfo {
  enum Family : uint8_t { Special, Unary, Binary, Load, Store } family = Special;
  ValType a = kUnknown, b = kUnknown, r = kUnknown;  // operand and result types
  uint8_t size = 0;                                  // loads/stores: bytes accessed
  unsigned flags = kPlain;                           // binary: OpFlags
  bool commute() const { return flags & kCommute; }
  bool compare() const { return flags & kCompare; }
  bool const_expr() const { return flags & kConstExpr; }
};

const OpInfo& op_info(Op op);

// For the kCompare rows, derived from their names in opcodes.def (i32.lt_s -> i32.ge_s, ...):
// the comparison that holds exactly when `op` does not (for `if`, which branches on false),
// and the one with its operands swapped (a < b  ==  b > a; eq and ne are their own mirrors).
// Neither exists for an opcode that is not a kCompare row.
std::optional<Op> inverse_compare(Op op);
std::optional<Op> mirror_compare(Op op);

}  // namespace corowasm::detail
