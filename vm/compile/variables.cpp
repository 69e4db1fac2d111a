// Locals, globals, select and drop: the instructions that move values rather than compute them.
// local.get only defers (the operand names the local's slot); local.set retargets the
// instruction that produced its value when it can.
#include "compile/function_compiler.h"
#include "decode/types.h"

namespace corowasm::detail {

namespace {

// Numeric or vector: what an untyped select accepts.
bool is_num(ValType t) {
  return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64 || t == ValType::V128 ||
         t == kUnknown;
}

}  // namespace

void FunctionCompiler::translate_local(Op op) {
  uint32_t idx = r_.u32();
  if (idx >= num_locals_) invalid("unknown local " + std::to_string(idx));
  if (op == Op::LocalGet) {
    push_local(idx);
    return;
  }
  uint32_t ls = local_slots_[idx];
  Operand v = pop(locals_[idx]);
  if (reachable() && !(v.kind == Operand::Local && v.slot == ls)) {
    materialize_if([&](uint32_t i) { return stack_[i].kind == Operand::Local && stack_[i].slot == ls; });
    Producer p = producer_;
    if (v.kind == Operand::Temp && p.start != kNoCode && p.end == code_.size() && p.dst == v.slot) {
      write_u32(p.dst_byte_pos, ls);  // the producer writes the local directly
      producer_.dst = ls;             // still known (a following branch may fuse it)
      if (acc_valid_ && acc_slot_ == v.slot) acc_slot_ = ls;
    } else if (v.kind == Operand::Const) {
      emit_const(v.value, ls);
    } else {
      emit_copy(v.slot, ls, v.type);
    }
  }
  if (op == Op::LocalTee) push_local(idx);
}

void FunctionCompiler::translate_global(Op op) {
  uint32_t idx = r_.u32();
  if (idx >= m_.globals.size()) invalid("unknown global " + std::to_string(idx));
  if (op == Op::GlobalGet) {
    uint32_t d = temp_slot(height());
    if (m_.globals[idx].type == ValType::V128) emit(&h_global_get_v128, ImmIdxS{idx, d});
    else note_acc(emit(&h_global_get, ImmIdxS{idx, d}), d);
    push(m_.globals[idx].type);
    return;
  }
  if (!m_.globals[idx].mut) invalid("global is immutable");
  auto [v] = pop_slots<1>({m_.globals[idx].type});
  emit(m_.globals[idx].type == ValType::V128 ? &h_global_set_v128 : &h_global_set, ImmIdxS{idx, v});
}

void FunctionCompiler::translate_select(Op op) {
  ValType t = kUnknown;
  if (op == Op::SelectT) {
    uint32_t n = r_.u32();
    if (n != 1) invalid("invalid result arity");
    t = read_val_type(r_);
  }
  Operand c = pop(ValType::I32);
  Operand b = pop(t);
  Operand a = pop(t);
  if (op == Op::Select) {
    if (!is_num(a.type) || !is_num(b.type)) invalid("type mismatch");
    if (a.type != b.type && a.type != kUnknown && b.type != kUnknown) invalid("type mismatch");
    t = a.type != kUnknown ? a.type : b.type;
  }
  uint32_t d = a.home;
  if (t == ValType::V128) {
    // Never constants (v128.const materialises at once); the handler reads before it writes.
    emit(&h_select_v128, ImmSelect{slot_of(c), a.slot, b.slot, d});
    push(ValType::V128);
    return;
  }
  if (a.kind != Operand::Const && b.kind == Operand::Const) {
    uint32_t sa = a.slot, sc = slot_of(c);
    emit(&h_select_si, ImmSelectK{sc, sa, d, 0, b.value});
  } else if (a.kind == Operand::Const && b.kind != Operand::Const) {
    uint32_t sb = b.slot, sc = slot_of(c);
    emit(&h_select_is, ImmSelectK{sc, sb, d, 0, a.value});
  } else {
    // Both values sit below the condition: materialise constants into their own slots.
    uint32_t sa = slot_of(a), sb = slot_of(b), sc = slot_of(c);
    size_t at = emit(&h_select, ImmSelect{sc, sa, sb, d});
    push(t);
    note_producer(at, field_pos(at, offsetof(ImmSelect, d)), d, Op::Select, Producer::Form::Select, 0, 0, 0);
    return;
  }
  push(t);
}

}  // namespace corowasm::detail
