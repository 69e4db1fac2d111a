// One walk per function body: validate each instruction by the spec's typing rules and emit
// slot-addressed threaded code for it. function_compiler.h says how the work is split and how
// the operand stack defers values; this file reads the body and sends each opcode to its
// family's translation.
#include "compile/compiler.h"

#include <algorithm>

#include "compile/function_compiler.h"
#include "decode/features.h"
#include "decode/types.h"

namespace corowasm::detail {

FunctionCompiler::FunctionCompiler(const ModuleData& m, uint32_t func_index, std::span<const uint8_t> body,
                                   size_t offset, FuncCode& out)
    : m_(m), r_(body, offset), fc_(&out) {
  fc_->func_index = func_index;
  fc_->type_index = m.func_types[func_index];
  fc_->type_id = m.type_ids[fc_->type_index];
  fc_->body_offset = offset;
  fc_->body_size = body.size();
}

void FunctionCompiler::compile() {
  type_ = &m_.types[fc_->type_index];
  locals_ = type_->params;
  uint32_t groups = r_.u32();
  uint64_t total = locals_.size();
  for (uint32_t g = 0; g < groups; ++g) {
    uint32_t count = r_.u32();
    total += count;
    if (total > kMaxLocals) r_.fail("too many locals");
    ValType t = read_val_type(r_);
    locals_.insert(locals_.end(), count, t);
  }
  num_locals_ = uint32_t(locals_.size());
  local_slots_.resize(num_locals_);
  uint32_t slots = 0;
  for (uint32_t i = 0; i < num_locals_; ++i) {
    if (i == type_->params.size()) fc_->num_params = slots;
    local_slots_[i] = slots;
    slots += slot_width(locals_[i]);
  }
  if (num_locals_ == type_->params.size()) fc_->num_params = slots;
  num_local_slots_ = max_slots_ = slots;
  fc_->num_locals = slots;
  fc_->num_results = 0;
  for (ValType t : type_->results) fc_->num_results += slot_width(t);

  Control fn;
  fn.kind = Op::Call;
  fn.results = Types(type_->results);
  ctrl_.push_back(std::move(fn));

  while (!ctrl_.empty()) {
    op_offset_ = r_.offset();
    uint8_t b = r_.u8();
    uint32_t code = b;
    uint8_t prefix = 0;
    if (b == 0xFC || b == 0xFD) {
      prefix = b;
      code = r_.u32();
    }
    std::optional<Op> op = decode_op(prefix, code);
    if (!op) {
      const char* why = prefix ? unsupported_prefixed_opcode(prefix, code) : unsupported_opcode(b);
      r_.fail_at(op_offset_, why ? why : "illegal opcode");
    }
    compile_instruction(*op);
  }
  if (!r_.at_end()) r_.fail("section size mismatch");
  // Results need max(params, results) slots even for empty bodies.
  uint32_t min_slots = std::max(fc_->num_locals, fc_->num_results);
  fc_->frame_slots = std::max(min_slots, max_slots_);
  // A call zeroes up to 8 declared locals with 8 stores whatever their number (exec/call.cpp:
  // zero_locals): the frame has room for them.
  if (fc_->num_locals - fc_->num_params <= kZeroedAtOnce)
    fc_->frame_slots = std::max(fc_->frame_slots, fc_->num_params + kZeroedAtOnce);
  code_.shrink_to_fit();
  fc_->offsets.shrink_to_fit();
  link_calls(*fc_);
}

void FunctionCompiler::compile_instruction(Op op) {
  const OpInfo& oi = op_info(op);
  switch (oi.family) {
    case OpInfo::Unary: return translate_unary(op, oi);
    case OpInfo::Binary: return translate_binary(op, oi);
    case OpInfo::Load:
    case OpInfo::Store: return translate_memarg(op, oi);
    case OpInfo::Special: break;
  }
  if (is_simd(op)) return translate_simd(op);

  switch (op) {
    case Op::Unreachable:
      emit(&h_unreachable, ImmBr{0});
      set_unreachable();
      return;
    case Op::Nop: return;

    case Op::Block:
    case Op::Loop:
    case Op::If: return translate_block(op);
    case Op::Else: return translate_else();
    case Op::End: return translate_end();
    case Op::Br: return translate_br();
    case Op::BrIf: return translate_br_if();
    case Op::BrTable: return translate_br_table();
    case Op::Return: return return_sequence();

    case Op::TryTable: return translate_try_table();
    case Op::Throw: return translate_throw();
    case Op::ThrowRef: return translate_throw_ref();
    case Op::Try: return translate_try();
    case Op::Catch: return translate_catch(false);
    case Op::CatchAll: return translate_catch(true);
    case Op::Delegate: return translate_delegate();
    case Op::Rethrow: return translate_rethrow();

    case Op::Call: return compile_call(r_.u32(), false);
    case Op::ReturnCall: return compile_call(r_.u32(), true);
    case Op::CallIndirect: return compile_call_indirect(false);
    case Op::ReturnCallIndirect: return compile_call_indirect(true);

    case Op::Drop: pop_any(); return;
    case Op::Select:
    case Op::SelectT: return translate_select(op);

    case Op::LocalGet:
    case Op::LocalSet:
    case Op::LocalTee: return translate_local(op);
    case Op::GlobalGet:
    case Op::GlobalSet: return translate_global(op);

    case Op::I32Const: return push_const(ValType::I32, uint32_t(r_.s32()));
    case Op::I64Const: return push_const(ValType::I64, uint64_t(r_.s64()));
    case Op::F32Const: return push_const(ValType::F32, r_.fixed_u32());
    case Op::F64Const: return push_const(ValType::F64, r_.fixed_u64());

    case Op::MemorySize:
    case Op::MemoryGrow:
    case Op::MemoryInit:
    case Op::DataDrop:
    case Op::MemoryCopy:
    case Op::MemoryFill: return translate_memory(op);

    case Op::TableGet:
    case Op::TableSet:
    case Op::TableInit:
    case Op::ElemDrop:
    case Op::TableCopy:
    case Op::TableGrow:
    case Op::TableSize:
    case Op::TableFill: return translate_table(op);

    case Op::RefNull:
    case Op::RefIsNull:
    case Op::RefFunc: return translate_ref(op);

    default: invalid(std::string("unhandled opcode ") + op_name(op));
  }
}

void compile_function(const ModuleData& m, uint32_t func_index, std::span<const uint8_t> body, size_t offset,
                      FuncCode& out) {
  FunctionCompiler(m, func_index, body, offset, out).compile();
}

}  // namespace corowasm::detail
