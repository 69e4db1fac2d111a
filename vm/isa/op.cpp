// What the binary format's opcode bytes name, and each opcode's text, from opcodes.def.
#include "isa/op.h"

namespace corowasm::detail {

// One switch over (prefix, code) for every row of opcodes.def, whatever its family.
std::optional<Op> decode_op(uint8_t prefix, uint32_t code) {
  constexpr auto key = [](uint64_t p, uint64_t c) { return (p << 32) | c; };
  switch (key(prefix, code)) {
#define CW_SPECIAL(Name, prefix, code, text) case key(prefix, code): return Op::Name;
#define CW_UNARY(Name, prefix, code, text, OpT) case key(prefix, code): return Op::Name;
#define CW_BINARY(Name, prefix, code, text, OpT, Flags) case key(prefix, code): return Op::Name;
#define CW_LOAD(Name, prefix, code, text, ValueT, MemT) case key(prefix, code): return Op::Name;
#define CW_STORE(Name, prefix, code, text, ValueT, MemT) case key(prefix, code): return Op::Name;
#define CW_SIMD(Name, code, text, Shape, ...) case key(0xFD, code): return Op::Name;
#include "isa/opcodes.def"
    default: return std::nullopt;
  }
}

const char* op_name(Op op) {
  static const char* const names[] = {
#define CW_SPECIAL(Name, prefix, code, text) text,
#define CW_UNARY(Name, prefix, code, text, OpT) text,
#define CW_BINARY(Name, prefix, code, text, OpT, Flags) text,
#define CW_LOAD(Name, prefix, code, text, ValueT, MemT) text,
#define CW_STORE(Name, prefix, code, text, ValueT, MemT) text,
#define CW_SIMD(Name, code, text, Shape, ...) text,
#include "isa/opcodes.def"
  };
  return op < Op::Count_ ? names[size_t(op)] : "?";
}

}  // namespace corowasm::detail
