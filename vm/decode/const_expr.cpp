#include "decode/const_expr.h"

#include <string>
#include <vector>

#include "decode/types.h"
#include "isa/op_info.h"

namespace corowasm::detail {

ConstExpr read_const_expr(Reader& r, const ModuleData& m, ValType expected, uint32_t visible_globals) {
  ConstExpr e;
  std::vector<ValType> stack;
  auto pop = [&](ValType t, size_t at) {
    if (stack.empty() || stack.back() != t) throw ValidationError(at, "type mismatch");
    stack.pop_back();
  };
  for (;;) {
    size_t at = r.offset();
    uint8_t b = r.u8();
    std::optional<Op> op = decode_op(0, b);  // prefixed opcodes (0xFC, 0xFD) name no one-byte op
    if (b == 0xFD) {  // of the SIMD instructions only v128.const (12) is constant
      if (r.u32() != 12) throw ValidationError(at, "constant expression required");
      uint64_t lo = r.fixed_u64(), hi = r.fixed_u64();
      e.push_back({ConstOp::Bits, lo, Op::Nop, hi});
      stack.push_back(ValType::V128);
      continue;
    }
    if (!op) {
      if (b == 0xFC || b == 0xFD) throw ValidationError(at, "constant expression required");
      r.fail_at(at, "illegal opcode");
    }
    switch (*op) {
      case Op::End:
        if (stack.size() != 1 || stack[0] != expected) throw ValidationError(at, "type mismatch");
        return e;
      case Op::I32Const: e.push_back({ConstOp::Bits, uint32_t(r.s32())}); stack.push_back(ValType::I32); break;
      case Op::I64Const: e.push_back({ConstOp::Bits, uint64_t(r.s64())}); stack.push_back(ValType::I64); break;
      case Op::F32Const: e.push_back({ConstOp::Bits, r.fixed_u32()}); stack.push_back(ValType::F32); break;
      case Op::F64Const: e.push_back({ConstOp::Bits, r.fixed_u64()}); stack.push_back(ValType::F64); break;
      case Op::RefNull: {
        ValType t = read_ref_type(r);
        e.push_back({ConstOp::Bits, 0});
        stack.push_back(t);
        break;
      }
      case Op::RefFunc: {
        uint32_t f = r.u32();
        if (f >= m.func_types.size()) throw ValidationError(at, "unknown function " + std::to_string(f));
        e.push_back({ConstOp::RefFunc, f});
        stack.push_back(ValType::FuncRef);
        break;
      }
      case Op::GlobalGet: {
        uint32_t g = r.u32();
        if (g >= m.globals.size()) throw ValidationError(at, "unknown global " + std::to_string(g));
        if (g >= visible_globals)  // valid since Wasm 3.0 (GC, extended-const)
          throw ValidationError(at, "global.get of a global the module defines in a constant expression is not supported");
        if (m.globals[g].mut) throw ValidationError(at, "constant expression required");
        e.push_back({ConstOp::GlobalGet, g});
        stack.push_back(m.globals[g].type);
        break;
      }
      default: {
        const OpInfo& oi = op_info(*op);
        if (!oi.const_expr()) throw ValidationError(at, "constant expression required");
        pop(oi.b, at);
        pop(oi.a, at);
        e.push_back({ConstOp::Binary, 0, *op});
        stack.push_back(oi.r);
      }
    }
  }
}

}  // namespace corowasm::detail
