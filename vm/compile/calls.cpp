// Calls: the arguments go to consecutive slots at the top of the caller's frame, which become
// the callee's first locals (its frame starts there); results come back in the same slots.
#include "compile/function_compiler.h"

namespace corowasm::detail {

// What a direct call to `callee` copies of it; empty until the callee is compiled.
ImmCall call_imm(const FuncCode* callee, uint32_t args_slot) {
  ImmCall a{callee};
  a.args = args_slot;
  if (!callee->code.empty() && callee->frame_slots) {
    a.entry = callee->code.data();
    a.frame_slots = callee->frame_slots;
    a.num_params = callee->num_params;
    a.num_zeroed = callee->num_locals - callee->num_params;
  }
  return a;
}

void link_calls(FuncCode& callee) {
  for (const FuncCode::CallSite& site : callee.unlinked_calls) {
    Cell* at = site.caller->code.data() + site.cell;
    // ImmCall comes first in every direct call's immediates.
    if (at->handler != &h_call && at->handler != &h_return_call && at->handler != &h_call_copy2 &&
        at->handler != &h_call_const)
      throw Error("internal error: a call site to link holds another instruction");
    ImmCall a;
    std::memcpy(&a, at + 1, sizeof a);
    a = call_imm(&callee, a.args);
    std::memcpy(at + 1, &a, sizeof a);
  }
  callee.unlinked_calls.clear();
  callee.unlinked_calls.shrink_to_fit();
}

size_t FunctionCompiler::emit_call(const ImmCall& call) {
  if (reachable() && last_start_ != kNoCode) {
    size_t last = last_start_;
    Handler h = code_[last].handler;
    if (h == &h_copy && last + cells_of<ImmSD> == code_.size()) {
      ImmSD c = imm<ImmSD>(&code_[last]);
      truncate(last);
      return emit(&h_call_copy2, ImmCallCopy2{call, {c.s, c.d, c.s, c.d}});
    }
    if (h == &h_copy2 && last + cells_of<ImmCopy2> == code_.size()) {
      ImmCopy2 c = imm<ImmCopy2>(&code_[last]);
      truncate(last);
      return emit(&h_call_copy2, ImmCallCopy2{call, {c.s1, c.d1, c.s2, c.d2}});
    }
    if (h == &h_const && last + cells_of<ImmKD> == code_.size()) {
      ImmKD c = imm<ImmKD>(&code_[last]);
      truncate(last);
      return emit(&h_call_const, ImmCallConst{call, c.k, c.d, 0});
    }
  }
  return emit(&h_call, call);
}

void FunctionCompiler::compile_call(uint32_t func_index, bool tail) {
  if (func_index >= m_.func_types.size()) invalid("unknown function " + std::to_string(func_index));
  const FuncType& ft = m_.func_type(func_index);
  if (tail && ft.results != type_->results) invalid("type mismatch");
  uint32_t n = uint32_t(ft.params.size());
  // Validate the arguments, then give them their canonical consecutive slots.
  check_top(ft.params, false);
  uint32_t base = height() - n;
  materialize_top(n);
  truncate_stack(base);
  uint32_t args_slot = temp_slot(base);
  bool imported = func_index < m_.num_imported_funcs;
  if (!imported) {
    // Every FuncCode exists from the function section on, so a callee not compiled yet
    // already has its final address; the rest of what the call copies of it (entry, frame
    // shape) is known once it is compiled. Bodies compile in index order: a callee from here
    // on (this function included) is linked when its compilation ends.
    FuncCode* callee = m_.codes[func_index - m_.num_imported_funcs].get();
    size_t at = tail ? emit(&h_return_call, call_imm(callee, args_slot)) : emit_call(call_imm(callee, args_slot));
    if (func_index >= fc_->func_index && at != kNoCode) callee->unlinked_calls.push_back({fc_, uint32_t(at)});
  } else {
    emit(tail ? &h_return_call_import : &h_call_import, ImmCallImport{func_index, args_slot});
    if (tail) {
      // A host callee returns here; its results sit at args_slot.
      push_values(ft.results);
      emit_return();
      truncate_stack(base);
    }
  }
  if (tail) {
    set_unreachable();
    return;
  }
  push_values(ft.results);
}

void FunctionCompiler::compile_call_indirect(bool tail) {
  size_t at_type = r_.offset();
  uint32_t type_index = r_.u32();
  uint32_t table = r_.u32();
  if (table >= m_.tables.size()) invalid("unknown table " + std::to_string(table));
  if (type_index >= m_.types.size()) throw ValidationError(at_type, "unknown type");
  if (m_.tables[table].elem != ValType::FuncRef) invalid("type mismatch");
  const FuncType& ft = m_.types[type_index];
  if (tail && ft.results != type_->results) invalid("type mismatch");
  Operand idx = pop(ValType::I32);
  uint32_t n = uint32_t(ft.params.size());
  check_top(ft.params, false);
  uint32_t base = height() - n;
  // The index sits right above the arguments.
  uint32_t idx_slot = slot_of(idx);
  materialize_top(n);
  truncate_stack(base);
  uint32_t args_slot = temp_slot(base);
  emit(tail ? &h_return_call_indirect : &h_call_indirect,
       ImmCallIndirect{m_.type_ids[type_index], table, idx_slot, args_slot});
  if (tail) {
    push_values(ft.results);
    emit_return();
    truncate_stack(base);
    set_unreachable();
    return;
  }
  push_values(ft.results);
}

}  // namespace corowasm::detail
