// Memory instructions: loads and stores (fused with the address computation before them when
// it is the last instruction), memory.size/grow and the bulk memory operations.
#include <algorithm>

#include "compile/function_compiler.h"

namespace corowasm::detail {

uint64_t FunctionCompiler::memarg(uint32_t bytes) {
  size_t at_align = r_.offset();
  uint32_t align = r_.u32();
  if (align >= 64) r_.fail_at(at_align, "malformed memop flags");
  uint64_t offset = r_.u32();
  need_memory();
  if ((1u << std::min(align, 31u)) > bytes || align >= 32) invalid("alignment must not be larger than natural");
  return offset;
}

void FunctionCompiler::translate_memarg(Op op, const OpInfo& oi) {
  uint64_t offset = memarg(oi.size);
  if (oi.family == OpInfo::Load) {
    Operand addr = pop(ValType::I32);
    uint32_t d = temp_slot(height());
    ImmMemAdd fused{0, d, offset, 0, 0};
    Addr form = take_address_add(addr, fused);
    size_t at;
    if (form != Addr::Slot) {
      at = emit(load_handler(op, form), fused);
      push(oi.r);
      note_producer(at, field_pos(at, offsetof(ImmMemAdd, v)), d, op, Producer::Form::Load, 0, 0, 0);
    } else if (ImmMemAddKeep keep{0, d, offset, 0, 0}; take_tee_address_add(addr, keep)) {
      at = emit(load_handler(op, Addr::AddConstKeep), keep);
      push(oi.r);
      note_producer(at, field_pos(at, offsetof(ImmMemAddKeep, v)), d, op, Producer::Form::Load, 0, 0, 0);
    } else {
      uint32_t a = slot_of(addr);
      if (fuse_load_pair(op, a, d, offset)) {
        push(oi.r);
        return;
      }
      at = emit(load_handler(op, in_acc(a) ? Addr::AccSlot : Addr::Slot), ImmMem{a, d, offset});
      push(oi.r);
      note_producer(at, field_pos(at, offsetof(ImmMem, v)), d, op, Producer::Form::Load, a, 0, 0);
    }
    return;
  }
  Operand v = pop(oi.b);
  Operand addr = pop(ValType::I32);
  if (op == Op::I32Store && fuse_rmw_add(v, addr, offset)) return;
  if (fuse_mem_move(op, v, addr, offset)) return;
  if (v.kind == Operand::Const) {
    emit(store_handler(op, true), ImmMemI{slot_of(addr), 0, offset, v.value});
    return;
  }
  // A Temp value was computed after the address, so only Local values leave the address
  // add as the last instruction.
  ImmMemAdd fused{0, v.slot, offset, 0, 0};
  Addr form = v.kind == Operand::Local ? take_address_add(addr, fused) : Addr::Slot;
  if (form != Addr::Slot) {
    emit(store_handler(op, false, form), fused);
    return;
  }
  uint32_t a = slot_of(addr);
  uint32_t sv = slot_of(v);
  emit(store_handler(op, false, Addr::Slot, in_acc(sv)), ImmMem{a, sv, offset});
}

void FunctionCompiler::translate_memory(Op op) {
  constexpr ValType I32 = ValType::I32;
  switch (op) {
    case Op::MemorySize: {
      zero_byte();
      need_memory();
      emit(&h_memory_size, ImmSD{0, temp_slot(height())});
      push(I32);
      return;
    }
    case Op::MemoryGrow: {
      zero_byte();
      need_memory();
      auto [delta] = pop_slots<1>({I32});
      emit(&h_memory_grow, ImmSD{delta, temp_slot(height())});
      push(I32);
      return;
    }
    case Op::MemoryInit: {
      uint32_t seg = r_.u32();
      zero_byte();
      need_memory();
      if (!m_.has_data_count) r_.fail_at(op_offset_, "data count section required");
      if (seg >= m_.data_count) invalid("unknown data segment " + std::to_string(seg));
      auto [d, s, n] = pop_slots<3>({I32, I32, I32});
      emit(&h_memory_init, ImmTable2{seg, 0, d, s, n});
      return;
    }
    case Op::DataDrop: {
      uint32_t seg = r_.u32();
      if (!m_.has_data_count) r_.fail_at(op_offset_, "data count section required");
      if (seg >= m_.data_count) invalid("unknown data segment " + std::to_string(seg));
      emit(&h_data_drop, ImmIdxS{seg, 0});
      return;
    }
    case Op::MemoryCopy:
    case Op::MemoryFill: {
      zero_byte();
      if (op == Op::MemoryCopy) zero_byte();
      need_memory();
      auto [d, v, n] = pop_slots<3>({I32, I32, I32});
      emit(op == Op::MemoryCopy ? &h_memory_copy : &h_memory_fill, ImmTable2{0, 0, d, v, n});
      return;
    }
    default: invalid(std::string("unhandled opcode ") + op_name(op));
  }
}

}  // namespace corowasm::detail
