// The opcode enum, expanded from opcodes.def, and what the binary format's bytes name.
#pragma once

#include <cstdint>
#include <optional>

namespace corowasm::detail {

// Flags of a CW_BINARY row, or-ed.
enum OpFlags : unsigned { kPlain = 0, kCommute = 1, kCompare = 2, kConstExpr = 4, kChain = 8 };

enum class Op : uint16_t {
#define CW_SPECIAL(Name, prefix, code, text) Name,
#define CW_UNARY(Name, prefix, code, text, OpT) Name,
#define CW_BINARY(Name, prefix, code, text, OpT, Flags) Name,
#define CW_LOAD(Name, prefix, code, text, ValueT, MemT) Name,
#define CW_STORE(Name, prefix, code, text, ValueT, MemT) Name,
#define CW_SIMD(Name, code, text, Shape, ...) Name,
#include "isa/opcodes.def"
  Count_
};

// The SIMD rows come last (opcodes.def includes simd.def at its end).
inline bool is_simd(Op op) { return op >= Op::V128Load && op < Op::Count_; }

std::optional<Op> decode_op(uint8_t prefix, uint32_t code);
const char* op_name(Op op);

}  // namespace corowasm::detail
