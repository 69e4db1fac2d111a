// Numeric instructions (the unary and binary rows of opcodes.def): one handler each, chosen by
// where the operands are (slot, constant, accumulator), unless a fusion takes the instruction.
#include <utility>

#include "compile/function_compiler.h"

namespace corowasm::detail {

using Form = Producer::Form;

void FunctionCompiler::translate_unary(Op op, const OpInfo& oi) {
  auto [s] = pop_slots<1>({oi.a});
  uint32_t d = temp_slot(height());
  size_t at = emit(unary_handler(op, in_acc(s)), ImmSD{s, d});
  push(oi.r);
  note_producer(at, field_pos(at, offsetof(ImmSD, d)), d, op, Form::Unary, s, 0, 0);
}

void FunctionCompiler::translate_binary(Op op, const OpInfo& oi) {
  Operand b = pop(oi.b);
  Operand a = pop(oi.a);
  uint32_t pos = height();
  if (op == Op::I32Add && fuse_add_of_shift(a, b, pos)) return;
  if (fuse_chain(op, oi, a, b, pos)) return;
  if (op == Op::I32Add && fuse_add_pair(a, b, pos)) return;
  uint32_t d = temp_slot(pos);
  if (a.kind == Operand::Const && b.kind != Operand::Const && oi.commute()) std::swap(a, b);
  size_t dst_field;
  size_t at;
  Form form;
  uint32_t sa = 0, sb = 0;
  uint64_t k = 0;
  if (a.kind == Operand::Const && b.kind != Operand::Const) {
    form = Form::ConstSlot;
    sb = b.slot;
    k = a.value;
    at = emit(binary_handler(op, Operands::ConstSlot, in_acc(sb) ? Acc::Right : Acc::None), ImmISD{k, sb, d});
    dst_field = offsetof(ImmISD, d);
  } else {
    sa = a.kind == Operand::Const ? slot_of(a) : a.slot;  // both constant: a goes to its slot
    if (b.kind == Operand::Const) {
      form = Form::SlotConst;
      k = b.value;
      at = emit(binary_handler(op, Operands::SlotConst, in_acc(sa) ? Acc::Left : Acc::None), ImmSID{sa, d, k});
      dst_field = offsetof(ImmSID, d);
    } else {
      form = Form::SlotSlot;
      sb = b.slot;
      Acc acc = in_acc(sa) ? Acc::Left : in_acc(sb) ? Acc::Right : Acc::None;
      at = emit(binary_handler(op, Operands::SlotSlot, acc), ImmSSD{sa, sb, d});
      dst_field = offsetof(ImmSSD, d);
    }
  }
  push(oi.r);
  note_producer(at, field_pos(at, dst_field), d, op, form, sa, sb, k);
}

}  // namespace corowasm::detail
